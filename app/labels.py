"""Translated labels for the values stored in the database, used by forms and pages."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from app.models import MemberRole, OrganisationSize, StaffRole

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


def choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in labels.items()]


def label(value: object) -> object:
    """The translated label of a stored value, for templates."""
    for labels in (STAFF_ROLE_LABELS, MEMBER_ROLE_LABELS, SIZE_LABELS, LANGUAGE_NAMES):
        if value in labels:
            return labels[value]
    return value
