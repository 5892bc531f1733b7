"""Which published reports a commit may change, and their refresh queued after it.

After every flush, ``organisations_touched`` names the organisations whose published
reports the rows written may change: an assessment's own rows once it has been published
(answers, consensus values, targets, observations, action owners, the publication
itself), any row that belongs to an organisation (its name, branding, consultants,
customer tracker), and a consultant's name or workspace branding. It reads the rows being
written, and the database only for rows the session does not already hold, so a
respondent's page save (whose assessment is open, and in the session) costs no query.
After the commit, each organisation named gets its reports looked at again
(``app/reports/prepare.py``); a rollback forgets them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from itertools import chain

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import event, inspect, or_, select, union
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app import jobs
from app.extensions import db
from app.models import (
    Answer,
    Assessment,
    AuditEvent,
    ConsultantAssignment,
    ConsultantBranding,
    Organisation,
    ReportCache,
    Respondent,
    User,
)
from app.reports.prepare import refresh_reports

# Rows written beside a report's inputs that no report shows.
_NOT_INPUTS = (AuditEvent, ReportCache)
_TOUCHED = "reports.organisations_touched"  # key in Session.info


def watch_changes() -> None:
    """Listen to the app's database session (once per process, however many apps)."""
    for name, listener in (
        ("after_flush", _note_touched),
        ("after_commit", _queue_refreshes),
        ("after_rollback", _forget_touched),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def queue_refresh(organisation_id: int) -> None:
    """One ``refresh_reports`` per organisation and time window, at the window's end."""
    delay = current_app.config["REPORT_RENDER_DELAY"]
    if delay <= 0:
        jobs.enqueue(refresh_reports, organisation_id)
        return
    window = int(time.time() // delay)
    jobs.enqueue(
        refresh_reports,
        organisation_id,
        job_id=f"refresh-{organisation_id}-{window}",
        at=datetime.fromtimestamp((window + 1) * delay, UTC),
    )


def _note_touched(session: Session, _flush_context) -> None:
    if current_app.config["REPORTS_RENDER_AHEAD"]:
        touched = organisations_touched(session)
        if touched:
            session.info.setdefault(_TOUCHED, set()).update(touched)


def _queue_refreshes(session: Session) -> None:
    for organisation_id in sorted(session.info.pop(_TOUCHED, ())):
        try:
            queue_refresh(organisation_id)
        except RedisError:
            # The change is saved; its reports are rendered when first asked for instead.
            current_app.logger.exception("Could not queue the reports of %s", organisation_id)


def _forget_touched(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def organisations_touched(session: Session) -> set[int]:
    """The organisations whose published reports the rows being flushed may change."""
    organisations: set[int] = set()
    assessments: set[int] = set()
    respondents: set[int] = set()
    users: set[int] = set()
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, _NOT_INPUTS):
            continue
        if isinstance(row, Organisation):
            organisations.add(_value(row, "id"))
        elif isinstance(row, Assessment):
            assessments.add(_value(row, "id"))
        elif isinstance(row, Answer):
            respondents.add(_value(row, "respondent_id"))
        elif isinstance(row, ConsultantBranding):
            users.add(_value(row, "user_id"))
        elif isinstance(row, User):
            if inspect(row).attrs.name.history.has_changes():  # the report's cover names them
                users.add(_value(row, "id"))
        elif hasattr(row, "assessment_id"):
            assessments.add(_value(row, "assessment_id"))
        elif hasattr(row, "organisation_id"):
            organisations.add(_value(row, "organisation_id"))
    organisations.discard(None)
    respondents.discard(None)
    assessments.discard(None)
    users.discard(None)

    unknown_assessments, unknown_respondents = set(), set()
    for respondent_id in respondents:
        respondent = _in_session(session, Respondent, respondent_id)
        if respondent.get("assessment_id") is None:
            unknown_respondents.add(respondent_id)
        else:
            assessments.add(respondent["assessment_id"])
    for assessment_id in assessments:
        assessment = _in_session(session, Assessment, assessment_id)
        if "published_at" not in assessment:
            unknown_assessments.add(assessment_id)
        elif assessment["published_at"] is not None:
            organisations.add(assessment["organisation_id"])

    if unknown_assessments or unknown_respondents:
        organisations.update(
            session.scalars(
                select(Assessment.organisation_id).where(
                    Assessment.published_at.is_not(None),
                    or_(
                        Assessment.id.in_(unknown_assessments),
                        Assessment.id.in_(
                            select(Respondent.assessment_id).where(
                                Respondent.id.in_(unknown_respondents)
                            )
                        ),
                    ),
                )
            )
        )
    if users:
        organisations.update(
            session.scalars(
                union(
                    select(ConsultantAssignment.organisation_id).where(
                        ConsultantAssignment.consultant_id.in_(users)
                    ),
                    select(Assessment.organisation_id).where(
                        Assessment.created_by_id.in_(users), Assessment.published_at.is_not(None)
                    ),
                )
            )
        )
    return organisations


def _value(row, name: str):
    """A column of a row being flushed, read from what the session holds; loaded from the
    database only when it has expired, and None for a deleted row that has."""
    state = inspect(row)
    if name in state.dict:
        return state.dict[name]
    return None if state.deleted or state.was_deleted else getattr(row, name)


def _in_session(session: Session, model: type, row_id: int) -> dict:
    """The loaded attributes of a row the session holds (empty when it holds none)."""
    row = session.identity_map.get(identity_key(model, row_id))
    return inspect(row).dict if row is not None else {}
