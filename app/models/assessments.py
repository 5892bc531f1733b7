"""Assessments of an organisation: the questionnaires they froze, their respondents and
answers, the consultant's consensus values and targets, and an audit trail."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.models.accounts import enum_column
from app.models.base import Base, TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.accounts import User
    from app.models.organisations import Organisation
    from app.models.questionnaires import QuestionnaireVersion


class AssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"


DEFAULT_GROUPS = ("executive", "manager", "staff")


class Assessment(TimestampMixin, Base):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[AssessmentStatus] = mapped_column(
        enum_column(AssessmentStatus, "assessment_status"), default=AssessmentStatus.DRAFT
    )
    groups: Mapped[list[str]] = mapped_column(JSON, default=lambda: list(DEFAULT_GROUPS))
    deadline: Mapped[date | None] = mapped_column(Date)
    # The level every dimension aims at, unless it has a Target of its own; None: the
    # level above the assessment's overall level (docs/scoring.md, section 5).
    target_level: Mapped[str | None] = mapped_column(String(60))
    observations: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    questionnaires: Mapped[list[AssessmentQuestionnaire]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="AssessmentQuestionnaire.position",
    )
    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="Respondent.id"
    )
    targets: Mapped[list[Target]] = relationship(cascade="all, delete-orphan")
    consensus_values: Mapped[list[ConsensusValue]] = relationship(cascade="all, delete-orphan")


class AssessmentQuestionnaire(Base):
    """A questionnaire of an assessment, pointing at the frozen copy it started with."""

    __tablename__ = "assessment_questionnaires"
    __table_args__ = (UniqueConstraint("assessment_id", "questionnaire_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="RESTRICT")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    assessment: Mapped[Assessment] = relationship(back_populates="questionnaires")
    version: Mapped[QuestionnaireVersion] = relationship()


class Target(Base):
    """The level one dimension should reach, in place of the assessment's target level."""

    __tablename__ = "assessment_targets"
    __table_args__ = (UniqueConstraint("assessment_id", "questionnaire_key", "dimension_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    questionnaire_key: Mapped[str] = mapped_column(String(60))
    dimension_id: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(60))


class Respondent(TimestampMixin, Base):
    """Someone asked to answer: by a private link (only its hash is stored) or, for a
    member of the organisation, from their own dashboard."""

    __tablename__ = "respondents"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), default="")
    group: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(5), default="fa")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assessment: Mapped[Assessment] = relationship(back_populates="respondents")
    user: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan"
    )


class Answer(Base):
    """One answer; at most one per respondent and item, so saves can only overwrite."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("respondent_id", "questionnaire_key", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    questionnaire_key: Mapped[str] = mapped_column(String(60))
    item_id: Mapped[str] = mapped_column(String(60))
    value: Mapped[int | None] = mapped_column(Integer)  # None: not answered, or N/A
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    respondent: Mapped[Respondent] = relationship(back_populates="answers")


class ConsensusValue(TimestampMixin, Base):
    """The consultant's agreed value for an item, replacing the respondents' aggregate."""

    __tablename__ = "consensus_values"
    __table_args__ = (UniqueConstraint("assessment_id", "questionnaire_key", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    questionnaire_key: Mapped[str] = mapped_column(String(60))
    item_id: Mapped[str] = mapped_column(String(60))
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AuditEvent(Base):
    """Who changed what and when, with the old and new value."""

    __tablename__ = "audit_events"
    # An assessment's events, and its latest in one step (Assessment.latest_change).
    __table_args__ = (Index("ix_audit_events_assessment_id_id", "assessment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))  # a name, kept if the account goes
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200), default="")
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


# The assessment's latest audit event. Every write that can change its results (answers,
# submissions, respondents, consensus values, targets) records one in the same
# transaction (app/assessments/services.py ``record``), so another value means they may
# have changed: the results page keeps scores by it (app/assessments/scores.py). Read
# only where asked for, with ``undefer``.
Assessment.latest_change = column_property(
    select(func.max(AuditEvent.id))
    .where(AuditEvent.assessment_id == Assessment.id)
    .correlate_except(AuditEvent)
    .scalar_subquery(),
    deferred=True,
)

# The actions of a review and of the assessment's state: they change none of its
# respondents and answers. Any other action may, a new kind included.
REVIEW_ACTIONS = (
    "consensus",
    "target",
    "observations",
    "action owner",
    "action done",
    "status",
    "reopened",
)

# The latest audit event that may have changed the respondents or their answers: the
# answers read for scoring are kept by it, so that the next view after a step of the
# review scores again without reading them (app/assessments/scores.py).
Assessment.latest_answers_change = column_property(
    select(func.max(AuditEvent.id))
    .where(AuditEvent.assessment_id == Assessment.id, AuditEvent.action.not_in(REVIEW_ACTIONS))
    .correlate_except(AuditEvent)
    .scalar_subquery(),
    deferred=True,
)
