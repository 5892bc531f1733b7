"""Changes to the tracker, kept apart from the request handling. Callers commit.

Every write that touches interactions goes through here, so the copies of "last
contact" and "number of contacts" kept on each customer (see app/models/tracker.py)
always match the interactions themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update

from app.extensions import db
from app.i18n import to_latin_digits
from app.models import (
    AcquisitionSource,
    Channel,
    Customer,
    CustomerKind,
    Direction,
    Feedback,
    FeedbackKind,
    FollowUp,
    Interaction,
    Membership,
    Outcome,
    PipelineStage,
    StageChange,
    StageKind,
    User,
    utcnow,
)


class TrackerError(ValueError):
    """A change that cannot be made; the message is meant for the person making it."""


# The customer life cycle (seed 004: "from acquisition to loyalty"), then the two ways out.
DEFAULT_STAGES = (
    ("مشتری بالقوه", "Prospect", StageKind.OPEN),
    ("سرنخ", "Lead", StageKind.OPEN),
    ("فرصت فروش", "Opportunity", StageKind.OPEN),
    ("مشتری", "Customer", StageKind.WON),
    ("مشتری وفادار", "Loyal customer", StageKind.WON),
    ("از دست رفته", "Lost", StageKind.LOST),
    ("ریزش‌کرده", "Churned", StageKind.CHURNED),
)


def pipeline(organisation_id: int) -> list[PipelineStage]:
    """The organisation's stages in order, retired ones too."""
    return list(
        db.session.scalars(
            select(PipelineStage)
            .where(PipelineStage.organisation_id == organisation_id)
            .order_by(PipelineStage.position, PipelineStage.id)
        )
    )


def create_default_stages(organisation_id: int) -> list[PipelineStage]:
    """The customer life cycle, for an organisation opening its tracker the first time."""
    stages = [
        PipelineStage(
            organisation_id=organisation_id,
            name_fa=name_fa,
            name_en=name_en,
            kind=kind,
            position=position,
        )
        for position, (name_fa, name_en, kind) in enumerate(DEFAULT_STAGES)
    ]
    db.session.add_all(stages)
    db.session.flush()
    return stages


def team(organisation_id: int) -> list[User]:
    """The people who can own customers and follow-ups: the organisation's members."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, User.active.is_(True))
            .order_by(User.name)
        )
    )


_NON_DIGITS = re.compile(r"\D")


def phone_key(phone: str) -> str:
    """The digits that identify a phone number for finding duplicates: Persian digits read
    as Latin, and only the last ten kept, so 0912 123 4567 and +98 912 123 4567 match."""
    digits = _NON_DIGITS.sub("", to_latin_digits(phone or ""))
    return digits[-10:]


_PHONE_LIKE = re.compile(r"[\d\s()+\-./]+")


def phone_search_key(text: str) -> str | None:
    """The digits to look for among phone numbers when a search looks like one (three
    digits or more), without the leading zero or country code people may type."""
    latin = to_latin_digits(text or "").strip()
    if not _PHONE_LIKE.fullmatch(latin):
        return None
    digits = _NON_DIGITS.sub("", latin)
    if digits.startswith("0098"):
        digits = digits[4:]
    elif digits.startswith("98") and len(digits) > 10:
        digits = digits[2:]
    digits = digits.lstrip("0")
    return digits if len(digits) >= 3 else None


@dataclass
class CustomerDetails:
    kind: CustomerKind
    name: str
    company_id: int | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    segment: str = ""
    source: AcquisitionSource | None = None
    owner_id: int | None = None
    notes: str = ""


def apply_details(customer: Customer, details: CustomerDetails) -> None:
    for field in CustomerDetails.__dataclass_fields__:
        setattr(customer, field, getattr(details, field))
    customer.email = (details.email or "").strip().lower()
    customer.phone_key = phone_key(details.phone)


def add_customer(
    organisation_id: int,
    details: CustomerDetails,
    stage: PipelineStage,
    by: User | None,
    at: datetime | None = None,
) -> Customer:
    """A new customer in ``stage``; their history starts with entering it."""
    at = at or utcnow()
    customer = Customer(organisation_id=organisation_id, stage=stage, stage_since=at)
    apply_details(customer, details)
    db.session.add(customer)
    db.session.flush()
    db.session.add(
        StageChange(
            organisation_id=organisation_id,
            customer_id=customer.id,
            from_stage_id=None,
            to_stage_id=stage.id,
            changed_at=at,
            changed_by_id=by.id if by else None,
        )
    )
    return customer


def move_customer(
    customer: Customer,
    stage: PipelineStage,
    by: User | None,
    reason: str = "",
    at: datetime | None = None,
) -> StageChange:
    """Move ``customer`` to ``stage`` and record the move (from, to, when, who, why);
    ``at`` backdates it (demo data, imports of history)."""
    if stage.organisation_id != customer.organisation_id or stage.retired_at is not None:
        raise TrackerError("stage is not available")
    if stage.id == customer.stage_id:
        raise TrackerError("already in this stage")
    if stage.needs_reason and not reason.strip():
        raise TrackerError("a reason is required")
    change = StageChange(
        organisation_id=customer.organisation_id,
        customer_id=customer.id,
        from_stage_id=customer.stage_id,
        to_stage_id=stage.id,
        changed_at=at or utcnow(),
        changed_by_id=by.id if by else None,
        reason=reason.strip(),
    )
    db.session.add(change)
    # The column too, not only the relationship: a second move before the session is
    # flushed must see where the first one left the customer.
    customer.stage_id = stage.id
    customer.stage = stage
    customer.stage_since = change.changed_at
    return change


def record_interaction(
    customer: Customer,
    *,
    channel: Channel,
    direction: Direction,
    occurred_at: datetime,
    outcome: Outcome,
    notes: str,
    by: User | None,
) -> Interaction:
    interaction = Interaction(
        organisation_id=customer.organisation_id,
        customer_id=customer.id,
        channel=channel,
        direction=direction,
        occurred_at=occurred_at,
        outcome=outcome,
        notes=notes,
        recorded_by_id=by.id if by else None,
    )
    db.session.add(interaction)
    customer.interaction_count = (customer.interaction_count or 0) + 1
    if customer.last_interaction_at is None or occurred_at >= customer.last_interaction_at:
        customer.last_interaction_at = occurred_at
        customer.last_channel = channel
    return interaction


def delete_interaction(interaction: Interaction) -> None:
    """Remove an interaction and recount the customer's contacts from those left."""
    customer_id = interaction.customer_id
    db.session.delete(interaction)
    db.session.flush()
    refresh_contact_summary([customer_id])


