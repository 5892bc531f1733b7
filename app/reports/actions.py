"""Owners and due dates for the recommendations of an assessment's action plan."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from app.assessments.services import Actor, record
from app.extensions import db
from app.models import ActionAssignment, Assessment, Membership, User, utcnow

# (questionnaire id, dimension id, level band id, position in that band's list)
RecommendationKey = tuple[str, str, str, int]


def action_assignments(assessment_id: int) -> dict[RecommendationKey, ActionAssignment]:
    return {
        (a.questionnaire_key, a.dimension_id, a.level, a.position): a
        for a in db.session.scalars(
            db.select(ActionAssignment).where(ActionAssignment.assessment_id == assessment_id)
        )
    }


def set_action_owner(
    assessment: Assessment, key: RecommendationKey, owner: str, due: date | None, actor: Actor
) -> None:
    """Record who carries out a recommendation and by when, in the audit trail too; the
    caller commits."""
    existing = action_assignments(assessment.id).get(key)
    old = {"owner": existing.owner, "due_date": _iso(existing.due_date)} if existing else None
    new = {"owner": owner, "due_date": _iso(due)}
    if old == new:
        return
    if existing is None:
        questionnaire, dimension, level, position = key
        existing = ActionAssignment(
            assessment_id=assessment.id,
            questionnaire_key=questionnaire,
            dimension_id=dimension,
            level=level,
            position=position,
        )
        db.session.add(existing)
    existing.owner, existing.due_date = owner, due
    existing.owner_id = member_named(assessment.organisation_id, owner)
    record(assessment, actor, "action owner", "/".join(map(str, key)), old, new)


def member_named(organisation_id: int, owner: str) -> int | None:
    """The organisation's member whose name or address is ``owner`` (any case), so that
    the item shows on their home page; None for anyone else."""
    if not owner:
        return None
    wanted = owner.strip().lower()
    return db.session.scalar(
        select(User.id)
        .join(Membership)
        .where(
            Membership.organisation_id == organisation_id,
            or_(func.lower(User.name) == wanted, func.lower(User.email) == wanted),
        )
        .order_by(User.id)
        .limit(1)
    )


def set_done(
    assessment: Assessment, assignment: ActionAssignment, done: bool, actor: Actor
) -> None:
    """Mark one of the assessment's action items done, or open again; the caller commits."""
    if (assignment.done_at is not None) == done:
        return
    assignment.done_at = utcnow() if done else None
    key = (assignment.questionnaire_key, assignment.dimension_id, assignment.level)
    subject = "/".join((*key, str(assignment.position)))
    record(assessment, actor, "action done", subject, not done, done)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
