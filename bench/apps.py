"""The app a bench measures: the suite's settings (fast password hashing, jobs on threads of
the process, no rate limits, no mail), on a database of the bench's own."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from app import create_app
from app.extensions import db
from app.models import Assessment
from config import TestConfig
from tests import factories


def bench_app(database_url: str, **settings: object) -> Flask:
    """The app on ``database_url``, with ``settings`` over the suite's."""
    config = type(
        "BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings}
    )
    return create_app(config)


@contextmanager
def app_on_scratch_sqlite(**settings: object) -> Iterator[Flask]:
    """The app on a new SQLite database with every table made, in a temporary folder that
    is removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(f"sqlite:///{Path(folder) / 'bench.sqlite'}", **settings)
        with app.app_context():
            db.create_all()
        yield app


def report_to_render(respondents: int) -> tuple[factories.World, Assessment]:
    """The suite's world, its organisation branded with a logo, and an assessment of the
    three shipped questionnaires answered by ``respondents`` people: the report the render
    benches time. In an app context."""
    world = factories.build_world()
    factories.brand(world.organisation, logo=factories.png_logo())
    assessment = factories.answered_assessment(
        world.organisation, world.consultant_assigned, respondents=respondents
    )
    return world, assessment
