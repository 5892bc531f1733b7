"""Running an assessment: creating it, moving it through its states, inviting
respondents, saving answers, and scoring. Every change is written to the audit trail.

The functions take the session's objects and leave committing to the caller, so a
request commits a change and its audit record together or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.instrument.definitions import Questionnaire
from app.instrument.loader import LoadedQuestionnaire
from app.instrument.results import AssessmentResult, Consensus, Response
from app.instrument.scoring import score_assessment
from app.instrument.sharing import used_together
from app.instrument.versions import freeze, thaw
from app.models import (
    Answer,
    Assessment,
    AssessmentQuestionnaire,
    AssessmentStatus,
    AuditEvent,
    ConsensusValue,
    Membership,
    Organisation,
    QuestionnaireVersion,
    Respondent,
    Target,
    User,
    utcnow,
)

if TYPE_CHECKING:
    from app.assessments.exchange import ImportedRespondent

S = AssessmentStatus
# Which moves are allowed, from each state.
TRANSITIONS: dict[AssessmentStatus, tuple[AssessmentStatus, ...]] = {
    S.DRAFT: (S.OPEN,),
    S.OPEN: (S.IN_REVIEW,),
    S.IN_REVIEW: (S.OPEN, S.PUBLISHED),
    S.PUBLISHED: (S.IN_REVIEW, S.ARCHIVED),
    S.ARCHIVED: (),
}
# Until it is published, respondents can be added, given new links or revoked, and answers
# collected on paper imported; a published report stands on the responses it was made from.
INVITING = frozenset({S.DRAFT, S.OPEN, S.IN_REVIEW})
# A submitted response can be unlocked while answers are still being collected or reviewed.
UNLOCKING = frozenset({S.OPEN, S.IN_REVIEW})
# Targets, consensus values and observations make the results: until they are published.
REVIEWING = frozenset({S.DRAFT, S.OPEN, S.IN_REVIEW})


class AssessmentError(ValueError):
    """The change cannot be made; the message says why, for the person who asked."""


@dataclass(frozen=True)
class Actor:
    """Who did something: a signed-in user, or a respondent following their link."""

    user: User | None
    label: str

    @classmethod
    def of_user(cls, user: User) -> Actor:
        return cls(user=user, label=user.name)

    @classmethod
    def of_respondent(cls, respondent: Respondent) -> Actor:
        return cls(user=respondent.user, label=respondent.name)


def record(
    assessment: Assessment,
    actor: Actor,
    action: str,
    subject: str = "",
    old: Any = None,
    new: Any = None,
) -> None:
    db.session.add(
        AuditEvent(
            assessment_id=assessment.id,
            actor_id=actor.user.id if actor.user else None,
            actor_label=actor.label,
            action=action,
            subject=subject,
            old_value=old,
            new_value=new,
        )
    )


# --- Setting up -------------------------------------------------------------------------


def create_assessment(
    organisation: Organisation,
    *,
    title: str,
    questionnaires: list[LoadedQuestionnaire],
    groups: list[str],
    deadline: date | None,
    actor: Actor,
) -> Assessment:
    """A new draft assessment; each questionnaire is frozen as it is now."""
    if not questionnaires:
        raise AssessmentError("choose at least one questionnaire")
    assessment = Assessment(
        organisation=organisation,
        title=title,
        groups=groups,
        deadline=deadline,
        created_by_id=actor.user.id if actor.user else None,
    )
    db.session.add(assessment)
    for position, loaded in enumerate(questionnaires):
        version = freeze(db.session, loaded.definition)
        assessment.questionnaires.append(
            AssessmentQuestionnaire(version=version, position=position)
        )
    db.session.flush()
    record(assessment, actor, "created", assessment.title)
    return assessment


def definitions(assessment: Assessment) -> list[Questionnaire]:
    """The assessment's questionnaires in order, as they are used together: an item
    shared with another of them is asked and counted there only (one small query;
    parsing is cached)."""
    return definitions_of([assessment.id])[assessment.id]


def definitions_of(assessment_ids: Collection[int]) -> dict[int, list[Questionnaire]]:
    """The questionnaires of several assessments, each in order and as used together,
    in one query."""
    found: dict[int, list[tuple[int, str]]] = {id_: [] for id_ in assessment_ids}
    if not found:
        return {}
    versions = db.session.execute(
        select(
            AssessmentQuestionnaire.assessment_id,
            QuestionnaireVersion.id,
            QuestionnaireVersion.content_hash,
        )
        .join(AssessmentQuestionnaire.version)
        .where(AssessmentQuestionnaire.assessment_id.in_(found))
        .order_by(AssessmentQuestionnaire.assessment_id, AssessmentQuestionnaire.position)
    )
    for assessment_id, version_id, content_hash in versions:
        found[assessment_id].append((version_id, content_hash))
    return {
        assessment_id: list(_used_together(tuple(assessment_versions)))
        for assessment_id, assessment_versions in found.items()
    }


@lru_cache(maxsize=64)
def _used_together(versions: tuple[tuple[int, str], ...]) -> tuple[Questionnaire, ...]:
    return tuple(used_together([_thawed(*version) for version in versions]))


@lru_cache(maxsize=64)
def _thawed(version_id: int, content_hash: str) -> Questionnaire:  # noqa: ARG001
    """Frozen copies never change, so each is parsed once per process (the hash is part
    of the key so that another database's row with the same id is never confused)."""
    return thaw(db.session.get(QuestionnaireVersion, version_id))


def change_status(assessment: Assessment, to: AssessmentStatus, actor: Actor) -> None:
    if to not in TRANSITIONS[assessment.status]:
        raise AssessmentError(f"cannot move from {assessment.status} to {to}")
    old = assessment.status
    assessment.status = to
    if to is S.PUBLISHED:
        assessment.published_at = utcnow()
    action = "reopened" if old is S.PUBLISHED and to is S.IN_REVIEW else "status"
    record(assessment, actor, action, "", old.value, to.value)


def set_target(
    assessment: Assessment,
    questionnaire_key: str,
    dimension_id: str,
    level: str | None,
    actor: Actor,
) -> None:
    existing = next(
        (
            t
            for t in assessment.targets
            if t.questionnaire_key == questionnaire_key and t.dimension_id == dimension_id
        ),
        None,
    )
    old = existing.level if existing else None
    if old == level:
        return
    if level is None:
        assessment.targets.remove(existing)
    elif existing is None:
        assessment.targets.append(
            Target(questionnaire_key=questionnaire_key, dimension_id=dimension_id, level=level)
        )
    else:
        existing.level = level
    record(assessment, actor, "target", f"{questionnaire_key}/{dimension_id}", old, level)


def set_assessment_target(assessment: Assessment, level: str | None, actor: Actor) -> None:
    """The level every dimension without a target of its own aims at; None for the
    default, the level above the overall level."""
    if assessment.target_level == level:
        return
    record(assessment, actor, "target", "", assessment.target_level, level)
    assessment.target_level = level


# --- Respondents and their links --------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_inviting(assessment: Assessment) -> None:
    if assessment.status not in INVITING:
        raise AssessmentError("respondents of a published assessment cannot change")


def invited_emails(assessment: Assessment) -> set[str]:
    """The addresses already invited to the assessment, in lower case: one person is
    asked once."""
    return set(
        db.session.scalars(
            select(func.lower(Respondent.email)).where(
                Respondent.assessment_id == assessment.id, Respondent.email != ""
            )
        )
    )


def add_respondent(
    assessment: Assessment, *, name: str, email: str, group: str, locale: str, actor: Actor
) -> Respondent:
    """A new respondent; a member of the organisation with this address can also answer
    from their own dashboard. The forms say so first; this refuses an address already
    invited to the assessment, whatever its case."""
    check_inviting(assessment)
    if email and email.lower() in invited_emails(assessment):
        raise AssessmentError(f"{email} is already invited")
    respondent = Respondent(
        assessment=assessment,
        name=name,
        email=email,
        group=group,
        locale=locale,
        user=member_with_email(assessment.organisation, email) if email else None,
    )
    db.session.add(respondent)
    db.session.flush()
    record(assessment, actor, "respondent added", respondent.name)
    return respondent


def member_with_email(organisation: Organisation, email: str) -> User | None:
    """The organisation's member with this address: they can also answer from their
    own dashboard."""
    return db.session.scalar(
        select(User)
        .join(Membership)
        .where(User.email == email, Membership.organisation_id == organisation.id)
    )


def issue_link(
    respondent: Respondent, valid_for: timedelta, actor: Actor, token: str | None = None
) -> str:
    """A new private token for the respondent (any earlier one stops working): ``token``,
    or a random one. Only its hash is stored: the token itself is returned once, to be
    sent or copied."""
    check_inviting(respondent.assessment)
    token = token or secrets.token_urlsafe(32)
    respondent.token_hash = hash_token(token)
    respondent.token_expires_at = utcnow() + valid_for
    respondent.revoked_at = None
    respondent.invited_at = utcnow()
    record(respondent.assessment, actor, "link issued", respondent.name)
    return token


def revoke_link(respondent: Respondent, actor: Actor) -> None:
    check_inviting(respondent.assessment)
    respondent.revoked_at = utcnow()
    record(respondent.assessment, actor, "link revoked", respondent.name)


# What every page of a response reads about the respondent, in the same query: its
# assessment and organisation. The answers are read apart, only the page's own
# (``stored_answers``) with a count of the rest (``answered_count``), or as plain rows
# where every one is needed (``answer_rows``): a respondent near the end holds a hundred of
# them, and loading them all as objects cost more than the rest of the page.
RESPONDING = (joinedload(Respondent.assessment).joinedload(Assessment.organisation),)


def respondent_for_token(token: str) -> Respondent | None:
    """The respondent a link belongs to, unless it is unknown, revoked or expired."""
    respondent = db.session.scalar(
        select(Respondent).where(Respondent.token_hash == hash_token(token)).options(*RESPONDING)
    )
    if respondent is None or respondent.revoked_at is not None:
        return None
    if respondent.token_expires_at is not None and respondent.token_expires_at < utcnow():
        return None
    return respondent


# --- Answers ----------------------------------------------------------------------------

NOT_APPLICABLE = "na"


@dataclass(frozen=True)
class SubmittedAnswer:
    questionnaire_key: str
    item_id: str
    value: int | None  # None: not answered (perhaps only commented), or not applicable
    not_applicable: bool
    comment: str

    def as_dict(self) -> dict:
        return {"value": self.value, "not_applicable": self.not_applicable, "comment": self.comment}


# An answer is a value or "not applicable"; a bare comment is not one.
ANSWERED = or_(Answer.value.is_not(None), Answer.not_applicable)


def answer_rows(respondent: Respondent) -> list[Row]:
    """The respondent's stored answers as plain rows (questionnaire_key, item_id, value,
    not_applicable, comment): enough to tell which items are still unanswered."""
    return db.session.execute(
        select(
            Answer.questionnaire_key,
            Answer.item_id,
            Answer.value,
            Answer.not_applicable,
            Answer.comment,
        ).where(Answer.respondent_id == respondent.id)
    ).all()


def answered_count(respondent: Respondent) -> int:
    return db.session.scalar(
        select(func.count(Answer.id)).where(Answer.respondent_id == respondent.id, ANSWERED)
    )


def stored_answers(
    respondent: Respondent, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], Answer]:
    """The stored answers of the given items (a page's worth), by (questionnaire, item)."""
    if not keys:
        return {}
    rows = db.session.scalars(
        select(Answer).where(
            Answer.respondent_id == respondent.id,
            Answer.questionnaire_key.in_({key for key, _item in keys}),
            Answer.item_id.in_({item for _key, item in keys}),
        )
    )
    by_key = {(a.questionnaire_key, a.item_id): a for a in rows}
    return {key: answer for key, answer in by_key.items() if key in keys}


