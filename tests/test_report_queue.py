"""Reports rendered ahead and the "being prepared" page, on the in-process queue (no
Redis: jobs run on threads of the test process, as in ``make run``). The same on a real
worker and Redis is in ``tests/test_jobs.py``."""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app import jobs
from app.assessments import services
from app.assessments.services import Actor
from app.extensions import db
from app.jobs import JobProgress
from app.models import AssessmentQuestionnaire, AssessmentStatus, ReportCache
from app.reports.cache import cache_key, is_cached
from app.reports.pdf import render_and_keep
from app.reports.prepare import preparing_steps, render_report
from tests import factories
from tests.browser import SERVER_WARNINGS, log_in
from tests.jobs import join_jobs, wait_until

RENDERED = re.compile(r"Report of assessment \d+ \((fa|en)\): \d+ pages rendered")


@pytest.fixture
def ahead(app, monkeypatch):
    """Published reports rendered whenever what they show changes, at once (no delay)."""
    monkeypatch.setitem(app.config, "REPORTS_RENDER_AHEAD", True)
    monkeypatch.setitem(app.config, "REPORT_RENDER_DELAY", 0)


@pytest.fixture
def renders(caplog):
    """The languages of the reports rendered so far, from the renderer's log."""
    caplog.set_level(logging.INFO, logger="app")
    return lambda: [match.group(1) for match in RENDERED.finditer(caplog.text)]


def small_assessment(world, status=AssessmentStatus.IN_REVIEW):
    """One questionnaire, three respondents: a report of a dozen pages."""
    assessment = factories.answered_assessment(
        world.organisation,
        world.consultant_assigned,
        respondents=3,
        questionnaires=[factories.supporting_conditions()],
    )
    if status is AssessmentStatus.PUBLISHED:
        services.change_status(assessment, status, Actor.of_user(world.consultant_assigned))
        db.session.commit()
    return assessment


def pdf_url(assessment, language: str) -> str:
    return f"/assessments/{assessment.id}/report.pdf?lang={language}"


def both_ready(assessment) -> bool:
    return all(is_cached(cache_key(assessment, language)) for language in ("fa", "en"))


@pytest.mark.parametrize(
    ("locale", "texts"),
    [
        ("en", ["The report is being prepared", "Laying out the pages", "(English)"]),
        ("fa", ["گزارش در حال آماده شدن است", "چیدن صفحه‌ها", "(English)"]),
    ],
)
def test_a_report_not_ready_gets_a_page_that_reloads_itself_into_the_pdf(
    client, auth, world, locale, texts
):
    assessment = small_assessment(world)
    world.consultant_assigned.locale = locale
    db.session.commit()
    auth.login(world.consultant_assigned)

    waiting = client.get(pdf_url(assessment, "en"))
    assert waiting.status_code == 202
    assert waiting.mimetype == "text/html"
    page = waiting.get_data(as_text=True)
    # It reloads itself without JavaScript (the CSP allows none): a meta refresh.
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "<script" not in page
    for text in texts:
        assert text in page
    assert 'aria-current="step"' in page

    join_jobs(client.application)
    ready = client.get(pdf_url(assessment, "en"))
    assert ready.status_code == 200
    assert ready.data.startswith(b"%PDF-")
    assert "attachment" in ready.headers["Content-Disposition"]


def test_many_readers_asking_queue_one_render(client, auth, world, renders):
    assessment = small_assessment(world, AssessmentStatus.PUBLISHED)
    for reader in (world.consultant_assigned, world.owner, world.admin, world.owner):
        auth.login(reader)
        assert client.get(pdf_url(assessment, "fa")).status_code in (200, 202)
    join_jobs(client.application)
    assert renders() == ["fa"]
    assert client.get(pdf_url(assessment, "fa")).status_code == 200


