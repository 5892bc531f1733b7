"""Fault injection: questionnaire pages are saved whole or not at all when gunicorn workers
are killed (SIGKILL) in the middle of a burst of saves.

Each save posts every item of one page of one respondent (a page no earlier save
touched), so afterwards each page must hold all its answers, each with its audit row, or
none of them. Runs on a fresh SQLite file, or with --postgres on a scratch PostgreSQL
database created on that server and dropped afterwards. Prints its figures and exits 1
when a page is partial.

    .venv/bin/python bench/crash_saves.py [--saves 300] [--kill-every 0.1] [--threads 8]
        [--postgres [postgresql+psycopg://postgres@127.0.0.1:5432/postgres]]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from respond_load import (
    ROOT,
    WORKERS,
    open_assessment,
    production_env,
    session_and_csrf,
    start_gunicorn,
    stop,
    upgrade_schema,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class PageSave:
    respondent_id: int
    respondent_name: str
    token: str
    number: int  # the page, from 1
    questionnaire: str
    items: tuple[tuple[str, tuple[int, ...]], ...]  # each item's id and its scale's values


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=300, help="page saves to fire (300)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument(
        "--kill-every", type=float, default=0.1, help="seconds between two kills (0.1)"
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=LOCAL_POSTGRES,
        metavar="SERVER_URL",
        help="run on a scratch database created on this PostgreSQL server",
    )
    return parser.parse_args()


def seed(env: dict[str, str], saves: int) -> tuple[int, list[PageSave]]:
    """An open assessment with enough respondents that each save has a page of its own."""
    upgrade_schema(env)
    from app import create_app
    from app.assessments import scores
    from app.extensions import db
    from app.instrument.loader import load_directory
    from app.respond.pages import pages_of

    with create_app().app_context():
        shipped = load_directory(ROOT / "assessments")  # what open_assessment freezes
        respondents = -(-saves // len(pages_of([loaded.definition for loaded in shipped])))
        assessment, issued = open_assessment(respondents, "Crash test")
        db.session.commit()
        pages = pages_of(scores.definitions(assessment))
        plan = [
            PageSave(
                respondent.id,
                respondent.name,
                token,
                page.number,
                page.questionnaire.id,
                tuple(
                    (item.id, tuple(p.value for p in page.questionnaire.scales[item.scale].points))
                    for item in page.dimension.items
                ),
            )
            for respondent, token in issued
            for page in pages
        ]
        assessment_id = assessment.id
        db.engine.dispose()
    return assessment_id, random.sample(plan, saves)


def post_page(base: str, save: PageSave, cookie: str, csrf: str) -> int:
    """Post one whole page (every item answered, go=stay); returns the status."""
    fields = {"csrf_token": csrf, "go": "stay"}
    for item, values in save.items:
        fields[f"v_{item}"] = str(random.choice(values))
        fields[f"s_{item}"] = "|"  # the page showed no answer
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
    try:
        connection.request(
            "POST",
            f"/r/{quote(save.token)}/{save.number}",
            body=urlencode(fields),
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        return connection.getresponse().status
    finally:
        connection.close()


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def kill_workers(master: int, every: float, done: threading.Event) -> int:
    """Kill a random worker every ``every`` seconds until ``done``; returns how many."""
    killed = 0
    while not done.wait(every):
        workers = workers_of(master)
        if workers:
            try:
                os.kill(random.choice(workers), signal.SIGKILL)
                killed += 1
            except ProcessLookupError:  # it had just died
                pass
    return killed


def fire(args, base: str, plan: list[PageSave], master: int) -> tuple[list[str], int, float]:
    """The burst: every save once, from several threads, while workers are killed."""
    cookie, csrf, _size = session_and_csrf(f"{base}/r/{quote(plan[0].token)}/{plan[0].number}")

    def outcome(save: PageSave) -> str:
        try:
            status = post_page(base, save, cookie, csrf)
        except OSError:  # the worker died with the connection open
            return "connection lost"
        return "completed" if status == 302 else f"HTTP {status}"

    done = threading.Event()
    started = time.monotonic()
    with ThreadPoolExecutor(1) as killer, ThreadPoolExecutor(args.threads) as clients:
        kills = killer.submit(kill_workers, master, args.kill_every, done)
        outcomes = list(clients.map(outcome, plan))
        done.set()
        killed = kills.result()
    return outcomes, killed, time.monotonic() - started


def verify(assessment_id: int, plan: list[PageSave]) -> list[str]:
    """Each page, in the plan's order: whole (every answer with its audit row), absent,
    or partial."""
    from app import create_app
    from app.extensions import db
    from app.models import Answer, AuditEvent

    verdicts = []
    with create_app().app_context():
        for save in plan:
            items = [item for item, _values in save.items]
            answers = db.session.scalar(
                db.select(db.func.count(Answer.id)).where(
                    Answer.respondent_id == save.respondent_id,
                    Answer.questionnaire_key == save.questionnaire,
                    Answer.item_id.in_(items),
                )
            )
            subjects = [f"{save.respondent_name}: {save.questionnaire}/{item}" for item in items]
            audited = db.session.scalar(
                db.select(db.func.count(AuditEvent.id)).where(
                    AuditEvent.assessment_id == assessment_id,
                    AuditEvent.action == "answer",
                    AuditEvent.subject.in_(subjects),
                )
            )
            if answers == audited == len(items):
                verdicts.append("whole")
            elif answers == audited == 0:
                verdicts.append("absent")
            else:
                verdicts.append("partial")
        db.engine.dispose()
    return verdicts


def scratch_database(server_url: str, stack: ExitStack) -> str:
    """A new empty database on the server, dropped when ``stack`` closes."""
    name = f"crash_saves_{secrets.token_hex(4)}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()

    stack.callback(drop)
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="crash-saves-") as temp, ExitStack() as stack:
        temp_dir = Path(temp)
        if args.postgres:
            database_url = scratch_database(args.postgres, stack)
        else:
            database_url = f"sqlite:///{temp_dir / 'crash.sqlite'}"
        env = production_env(database_url)
        assessment_id, plan = seed(env, args.saves)
        # --preload: a killed worker is replaced by a fork of the loaded app in milliseconds.
        server, base = start_gunicorn(
            "app:create_app()", env, ROOT, temp_dir / "app.log", ("--preload",)
        )
        stack.callback(stop, server)
        outcomes, killed, seconds = fire(args, base, plan, server.pid)
        stop(server)
        verdicts = verify(assessment_id, plan)
    # A save answered 302 was committed; one whose connection was lost may have been too.
    lost = sum(o == "completed" and v != "whole" for o, v in zip(outcomes, verdicts, strict=True))
    outcomes, verdicts = Counter(outcomes), Counter(verdicts)
    database = "PostgreSQL (scratch database)" if args.postgres else "SQLite (WAL, a fresh file)"
    print(
        f"Database: {database}; gunicorn: {WORKERS} sync workers (--preload); "
        f"{args.threads} client threads; a worker killed every {args.kill_every} s.\n"
        f"Each save posts every item of a page no other save touches "
        f"({min(len(s.items) for s in plan)} to {max(len(s.items) for s in plan)} items)."
    )
    print(f"\nsaves attempted       {len(plan):>6}   in {seconds:.1f} s")
    for outcome, number in sorted(outcomes.items(), key=lambda pair: pair[0] != "completed"):
        print(f"  {outcome:<20}{number:>6}")
    print(f"workers killed        {killed:>6}")
    print(f"pages whole           {verdicts['whole']:>6}   (every answer with its audit row)")
    print(f"pages absent          {verdicts['absent']:>6}")
    print(f"pages partial         {verdicts['partial']:>6}")
    print(f"completed, not whole  {lost:>6}")
    return 1 if verdicts["partial"] or lost else 0


if __name__ == "__main__":
    sys.exit(main())
