"""The job queue: real ``flask worker`` processes on the Redis at 127.0.0.1:6379 (database
5, emptied before and after each test), and the admin's panel of queued and failed jobs
on both engines. The web side runs in the test process; workers are separate processes
on the same database, as on a server."""

from __future__ import annotations

import io
import os
import re
import signal
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app import jobs
from app.assessments import services
from app.assessments.services import Actor
from app.extensions import db
from app.jobs.in_process import InProcessQueue
from app.jobs.redis_queue import RedisQueue
from app.mail import send_mail
from app.models import AssessmentStatus, ReportCache
from app.reports.cache import cache_key
from app.reports.prepare import queue_report, report_job_id
from tests import factories
from tests.conftest import csrf_token_from
from tests.jobs import (
    TEST_REDIS_URL,
    join_jobs,
    redis_or_skip,
    run_worker,
    start_worker,
    stop_worker,
    wait_until,
)


@pytest.fixture
def redis_queue(app, monkeypatch):
    """The web side queues on the tests' Redis database for the workers the test starts."""
    connection = redis_or_skip()
    queue = RedisQueue(TEST_REDIS_URL)
    monkeypatch.setitem(app.extensions, "jobs", queue)
    yield queue
    connection.flushdb()


def published_report(world):
    assessment = factories.answered_assessment(
        world.organisation,
        world.consultant_assigned,
        respondents=3,
        questionnaires=[factories.supporting_conditions()],
    )
    services.change_status(
        assessment, AssessmentStatus.PUBLISHED, Actor.of_user(world.consultant_assigned)
    )
    db.session.commit()
    return assessment


def stored_reports() -> list[ReportCache]:
    db.session.commit()  # a new transaction sees what the workers wrote
    return db.session.scalars(select(ReportCache)).all()


def ask_for_password_links(client, *addresses: str) -> None:
    for address in addresses:
        factories.make_user(email=address)
        assert client.post("/password/forgot", data={"email": address}).status_code == 302


def test_the_worker_command_needs_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_two_workers_share_the_queue_and_do_each_job_once(
    client, auth, world, redis_queue, smtp, database_url
):
    assessment = published_report(world)
    for reader in (world.owner, world.consultant_assigned, world.admin):
        auth.login(reader)
        page = client.get(f"/assessments/{assessment.id}/report.pdf?lang=fa")
        assert page.status_code == 202
        assert "Waiting for its turn" in page.get_data(as_text=True)
    auth.logout()
    addresses = ["ann@example.com", "bob@example.com", "cyd@example.com"]
    ask_for_password_links(client, *addresses)
    assert redis_queue.overview(10).waiting == 4  # one render for three readers, three mails
    assert smtp.messages == []

    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}
    workers = [start_worker(database_url, **settings) for _ in range(2)]
    try:
        wait_until(lambda: len(stored_reports()) == 1, message="the report")
        messages = smtp.wait_for_messages(3)
        wait_until(lambda: redis_queue.overview(10).running == 0, message="idle workers")
    finally:
        output = "".join(stop_worker(worker) for worker in workers)
    assert sorted(line for m in messages for line in m.splitlines() if line.startswith("To:")) == [
        f"To: {address}" for address in addresses
    ]
    assert output.count("pages rendered") == 1
    overview = redis_queue.overview(10)
    assert (overview.waiting, overview.failed_count) == (0, 0)

    auth.login(world.owner)
    response = client.get(f"/assessments/{assessment.id}/report.pdf?lang=fa")
    assert response.status_code == 200
    assert response.data == stored_reports()[0].pdf


