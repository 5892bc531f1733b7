"""Reading the tracker: the filtered list (a page at a time), the board, a customer's
timeline. Each is a fixed number of queries, whatever the number of customers, and the
list pages by key (name, id) rather than by offset, so a deep page costs what the first
one does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice

from sqlalchemy import Select, and_, exists, func, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased, contains_eager

from app.extensions import db
from app.models import (
    AcquisitionSource,
    Channel,
    Customer,
    CustomerKind,
    Feedback,
    FollowUp,
    Interaction,
    PipelineStage,
    StageChange,
)
from app.tracker.services import phone_search_key

PAGE_SIZE = 25
BOARD_CARDS = 12  # per column; "show all" opens the list filtered by that stage
TIMELINE_STEP = 30
TIMELINE_MAX = 600
EXPORT_BATCH = 1000
NO_OWNER = "none"


@dataclass(frozen=True)
class Filters:
    """What the list or the board is narrowed to; blank values filter nothing."""

    search: str = ""
    stage_id: int | None = None
    segment: str = ""
    source: AcquisitionSource | None = None
    owner: str = ""  # a user id, or NO_OWNER
    channel: Channel | None = None
    overdue_before: date | None = None  # set: only customers with a follow-up due before


def filtered(organisation_id: int, filters: Filters) -> Select:
    query = select(Customer).where(Customer.organisation_id == organisation_id)
    if filters.search:
        pattern = f"%{_escaped(filters.search)}%"
        conditions = [
            Customer.name.ilike(pattern, escape="\\"),
            Customer.email.ilike(pattern, escape="\\"),
        ]
        digits = phone_search_key(filters.search)
        if digits:
            conditions.append(Customer.phone_key.contains(digits))
        query = query.where(or_(*conditions))
    if filters.stage_id is not None:
        query = query.where(Customer.stage_id == filters.stage_id)
    if filters.segment:
        query = query.where(Customer.segment == filters.segment)
    if filters.source is not None:
        query = query.where(Customer.source == filters.source)
    if filters.owner == NO_OWNER:
        query = query.where(Customer.owner_id.is_(None))
    elif filters.owner:
        query = query.where(Customer.owner_id == int(filters.owner))
    if filters.channel is not None:
        query = query.where(Customer.last_channel == filters.channel)
    if filters.overdue_before is not None:
        query = query.where(
            exists().where(
                FollowUp.customer_id == Customer.id,
                FollowUp.done_at.is_(None),
                FollowUp.due_on < filters.overdue_before,
            )
        )
    return query


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    company_name: str | None
    overdue: bool


@dataclass(frozen=True)
class ListPage:
    rows: list[CustomerRow]
    total: int
    next_after: int | None  # the id to continue after, when there is more
    prev_before: int | None  # the id to go back before, when this is not the first page


def list_page(
    organisation_id: int,
    filters: Filters,
    today: date,
    *,
    after: int | None = None,
    before: int | None = None,
) -> ListPage:
    """One page of the filtered list in name order: after the customer ``after``, or the
    page that ends just before the customer ``before``."""
    query = filtered(organisation_id, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    key = tuple_(Customer.name, Customer.id)
    backwards = False
    cursor = _cursor(organisation_id, after if after is not None else before)
    if cursor is not None and after is not None:
        query = query.where(key > cursor)
    elif cursor is not None:
        query = query.where(key < cursor)
        backwards = True
    order = (
        (Customer.name.desc(), Customer.id.desc()) if backwards else (Customer.name, Customer.id)
    )
    company = aliased(Customer)
    fetched = db.session.execute(
        query.add_columns(company.name)
        .outerjoin(company, company.id == Customer.company_id)
        .order_by(*order)
        .limit(PAGE_SIZE + 1)
    ).all()
    more = len(fetched) > PAGE_SIZE
    fetched = fetched[:PAGE_SIZE]
    if backwards:
        fetched.reverse()
    overdue = overdue_customers([customer.id for customer, _name in fetched], today)
    rows = [CustomerRow(c, name, c.id in overdue) for c, name in fetched]
    has_next = more if not backwards else bool(rows)
    has_prev = (more if backwards else cursor is not None) and bool(rows)
    return ListPage(
        rows=rows,
        total=total,
        next_after=rows[-1].customer.id if has_next and rows else None,
        prev_before=rows[0].customer.id if has_prev else None,
    )


def _cursor(organisation_id: int, customer_id: int | None) -> tuple[str, int] | None:
    if customer_id is None:
        return None
    name = db.session.scalar(
        select(Customer.name).where(
            Customer.id == customer_id, Customer.organisation_id == organisation_id
        )
    )
    return None if name is None else (name, customer_id)


def overdue_customers(customer_ids: list[int], today: date) -> set[int]:
    if not customer_ids:
        return set()
    return set(
        db.session.scalars(
            select(FollowUp.customer_id).where(
                FollowUp.customer_id.in_(customer_ids),
                FollowUp.done_at.is_(None),
                FollowUp.due_on < today,
            )
        )
    )


def export_rows(organisation_id: int, filters: Filters) -> Iterator[tuple[Customer, str | None]]:
    """Every customer of the filtered list, in name order, read in batches (by key, so the
    database never skips rows) to stream to a file."""
    company = aliased(Customer)
    query = (
        filtered(organisation_id, filters)
        .add_columns(company.name)
        .outerjoin(company, company.id == Customer.company_id)
        .order_by(Customer.name, Customer.id)
        .limit(EXPORT_BATCH)
    )
    cursor = None
    while True:
        batch_query = (
            query if cursor is None else query.where(tuple_(Customer.name, Customer.id) > cursor)
        )
        batch = db.session.execute(batch_query).all()
        yield from ((customer, name) for customer, name in batch)
        if len(batch) < EXPORT_BATCH:
            return
        last = batch[-1][0]
        cursor = (last.name, last.id)
        for customer, _company in batch:
            db.session.expunge(customer)  # keep memory flat however long the file is


@dataclass(frozen=True)
class BoardColumn:
    stage: PipelineStage
    count: int
    cards: list[Customer]


def board(organisation_id: int, stages: list[PipelineStage], filters: Filters) -> list[BoardColumn]:
    """One column per stage in use (retired stages only while someone is in them), with
    the customers who entered it most recently first: two queries, the counts and the
    cards of every column at once."""
    base = filtered(organisation_id, filters)
    counts = dict(
        db.session.execute(
            base.with_only_columns(Customer.stage_id, func.count()).group_by(Customer.stage_id)
        ).all()
    )
    shown = [s for s in stages if s.retired_at is None or counts.get(s.id)]
    newest_first = (Customer.stage_since.desc(), Customer.id.desc())
    columns = [
        base.with_only_columns(Customer.id)
        .where(Customer.stage_id == stage.id)
        .order_by(*newest_first)
        .limit(BOARD_CARDS)
        .subquery()
        for stage in shown
    ]
    cards: dict[int, list[Customer]] = {stage.id: [] for stage in shown}
    if columns:
        card_ids = union_all(*(select(column.c.id) for column in columns)).subquery()
        for customer in db.session.scalars(
            select(Customer).join(card_ids, card_ids.c.id == Customer.id).order_by(*newest_first)
        ):
            cards[customer.stage_id].append(customer)
    return [BoardColumn(stage, counts.get(stage.id, 0), cards[stage.id]) for stage in shown]


def segments(organisation_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Customer.segment)
            .where(Customer.organisation_id == organisation_id, Customer.segment != "")
            .distinct()
            .order_by(Customer.segment)
        )
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened with a customer; ``item`` is the row itself."""

    at: object  # a datetime (a date for follow-ups, which are due on a day)
    kind: str  # "interaction", "stage", "feedback"
    item: object


