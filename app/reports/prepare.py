"""Reports ready before anyone asks: each published report's PDF is rendered in the
background whenever something it shows changes, so a download is served from the cache.

How a change becomes a render:

1. After every commit, ``app/reports/changes.py`` names the organisations whose published
   reports the committed rows may change.
2. Each such organisation gets one ``refresh_reports`` job per ``REPORT_RENDER_DELAY``
   seconds: its id names the organisation and the time window, and it runs at the window's
   end, so a burst of changes (a consultant setting twenty consensus values) is looked at
   once, after it is over.
3. ``refresh_reports`` computes each published report's cache key in each language, and
   queues ``render_report`` for every key not in the cache. The render's job id names the
   assessment, the language and the key: a download that finds no PDF queues the same job,
   so many readers asking queue one render. Someone waits for that one, so it goes in
   front of the renders ahead of time (after a deploy, every published report's), and
   moves there if it was already waiting among them.
4. ``render_report`` checks the key again before rendering (inputs changed since: the job
   for the new key does it) and after (changed during the render: the PDF is dropped, and
   the new key's job queued), and keeps the PDF in one transaction.

A deploy that changes the renderer changes every key: each worker, on starting, queues one
``refresh_all_reports`` (``prepare_after_deploy``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import jobs
from app.extensions import db
from app.labels import LANGUAGE_NAMES
from app.models import Assessment, AssessmentStatus
from app.reports.cache import cache_key, is_cached
from app.reports.pdf import render_and_keep
from app.reports.render import renderer_fingerprint

# The states in which an organisation's owners read the report (``app/policy.py``).
PUBLISHED_STATES = (AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED)


PREPARING_REFRESH_SECONDS = 3  # how often the "being prepared" page looks again
# A render's steps in order, as the page waiting for it names them; "queued" is the job's
# state before it starts, the rest are the steps it reports (``jobs.step``).
RENDER_STEPS = (
    ("queued", _l("Waiting for its turn")),
    ("checking", _l("Checking what has changed")),
    ("scoring", _l("Reading the answers and scoring them")),
    ("layout", _l("Laying out the pages")),
    ("writing", _l("Writing the PDF")),
    ("saving", _l("Keeping it for the next readers")),
)


@dataclass(frozen=True)
class PreparingStep:
    label: str
    state: str  # "done", "current" or "to-do"


def preparing_steps(progress: jobs.JobProgress) -> list[PreparingStep]:
    names = [name for name, _label in RENDER_STEPS]
    current = progress.step if progress.state == "started" else "queued"
    at = names.index(current) if current in names else 0
    return [
        PreparingStep(str(label), "done" if index < at else "current" if index == at else "to-do")
        for index, (_name, label) in enumerate(RENDER_STEPS)
    ]


def report_job_id(assessment_id: int, language: str, key: str) -> str:
    return f"report-{assessment_id}-{language}-{key[:32]}"


def queue_report(assessment_id: int, language: str, key: str, *, asked: bool = False) -> str:
    """Queue the render of the report whose inputs hash to ``key``, unless a job for it
    already waits, runs or has failed; returns the job's id. A render someone ``asked``
    for (a download waits for it) goes in front of the renders ahead of time, and so does
    its job if it already waits among them."""
    job_id = report_job_id(assessment_id, language, key)
    jobs.enqueue(render_report, assessment_id, language, key, job_id=job_id, in_front=asked)
    return job_id


@jobs.task(
    label=lambda assessment_id, language, _key: _(
        "Report PDF of assessment %(id)s (%(language)s)",
        id=assessment_id,
        language=LANGUAGE_NAMES.get(language, language),
    )
)
def render_report(assessment_id: int, language: str, key: str) -> None:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:  # deleted since
        return
    jobs.step("checking")
    current_key = cache_key(assessment, language)
    if current_key == key and not is_cached(key):
        _pdf, current_key = render_and_keep(assessment, language, key, jobs.step)
    if current_key != key and not is_cached(current_key):
        queue_report(assessment_id, language, current_key)


@jobs.task(
    label=lambda organisation_id: _(
        "Published reports of organisation %(id)s brought up to date", id=organisation_id
    )
)
def refresh_reports(organisation_id: int) -> None:
    """Queue the render of each of the organisation's published reports, in each
    language, whose PDF is not in the cache."""
    published = db.session.scalars(
        select(Assessment).where(
            Assessment.organisation_id == organisation_id,
            Assessment.status.in_(PUBLISHED_STATES),
        )
    ).all()
    for assessment in published:
        for language in current_app.config["LANGUAGES"]:
            key = cache_key(assessment, language)
            if not is_cached(key):
                queue_report(assessment.id, language, key)


@jobs.task(label=lambda: _("Every published report brought up to date"))
def refresh_all_reports() -> None:
    organisations = db.session.scalars(
        select(Assessment.organisation_id).where(Assessment.status.in_(PUBLISHED_STATES)).distinct()
    ).all()
    for organisation_id in organisations:
        refresh_reports(organisation_id)


def prepare_after_deploy() -> None:
    """Queue one look at every published report for this version of the renderer (its
    files' hash names the job, so workers starting together queue it once)."""
    if current_app.config["REPORTS_RENDER_AHEAD"]:
        jobs.enqueue(refresh_all_reports, job_id=f"reports-for-{renderer_fingerprint()[:16]}")