def refresh_contact_summary(customer_ids: list[int]) -> None:
    """Recompute "last contact" and "number of contacts" of these customers from their
    interactions (after a deletion, or after interactions were written in bulk)."""
    for customer_id in customer_ids:
        count, last = db.session.execute(
            select(func.count(Interaction.id), func.max(Interaction.occurred_at)).where(
                Interaction.customer_id == customer_id
            )
        ).one()
        channel = None
        if last is not None:
            channel = db.session.scalar(
                select(Interaction.channel)
                .where(Interaction.customer_id == customer_id)
                .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
                .limit(1)
            )
        db.session.execute(
            update(Customer)
            .where(Customer.id == customer_id)
            .values(
                interaction_count=count,
                last_interaction_at=last,
                last_channel=channel,
            )
        )


def add_follow_up(
    customer: Customer, *, title: str, due_on: date, assignee_id: int | None, by: User | None
) -> FollowUp:
    follow_up = FollowUp(
        organisation_id=customer.organisation_id,
        customer_id=customer.id,
        title=title,
        due_on=due_on,
        assignee_id=assignee_id,
        created_by_id=by.id if by else None,
    )
    db.session.add(follow_up)
    return follow_up


def complete_follow_up(follow_up: FollowUp) -> None:
    if follow_up.done_at is None:
        follow_up.done_at = utcnow()


def add_feedback(
    customer: Customer,
    *,
    kind: FeedbackKind,
    score: int | None,
    comment: str,
    received_at: datetime,
    by: User | None,
) -> Feedback:
    feedback = Feedback(
        organisation_id=customer.organisation_id,
        customer_id=customer.id,
        kind=kind,
        score=score,
        comment=comment,
        received_at=received_at,
        recorded_by_id=by.id if by else None,
    )
    db.session.add(feedback)
    return feedback


# --- Stages ---------------------------------------------------------------------------


def stage_in_use(stage: PipelineStage) -> bool:
    """A stage someone is in, or has ever been in, keeps its place in the history."""
    return (
        db.session.scalar(
            select(StageChange.id).where(StageChange.to_stage_id == stage.id).limit(1)
        )
        is not None
    )


def add_stage(organisation_id: int, *, name_fa: str, name_en: str, kind: StageKind) -> None:
    last = db.session.scalar(
        select(func.max(PipelineStage.position)).where(
            PipelineStage.organisation_id == organisation_id
        )
    )
    db.session.add(
        PipelineStage(
            organisation_id=organisation_id,
            name_fa=name_fa,
            name_en=name_en,
            kind=kind,
            position=(last or 0) + 1,
        )
    )


def shift_stage(stages: list[PipelineStage], stage: PipelineStage, step: int) -> None:
    """Swap ``stage`` with its neighbour ``step`` places along (-1 earlier, +1 later)."""
    index = stages.index(stage)
    other = index + step
    if not 0 <= other < len(stages):
        return
    stages[index], stages[other] = stages[other], stages[index]
    for position, each in enumerate(stages):
        each.position = position


def leaves_an_open_stage(stage: PipelineStage) -> bool:
    """Whether another stage in use would still take new customers, were ``stage`` to be
    retired, deleted or made another kind."""
    if stage.kind is not StageKind.OPEN or stage.retired_at is not None:
        return True
    others = db.session.scalar(
        select(func.count(PipelineStage.id)).where(
            PipelineStage.organisation_id == stage.organisation_id,
            PipelineStage.retired_at.is_(None),
            PipelineStage.kind == StageKind.OPEN,
            PipelineStage.id != stage.id,
        )
    )
    return others > 0


def set_retired(stage: PipelineStage, retired: bool) -> None:
    """A retired stage takes no new customers; those already in it stay until moved."""
    if retired and stage.retired_at is None:
        if not leaves_an_open_stage(stage):
            raise TrackerError("last open stage")
        stage.retired_at = utcnow()
    elif not retired:
        stage.retired_at = None


def delete_stage(stage: PipelineStage) -> None:
    if stage_in_use(stage):
        raise TrackerError("stage in use")
    if not leaves_an_open_stage(stage):
        raise TrackerError("last open stage")
    db.session.delete(stage)
