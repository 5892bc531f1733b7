"""User accounts. Staff (admins, consultants) carry a staff role; client users reach
organisations through memberships."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin, UTCDateTime

if TYPE_CHECKING:
    from app.models.organisations import ConsultantAssignment, Membership


class StaffRole(enum.StrEnum):
    ADMIN = "admin"
    CONSULTANT = "consultant"


def enum_column(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, storing the values."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # None for an account whose owner has not yet set a password (invited member).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="fa")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    staff_role: Mapped[StaffRole | None] = mapped_column(enum_column(StaffRole, "staff_role"))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[ConsultantAssignment]] = relationship(
        back_populates="consultant", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in inactive users
        return self.active

    @property
    def credential_fingerprint(self) -> str:
        """Changes whenever the password does; signed-in sessions and password links
        carry it, so a new password ends both."""
        return hashlib.sha256((self.password_hash or "unset").encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.credential_fingerprint}"

    @property
    def is_admin(self) -> bool:
        return self.staff_role == StaffRole.ADMIN

    @property
    def is_consultant(self) -> bool:
        return self.staff_role == StaffRole.CONSULTANT

    @property
    def is_staff(self) -> bool:
        return self.staff_role is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
