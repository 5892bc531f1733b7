"""The tracker's figures for a period, and the evidence they give of the CRM process.

Everything is counted by the database (GROUP BY, window functions), a fixed number of
queries whatever the number of rows. The result is plain values (dataclasses of numbers
and strings, no ORM objects, no request), so the assessment's results page and the PDF
report can show the same figures.

Where the figures come from (seed 002, "the CRM process", ``/work/shared/seeds/002_*``;
``docs/tracker.md`` gives the details):

- Step 1, **gather information**: the internal sources it lists are the interaction
  channels (contact records, postal mail, e-mail, website visits, referrals, inquiry
  calls, in-person visits); identifying and segmenting customers is the segment and the
  acquisition source recorded for them.
- Step 2, **develop marketing strategies**: turning the data into usable groups, i.e.
  customers sorted into segments.
- Step 3, **manage customer contacts**: choosing whom to contact and when, by where they
  stand in the life cycle: follow-ups planned, outbound contacts made, the pipeline.
- Step 4, **evaluate customer responses**: explicit feedback (survey scores, complaints,
  product returns) and implicit feedback (contact history, response to contacts, churn).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, case, distinct, exists, func, select, union
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    Channel,
    Customer,
    Direction,
    Feedback,
    FeedbackKind,
    FollowUp,
    Interaction,
    Outcome,
    PipelineStage,
    StageChange,
    StageKind,
    utcnow,
)

# How many of seed 002's internal sources count as gathering information "from several
# sources", and the share of customers that must carry a segment or a source.
SOURCES_FOR_GATHERING = 3
SHARE_RECORDED = 0.5
SEGMENTS_FOR_STRATEGY = 2
# A customer not contacted for this long is drifting away (an implicit signal).
QUIET_DAYS = 90


@dataclass(frozen=True)
class Period:
    """From ``start`` (included) to ``end`` (excluded), both aware UTC."""

    start: datetime
    end: datetime

    @classmethod
    def last_days(cls, days: int, end: datetime | None = None) -> Period:
        """``days`` days up to ``end``; by default up to the end of the current minute, so
        that the figures (and the copy ``kept_evidence`` keeps) hold for that minute."""
        if end is None:
            end = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=1)
        return cls(end - timedelta(days=days), end)

    @property
    def days(self) -> int:
        return max(1, round((self.end - self.start).total_seconds() / 86400))


@dataclass(frozen=True)
class StageFigures:
    stage_id: int
    name_fa: str
    name_en: str
    kind: str
    retired: bool
    entered: int  # customers who entered the stage in the period
    moved_on: int  # of those, how many went on to a later open or won stage by its end
    conversion: float | None  # moved_on / entered
    stays: int  # stays in the stage that ended in the period
    mean_days: float | None  # their mean length, in days

    def name(self, language: str) -> str:
        preferred, other = (
            (self.name_fa, self.name_en) if language == "fa" else (self.name_en, self.name_fa)
        )
        return preferred or other


@dataclass(frozen=True)
class ChannelFigures:
    channel: str  # a Channel value
    inbound: int
    outbound: int
    responded: int  # outbound contacts that got a response (any outcome but "no response")
    response_rate: float | None  # responded / outbound


@dataclass(frozen=True)
class StepEvidence:
    """One of seed 002's four steps: 2 practised, 1 partly, 0 no sign in the data."""

    key: str  # gather_information, marketing_strategies, manage_contacts, evaluate_responses
    level: int


@dataclass(frozen=True)
class TrackerEvidence:
    organisation_id: int
    period_start: datetime
    period_end: datetime
    customers: int  # all, now
    new_customers: int  # added in the period
    stages: list[StageFigures]
    wins: int  # moves from an open stage to a won one
    losses: int  # moves from an open stage to a lost one
    win_rate: float | None
    interactions: int
    contacted_customers: int  # customers with at least one contact in the period
    contacts_per_customer: float | None  # interactions / contacted customers
    channels: list[ChannelFigures]
    sources_used: int  # distinct channels with a contact in the period (seed 002's sources)
    outbound: int
    response_rate: float | None
    churned: int
    churn_base: int  # customers who were won at some point of the period
    churn_rate: float | None
    quiet_customers: int  # won customers without contact for QUIET_DAYS at the period's end
    nps: float | None  # % promoters (9-10) minus % detractors (0-6)
    nps_responses: int
    csat_mean: float | None  # 1-5
    csat_satisfied: float | None  # share of CSAT scores 4 or 5
    csat_responses: int
    complaints: int
    returns: int
    follow_ups_planned: int  # created in the period
    follow_ups_open: int  # now
    follow_ups_overdue: int  # now: open and due before today
    segments: int  # distinct segments
    segmented_share: float | None  # customers with a segment
    sourced_share: float | None  # customers with an acquisition source
    steps: list[StepEvidence] = field(default_factory=list)

    @property
    def explicit_feedback(self) -> int:
        return self.nps_responses + self.csat_responses + self.complaints + self.returns


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _in_period(column, period: Period):
    return and_(column >= period.start, column < period.end)