def can_answer(respondent: Respondent) -> bool:
    return respondent.assessment.status is S.OPEN and respondent.submitted_at is None


def save_answers(respondent: Respondent, answers: list[SubmittedAnswer], actor: Actor) -> int:
    """Create or overwrite the given answers; returns how many changed. One row per item
    is guaranteed by a unique constraint: a concurrent insert of the same item becomes an
    update."""
    if not can_answer(respondent):
        raise AssessmentError("this response can no longer be changed")
    existing = stored_answers(respondent, {(a.questionnaire_key, a.item_id) for a in answers})
    changed = 0
    for submitted in answers:
        key = (submitted.questionnaire_key, submitted.item_id)
        answer = existing.get(key)
        if answer is None:
            answer = _insert_answer(respondent, submitted)
            old = None
        else:
            old = {
                "value": answer.value,
                "not_applicable": answer.not_applicable,
                "comment": answer.comment,
            }
        new = submitted.as_dict()
        if old == new:
            continue
        answer.value = submitted.value
        answer.not_applicable = submitted.not_applicable
        answer.comment = submitted.comment
        changed += 1
        record(
            respondent.assessment,
            actor,
            "answer",
            f"{respondent.name}: {key[0]}/{key[1]}",
            old,
            new,
        )
    return changed


