"""User accounts. Staff (admins, consultants) carry a staff role; client users reach
organisations through memberships."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin, UTCDateTime, utcnow

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
    # Two-step sign-in: the TOTP key (base32) is kept readable, as checking a code needs
    # it; it is set when enrolment starts and counts only once confirmed (enabled_at).
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The time step of the last code accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[ConsultantAssignment]] = relationship(
        back_populates="consultant", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The secret of the signed-in session this object was signed in or loaded through
    # (app/auth/sessions.py sets it); Flask-Login keeps it in the session and remember-me
    # cookies through ``get_session_token``. Not a column: only its hash is stored.
    session_token = None
    signed_in_session = None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to log in inactive users
        return self.active

    @property
    def credential_fingerprint(self) -> str:
        """Changes whenever the password does; password links and a half-done two-step
        sign-in carry it, so a new password ends both."""
        return hashlib.sha256((self.password_hash or "unset").encode()).hexdigest()[:16]

    def get_session_token(self) -> str | None:
        return self.session_token

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

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


class UserSession(Base):
    """One signed-in browser: the session and remember-me cookies carry a random secret
    whose SHA-256 is ``token_hash``, so a copy of the table opens nothing. Ending the
    record (``revoked_at``) ends both cookies wherever they are."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Updated at most once a minute (app/auth/sessions.py), to spare a write per request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The device in plain words, read from the user agent at sign-in; the raw header is
    # not kept.
    browser: Mapped[str] = mapped_column(String(60), default="")
    platform: Mapped[str] = mapped_column(String(60), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User] = relationship(back_populates="sessions")


class RecoveryCode(Base):
    """A one-time code for signing in without the authenticator app; only its SHA-256
    is stored (the codes carry 79 random bits, so a plain hash suffices)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="recovery_codes")
