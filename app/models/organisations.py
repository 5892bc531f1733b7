"""Client organisations, their members and the consultants assigned to them.

Assessments and the customer-process tracker (later) hang off ``organisations.id``.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.accounts import enum_column
from app.models.base import Base, TimestampMixin

if TYPE_CHECKING:
    from app.models.accounts import User


class OrganisationSize(enum.StrEnum):
    MICRO = "micro"  # 1-9 staff
    SMALL = "small"  # 10-49
    MEDIUM = "medium"  # 50-249
    LARGE = "large"  # 250 and more


class MemberRole(enum.StrEnum):
    OWNER = "owner"  # the client contact: published results, reports, tracker
    MANAGER = "manager"  # fills in questionnaires, uses the tracker


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique among the organisations each person sees (app/organisations/queries.py).
    name: Mapped[str] = mapped_column(String(200), index=True)
    sector: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[OrganisationSize] = mapped_column(
        enum_column(OrganisationSize, "organisation_size")
    )
    default_locale: Mapped[str] = mapped_column(String(5), default="fa")
    notes: Mapped[str] = mapped_column(Text, default="")
    # The owner's consent to the anonymous benchmark pool (docs/scoring.md, "Benchmarks");
    # off until an owner turns it on, every change in BenchmarkConsentChange.
    benchmark_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Raised by every write to the customer tracker (app/tracker/metrics.py keeps the
    # tracker's figures until it changes).
    tracker_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[ConsultantAssignment]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class Membership(TimestampMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole, "member_role"))

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class ConsultantAssignment(TimestampMixin, Base):
    __tablename__ = "consultant_assignments"
    __table_args__ = (UniqueConstraint("organisation_id", "consultant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    consultant_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )

    organisation: Mapped[Organisation] = relationship(back_populates="assignments")
    consultant: Mapped[User] = relationship(back_populates="assignments")