def _insert_answer(respondent: Respondent, submitted: SubmittedAnswer) -> Answer:
    answer = Answer(
        respondent_id=respondent.id,  # not the relationship: the row is added in a savepoint
        questionnaire_key=submitted.questionnaire_key,
        item_id=submitted.item_id,
        **submitted.as_dict(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError:  # another request saved this item first: update its row
        answer = db.session.scalar(
            select(Answer).where(
                Answer.respondent_id == respondent.id,
                Answer.questionnaire_key == submitted.questionnaire_key,
                Answer.item_id == submitted.item_id,
            )
        )
    return answer


def submit_response(respondent: Respondent, actor: Actor) -> bool:
    """Lock the response. Only the first of several concurrent submits takes effect."""
    if respondent.assessment.status is not S.OPEN:
        raise AssessmentError("this assessment is not open for answers")
    result = db.session.execute(
        update(Respondent)
        .where(Respondent.id == respondent.id, Respondent.submitted_at.is_(None))
        .values(submitted_at=utcnow())
    )
    db.session.refresh(respondent)
    if result.rowcount:
        record(respondent.assessment, actor, "submitted", respondent.name)
    return bool(result.rowcount)


def import_responses(
    assessment: Assessment, rows: list[ImportedRespondent], source: str, actor: Actor
) -> None:
    """Add respondents with answers collected on paper, as submitted responses."""
    check_inviting(assessment)
    for row in rows:
        respondent = Respondent(
            assessment=assessment,
            name=row.name,
            email=row.email,
            group=row.group,
            locale=assessment.organisation.default_locale,
            submitted_at=utcnow(),
        )
        db.session.add(respondent)
        db.session.flush()
        for answer in row.answers:
            db.session.add(
                Answer(
                    respondent_id=respondent.id,
                    questionnaire_key=answer.questionnaire_key,
                    item_id=answer.item_id,
                    **answer.as_dict(),
                )
            )
        record(
            assessment, actor, "imported", f"{respondent.name} ({source})", None, len(row.answers)
        )


def unlock_response(respondent: Respondent, actor: Actor) -> None:
    if respondent.assessment.status not in UNLOCKING:
        raise AssessmentError("responses can be unlocked only while open or in review")
    if respondent.submitted_at is None:
        return
    respondent.submitted_at = None
    record(respondent.assessment, actor, "unlocked", respondent.name)


# --- Consensus and scoring --------------------------------------------------------------


def set_consensus(
    assessment: Assessment,
    questionnaire_key: str,
    item_id: str,
    value: int | None,
    note: str,
    actor: Actor,
) -> None:
    existing = next(
        (
            c
            for c in assessment.consensus_values
            if c.questionnaire_key == questionnaire_key and c.item_id == item_id
        ),
        None,
    )
    old = {"value": existing.value, "note": existing.note} if existing else None
    new = {"value": value, "note": note} if value is not None else None
    if old == new:
        return
    if value is None:
        assessment.consensus_values.remove(existing)
    elif existing is None:
        assessment.consensus_values.append(
            ConsensusValue(
                questionnaire_key=questionnaire_key,
                item_id=item_id,
                value=value,
                note=note,
                set_by_id=actor.user.id if actor.user else None,
            )
        )
    else:
        existing.value, existing.note = value, note
    record(assessment, actor, "consensus", f"{questionnaire_key}/{item_id}", old, new)


def score(assessment: Assessment) -> AssessmentResult:
    """The results from submitted responses, consensus values and targets; respondent
    groups smaller than the MIN_GROUP_SIZE setting are not scored on their own."""
    return score_many([assessment])[assessment.id]


def score_many(assessments: Sequence[Assessment]) -> dict[int, AssessmentResult]:
    """The results of several assessments from a fixed number of queries, however many
    assessments, respondents and answers there are (home pages list several)."""
    ids = [assessment.id for assessment in assessments]
    if not ids:
        return {}
    questionnaires = definitions_of(ids)
    submitted = Respondent.submitted_at.is_not(None)
    groups = {
        respondent_id: (assessment_id, group)
        for respondent_id, assessment_id, group in db.session.execute(
            select(Respondent.id, Respondent.assessment_id, Respondent.group)
            .where(Respondent.assessment_id.in_(ids), submitted)
            .order_by(Respondent.id)
        )
    }
    answers: dict[int, dict[tuple[str, str], int | None]] = {id_: {} for id_ in groups}
    for respondent_id, key, item_id, value in db.session.execute(
        select(Answer.respondent_id, Answer.questionnaire_key, Answer.item_id, Answer.value)
        .join(Respondent)
        .where(Respondent.assessment_id.in_(ids), submitted, ANSWERED)
    ):
        answers[respondent_id][(key, item_id)] = value
    responses: dict[int, list[Response]] = defaultdict(list)
    for respondent_id, (assessment_id, group) in groups.items():
        responses[assessment_id].append(
            Response(respondent=str(respondent_id), group=group, answers=answers[respondent_id])
        )
    consensus: dict[int, dict[tuple[str, str], Consensus]] = defaultdict(dict)
    for agreed in db.session.scalars(
        select(ConsensusValue).where(ConsensusValue.assessment_id.in_(ids))
    ):
        consensus[agreed.assessment_id][(agreed.questionnaire_key, agreed.item_id)] = Consensus(
            agreed.value, agreed.note
        )
    targets: dict[int, dict[tuple[str, str], str]] = defaultdict(dict)
    for target in db.session.scalars(select(Target).where(Target.assessment_id.in_(ids))):
        targets[target.assessment_id][(target.questionnaire_key, target.dimension_id)] = (
            target.level
        )
    return {
        assessment_id: score_assessment(
            questionnaires[assessment_id],
            responses[assessment_id],
            consensus=consensus[assessment_id],
            targets=targets[assessment_id],
            group_order=assessment.groups,
            target_level=assessment.target_level,
            min_group_size=current_app.config["MIN_GROUP_SIZE"],
        )
        for assessment_id, assessment in zip(ids, assessments, strict=True)
    }


def previous_published(assessment: Assessment) -> Assessment | None:
    """The organisation's latest assessment published before this one, for comparison."""
    query = (
        select(Assessment)
        .where(
            Assessment.organisation_id == assessment.organisation_id,
            Assessment.id != assessment.id,
            Assessment.published_at.is_not(None),
        )
        .order_by(Assessment.published_at.desc())
    )
    if assessment.published_at is not None:
        query = query.where(Assessment.published_at < assessment.published_at)
    return db.session.scalars(query).first()


def link_lifetime(assessment: Assessment, default_days: int) -> timedelta:
    """Links last until a day after the deadline, or ``default_days`` without one."""
    if assessment.deadline is None:
        return timedelta(days=default_days)
    end = datetime.combine(assessment.deadline + timedelta(days=1), datetime.min.time())
    return max(end.replace(tzinfo=utcnow().tzinfo) - utcnow(), timedelta(days=1))
