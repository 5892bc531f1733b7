"""All models, importable from one place (Alembic and the app import this package)."""

from app.models.accounts import StaffRole, User
from app.models.assessments import (
    DEFAULT_GROUPS,
    Answer,
    Assessment,
    AssessmentQuestionnaire,
    AssessmentStatus,
    AuditEvent,
    ConsensusValue,
    Respondent,
    Target,
)
from app.models.base import Base, utcnow
from app.models.organisations import (
    ConsultantAssignment,
    MemberRole,
    Membership,
    Organisation,
    OrganisationSize,
)
from app.models.questionnaires import QuestionnaireVersion
from app.models.reports import ActionAssignment, OrganisationBranding, ReportCache

__all__ = [
    "DEFAULT_GROUPS",
    "ActionAssignment",
    "Answer",
    "Assessment",
    "AssessmentQuestionnaire",
    "AssessmentStatus",
    "AuditEvent",
    "Base",
    "ConsensusValue",
    "ConsultantAssignment",
    "MemberRole",
    "Membership",
    "Organisation",
    "OrganisationBranding",
    "OrganisationSize",
    "QuestionnaireVersion",
    "ReportCache",
    "Respondent",
    "StaffRole",
    "Target",
    "User",
    "utcnow",
]
