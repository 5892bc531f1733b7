"""The home page of an organisation's members: for its owners, the published assessments
with their index, level and change since the one before, the action plan's open items and
the tracker's follow-ups due; for its managers, the questionnaires they are asked to
answer, their own action items and their own follow-ups due. Someone can be both.

Each list is a fixed number of queries whatever the number of assessments, respondents or
customers, and a bounded number of rows: the home page points to the full lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.assessments import scores, services
from app.extensions import db
from app.models import (
    ActionAssignment,
    Answer,
    Assessment,
    AssessmentStatus,
    FollowUp,
    MemberRole,
    Membership,
    Organisation,
    Respondent,
    User,
)

SHOWN = 10  # entries per list; the full lists are a link away
PUBLISHED_PER_ORGANISATION = 5
PUBLISHED = (AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED)


@dataclass(frozen=True)
class Roles:
    """The user's memberships, with their organisations (the page and its menu name them;
    holding them here keeps them loaded while the page is drawn)."""

    memberships: list[Membership]

    @classmethod
    def of(cls, user: User) -> Roles:
        return cls(
            db.session.scalars(
                select(Membership)
                .options(joinedload(Membership.organisation))
                .where(Membership.user_id == user.id)
                .order_by(Membership.id)
            ).all()
        )

    @property
    def owner_of(self) -> list[int]:
        """The organisations where the user is an owner."""
        return [m.organisation_id for m in self.memberships if m.role is MemberRole.OWNER]

    @property
    def member_of(self) -> list[int]:
        return [m.organisation_id for m in self.memberships]


@dataclass(frozen=True)
class ToAnswer:
    respondent: Respondent  # with its assessment and organisation
    answered: int
    total: int
    overdue: bool


def questionnaires_to_answer(user: User, today: date) -> list[ToAnswer]:
    """The open questionnaires the user was invited to answer with their account's address,
    those still to submit first, the nearest deadline first."""
    respondents = list(
        db.session.scalars(
            select(Respondent)
            .join(Respondent.assessment)
            .join(Assessment.organisation)
            .options(contains_eager(Respondent.assessment).contains_eager(Assessment.organisation))
            .where(
                Respondent.user_id == user.id,
                Assessment.status == AssessmentStatus.OPEN,
                Respondent.revoked_at.is_(None),
                # as policy.RESPOND: only while they belong to the organisation
                Assessment.organisation_id.in_([m.organisation_id for m in user.memberships]),
            )
            .order_by(
                case((Respondent.submitted_at.is_(None), 0), else_=1),
                case((Assessment.deadline.is_(None), 1), else_=0),
                Assessment.deadline,
                Assessment.id.desc(),
            )
            .limit(SHOWN)
        )
    )
    if not respondents:
        return []
    answered = dict(
        db.session.execute(
            select(Answer.respondent_id, func.count(Answer.id))
            .where(Answer.respondent_id.in_([r.id for r in respondents]), services.ANSWERED)
            .group_by(Answer.respondent_id)
        ).all()
    )
    questionnaires = scores.definitions_of({r.assessment_id for r in respondents})
    return [
        ToAnswer(
            respondent=respondent,
            answered=answered.get(respondent.id, 0),
            total=sum(
                len(dimension.items)
                for questionnaire in questionnaires[respondent.assessment_id]
                for dimension in questionnaire.dimensions
            ),
            overdue=respondent.submitted_at is None
            and respondent.assessment.deadline is not None
            and respondent.assessment.deadline < today,
        )
        for respondent in respondents
    ]


@dataclass(frozen=True)
class PublishedResult:
    assessment: Assessment  # with its organisation
    index: float | None
    level: str | None  # the level's name in the page's language
    change: float | None  # index points since the organisation's assessment before
    previous: Assessment | None


def published_results(organisation_ids: list[int], language: str) -> list[PublishedResult]:
    """The latest published assessments of each organisation, newest first, scored in one
    go with the one before each (for the change)."""
    if not organisation_ids:
        return []
    published = list(
        db.session.scalars(
            select(Assessment)
            .join(Assessment.organisation)
            .options(contains_eager(Assessment.organisation))
            .where(
                Assessment.organisation_id.in_(organisation_ids),
                Assessment.status.in_(PUBLISHED),
                Assessment.published_at.is_not(None),
            )
            .order_by(Assessment.published_at.desc(), Assessment.id.desc())
        )
    )
    shown, previous = [], {}
    for organisation_id in organisation_ids:
        own = [a for a in published if a.organisation_id == organisation_id]
        shown += own[:PUBLISHED_PER_ORGANISATION]
        for newer, older in pairwise(own):
            previous[newer.id] = older
    needed = {a.id: a for a in [*shown, *(previous[a.id] for a in shown if a.id in previous)]}
    results = scores.score_many(list(needed.values()))
    levels = {
        assessment_id: {band.id: band.name.in_language(language) for band in qs[0].levels}
        for assessment_id, qs in scores.definitions_of(list(needed)).items()
        if qs
    }
    entries = []
    for assessment in sorted(shown, key=lambda a: a.published_at, reverse=True):
        result = results[assessment.id]
        before = previous.get(assessment.id)
        before_index = results[before.id].index if before else None
        entries.append(
            PublishedResult(
                assessment=assessment,
                index=result.index,
                level=levels.get(assessment.id, {}).get(result.level),
                change=result.index - before_index
                if result.index is not None and before_index is not None
                else None,
                previous=before,
            )
        )
    return entries


@dataclass(frozen=True)
class ActionEntry:
    assignment: ActionAssignment
    assessment: Assessment  # with its organisation
    dimension: str
    recommendation: str
    overdue: bool


def open_action_items(
    language: str, today: date, organisation_ids: list[int], owner_id: int | None = None
) -> tuple[list[ActionEntry], int]:
    """Open items of published action plans that have an owner or a due date: the
    organisations' (``owner_id`` None) or one person's. Overdue first, then by due date;
    also how many there are in all."""
    if not organisation_ids:
        return [], 0
    conditions = [
        ActionAssignment.done_at.is_(None),
        Assessment.organisation_id.in_(organisation_ids),
        Assessment.status == AssessmentStatus.PUBLISHED,
        or_(ActionAssignment.owner != "", ActionAssignment.due_date.is_not(None)),
    ]
    if owner_id is not None:
        conditions.append(ActionAssignment.owner_id == owner_id)
    rows = db.session.execute(
        select(ActionAssignment, Assessment)
        .join(Assessment, Assessment.id == ActionAssignment.assessment_id)
        .join(Assessment.organisation)
        .options(contains_eager(Assessment.organisation))
        .where(*conditions)
        .order_by(
            case((ActionAssignment.due_date.is_(None), 1), else_=0),
            ActionAssignment.due_date,
            ActionAssignment.id,
        )
        .limit(SHOWN)
    ).all()
    total = db.session.scalar(
        select(func.count(ActionAssignment.id))
        .join(Assessment, Assessment.id == ActionAssignment.assessment_id)
        .where(*conditions)
    )
    questionnaires = scores.definitions_of({assessment.id for _a, assessment in rows})
    entries = []
    for assignment, assessment in rows:
        dimension, text = _recommendation(questionnaires[assessment.id], assignment, language)
        overdue = assignment.due_date is not None and assignment.due_date < today
        entries.append(ActionEntry(assignment, assessment, dimension, text, overdue))
    return entries, total


def _recommendation(questionnaires, assignment: ActionAssignment, language: str):
    """The dimension's title and the recommendation's text, from the frozen definitions."""
    for questionnaire in questionnaires:
        if questionnaire.id != assignment.questionnaire_key:
            continue
        for dimension in questionnaire.dimensions:
            if dimension.id == assignment.dimension_id:
                recommendations = dimension.recommendations.get(assignment.level, [])
                text = (
                    recommendations[assignment.position].text.in_language(language)
                    if assignment.position < len(recommendations)
                    else ""
                )
                return dimension.title.in_language(language), text
    return assignment.dimension_id, ""


@dataclass(frozen=True)
class FollowUpEntry:
    follow_up: FollowUp  # with its customer
    organisation: Organisation
    assignee: str | None
    overdue: bool


def follow_ups_due(user: User, roles: Roles, today: date) -> tuple[list[FollowUpEntry], int]:
    """Open follow-ups due today or before: every one of the organisations the user owns,
    and the user's own elsewhere. Overdue first; also how many there are in all."""
    if not roles.member_of:
        return [], 0
    conditions = [
        FollowUp.done_at.is_(None),
        FollowUp.due_on <= today,
        or_(
            FollowUp.organisation_id.in_(roles.owner_of),
            and_(
                FollowUp.assignee_id == user.id,
                FollowUp.organisation_id.in_(roles.member_of),
            ),
        ),
    ]
    rows = db.session.execute(
        select(FollowUp, Organisation, User.name)
        .join(FollowUp.customer)
        .join(Organisation, Organisation.id == FollowUp.organisation_id)
        .outerjoin(User, User.id == FollowUp.assignee_id)
        .options(contains_eager(FollowUp.customer))
        .where(*conditions)
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(SHOWN)
    ).all()
    total = db.session.scalar(select(func.count(FollowUp.id)).where(*conditions))
    entries = [
        FollowUpEntry(follow_up, organisation, assignee, follow_up.due_on < today)
        for follow_up, organisation, assignee in rows
    ]
    return entries, total
