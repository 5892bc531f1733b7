"""Translated labels for the tracker's stored values (channels, sources, outcomes...).

Kept apart from ``app/labels.py`` because several of these values are spelled like
others there ("open" is also an assessment's state); ``tracker_label`` looks a value up
by its own kind.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from app.models import (
    AcquisitionSource,
    Channel,
    CustomerKind,
    Direction,
    FeedbackKind,
    Outcome,
    StageKind,
)

CHANNEL_LABELS = {
    Channel.PHONE: _l("Phone"),
    Channel.EMAIL: _l("E-mail"),
    Channel.POSTAL_MAIL: _l("Postal mail"),
    Channel.WEBSITE_VISIT: _l("Website visit"),
    Channel.REFERRAL: _l("Referral"),
    Channel.INQUIRY_CALL: _l("Inquiry call"),
    Channel.IN_PERSON: _l("In-person visit"),
    Channel.SMS_MESSENGER: _l("SMS or messenger"),
}

SOURCE_LABELS = {
    AcquisitionSource.WEBSITE: _l("Website"),
    AcquisitionSource.REFERRAL: _l("Referral"),
    AcquisitionSource.ADVERTISING: _l("Advertising"),
    AcquisitionSource.EVENT: _l("Exhibition or event"),
    AcquisitionSource.INQUIRY: _l("Customer's own inquiry"),
    AcquisitionSource.WALK_IN: _l("Walk-in"),
    AcquisitionSource.SOCIAL_MEDIA: _l("Social media"),
    AcquisitionSource.PARTNER: _l("Partner"),
    AcquisitionSource.OTHER: _l("Other"),
}

KIND_LABELS = {CustomerKind.PERSON: _l("Person"), CustomerKind.COMPANY: _l("Company")}

DIRECTION_LABELS = {Direction.INBOUND: _l("Inbound"), Direction.OUTBOUND: _l("Outbound")}

OUTCOME_LABELS = {
    Outcome.POSITIVE: _l("Positive response"),
    Outcome.NEUTRAL: _l("Neutral response"),
    Outcome.NEGATIVE: _l("Negative response"),
    Outcome.NO_RESPONSE: _l("No response"),
}

FEEDBACK_LABELS = {
    FeedbackKind.CSAT: _l("Satisfaction score (CSAT, 1-5)"),
    FeedbackKind.NPS: _l("Recommendation score (NPS, 0-10)"),
    FeedbackKind.COMPLAINT: _l("Complaint"),
    FeedbackKind.PRODUCT_RETURN: _l("Product return"),
}

STAGE_KIND_LABELS = {
    StageKind.OPEN: _l("In progress"),
    StageKind.WON: _l("Customer (won)"),
    StageKind.LOST: _l("Lost"),
    StageKind.CHURNED: _l("Churned"),
}

_BY_KIND: dict[type[enum.Enum], dict] = {
    Channel: CHANNEL_LABELS,
    AcquisitionSource: SOURCE_LABELS,
    CustomerKind: KIND_LABELS,
    Direction: DIRECTION_LABELS,
    Outcome: OUTCOME_LABELS,
    FeedbackKind: FEEDBACK_LABELS,
    StageKind: STAGE_KIND_LABELS,
}


def tracker_label(value: enum.Enum | None) -> object:
    """The translated label of one of the tracker's stored values; "—" for none."""
    if value is None:
        return "—"
    return _BY_KIND[type(value)][value]


def choices(labels: dict, blank: object | None = None) -> list[SelectChoice]:
    """Select choices for ``labels``, after a blank choice when ``blank`` names it."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(member.value, text) for member, text in labels.items()]
