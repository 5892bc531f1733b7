"""Which logo and accent colour a report shows: ``report_branding``, the one rule that the
report's context, its preview's logo, the PDF's logo and the PDF cache key all ask.

Field by field, the organisation's own branding wins, the branding of the consultant who
created the assessment fills in what it leaves unset, and the app's default does the rest:

- accent colour: the organisation's, once its branding has been saved (the form always
  saves a colour); else the creating consultant's, once theirs has been saved; else
  ``DEFAULT_ACCENT``;
- logo: the organisation's, if it has one; else the creating consultant's, if they have
  one; else none.

The creator's branding counts while their account is a consultant's; an assessment whose
creator has left (``created_by_id`` is NULL) or was never a consultant falls back to the
default.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Assessment,
    BrandingMixin,
    ConsultantBranding,
    OrganisationBranding,
    StaffRole,
    User,
)
from app.models.reports import DEFAULT_ACCENT


@dataclass(frozen=True)
class Logo:
    data: bytes
    mimetype: str


@dataclass(frozen=True)
class ReportBranding:
    """The accent colour and logo of one report, after the fallbacks."""

    accent: str
    logo_hash: str  # empty without a logo
    # The branding the logo comes from; its bytes are read only when ``logo()`` asks.
    logo_owner: BrandingMixin | None = field(default=None, compare=False, repr=False)

    def logo(self) -> Logo | None:
        return logo_of(self.logo_owner)


def report_branding(assessment: Assessment) -> ReportBranding:
    own = branding_of(assessment.organisation_id)
    creators = None
    # An organisation with a logo of its own sets both fields: nobody else is asked.
    if (own is None or not own.logo_hash) and assessment.created_by_id is not None:
        creators = workspace_branding_of(assessment.created_by_id)
    colour_from = own or creators
    logo_from = next((b for b in (own, creators) if b is not None and b.logo_hash), None)
    return ReportBranding(
        accent=colour_from.accent_colour if colour_from else DEFAULT_ACCENT,
        logo_hash=logo_from.logo_hash if logo_from else "",
        logo_owner=logo_from,
    )


def branding_of(organisation_id: int) -> OrganisationBranding | None:
    return db.session.scalar(
        select(OrganisationBranding).where(OrganisationBranding.organisation_id == organisation_id)
    )


def workspace_branding_of(user_id: int) -> ConsultantBranding | None:
    """A consultant's workspace branding; None for an account that is not a consultant's
    (any more), whose reports it no longer brands."""
    return db.session.scalar(
        select(ConsultantBranding)
        .join(User, User.id == ConsultantBranding.user_id)
        .where(ConsultantBranding.user_id == user_id, User.staff_role == StaffRole.CONSULTANT)
    )


def logo_of(branding: BrandingMixin | None) -> Logo | None:
    """The branding's logo, its bytes read from the database only now; None without one."""
    if branding is None or not branding.logo_hash:
        return None
    return Logo(branding.logo, branding.logo_type)