def evidence_for(
    organisation_id: int, period: Period, today: date | None = None
) -> TrackerEvidence:
    """The tracker's figures for ``period``; ``today`` (for overdue follow-ups) defaults
    to the UTC day of the period's end."""
    today = today or period.end.astimezone(UTC).date()
    totals = _customer_totals(organisation_id)
    stages = _stage_figures(organisation_id, period)
    wins, losses = _wins_and_losses(organisation_id, period)
    channels = _channel_figures(organisation_id, period)
    interactions = sum(c.inbound + c.outbound for c in channels)
    outbound = sum(c.outbound for c in channels)
    responded = sum(c.responded for c in channels)
    contacted = db.session.scalar(
        select(func.count(distinct(Interaction.customer_id))).where(
            Interaction.organisation_id == organisation_id,
            _in_period(Interaction.occurred_at, period),
        )
    )
    churned, churn_base = _churn(organisation_id, period)
    feedback = _feedback(organisation_id, period)
    follow_ups = _follow_ups(organisation_id, period, today)
    evidence = TrackerEvidence(
        organisation_id=organisation_id,
        period_start=period.start,
        period_end=period.end,
        customers=totals["customers"],
        new_customers=_new_customers(organisation_id, period),
        stages=stages,
        wins=wins,
        losses=losses,
        win_rate=_ratio(wins, wins + losses),
        interactions=interactions,
        contacted_customers=contacted,
        contacts_per_customer=_ratio(interactions, contacted),
        channels=channels,
        sources_used=sum(1 for c in channels if c.inbound + c.outbound),
        outbound=outbound,
        response_rate=_ratio(responded, outbound),
        churned=churned,
        churn_base=churn_base,
        churn_rate=_ratio(churned, churn_base),
        quiet_customers=_quiet_customers(organisation_id, period),
        **feedback,
        **follow_ups,
        segments=totals["segments"],
        segmented_share=_ratio(totals["segmented"], totals["customers"]),
        sourced_share=_ratio(totals["sourced"], totals["customers"]),
    )
    return _with_steps(evidence)


def _with_steps(evidence: TrackerEvidence) -> TrackerEvidence:
    """Which of seed 002's four steps the data shows being practised."""

    def level(*conditions: bool) -> int:
        return 2 if all(conditions) else (1 if any(conditions) else 0)

    steps = [
        StepEvidence(
            "gather_information",
            level(
                evidence.sources_used >= SOURCES_FOR_GATHERING,
                (evidence.sourced_share or 0) >= SHARE_RECORDED,
            ),
        ),
        StepEvidence(
            "marketing_strategies",
            level(
                evidence.segments >= SEGMENTS_FOR_STRATEGY,
                (evidence.segmented_share or 0) >= SHARE_RECORDED,
            ),
        ),
        StepEvidence(
            "manage_contacts",
            level(evidence.follow_ups_planned > 0, evidence.outbound > 0),
        ),
        StepEvidence(
            "evaluate_responses",
            level(evidence.explicit_feedback > 0, evidence.response_rate is not None),
        ),
    ]
    return TrackerEvidence(**{**evidence.__dict__, "steps": steps})


def _customer_totals(organisation_id: int) -> dict[str, int]:
    segment = func.nullif(Customer.segment, "")
    row = db.session.execute(
        select(
            func.count(Customer.id),
            func.count(segment),
            func.count(Customer.source),
            func.count(distinct(segment)),
        ).where(Customer.organisation_id == organisation_id)
    ).one()
    return dict(zip(("customers", "segmented", "sourced", "segments"), row, strict=True))


def _new_customers(organisation_id: int, period: Period) -> int:
    return db.session.scalar(
        select(func.count(StageChange.id)).where(
            StageChange.organisation_id == organisation_id,
            StageChange.from_stage_id.is_(None),
            _in_period(StageChange.changed_at, period),
        )
    )


