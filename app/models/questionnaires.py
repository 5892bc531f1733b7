"""Frozen questionnaire definitions.

An assessment refers to the exact definition it started with, stored here once per
questionnaire id and version, so later edits to a YAML file never change past results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime, utcnow


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
