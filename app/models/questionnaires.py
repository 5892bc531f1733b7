"""Frozen questionnaire definitions.

An assessment refers to the exact definition it started with, stored here once per
questionnaire id and version, so later edits to a YAML file never change past results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.accounts import User
from app.models.base import Base, TimestampMixin, UTCDateTime, utcnow


class QuestionnaireVersion(Base):
    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("questionnaire_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_key: Mapped[str] = mapped_column(String(60))  # the definition's own id
    version: Mapped[str] = mapped_column(String(30))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Large and, once parsed, cached per process: loaded only when asked for.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    # A frozen copy never changes, so it has no updated_at.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<QuestionnaireVersion {self.questionnaire_key} {self.version}>"


class LibraryQuestionnaire(TimestampMixin, Base):
    """A consultant's own questionnaire: a draft, kept as the same data a YAML file holds
    (it may be incomplete or invalid while it is being written), and the key its
    published versions are frozen under.

    The key is set by the first publication and never changes after it: the versions
    in ``questionnaire_versions`` with this key are this questionnaire's.
    """

    __tablename__ = "library_questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    owner: Mapped[User] = relationship()
    key: Mapped[str | None] = mapped_column(String(60), unique=True)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<LibraryQuestionnaire {self.id} {self.key}>"