def test_a_render_killed_midway_leaves_no_pdf_and_runs_again(
    client, auth, world, redis_queue, database_url
):
    assessment = published_report(world)
    auth.login(world.consultant_assigned)
    url = f"/assessments/{assessment.id}/report.pdf?lang=en"
    assert client.get(url).status_code == 202
    job_id = report_job_id(assessment.id, "en", cache_key(assessment, "en"))

    worker = start_worker(database_url)
    try:
        wait_until(
            lambda: (progress := redis_queue.progress(job_id)) and progress.step == "layout",
            message="the render to lay out its pages",
        )
        page = client.get(url).get_data(as_text=True)
        assert '<li class="job-step job-step-current" aria-current="step">' in page
        assert page.index("Laying out the pages") > page.index('aria-current="step"')
        # The worker and its work horse (which runs in a process group of its own) die.
        for pid in [worker.pid, *descendants(worker.pid)]:
            os.kill(pid, signal.SIGKILL)
    finally:
        worker.kill()
        worker.communicate(timeout=30)
    assert stored_reports() == []  # nothing half-written
    assert redis_queue.progress(job_id).state == "started"  # as the dead worker left it

    # Once its lease has run out, the next worker takes the job back and runs it again.
    wait_until(lambda: expired(redis_queue, job_id), message="the lease to run out")
    output = run_worker(database_url)
    assert "its worker stopped answering" in output
    [stored] = stored_reports()
    assert stored.key == cache_key(assessment, "en")
    assert len(PdfReader(io.BytesIO(stored.pdf)).pages) == stored.pages > 5
    assert client.get(url).data == stored.pdf


def descendants(pid: int) -> list[int]:
    children_file = Path(f"/proc/{pid}/task/{pid}/children")
    children = [int(child) for child in children_file.read_text().split()]
    return children + [grandchild for child in children for grandchild in descendants(child)]


def expired(queue: RedisQueue, job_id: str) -> bool:
    return job_id in queue.queue.started_job_registry.get_expired_job_ids()


def test_a_failing_job_is_tried_again_after_a_pause(
    app, client, redis_queue, smtp, database_url, monkeypatch
):
    smtp.refuse = 99
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", (30,))  # set when it is queued
    ask_for_password_links(client, "ann@example.com")
    output = run_worker(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    assert "failed: SMTPConnectError" in output
    assert "trying again in 30 s" in output
    overview = redis_queue.overview(10)
    assert (overview.waiting, overview.scheduled, overview.failed_count) == (0, 1, 0)
    assert smtp.connections == 1  # not tried again before its pause is over


def test_a_job_failed_for_good_is_shown_to_the_admin_who_runs_it_again(
    app, client, auth, world, redis_queue, smtp, database_url, monkeypatch
):
    smtp.refuse = 99
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", (0,))  # one more try at once
    ask_for_password_links(client, "ann@example.com")
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}
    output = run_worker(database_url, **settings)
    assert output.count("trying again in 0 s") == 1
    assert "failed for good: SMTPConnectError" in output

    auth.login(world.admin)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "E-mail to ann@example.com: Set your password for CRM Readiness" in dashboard
    assert "SMTPConnectError" in dashboard
    [retry] = re.findall(r'action="(/admin/jobs/[^"]+/retry)"', dashboard)
    assert client.post(retry).status_code == 400  # no CSRF token
    token = csrf_token_from(dashboard)
    assert client.post(retry, data={"csrf_token": token}).status_code == 302
    assert redis_queue.overview(10).waiting == 1

    smtp.refuse = 0
    run_worker(database_url, **settings)
    assert "To: ann@example.com" in smtp.wait_for_messages(1)[0]
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "No job has failed." in dashboard


def test_the_admin_panel_on_the_in_process_queue(app, client, auth, world, smtp, monkeypatch):
    smtp.refuse = 99
    ask_for_password_links(client, "ann@example.com")
    join_jobs(app)
    auth.login(world.admin)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "inside the web server" in dashboard
    assert "E-mail to ann@example.com" in dashboard
    assert "SMTPConnectError" in dashboard
    [retry] = re.findall(r'action="(/admin/jobs/[^"]+/retry)"', dashboard)

    smtp.refuse = 0
    client.post(retry, data={"csrf_token": csrf_token_from(dashboard)})
    join_jobs(app)
    assert len(smtp.messages) == 1
    assert "No job has failed." in client.get("/dashboard").get_data(as_text=True)


