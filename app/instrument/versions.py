"""Freezing definitions: one stored copy per questionnaire id and version.

Plain SQLAlchemy (a Session is passed in); no Flask.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.instrument.definitions import Questionnaire
from app.instrument.loader import DefinitionError, content_hash, parse_definition
from app.models import QuestionnaireVersion


class VersionConflict(DefinitionError):
    """The same id and version is already stored with other content."""


def stored_version(session: Session, definition: Questionnaire) -> QuestionnaireVersion | None:
    return session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_key == definition.id,
            QuestionnaireVersion.version == definition.version,
        )
    )


def check_not_conflicting(session: Session, definition: Questionnaire) -> None:
    stored = stored_version(session, definition)
    if stored is not None and stored.content_hash != content_hash(definition):
        raise VersionConflict(
            [
                f"{definition.id} {definition.version}: this version is already in use with "
                "different content. Past results keep the stored copy; give the changed "
                "questionnaire a new version number (for example "
                f"{_next_patch(definition.version)})."
            ]
        )


def freeze(session: Session, definition: Questionnaire) -> QuestionnaireVersion:
    """The stored copy of this exact definition, stored now if it is new. The caller
    commits."""
    check_not_conflicting(session, definition)
    stored = stored_version(session, definition)
    if stored is None:
        stored = QuestionnaireVersion(
            questionnaire_key=definition.id,
            version=definition.version,
            content_hash=content_hash(definition),
            definition=definition.model_dump(mode="json"),
        )
        session.add(stored)
        session.flush()
    return stored


def thaw(stored: QuestionnaireVersion) -> Questionnaire:
    """The definition as it was frozen, checked against its hash."""
    definition = parse_definition(
        stored.definition, f"{stored.questionnaire_key} {stored.version} (stored copy)"
    )
    if content_hash(definition) != stored.content_hash:
        name = f"{stored.questionnaire_key} {stored.version}"
        raise DefinitionError([f"{name}: the stored copy does not match its hash"])
    return definition


def _next_patch(version: str) -> str:
    major, minor, patch = version.split(".")
    return f"{major}.{minor}.{int(patch) + 1}"
