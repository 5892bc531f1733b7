"""The administrator's home: accounts by kind, assessments by state, the latest audit events
across every assessment, and the database's health (reachable, how fast, schema revision,
size). A fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import contains_eager

from app.assessments import scores
from app.assessments.audit import AuditReader, AuditRow
from app.extensions import db
from app.models import Assessment, AuditEvent, ReportCache, StaffRole, User

RECENT_EVENTS = 10


@dataclass(frozen=True)
class AccountCounts:
    admins: int
    consultants: int
    members: int  # organisations' owners and managers
    inactive: int


def account_counts() -> AccountCounts:
    counts = {"admin": 0, "consultant": 0, "member": 0, "inactive": 0}
    for role, active, count in db.session.execute(
        select(User.staff_role, User.active, func.count()).group_by(User.staff_role, User.active)
    ):
        if not active:
            counts["inactive"] += count
        counts[role.value if role else "member"] += count
    return AccountCounts(
        admins=counts[StaffRole.ADMIN.value],
        consultants=counts[StaffRole.CONSULTANT.value],
        members=counts["member"],
        inactive=counts["inactive"],
    )


@dataclass(frozen=True)
class RecentEvent:
    row: AuditRow
    assessment: Assessment  # with its organisation


def recent_events(language: str) -> list[RecentEvent]:
    events = db.session.execute(
        select(AuditEvent, Assessment)
        .join(Assessment, Assessment.id == AuditEvent.assessment_id)
        .join(Assessment.organisation)
        .options(contains_eager(Assessment.organisation))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(RECENT_EVENTS)
    ).all()
    reader = AuditReader(
        scores.definitions_of({assessment.id for _event, assessment in events}), language
    )
    return [RecentEvent(reader.row(event), assessment) for event, assessment in events]


@dataclass(frozen=True)
class DatabaseHealth:
    reachable: bool
    dialect: str
    latency_ms: float | None
    revision: str | None  # None when the schema was not made by the migrations
    latest_revision: str
    size_bytes: int | None
    cached_reports: int
    cached_report_bytes: int

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.latest_revision


@cache
def _latest_revision(migrations: str) -> str:
    """The migrations' head: read from their files once per process."""
    return ", ".join(sorted(ScriptDirectory(migrations).get_heads()))


def database_health() -> DatabaseHealth:
    dialect = db.engine.dialect.name
    latest = _latest_revision(str(Path(current_app.extensions["migrate"].directory)))
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        db.session.rollback()
        return DatabaseHealth(False, dialect, None, None, latest, None, 0, 0)
    latency = (time.perf_counter() - started) * 1000
    revision = None
    if inspect(db.engine).has_table("alembic_version"):
        revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    if dialect == "postgresql":
        size = db.session.scalar(text("SELECT pg_database_size(current_database())"))
    elif dialect == "sqlite":
        pages = db.session.scalar(text("PRAGMA page_count"))
        size = pages * db.session.scalar(text("PRAGMA page_size"))
    else:
        size = None
    reports, report_bytes = db.session.execute(
        select(func.count(ReportCache.id), func.coalesce(func.sum(ReportCache.size), 0))
    ).one()
    return DatabaseHealth(True, dialect, latency, revision, latest, size, reports, report_bytes)