def test_only_the_admin_sees_the_queue(client, auth, world):
    auth.login(world.consultant_assigned)
    assert "Background jobs" not in client.get("/dashboard").get_data(as_text=True)
    auth.logout()
    auth.login(world.admin)
    assert "Background jobs" in client.get("/dashboard").get_data(as_text=True)


def test_a_download_waits_for_the_worker_and_gets_the_pdf_in_one_load(
    app, client, auth, world, redis_queue, database_url, monkeypatch
):
    assessment = published_report(world)
    # Generous: the worker starts and renders within it; the wait ends with the render.
    monkeypatch.setitem(app.config, "REPORT_DOWNLOAD_WAIT", 120)
    auth.login(world.owner)
    worker = start_worker(database_url)
    try:
        response = client.get(f"/assessments/{assessment.id}/report.pdf?lang=en")
    finally:
        output = stop_worker(worker)
    assert response.status_code == 200
    assert response.data == stored_reports()[0].pdf
    assert output.count("pages rendered") == 1
    # Once in the worker, before it forks a work horse for the render.
    assert output.index("report renderer is warmed up") < output.index("pages rendered")


def hold(release: threading.Event) -> None:
    release.wait(30)


@pytest.mark.parametrize("engine", ["in-process", "redis"])
def test_a_render_someone_waits_for_goes_in_front_of_the_renders_ahead(
    app, engine, request, monkeypatch
):
    """A download that finds no PDF waits for its render; the reports rendered ahead of
    time (after a deploy, every published one) wait for nobody, so they wait behind it."""
    release = threading.Event()
    if engine == "redis":
        request.getfixturevalue("redis_queue")  # and no worker: every job waits its turn
    else:  # its one thread kept busy, so the jobs wait their turn
        monkeypatch.setitem(app.extensions, "jobs", InProcessQueue(app, threads=1))
        jobs.enqueue(hold, release, job_id="hold")
        wait_until(lambda: jobs.progress("hold").state == "started", message="a busy thread")
    try:
        ahead = [queue_report(id_, "fa", f"{id_:064x}") for id_ in (1, 2, 3)]
        asked = queue_report(4, "en", f"{4:064x}", asked=True)

        def line() -> list[str]:
            waiting = {job_id: jobs.progress(job_id).ahead for job_id in [*ahead, asked]}
            return sorted(waiting, key=waiting.get)

        assert line() == [asked, *ahead]
        # Asked for while it waits among the renders ahead: it is moved in front, once.
        assert queue_report(3, "fa", f"{3:064x}", asked=True) == ahead[2]
        assert line() == [ahead[2], asked, ahead[0], ahead[1]]
        assert [jobs.progress(job_id).ahead for job_id in line()] == [0, 1, 2, 3]
    finally:
        release.set()
    if engine == "in-process":
        app.extensions["jobs"].join()


@pytest.mark.parametrize("engine", ["in-process", "redis"])
def test_an_e_mail_goes_in_front_of_the_renders_ahead(app, engine, request, smtp, monkeypatch):
    """Someone waits for a password link; after a deploy, every published report waits to
    be rendered again, seconds each, for nobody."""
    release = threading.Event()
    if engine == "redis":
        request.getfixturevalue("redis_queue")  # and no worker: every job waits its turn
    else:
        monkeypatch.setitem(app.extensions, "jobs", InProcessQueue(app, threads=1))
        jobs.enqueue(hold, release, job_id="hold")
        wait_until(lambda: jobs.progress("hold").state == "started", message="a busy thread")
    try:
        ahead = [queue_report(id_, "fa", f"{id_:064x}") for id_ in (1, 2, 3)]
        mail = send_mail("sara@example.com", "Set your password", "A link.")
        assert [jobs.progress(job_id).ahead for job_id in (mail, *ahead)] == [0, 1, 2, 3]
    finally:
        release.set()
    if engine == "in-process":
        app.extensions["jobs"].join()
        [message] = smtp.wait_for_messages(1)
        assert "To: sara@example.com" in message
