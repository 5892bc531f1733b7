"""Where an assessment stands and the one step that moves it on, for the consultant's home
page and the assessment's own page alike. Plain values in, plain values out: the pages
read the counts in bulk and ask here what to offer."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, select

from app.assessments.scores import StoredResponse
from app.extensions import db
from app.models import Assessment, AssessmentStatus, Respondent

S = AssessmentStatus


class Stage(enum.StrEnum):
    """The four stages people speak of; archived is the end of the published stage."""

    SET_UP = "set_up"
    OPEN = "open"
    REVIEW = "review"
    PUBLISHED = "published"


STAGE_OF = {
    S.DRAFT: Stage.SET_UP,
    S.OPEN: Stage.OPEN,
    S.IN_REVIEW: Stage.REVIEW,
    S.PUBLISHED: Stage.PUBLISHED,
    S.ARCHIVED: Stage.PUBLISHED,
}


class Step(enum.StrEnum):
    ADD_RESPONDENTS = "add_respondents"
    OPEN = "open"
    REMIND = "remind"
    CLOSE = "close"
    REVIEW = "review"
    PUBLISH = "publish"
    DOWNLOAD = "download"


# The steps taken by posting a form (the others are links to the page where it is done).
POSTED_STEPS = frozenset({Step.OPEN, Step.REMIND, Step.CLOSE, Step.PUBLISH})
# Until answering is over, a deadline can pass.
RUNNING = frozenset({S.DRAFT, S.OPEN})


@dataclass(frozen=True)
class Progress:
    """What the next step depends on."""

    status: AssessmentStatus
    deadline: date | None
    invited: int  # respondents, imported ones included
    submitted: int
    waiting: int  # not submitted, link not revoked, with an address to remind
    reviewed: bool  # the consultant has written observations

    def is_overdue(self, today: date) -> bool:
        return self.status in RUNNING and self.deadline is not None and self.deadline < today

    @property
    def has_results(self) -> bool:
        return self.submitted > 0


def next_step(progress: Progress, today: date) -> Step | None:
    """The one step that moves the assessment on, or None once it is archived."""
    status = progress.status
    if status is S.DRAFT:
        return Step.OPEN if progress.invited else Step.ADD_RESPONDENTS
    if status is S.OPEN:
        everyone_answered = progress.invited and progress.submitted == progress.invited
        if everyone_answered or (progress.is_overdue(today) and progress.submitted):
            return Step.CLOSE
        if progress.waiting:
            return Step.REMIND
        return Step.CLOSE if progress.submitted else Step.ADD_RESPONDENTS
    if status is S.IN_REVIEW:
        return Step.PUBLISH if progress.reviewed else Step.REVIEW
    if status is S.PUBLISHED:
        return Step.DOWNLOAD
    return None


def respondent_counts(assessment_ids: Select | list[int]) -> Select:
    """Per assessment: respondents invited, submitted, and still waiting with an address
    to remind. One grouped query for any number of assessments."""
    waiting = case(
        (
            Respondent.submitted_at.is_(None)
            & Respondent.revoked_at.is_(None)
            & (Respondent.email != ""),
            1,
        )
    )
    return (
        select(
            Respondent.assessment_id,
            func.count(Respondent.id).label("invited"),
            func.count(Respondent.submitted_at).label("submitted"),
            func.count(waiting).label("waiting"),
        )
        .where(Respondent.assessment_id.in_(assessment_ids))
        .group_by(Respondent.assessment_id)
    )


def progress_of(assessment: Assessment) -> Progress:
    counts = db.session.execute(respondent_counts([assessment.id])).first()
    return _progress(assessment, *(tuple(counts)[1:] if counts else (0, 0, 0)))


def progress_among(assessment: Assessment, responses: Sequence[StoredResponse]) -> Progress:
    """``progress_of``, counted from every respondent already read (the results page reads
    them to score, and so saves a query)."""
    waiting = sum(
        1 for r in responses if r.submitted_at is None and r.revoked_at is None and r.email
    )
    submitted = sum(1 for r in responses if r.submitted_at is not None)
    return _progress(assessment, len(responses), submitted, waiting)


def _progress(assessment: Assessment, invited: int, submitted: int, waiting: int) -> Progress:
    return Progress(
        status=assessment.status,
        deadline=assessment.deadline,
        invited=invited,
        submitted=submitted,
        waiting=waiting,
        reviewed=bool(assessment.observations),
    )