def timeline(customer: Customer, limit: int) -> tuple[list[TimelineEntry], bool]:
    """The latest ``limit`` interactions, stage changes and feedback of a customer, newest
    first, and whether there are older ones."""
    fetch = limit + 1
    interactions = db.session.scalars(
        select(Interaction)
        .where(Interaction.customer_id == customer.id)
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(fetch)
    ).all()
    changes = db.session.scalars(
        select(StageChange)
        .where(StageChange.customer_id == customer.id)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        .limit(fetch)
    ).all()
    feedback = db.session.scalars(
        select(Feedback)
        .where(Feedback.customer_id == customer.id)
        .order_by(Feedback.received_at.desc(), Feedback.id.desc())
        .limit(fetch)
    ).all()
    entries = sorted(
        [TimelineEntry(i.occurred_at, "interaction", i) for i in interactions]
        + [TimelineEntry(c.changed_at, "stage", c) for c in changes]
        + [TimelineEntry(f.received_at, "feedback", f) for f in feedback],
        key=lambda entry: entry.at,
        reverse=True,
    )
    return list(islice(entries, limit)), len(entries) > limit


def follow_ups_of(customer: Customer) -> list[FollowUp]:
    """Open follow-ups first (soonest due first), then the last few done."""
    open_ones = db.session.scalars(
        select(FollowUp)
        .where(FollowUp.customer_id == customer.id, FollowUp.done_at.is_(None))
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(50)
    ).all()
    done = db.session.scalars(
        select(FollowUp)
        .where(FollowUp.customer_id == customer.id, FollowUp.done_at.is_not(None))
        .order_by(FollowUp.done_at.desc())
        .limit(5)
    ).all()
    return [*open_ones, *done]


def tasks(
    organisation_id: int, today: date, assignee_id: int | None, limit: int = 200
) -> list[FollowUp]:
    """Open follow-ups due up to a week from today, overdue first; everyone's, or one
    person's. The customer comes in the same query."""
    query = (
        select(FollowUp)
        .join(FollowUp.customer)
        .options(contains_eager(FollowUp.customer))
        .where(
            FollowUp.organisation_id == organisation_id,
            FollowUp.done_at.is_(None),
            FollowUp.due_on <= today + timedelta(days=7),
        )
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(limit)
    )
    if assignee_id is not None:
        query = query.where(FollowUp.assignee_id == assignee_id)
    return list(db.session.scalars(query))


def customers_named(organisation_id: int, names: list[str]) -> dict[str, int]:
    """Companies by name (case-insensitive), to link people to them."""
    if not names:
        return {}
    rows = db.session.execute(
        select(Customer.name, Customer.id).where(
            and_(
                Customer.organisation_id == organisation_id,
                Customer.kind == CustomerKind.COMPANY,
                func.lower(Customer.name).in_([name.lower() for name in names]),
            )
        )
    ).all()
    return {name.lower(): customer_id for name, customer_id in rows}
