"""Who turned an organisation's benchmark consent on or off, and when: the consent's own
audit trail (the assessments' trail belongs to one assessment; consent to none)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


class BenchmarkConsentChange(Base):
    __tablename__ = "benchmark_consent_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    consented: Mapped[bool] = mapped_column(Boolean)  # the consent after the change
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))  # a name, kept if the account goes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
