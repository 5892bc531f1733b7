"""Shared fixtures: one schema per test run, emptied after every test.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL points
at one (``make test-postgres``).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_babel import force_locale
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter
from app.jobs.in_process import InProcessQueue
from config import TestConfig
from tests import factories
from tests.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.jobs import SmtpServer


def pytest_report_header() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return f"database: {url}" if url else "database: SQLite (a temporary file)"


@pytest.fixture(scope="session")
def database_url():
    if os.environ.get("TEST_DATABASE_URL"):
        yield os.environ["TEST_DATABASE_URL"]
        return
    # A file in memory-backed /dev/shm where there is one: commits need no disk flush.
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=shm) as folder:
        yield f"sqlite:///{Path(folder) / 'test.sqlite'}"


@pytest.fixture(scope="session")
def config_class(database_url):
    class SessionTestConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        if database_url.startswith("postgresql"):
            # Test data need not survive a crash: skip waiting for the WAL flush.
            SQLALCHEMY_ENGINE_OPTIONS = {
                **TestConfig.SQLALCHEMY_ENGINE_OPTIONS,
                "connect_args": {"options": "-c synchronous_commit=off"},
            }

    return SessionTestConfig


@pytest.fixture(scope="session")
def _schema(config_class):
    """Build the schema once per run, from the models, on a clean database."""
    app = create_app(config_class)
    with app.app_context():
        factories.schema_afresh()
        db.engine.dispose()


@pytest.fixture
def empty_database_url(config_class, tmp_path):
    """A new database with nothing in it, of the suite's kind: an SQLite file not yet
    created, or a scratch PostgreSQL database, dropped afterwards."""
    url = make_url(config_class.SQLALCHEMY_DATABASE_URI)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    name = f"{url.database}_scratch"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


class RequestIsolatingClient(FlaskClient):
    """Runs each request in an application context of its own, as a server does, so
    nothing in ``g`` (such as the signed-in user) or in the database session carries
    over from the test or from an earlier request."""

    def open(self, *args, **kwargs):
        outer_context = has_app_context()  # a test's own context; threads have none
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if outer_context:
            db.session.expire_all()  # the test's own objects are reread after the request
        return response


@pytest.fixture(scope="session")
def _app(config_class, _schema):
    """One application for the whole run: building its URL map and templates for every
    test would cost more than the tests. Tests that change its config do so through
    ``monkeypatch`` so the change is undone."""
    app = create_app(config_class)
    app.test_client_class = RequestIsolatingClient
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app):
    # A job queue of its own (jobs run on threads of this process): no job or failure of
    # an earlier test, and nothing left running when the tables are emptied.
    _app.extensions["jobs"] = InProcessQueue(_app, _app.config["JOB_THREADS"])
    with _app.app_context():
        yield _app
        _app.extensions["jobs"].join()
        db.session.remove()
        _empty_all_tables()
        limiter.reset()  # each test starts with a clean rate-limit count


def _empty_all_tables() -> None:
    # DELETE beats TRUNCATE on tables this small, on PostgreSQL too.
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def english(app):
    """Error messages are lazily translated: turning them into text needs a locale."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server on loopback that the app sends through (``tests/jobs.py``)."""
    with SmtpServer() as server:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        monkeypatch.setitem(app.config, "PASSWORD_MAIL_RATE_LIMIT", "1000 per minute")
        yield server


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def csrf_app(app, monkeypatch):
    """The same app with CSRF protection switched on, as in production."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    return app


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user, password: str = factories.PASSWORD):
        return self._client.post("/login", data={"email": user.email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def world(app) -> factories.World:
    return factories.build_world()


@pytest.fixture
def assessments(world) -> factories.AssessmentWorld:
    return factories.build_assessments(world)


@pytest.fixture
def library(world) -> factories.LibraryQuestionnaire:
    """A questionnaire of the assigned consultant's own, ready to publish."""
    return factories.library_questionnaire(world.consultant_assigned)


@pytest.fixture
def tracker(world) -> factories.TrackerWorld:
    return factories.build_tracker(world)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def live_server(app, monkeypatch):
    """The app served on a free loopback port, for the browser tests; the links it mails
    and shows point there, as a deployment's point at its BASE_URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(app.config, "BASE_URL", base_url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