def test_a_download_waits_for_the_render_and_gets_the_pdf_in_one_load(
    client, auth, world, renders, monkeypatch
):
    assessment = small_assessment(world, AssessmentStatus.PUBLISHED)
    # Generous, so a busy test machine still renders in time; the wait ends with the render.
    monkeypatch.setitem(client.application.config, "REPORT_DOWNLOAD_WAIT", 120)
    auth.login(world.owner)
    response = client.get(pdf_url(assessment, "en"))
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert response.data == db.session.scalar(select(ReportCache.pdf))
    assert renders() == ["en"]


def test_a_download_waits_no_longer_than_its_wait_and_starts_no_second_render(
    client, auth, world, renders, monkeypatch
):
    assessment = small_assessment(world, AssessmentStatus.PUBLISHED)
    laying_out, go_on = threading.Event(), threading.Event()
    record_step = jobs.step

    def held_at_layout(step: str) -> None:
        record_step(step)
        if step == "layout":
            laying_out.set()
            go_on.wait(timeout=120)

    monkeypatch.setattr(jobs, "step", held_at_layout)
    monkeypatch.setitem(client.application.config, "REPORT_DOWNLOAD_WAIT", 0.2)
    auth.login(world.owner)
    first = client.get(pdf_url(assessment, "en"))
    assert laying_out.wait(timeout=60)
    second = client.get(pdf_url(assessment, "en"))  # a reload while it is still laid out
    assert (first.status_code, second.status_code) == (202, 202)
    page = second.get_data(as_text=True)
    assert page.index("Laying out the pages") > page.index('aria-current="step"')
    go_on.set()
    join_jobs(client.application)
    assert client.get(pdf_url(assessment, "en")).status_code == 200
    assert renders() == ["en"]


def test_the_page_names_each_step_done_and_the_current_one():
    steps = preparing_steps(JobProgress("started", "layout"))
    assert [step.state for step in steps] == ["done", "done", "done", "current", "to-do", "to-do"]
    assert str(steps[3].label) == "Laying out the pages"
    waiting = preparing_steps(JobProgress("queued", ahead=2))
    assert [step.state for step in waiting][:2] == ["current", "to-do"]


def test_published_reports_are_rendered_before_anyone_asks_and_after_each_change(
    client, auth, world, ahead, renders
):
    assessment = small_assessment(world)
    auth.login(world.consultant_assigned)
    client.post(f"/assessments/{assessment.id}/status", data={"to": "published"})
    join_jobs(client.application)
    assert sorted(renders()) == ["en", "fa"]
    assert both_ready(assessment)

    # Each change to what it shows renders both languages again, replacing the old PDFs:
    # the organisation's name on the cover, then the consultant's own workspace colour (the
    # report of an assessment they created shows it).
    renamed = {"name": "Acme Trading Group", "sector": "Retail", "size": "small"}
    for path, data in (
        (f"/organisations/{world.organisation.id}/edit", renamed | {"default_locale": "en"}),
        ("/account/branding", {"accent_colour": "#117a65"}),
    ):
        before = [cache_key(assessment, language) for language in ("fa", "en")]
        assert client.post(path, data=data).status_code == 302
        join_jobs(client.application)
        assert both_ready(assessment)
        assert not any(is_cached(key) for key in before)
    assert sorted(renders()) == ["en", "en", "en", "fa", "fa", "fa"]
    assert db.session.scalar(select(db.func.count(ReportCache.id))) == 2

    auth.login(world.owner)
    for language in ("fa", "en"):
        response = client.get(pdf_url(assessment, language))
        assert response.status_code == 200  # never the "being prepared" page
        assert response.data.startswith(b"%PDF-")


