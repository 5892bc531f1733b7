"""What the readiness report needs beyond the assessment: the branding of an organisation
and of a consultant's workspace, the owner and due date of each action-plan recommendation,
and the rendered PDFs.

Everything lives in the database, so every app server sees the same logo and the same
cached PDFs.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TimestampMixin, UTCDateTime, utcnow

DEFAULT_ACCENT = "#0b5c8a"  # the app's own blue
ACCENT_PATTERN = re.compile(r"^#[0-9a-f]{6}$")  # what accent_colour may hold


class BrandingMixin:
    """The logo and accent colour a report can carry, on an organisation or on a
    consultant's workspace (``app/reports/branding.py`` decides which a report shows).

    Two tables with these same columns rather than one table with two nullable owner
    columns: each owner is then a plain unique foreign key that cascades on delete, and no
    check constraint is needed to say that a row has exactly one owner."""

    accent_colour: Mapped[str] = mapped_column(String(7), default=DEFAULT_ACCENT)
    # A PNG or JPEG checked on upload; loaded only when it is served or drawn.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_type: Mapped[str] = mapped_column(String(20), default="")  # image/png, image/jpeg
    logo_hash: Mapped[str] = mapped_column(String(64), default="")  # sha256 of the bytes


class OrganisationBranding(BrandingMixin, TimestampMixin, Base):
    """The logo and accent colour on an organisation's reports."""

    __tablename__ = "organisation_brandings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )


class ConsultantBranding(BrandingMixin, TimestampMixin, Base):
    """The logo and accent colour of a consultant's workspace, on the reports of the
    assessments they create wherever the organisation sets none of its own."""

    __tablename__ = "consultant_brandings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)


class ActionAssignment(TimestampMixin, Base):
    """Who carries out one recommendation of an assessment's action plan, and by when.

    A recommendation is named by its dimension, the level band it was given for and its
    place in that band's list, as the questionnaire definition (frozen with the
    assessment) orders them."""

    __tablename__ = "action_assignments"
    __table_args__ = (
        # Named by hand: the conventional name would pass PostgreSQL's 63-character limit.
        UniqueConstraint(
            "assessment_id",
            "questionnaire_key",
            "dimension_id",
            "level",
            "position",
            name="uq_action_assignments_recommendation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    questionnaire_key: Mapped[str] = mapped_column(String(60))
    dimension_id: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(120), default="")
    # The member of the organisation the owner's name or address belongs to, if any: their
    # home page lists the items they carry out.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_date: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReportCache(Base):
    """A rendered report PDF, under a hash of everything it was made from; a download
    whose inputs hash the same is served from here without rendering."""

    __tablename__ = "report_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the inputs
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(5))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)  # bytes
    pages: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
