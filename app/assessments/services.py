"""Running an assessment: creating it, moving it through its states, its targets, the
answers given and the consultant's consensus values. Every change is written to the audit
trail. Respondents and their links are in app/assessments/respondents.py; reading the
answers and scoring them in app/assessments/scores.py.

The functions take the session's objects and leave committing to the caller, so a
request commits a change and its audit record together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.instrument.loader import LoadedQuestionnaire
from app.instrument.versions import freeze
from app.models import (
    Answer,
    Assessment,
    AssessmentQuestionnaire,
    AssessmentStatus,
    AuditEvent,
    ConsensusValue,
    Organisation,
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


# --- Respondents -----------------------------------------------------------------------


def check_inviting(assessment: Assessment) -> None:
    if assessment.status not in INVITING:
        raise AssessmentError("respondents of a published assessment cannot change")


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


# --- Consensus ------------------------------------------------------------------------


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