def _days_between(earlier, later):
    """``later - earlier`` in days, in SQL: each database has its own date arithmetic."""
    if db.engine.dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def _stage_figures(organisation_id: int, period: Period) -> list[StageFigures]:
    stages = db.session.scalars(
        select(PipelineStage)
        .where(PipelineStage.organisation_id == organisation_id)
        .order_by(PipelineStage.position, PipelineStage.id)
    ).all()
    entered_at = aliased(StageChange)
    entered = dict(
        db.session.execute(
            select(entered_at.to_stage_id, func.count(distinct(entered_at.customer_id)))
            .where(
                entered_at.organisation_id == organisation_id,
                _in_period(entered_at.changed_at, period),
            )
            .group_by(entered_at.to_stage_id)
        ).all()
    )
    # Of those who entered a stage in the period: who later entered a further stage that
    # is still in progress or won, before the period ended.
    later = aliased(StageChange)
    this_stage, next_stage = aliased(PipelineStage), aliased(PipelineStage)
    moved_on = dict(
        db.session.execute(
            select(entered_at.to_stage_id, func.count(distinct(entered_at.customer_id)))
            .join(this_stage, this_stage.id == entered_at.to_stage_id)
            .join(
                later,
                and_(
                    later.customer_id == entered_at.customer_id,
                    later.changed_at > entered_at.changed_at,
                    later.changed_at < period.end,
                ),
            )
            .join(next_stage, next_stage.id == later.to_stage_id)
            .where(
                entered_at.organisation_id == organisation_id,
                _in_period(entered_at.changed_at, period),
                next_stage.position > this_stage.position,
                next_stage.kind.in_([StageKind.OPEN, StageKind.WON]),
            )
            .group_by(entered_at.to_stage_id)
        ).all()
    )
    # Time in stage: a stay ends with a move in the period (out of its from-stage) and
    # began when the customer entered that stage, the move before (found by index).
    earlier = aliased(StageChange)
    entered_stay = (
        select(func.max(earlier.changed_at))
        .where(
            earlier.customer_id == StageChange.customer_id,
            earlier.changed_at < StageChange.changed_at,
        )
        .scalar_subquery()
    )
    durations = {
        stage_id: (count, mean)
        for stage_id, count, mean in db.session.execute(
            select(
                StageChange.from_stage_id,
                func.count(),
                func.avg(_days_between(entered_stay, StageChange.changed_at)),
            )
            .where(
                StageChange.organisation_id == organisation_id,
                StageChange.from_stage_id.is_not(None),
                _in_period(StageChange.changed_at, period),
            )
            .group_by(StageChange.from_stage_id)
        ).all()
    }
    figures = []
    for stage in stages:
        count = entered.get(stage.id, 0)
        onward = moved_on.get(stage.id, 0)
        stay_count, mean = durations.get(stage.id, (0, None))
        figures.append(
            StageFigures(
                stage_id=stage.id,
                name_fa=stage.name_fa,
                name_en=stage.name_en,
                kind=stage.kind.value,
                retired=stage.retired_at is not None,
                entered=count,
                moved_on=onward,
                conversion=_ratio(onward, count) if stage.kind is StageKind.OPEN else None,
                stays=stay_count,
                mean_days=float(mean) if mean is not None else None,
            )
        )
    return figures


def _wins_and_losses(organisation_id: int, period: Period) -> tuple[int, int]:
    before, after = aliased(PipelineStage), aliased(PipelineStage)
    counts = dict(
        db.session.execute(
            select(after.kind, func.count(distinct(StageChange.customer_id)))
            .join(before, before.id == StageChange.from_stage_id)
            .join(after, after.id == StageChange.to_stage_id)
            .where(
                StageChange.organisation_id == organisation_id,
                _in_period(StageChange.changed_at, period),
                before.kind == StageKind.OPEN,
                after.kind.in_([StageKind.WON, StageKind.LOST]),
            )
            .group_by(after.kind)
        ).all()
    )
    return counts.get(StageKind.WON, 0), counts.get(StageKind.LOST, 0)


def _channel_figures(organisation_id: int, period: Period) -> list[ChannelFigures]:
    responded = func.sum(case((Interaction.outcome != Outcome.NO_RESPONSE, 1), else_=0))
    rows = db.session.execute(
        select(Interaction.channel, Interaction.direction, func.count(), responded)
        .where(
            Interaction.organisation_id == organisation_id,
            _in_period(Interaction.occurred_at, period),
        )
        .group_by(Interaction.channel, Interaction.direction)
    ).all()
    counts = {
        (channel, direction): (count, answered) for channel, direction, count, answered in rows
    }
    figures = []
    for channel in Channel:
        inbound = counts.get((channel, Direction.INBOUND), (0, 0))[0]
        outbound, answered = counts.get((channel, Direction.OUTBOUND), (0, 0))
        figures.append(
            ChannelFigures(
                channel=channel.value,
                inbound=inbound,
                outbound=outbound,
                responded=int(answered or 0),
                response_rate=_ratio(int(answered or 0), outbound),
            )
        )
    return figures


