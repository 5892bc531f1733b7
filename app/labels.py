"""Translated labels for the values stored in the database, used by forms and pages."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from app.formatting import join_list
from app.i18n import current_language
from app.models import AssessmentStatus, MemberRole, OrganisationSize, StaffRole

LANGUAGE_NAMES = {"fa": "فارسی", "en": "English"}
# Each language's name is written in that language, so it is marked as such.
LANGUAGE_CHOICES = [
    SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGE_NAMES.items()
]

STAFF_ROLE_LABELS = {
    StaffRole.ADMIN: _l("Administrator"),
    StaffRole.CONSULTANT: _l("Consultant"),
}

MEMBER_ROLE_LABELS = {
    MemberRole.OWNER: _l("Owner (client contact)"),
    MemberRole.MANAGER: _l("Manager (respondent)"),
}

SIZE_LABELS = {
    OrganisationSize.MICRO: _l("Micro (1-9 staff)"),
    OrganisationSize.SMALL: _l("Small (10-49 staff)"),
    OrganisationSize.MEDIUM: _l("Medium (50-249 staff)"),
    OrganisationSize.LARGE: _l("Large (250 staff or more)"),
}


STATUS_LABELS = {
    AssessmentStatus.DRAFT: _l("Draft"),
    AssessmentStatus.OPEN: _l("Open for answers"),
    AssessmentStatus.IN_REVIEW: _l("In review"),
    AssessmentStatus.PUBLISHED: _l("Published"),
    AssessmentStatus.ARCHIVED: _l("Archived"),
}

# The default respondent groups; groups a consultant names differently show as typed.
GROUP_LABELS = {
    "executive": _l("Executive"),
    "manager": _l("Manager"),
    "staff": _l("Staff"),
}


AUDIT_ACTION_LABELS = {
    "created": _l("Assessment created"),
    "status": _l("State changed"),
    "reopened": _l("Reopened after publishing"),
    "target": _l("Target level"),
    "respondent added": _l("Respondent added"),
    "link issued": _l("Link issued"),
    "link revoked": _l("Link revoked"),
    "answer": _l("Answer"),
    "submitted": _l("Response submitted"),
    "unlocked": _l("Response unlocked"),
    "consensus": _l("Consensus value"),
    "observations": _l("Observations"),
    "imported": _l("Imported from a file"),
    "action owner": _l("Action plan owner and due date"),
}

AUDIT_FIELD_LABELS = {
    "value": _l("value"),
    "not_applicable": _l("not applicable"),
    "comment": _l("comment"),
    "note": _l("note"),
    "owner": _l("owner"),
    "due_date": _l("due date"),
}


def audit_value(value: object) -> str:
    """An audit trail's old or new value, in words."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, dict):
        return (
            join_list(
                [
                    f"{AUDIT_FIELD_LABELS.get(key, key)}: {audit_value(item)}"
                    for key, item in value.items()
                    if item not in (None, "", False)
                ],
                current_language(),
                conjunction=False,
            )
            or "—"
        )
    return str(label(value))


def group_label(group: str) -> object:
    """A respondent group's name: translated for the default groups, else as typed."""
    return GROUP_LABELS.get(group, group)


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in labels.items()]


def label(value: object) -> object:
    """The translated label of a stored value, for templates."""
    for labels in (
        STAFF_ROLE_LABELS,
        MEMBER_ROLE_LABELS,
        SIZE_LABELS,
        LANGUAGE_NAMES,
        STATUS_LABELS,
        AUDIT_ACTION_LABELS,
    ):
        if value in labels:
            return labels[value]
    return value