def test_answers_to_an_open_assessment_render_no_published_report(app, world, renders, monkeypatch):
    small_assessment(world, AssessmentStatus.PUBLISHED)
    assessments = factories.build_assessments(world)  # an open one beside it
    monkeypatch.setitem(app.config, "REPORTS_RENDER_AHEAD", True)
    monkeypatch.setitem(app.config, "REPORT_RENDER_DELAY", 0)

    definition = factories.supporting_conditions().definition
    item = definition.dimensions[0].items[0]
    respondent = assessments.respondent
    answer = services.SubmittedAnswer(definition.id, item.id, 4, False, "")
    services.save_answers(respondent, [answer], Actor.of_respondent(respondent))
    db.session.commit()
    join_jobs(app)
    assert renders() == []


def test_a_burst_of_changes_makes_one_render_per_language(
    app, client, auth, world, ahead, renders, monkeypatch
):
    assessment = small_assessment(world)
    monkeypatch.setitem(app.config, "REPORT_RENDER_DELAY", 2)
    auth.login(world.consultant_assigned)
    # Changes coalesce per two-second window: start the burst early in one.
    wait_until(lambda: time.time() % 2 < 0.5, message="the start of a window")
    client.post(f"/assessments/{assessment.id}/status", data={"to": "published"})
    for number in range(4):
        client.post(
            f"/assessments/{assessment.id}/observations",
            data={"observations": f"Draft {number}"},
        )
    join_jobs(app)
    assert sorted(renders()) == ["en", "fa"]
    assert both_ready(assessment)


def test_a_render_whose_inputs_change_meanwhile_keeps_nothing_and_renders_again(
    app, world, renders
):
    assessment = small_assessment(world, AssessmentStatus.PUBLISHED)
    key = cache_key(assessment, "en")

    def edit_during_layout(step: str) -> None:
        if step == "layout":  # someone saves observations while the pages are laid out
            assessment.observations = "Changed while rendering."
            db.session.commit()

    _pdf, current = render_and_keep(assessment, "en", key, edit_during_layout)
    assert current != key
    assert db.session.scalar(select(ReportCache.id)) is None  # the stale PDF is not kept

    # The job for the old key hands over to a job for the current one.
    render_report(assessment.id, "en", key)
    join_jobs(app)
    assert is_cached(cache_key(assessment, "en"))
    assert renders() == ["en", "en"]


def test_a_deleted_assessment_render_does_nothing(app, world):
    assessment = small_assessment(world)
    key = cache_key(assessment, "en")
    db.session.delete(assessment)
    db.session.commit()
    render_report(assessment.id, "en", key)
    assert db.session.scalar(select(ReportCache.id)) is None


@SERVER_WARNINGS[0]
@SERVER_WARNINGS[1]
def test_the_browser_waits_on_the_page_and_gets_the_pdf_without_javascript(
    browser, live_server, world
):
    assessment = small_assessment(world, AssessmentStatus.PUBLISHED)
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    log_in(page, live_server, world.owner)
    url = f"{live_server}{pdf_url(assessment, 'en')}"
    with page.expect_download(timeout=120_000) as download:
        page.goto(url)
        assert page.locator("h1").inner_text() == "The report is being prepared"
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert download.value.suggested_filename == f"crm-readiness-report-{assessment.id}-en.pdf"
    context.close()


def test_a_render_that_keeps_failing_says_so_and_can_be_tried_again(client, auth, world):
    assessment = small_assessment(world)
    # A broken assessment: its questionnaires are gone, so the render cannot score it.
    db.session.execute(
        delete(AssessmentQuestionnaire).where(
            AssessmentQuestionnaire.assessment_id == assessment.id
        )
    )
    db.session.commit()
    auth.login(world.consultant_assigned)
    url = pdf_url(assessment, "en")
    client.get(url)
    join_jobs(client.application)  # tried again three times, then given up

    page = client.get(url)
    assert page.status_code == 202
    text = page.get_data(as_text=True)
    assert "The report could not be prepared." in text
    assert 'http-equiv="refresh"' not in text  # nothing more to wait for
    again = client.get(url + "&retry=1")  # the page's "Try again" queues it once more
    assert again.status_code == 302
    assert again.headers["Location"] == url