def _churn(organisation_id: int, period: Period) -> tuple[int, int]:
    """Customers who churned in the period, out of those who were won customers at some
    point of it (already won when it began, or won during it)."""
    won_stage = aliased(PipelineStage)
    later = aliased(StageChange)
    # Won at the start: their last move before the period was into a won stage.
    won_at_start = (
        select(StageChange.customer_id)
        .join(won_stage, won_stage.id == StageChange.to_stage_id)
        .where(
            StageChange.organisation_id == organisation_id,
            StageChange.changed_at < period.start,
            won_stage.kind == StageKind.WON,
            ~exists().where(
                later.customer_id == StageChange.customer_id,
                later.changed_at > StageChange.changed_at,
                later.changed_at < period.start,
            ),
        )
    )
    won_during = (
        select(StageChange.customer_id)
        .join(won_stage, won_stage.id == StageChange.to_stage_id)
        .where(
            StageChange.organisation_id == organisation_id,
            _in_period(StageChange.changed_at, period),
            won_stage.kind == StageKind.WON,
        )
    )
    base = db.session.scalar(
        select(func.count()).select_from(union(won_at_start, won_during).subquery())
    )
    churned = db.session.scalar(
        select(func.count(distinct(StageChange.customer_id)))
        .join(won_stage, won_stage.id == StageChange.to_stage_id)
        .where(
            StageChange.organisation_id == organisation_id,
            _in_period(StageChange.changed_at, period),
            won_stage.kind == StageKind.CHURNED,
        )
    )
    return churned, base


def _quiet_customers(organisation_id: int, period: Period) -> int:
    quiet_since = period.end - timedelta(days=QUIET_DAYS)
    return db.session.scalar(
        select(func.count(Customer.id))
        .join(PipelineStage, PipelineStage.id == Customer.stage_id)
        .where(
            Customer.organisation_id == organisation_id,
            PipelineStage.kind == StageKind.WON,
            (Customer.last_interaction_at.is_(None)) | (Customer.last_interaction_at < quiet_since),
        )
    )


def _feedback(organisation_id: int, period: Period) -> dict[str, object]:
    def count_where(condition):
        return func.sum(case((condition, 1), else_=0))

    rows = db.session.execute(
        select(
            Feedback.kind,
            func.count(),
            func.avg(Feedback.score),
            count_where(Feedback.score >= 9),
            count_where(Feedback.score <= 6),
            count_where(Feedback.score >= 4),
        )
        .where(
            Feedback.organisation_id == organisation_id,
            _in_period(Feedback.received_at, period),
        )
        .group_by(Feedback.kind)
    ).all()
    by_kind = {kind: row for kind, *row in rows}
    nps_count, _mean, promoters, detractors, _four = by_kind.get(
        FeedbackKind.NPS, (0, None, 0, 0, 0)
    )
    csat_count, csat_mean, _nine, _six, satisfied = by_kind.get(
        FeedbackKind.CSAT, (0, None, 0, 0, 0)
    )
    return {
        "nps": (promoters - detractors) * 100 / nps_count if nps_count else None,
        "nps_responses": nps_count,
        "csat_mean": float(csat_mean) if csat_mean is not None else None,
        "csat_satisfied": _ratio(int(satisfied or 0), csat_count),
        "csat_responses": csat_count,
        "complaints": by_kind.get(FeedbackKind.COMPLAINT, (0,))[0],
        "returns": by_kind.get(FeedbackKind.PRODUCT_RETURN, (0,))[0],
    }


def _follow_ups(organisation_id: int, period: Period, today: date) -> dict[str, int]:
    is_open = FollowUp.done_at.is_(None)
    planned, open_count, overdue = db.session.execute(
        select(
            func.sum(case((_in_period(FollowUp.created_at, period), 1), else_=0)),
            func.sum(case((is_open, 1), else_=0)),
            func.sum(case((and_(is_open, FollowUp.due_on < today), 1), else_=0)),
        ).where(FollowUp.organisation_id == organisation_id)
    ).one()
    return {
        "follow_ups_planned": int(planned or 0),
        "follow_ups_open": int(open_count or 0),
        "follow_ups_overdue": int(overdue or 0),
    }


def customer_signals(customer: Customer, now: datetime | None = None) -> dict[str, object]:
    """A customer's implicit feedback (seed 002): how recently and how often they were in
    contact, and how long they have been in their stage."""
    now = now or utcnow()
    recent = db.session.scalar(
        select(func.count(Interaction.id)).where(
            Interaction.customer_id == customer.id,
            Interaction.occurred_at >= now - timedelta(days=QUIET_DAYS),
        )
    )
    last = customer.last_interaction_at
    return {
        "days_since_contact": (now - last).days if last else None,
        "contacts_recent": recent,
        "days_in_stage": (now - customer.stage_since).days,
        "quiet": last is None or (now - last).days >= QUIET_DAYS,
    }
