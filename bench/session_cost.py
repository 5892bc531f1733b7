"""Benchmark: what the server-side session check costs the questionnaire page.

The same page is opened by a signed-in respondent (their session checked against the
database on every request) and through the respondent's private link (no session: the
baseline), in one process on one SQLite file. Printed per request: time, SQL statements,
and writes to ``user_sessions`` ("last seen" is written at most once a minute; the third
row forces that write on every request to show its cost). Figures are printed, never
asserted: the machine is shared and noisy.

    .venv/bin/python bench/session_cost.py [--requests 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, update

from app.extensions import db
from app.models import UserSession, utcnow
from bench.apps import app_on_scratch_sqlite
from tests import factories


def measure(
    engine, client, path: str, requests: int, before_each=None
) -> tuple[float, float, float]:
    """Median milliseconds, SQL statements and session writes per request. Each request
    runs in an application context of its own, as under a server."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    timings = []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _request in range(requests):
            if before_each is not None:
                before_each()
            done_before = len(statements)
            start = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            if before_each is not None:
                del statements[done_before - 1 : done_before]  # the ageing UPDATE itself
    finally:
        event.remove(engine, "before_cursor_execute", count)
    writes = sum(1 for s in statements if s.lstrip().upper().startswith("UPDATE USER_SESSIONS"))
    return statistics.median(timings), len(statements) / requests, writes / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    with app_on_scratch_sqlite() as app:
        with app.app_context():
            world = factories.build_world()
            assessments = factories.build_assessments(world)
            respondent_id, token = assessments.respondent.id, assessments.token
            email = world.manager.email
            engine = db.engine
        anonymous, signed_in = app.test_client(), app.test_client()
        signed_in.post("/login", data={"email": email, "password": factories.PASSWORD})

        def age_session() -> None:
            with engine.begin() as connection:
                connection.execute(
                    update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=2))
                )

        page = f"/answer/{respondent_id}/1"
        for client, path in ((anonymous, f"/r/{token}/1"), (signed_in, page)):
            measure(engine, client, path, 20)  # warm up templates and caches
        rows = [
            ("private link, no session (baseline)", anonymous, f"/r/{token}/1", None),
            ("signed in, seen within the minute", signed_in, page, None),
            ("signed in, 'last seen' due every request", signed_in, page, age_session),
        ]
        print(f"questionnaire page, {args.requests} requests each, SQLite, one process")
        print(f"{'':44} {'median ms':>10} {'SQL/request':>12} {'writes/request':>15}")
        for label, client, path, before_each in rows:
            median, statements, writes = measure(engine, client, path, args.requests, before_each)
            print(f"{label:44} {median:10.2f} {statements:12.1f} {writes:15.2f}")
        engine.dispose()


if __name__ == "__main__":
    main()
