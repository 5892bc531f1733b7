"""The questionnaire library's records: which questionnaires a person sees, the problems
of a draft, and publishing a draft as a frozen version."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.instrument.authoring import Draft, next_version, with_version
from app.instrument.definitions import Questionnaire
from app.instrument.loader import (
    DefinitionError,
    LoadedQuestionnaire,
    check_definition,
    content_hash,
    load_directory,
)
from app.instrument.sharing import sharing_problems
from app.instrument.versions import freeze, thaw
from app.models import LibraryQuestionnaire, QuestionnaireVersion, User

Problem = tuple[str, str]  # (path in the definition, message)


def shipped() -> list[LoadedQuestionnaire]:
    """The questionnaires shipped in ASSESSMENTS_DIR; none if a file there is broken (the
    log says why, and `flask questionnaires validate` names the place)."""
    try:
        return load_directory(Path(current_app.config["ASSESSMENTS_DIR"]))
    except DefinitionError as error:
        current_app.logger.error("Invalid questionnaire definitions:\n%s", error)
        return []


def shipped_by_id(key: str) -> LoadedQuestionnaire | None:
    return next((loaded for loaded in shipped() if loaded.definition.id == key), None)


def library_of(user: User) -> list[LibraryQuestionnaire]:
    """The library questionnaires ``user`` may open: their own; the admin, everyone's."""
    query = (
        select(LibraryQuestionnaire)
        .options(selectinload(LibraryQuestionnaire.owner))
        .order_by(LibraryQuestionnaire.id)
    )
    if not user.is_admin:
        query = query.where(LibraryQuestionnaire.owner_id == user.id)
    return list(db.session.scalars(query))


def versions_of(questionnaire: LibraryQuestionnaire) -> list[QuestionnaireVersion]:
    if questionnaire.key is None:
        return []
    return list(
        db.session.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.questionnaire_key == questionnaire.key)
            .order_by(QuestionnaireVersion.id)
        )
    )


def published_versions(keys: list[str]) -> dict[str, list[str]]:
    """The version numbers published under each key, oldest first, in one query."""
    rows = db.session.execute(
        select(QuestionnaireVersion.questionnaire_key, QuestionnaireVersion.version)
        .where(QuestionnaireVersion.questionnaire_key.in_(keys))
        .order_by(QuestionnaireVersion.id)
    )
    published: dict[str, list[str]] = {}
    for key, version in rows:
        published.setdefault(key, []).append(version)
    return published


def usable_in_assessments(user: User) -> list[LoadedQuestionnaire]:
    """The shipped questionnaires, then the latest published version of each library
    questionnaire ``user`` may use, as new assessments offer them."""
    usable = shipped()
    for questionnaire in library_of(user):
        versions = versions_of(questionnaire)
        if versions:
            definition = thaw(versions[-1])
            usable.append(
                LoadedQuestionnaire(
                    definition, Path(f"{definition.id}.yaml"), versions[-1].content_hash
                )
            )
    return usable


def draft_problems(questionnaire: LibraryQuestionnaire) -> list[Problem]:
    """Everything that keeps the draft from being published, each with its place: the
    schema every definition file obeys, shared items, and an id of its own."""
    definition, problems = check_definition(questionnaire.draft)
    if definition is None:
        return problems
    others = [loaded.definition for loaded in shipped()]
    return sharing_problems(definition, others) + _id_problems(questionnaire, definition, others)


def _id_problems(
    questionnaire: LibraryQuestionnaire, definition: Questionnaire, others: list[Questionnaire]
) -> list[Problem]:
    if questionnaire.key is not None:
        if definition.id != questionnaire.key:
            return [("id", f"a published questionnaire keeps its id: {questionnaire.key}")]
        return []
    if any(other.id == definition.id for other in others):
        return [("id", "a shipped questionnaire has this id: choose one of your own")]
    taken = db.session.scalar(
        select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.questionnaire_key == definition.id
        )
    ) or db.session.scalar(
        select(LibraryQuestionnaire.id).where(LibraryQuestionnaire.key == definition.id)
    )
    return [("id", "another questionnaire has this id: choose another")] if taken else []


class NothingToPublish(Exception):
    """The draft is the latest published version, unchanged."""


def publish(questionnaire: LibraryQuestionnaire) -> QuestionnaireVersion:
    """Freeze the draft as a new version; the draft stays editable for the next one.
    Raises DefinitionError when the draft has problems. The caller commits."""
    problems = draft_problems(questionnaire)
    if problems:
        raise DefinitionError([f"{path}: {message}" for path, message in problems])
    versions = versions_of(questionnaire)
    if versions and unchanged_since(questionnaire.draft, versions[-1]):
        raise NothingToPublish(versions[-1].version)
    version = next_version(questionnaire.draft.get("version"), [v.version for v in versions])
    draft: Draft = with_version(questionnaire.draft, version)
    definition, _problems = check_definition(draft)
    questionnaire.key = definition.id
    questionnaire.draft = draft
    return freeze(db.session, definition)


def unchanged_since(draft: Draft, latest: QuestionnaireVersion) -> bool:
    """True when the draft is ``latest`` as published, whatever version it names."""
    definition, _problems = check_definition(with_version(draft, latest.version))
    return definition is not None and content_hash(definition) == latest.content_hash
