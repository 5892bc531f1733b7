"""The customer-process tracker: each organisation's customers, its pipeline of stages,
every stage change, interactions, follow-ups, feedback, and CSV imports in progress.

The vocabulary follows the CRM process of seed 002 (``/work/shared/seeds/002_*``, see
``docs/tracker.md``): interactions come through its internal sources of information (the
``Channel`` values), follow-ups plan contacts, and feedback is its explicit kind (survey
scores, complaints, product returns); the implicit kind is derived from the data.

``Customer.last_interaction_at``, ``last_channel`` and ``interaction_count`` repeat what
the interactions say, so that the list and the board stay one flat query; only
``app/tracker/services.py`` writes interactions and keeps them in step.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.accounts import enum_column
from app.models.base import Base, TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.accounts import User


class StageKind(enum.StrEnum):
    OPEN = "open"  # still being worked on: prospect, lead, opportunity
    WON = "won"  # a customer: customer, loyal
    LOST = "lost"  # never became a customer; needs a reason
    CHURNED = "churned"  # was a customer and left; needs a reason


# Moving a customer into a stage of these kinds needs a reason.
REASON_REQUIRED = frozenset({StageKind.LOST, StageKind.CHURNED})


class CustomerKind(enum.StrEnum):
    PERSON = "person"
    COMPANY = "company"


class AcquisitionSource(enum.StrEnum):
    WEBSITE = "website"
    REFERRAL = "referral"
    ADVERTISING = "advertising"
    EVENT = "event"  # exhibitions, fairs
    INQUIRY = "inquiry"  # the customer called or wrote first
    WALK_IN = "walk_in"
    SOCIAL_MEDIA = "social_media"
    PARTNER = "partner"
    OTHER = "other"


class Channel(enum.StrEnum):
    """Seed 002's internal sources of customer information, plus SMS and messengers."""

    PHONE = "phone"
    EMAIL = "email"
    POSTAL_MAIL = "postal_mail"
    WEBSITE_VISIT = "website_visit"
    REFERRAL = "referral"
    INQUIRY_CALL = "inquiry_call"
    IN_PERSON = "in_person"
    SMS_MESSENGER = "sms_messenger"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Outcome(enum.StrEnum):
    """How the customer responded; ``NO_RESPONSE`` is what the response rate counts out."""

    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"
    NO_RESPONSE = "no_response"


class FeedbackKind(enum.StrEnum):
    """Seed 002's explicit feedback: survey scores, complaints, product returns."""

    CSAT = "csat"  # 1-5
    NPS = "nps"  # 0-10
    COMPLAINT = "complaint"
    PRODUCT_RETURN = "product_return"


SCORE_RANGES = {FeedbackKind.CSAT: (1, 5), FeedbackKind.NPS: (0, 10)}


class PipelineStage(TimestampMixin, Base):
    """One stage of an organisation's pipeline. A stage in use is retired, not deleted."""

    __tablename__ = "pipeline_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name_fa: Mapped[str] = mapped_column(String(80), default="")
    name_en: Mapped[str] = mapped_column(String(80), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[StageKind] = mapped_column(enum_column(StageKind, "stage_kind"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def name(self, language: str) -> str:
        """The name in ``language``, or in the other one when only that was given."""
        preferred, other = (
            (self.name_fa, self.name_en) if language == "fa" else (self.name_en, self.name_fa)
        )
        return preferred or other

    @property
    def needs_reason(self) -> bool:
        return self.kind in REASON_REQUIRED


class Customer(TimestampMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        # The list's order and keyset pages; the board's columns; dedupe on import;
        # the filters on last contact.
        Index("ix_customers_organisation_id_name", "organisation_id", "name", "id"),
        Index(
            "ix_customers_organisation_id_stage_id", "organisation_id", "stage_id", "stage_since"
        ),
        Index("ix_customers_organisation_id_email", "organisation_id", "email"),
        Index("ix_customers_organisation_id_phone_key", "organisation_id", "phone_key"),
        Index(
            "ix_customers_organisation_id_last_interaction_at",
            "organisation_id",
            "last_interaction_at",
        ),
        Index("ix_customers_organisation_id_last_channel", "organisation_id", "last_channel"),
        Index("ix_customers_organisation_id_segment", "organisation_id", "segment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[CustomerKind] = mapped_column(
        enum_column(CustomerKind, "customer_kind"), default=CustomerKind.PERSON
    )
    name: Mapped[str] = mapped_column(String(200))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), default="")  # lower case
    phone: Mapped[str] = mapped_column(String(40), default="")  # as typed
    phone_key: Mapped[str] = mapped_column(String(40), default="")  # its digits, for dedupe
    address: Mapped[str] = mapped_column(String(300), default="")
    segment: Mapped[str] = mapped_column(String(80), default="")
    source: Mapped[AcquisitionSource | None] = mapped_column(
        enum_column(AcquisitionSource, "acquisition_source")
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id", ondelete="RESTRICT"))
    stage_since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notes: Mapped[str] = mapped_column(Text, default="")
    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_channel: Mapped[Channel | None] = mapped_column(enum_column(Channel, "channel"))
    interaction_count: Mapped[int] = mapped_column(Integer, default=0)

    stage: Mapped[PipelineStage] = relationship()
    owner: Mapped[User | None] = relationship()
    company: Mapped[Customer | None] = relationship(remote_side=[id])


class StageChange(Base):
    """A customer entering a stage: ``from_stage_id`` is None when the customer was added."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        # Covers the metrics' counts over a period, which then never read the table.
        Index(
            "ix_stage_changes_organisation_id_changed_at",
            "organisation_id",
            "changed_at",
            "to_stage_id",
            "from_stage_id",
            "customer_id",
        ),
        Index("ix_stage_changes_customer_id_changed_at", "customer_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="RESTRICT")
    )
    to_stage_id: Mapped[int] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="RESTRICT"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")

    from_stage: Mapped[PipelineStage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[PipelineStage] = relationship(foreign_keys=[to_stage_id])
    changed_by: Mapped[User | None] = relationship()


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_customer_id_occurred_at", "customer_id", "occurred_at"),
        Index(
            "ix_interactions_organisation_id_occurred_at",
            "organisation_id",
            "occurred_at",
            "channel",
            "direction",
            "outcome",
            "customer_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "direction"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "outcome"))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    recorded_by: Mapped[User | None] = relationship()


class FollowUp(TimestampMixin, Base):
    """A planned contact: a task with a due day and someone to do it."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index(
            "ix_follow_ups_organisation_id_done_at_due_on", "organisation_id", "done_at", "due_on"
        ),
        Index("ix_follow_ups_customer_id_done_at_due_on", "customer_id", "done_at", "due_on"),
        # The open ones in the order home pages list them, read until the first ten that
        # are the reader's (an organisation with thousands due: 23 to 0.3 ms).
        Index(
            "ix_follow_ups_open_due_on",
            "due_on",
            "id",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    customer: Mapped[Customer] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_organisation_id_received_at", "organisation_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FeedbackKind] = mapped_column(enum_column(FeedbackKind, "feedback_kind"))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CustomerImport(Base):
    """An uploaded CSV between its upload and its commit: the file is kept here (not on a
    server's disk), so any worker can take the next step."""

    __tablename__ = "customer_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)  # the decoded text
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field -> column index
    on_duplicate: Mapped[str] = mapped_column(String(10), default="skip")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
