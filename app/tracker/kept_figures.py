"""The tracker's figures, kept: each web process keeps the figures of an organisation and
period (``app/tracker/metrics.py`` counts them) until the organisation's tracker changes.

Counting them takes the database a few hundred milliseconds with 50,000 customers, and
they are asked for by the metrics page and by every results page and report of the
organisation. Every write to a tracker's rows raises its organisation's
``tracker_revision`` in the same transaction; figures are kept by what they were asked for
and that revision, so no process serves figures older than the last committed write it
can see.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime
from itertools import chain

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import (
    Customer,
    Feedback,
    FollowUp,
    Interaction,
    Organisation,
    PipelineStage,
    StageChange,
)
from app.tracker.metrics import Period, TrackerEvidence, evidence_for


def tracker_evidence(organisation_id: int, until: datetime | None = None) -> TrackerEvidence | None:
    """The evidence of the year up to ``until`` (default: now) for an assessment's results,
    or None when the organisation keeps no customers in its tracker."""
    period = Period.last_days(365, end=until)
    return _kept(("evidence", organisation_id, period), organisation_id, _evidence_if_any, period)


def kept_evidence(organisation_id: int, period: Period, today: date) -> TrackerEvidence:
    """``evidence_for``, kept in this process until the organisation's tracker changes:
    with tens of thousands of customers the figures take the database a few hundred
    milliseconds, and are asked for by the metrics page and every results page."""
    return _kept(
        ("figures", organisation_id, period, today), organisation_id, evidence_for, period, today
    )


def _evidence_if_any(organisation_id: int, period: Period) -> TrackerEvidence | None:
    has_customers = db.session.scalar(
        select(Customer.id).where(Customer.organisation_id == organisation_id).limit(1)
    )
    return None if has_customers is None else evidence_for(organisation_id, period)


TRACKER_ROWS = (Customer, StageChange, Interaction, FollowUp, Feedback, PipelineStage)
KEPT_FIGURES = 256
_kept_figures: OrderedDict[tuple, TrackerEvidence | None] = OrderedDict()


def _kept(key: tuple, organisation_id: int, compute, *args):
    organisation = db.session.get(Organisation, organisation_id)  # usually in the session
    if organisation is None:
        return compute(organisation_id, *args)
    # The moment the organisation was created tells it from another database's (the
    # tests make a new database for each test, with the same ids).
    key = (*key, organisation.created_at, organisation.tracker_revision)
    if key in _kept_figures:
        _kept_figures.move_to_end(key)
        return _kept_figures[key]
    figures = _kept_figures[key] = compute(organisation_id, *args)
    while len(_kept_figures) > KEPT_FIGURES:
        _kept_figures.popitem(last=False)
    return figures


def watch_tracker_writes() -> None:
    """Listen to the app's database session (once per process, however many apps)."""
    if not event.contains(db.session, "after_flush", _raise_revisions):
        event.listen(db.session, "after_flush", _raise_revisions)


def _raise_revisions(session: Session, _flush_context) -> None:
    changed = set()
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, TRACKER_ROWS):
            changed.add(inspect(row).dict.get("organisation_id") or row.organisation_id)
    if changed:
        raise_tracker_revisions(session.connection(), changed)


def raise_tracker_revisions(connection, organisation_ids: set[int]) -> None:
    """Mark the organisations' trackers as changed: what writes their rows in bulk, without
    the session's objects, calls this itself."""
    connection.execute(
        update(Organisation)
        .where(Organisation.id.in_(organisation_ids))
        .values(
            tracker_revision=Organisation.tracker_revision + 1,
            updated_at=Organisation.updated_at,  # not a change the organisation's page shows
        )
    )
