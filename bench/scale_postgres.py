"""Benchmark: the pages that read answers, with about five million of them on PostgreSQL.

Goals (issue 14, part 6), medians in process: the results page of a 100-respondent
assessment ≤ 100 ms and ≤ 10 queries; the JSON export ≤ 150 ms; the report context
(``build_context``) likewise; each role's home page ≤ 50 ms; the tracker's metrics
≤ 100 ms with 50,000 customers. A trivial page (/healthz, one SELECT 1) is timed in the
same run as the baseline, since the machine is shared and noisy.

The load: ≈216 organisations, each with an owner and a manager and two assessments (one
published a year ago, one in review) of 100 respondents answering the three shipped
questionnaires, ≈4.8 million answers, written with COPY (the answers' indexes are built
after); one consultant works for every organisation; the first organisation also keeps
50,000 customers in the tracker with ≈231,000 contacts.

Every page is then requested through Flask's test client, first with the garbage
collector as Python starts it, then after ``gc.freeze()`` with the threshold the web
process uses (app/gc_tuning.py), so the two can be compared. The results page is kept
from one view to the next (app/assessments/scores.py): it is also timed as the next view
after a step of the review (its kept results forgotten: the answers kept scored again),
after new answers (its kept answers forgotten too: read and scored again) and as the
first in a new web process (everything kept forgotten: the previous, published
assessment's answers are added up by the database for the comparison). The load writes
no audit events, so each assessment's latest one is found at once; with many, the
(assessment_id, id) index finds it in one step.

Measured on 28 November 2026 (issue 14, part 6), the results page of the assessment in
review was 190-350 ms before (9 queries), the machine shared and loaded (load average 1.5
to 4). A profile of it: 46 % the template (a WTForms form per recommendation of the
action plan, built and drawn, and about 1,000 gettext calls), 32 % reading ~10,900
answer rows (joined to their respondents, each row repeating the respondent's name,
address and two dates, fetched row by row), 13 % scoring. Now, in the same runs: the
template draws plain fields with their labels worked out once (~28 ms CPU, half of it
the consensus and owner forms of a manager's view); the answers come in one UNION query,
respondents' rows apart from answers' rows, fetched at once (fastest of 40: 59 to 26 ms);
a view with nothing changed neither reads nor scores them: 47-75 ms, 8 queries. The next
view after a change reads and scores again: 104-158 ms CPU on the loaded machine, which
suggests 100-115 ms wall on a quiet one, over the goal by up to a tenth (reading ~22 ms,
scoring ~15 ms, the template ~28 ms, the rest the request and the page's other parts);
the first in a new process, which also scores the previous assessment, 170-240 ms. The
JSON export was 170-300 ms, and built an answers table it did not hold: 108-170 ms now
(5 queries). On a quieter machine later that day: after a change 107-165 ms, in a new
process 190-290 ms, the export 116-159 ms. The owner's and manager's home pages were
55-78 ms, most of it one query: the open follow-ups due, joined and sorted in full
(6,451 of them in the 50,000-customer organisation) for the first ten, 23 ms. An index
of the open ones by due day (migration 0015) has them read in order: 0.3 ms, the pages
31-38 ms.

The next session, on a slower machine (/healthz 4-9 ms against 1.6; a view with nothing
changed 52-93 ms): after a change 175-187 ms, in a new process 300-470 ms, the
consultant's home 62-73 ms. A profile of the new process: reading and scoring the
previous assessment, for its dimensions' scores alone, was half of it. Now: (1) its
scores come from each item's count and sum of answers, added up by the database in the
query of the consensus values and targets (``scores_from_totals``, exactly the engine's
figures: the engine now takes its means from the same count and sum); (2) an
assessment's answers are kept apart from its results, by its latest event that may
change them, so a step of the review (a consensus value, a target, an owner) scores
them again without reading them; (3) the manager's consensus selects draw each scale's
options once; (4) the work queue's organisation filter writes its options directly
(WTForms' ``html_params`` took a tenth of the consultant's home). In the same runs:
after a step of the review 78-124 ms, after new answers 170-181 ms (reading ~40 ms,
scoring ~25 ms, the template ~45 ms), in a new process 172-199 ms, the consultant's
home 58-59 ms (its profile alone: 35-47 ms). Still over the goal on this machine: the
results page after new answers and in a new process, and the consultant's home.

A third session, on a faster machine with nothing changed in these paths (/healthz 2.4 to
4.3 ms): the load 47.9 s (COPY 39.4 s); with the web process's collector settings, the
results page 38-56 ms, after a step of the review 76-78, after new answers 73-82, in a new
process 81-115 (over the goal in the run where /healthz was slowest), the JSON export
75-81, every home page 16-34 ms, the tracker metrics 10-14.

A fourth session, on a slower machine again, nothing changed in these paths (/healthz 2.8 to
3.1 ms with those settings): the load 51.1 s (COPY 42.6 s); the results page 38-43 ms,
after a step of the review 58-75, after new answers 81-106, in a new process 105-113 (over
the goal in both runs), the JSON export 85-106, the report context 73-90, every home page
20-31 ms, the tracker metrics 10-12. The new process's view timed by its parts in two
later runs, minutes apart, 106 and 75 ms in all: scoring 18 and 11 ms, the consensus
values, targets and the previous assessment's totals 9 and 6 (2 without the totals), the
template 28 and 19, reading the answers 20 (in the second), the rest the request. The
machine's moment moves this view by a third; the code in it did not change.

A fifth session, on the slowest machine yet, nothing changed in these paths (/healthz 5.4
and 7.8 ms with those settings): the load 67.5 s (COPY 54.4 s); the results page 59-90 ms,
after a step of the review 78-118, after new answers 165-199, in a new process 191-202, the
JSON export 173-186, the report context 154-188, the home pages 31-63, the tracker metrics
20-26. Over the goals there, as /healthz was three to four times its time elsewhere.

A sixth session, on a faster machine, nothing changed in these paths (/healthz 1.9 ms with
those settings, in both runs): the load 28.3 s (COPY 22.3 s), the tracker 11.2 s more; the
results page 23 ms, after a step of the review 32-33, after new answers 47-48, in a new
process 51-53, the JSON export 48-52, the report context 41-43, every home page 11-17 ms,
the tracker metrics 7 (counted afresh, after a change to the tracker: 254 ms, 92 % of it
in the database). Every goal is met in both runs, by half or more.

    .venv/bin/python bench/scale_postgres.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/scale_bench \
        [--organisations 216] [--respondents 100] [--customers 50000] [--repeat 10]
        [--reuse]

The database is a scratch one: every table in it is dropped and created again, unless
``--reuse`` measures what an earlier run loaded.
"""

from __future__ import annotations

import argparse
import enum
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_babel import force_locale
from sqlalchemy import event, func, select, text
from sqlalchemy.schema import AddConstraint, DropConstraint

from app.assessments import scores
from app.demo.seeding import ENGLISH, seed_customers
from app.extensions import db
from app.gc_tuning import freeze_after_start_up
from app.instrument.loader import load_directory
from app.instrument.sharing import used_together
from app.instrument.versions import freeze
from app.models import (
    Answer,
    Assessment,
    AssessmentQuestionnaire,
    AssessmentStatus,
    ConsultantAssignment,
    Interaction,
    MemberRole,
    Membership,
    Organisation,
    OrganisationSize,
    Respondent,
    StaffRole,
    User,
    utcnow,
)
from app.passwords import hash_password
from app.reports.context import build_context
from app.tracker import kept_figures
from app.tracker import services as tracker
from bench.apps import bench_app
from tests.factories import schema_afresh

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-2026"
GROUPS = ("executive", "manager", "staff")
RESPONDENT_COLUMNS = (
    *("assessment_id", "name", "email", "group", "locale"),
    *("submitted_at", "created_at", "updated_at"),
)
ANSWER_COLUMNS = (
    *("respondent_id", "questionnaire_key", "item_id", "value"),
    *("not_applicable", "comment", "updated_at"),
)
CONTACTS_PER_CUSTOMER = 231_000 / 50_000
# app/demo/seeding.py gives customers further along the pipeline more contacts: on average
# about 1.06 times the mean asked for.
CONTACT_WEIGHT = 1.06


# --- Loading ------------------------------------------------------------------------------


class Returned(list):
    """The ids an INSERT ... RETURNING would have given, as its result's ``all()``."""

    def all(self) -> list:
        return list(self)


class CopyWriter:
    """Stands in for the session in ``seed_customers`` (app/demo/seeding.py): its bulk
    INSERTs become COPY, with each table's Python-side defaults filled in."""

    def __init__(self, session) -> None:
        self.session = session

    def connection(self):
        return self.session.connection()

    def scalars(self, statement, rows: list[dict]) -> Returned:
        """``INSERT ... RETURNING id``: ids drawn from the table's sequence first."""
        table = statement.table
        ids = self.session.scalars(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                f"FROM generate_series(1, {len(rows)})"
            )
        ).all()
        self.execute(statement, [row | {"id": id_} for row, id_ in zip(rows, ids, strict=True)])
        return Returned(ids)

    def execute(self, statement, rows: list[dict]) -> None:
        table = statement.table
        columns = [
            column
            for column in table.columns
            if any(column.name in row for row in rows) or column.default is not None
        ]

        def value(row: dict, column):
            if column.name in row:
                found = row[column.name]
            elif column.default is None:
                return None
            elif column.default.is_callable:
                found = column.default.arg(None)
            else:
                found = column.default.arg
            return found.value if isinstance(found, enum.Enum) else found

        copy_rows(
            table.name,
            tuple(column.name for column in columns),
            (tuple(value(row, column) for column in columns) for row in rows),
        )


def copy_rows(table: str, columns: tuple[str, ...], rows: Iterable[tuple | str]) -> None:
    """Write ``rows`` with COPY, through the session's own psycopg connection: tuples, or
    strings already in COPY's text format (several rows each: written whole, they load
    several times faster)."""
    connection = db.session.connection().connection.driver_connection
    quoted = ", ".join(f'"{column}"' for column in columns)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            if isinstance(row, str):
                copy.write(row)
            else:
                copy.write_row(row)


def load(organisations: int, respondents: int, customers: int) -> None:
    started = time.perf_counter()
    schema_afresh()
    definitions = used_together([q.definition for q in load_directory(ROOT / "assessments")])
    versions = [freeze(db.session, definition) for definition in definitions]
    password = hash_password(PASSWORD)
    admin = User(email="admin@bench.example.com", name="Admin", staff_role=StaffRole.ADMIN)
    consultant = User(
        email="consultant@bench.example.com", name="Consultant", staff_role=StaffRole.CONSULTANT
    )
    people = [admin, consultant]
    now = utcnow()
    for number in range(organisations):
        organisation = Organisation(
            name=f"Organisation {number:03d}", size=OrganisationSize.MEDIUM, default_locale="en"
        )
        owner = User(email=f"owner{number}@bench.example.com", name=f"Owner {number}")
        manager = User(email=f"manager{number}@bench.example.com", name=f"Manager {number}")
        people += [owner, manager]
        db.session.add_all(
            [
                Membership(organisation=organisation, user=owner, role=MemberRole.OWNER),
                Membership(organisation=organisation, user=manager, role=MemberRole.MANAGER),
                ConsultantAssignment(organisation=organisation, consultant=consultant),
            ]
        )
        for published, status, age in (
            (True, AssessmentStatus.PUBLISHED, 400),
            (False, AssessmentStatus.IN_REVIEW, 20),
        ):
            assessment = Assessment(
                organisation=organisation,
                title=f"Readiness {2025 if published else 2026}",
                status=status,
                groups=list(GROUPS),
                published_at=now - timedelta(days=age) if published else None,
            )
            for position, version in enumerate(versions):
                assessment.questionnaires.append(
                    AssessmentQuestionnaire(version=version, position=position)
                )
            db.session.add(assessment)
    for person in people:
        person.password_hash = password
        person.locale = "en"
    db.session.add_all(people)
    db.session.flush()

    assessment_ids = db.session.scalars(select(Assessment.id).order_by(Assessment.id)).all()
    copy_rows(
        "respondents",
        RESPONDENT_COLUMNS,
        (
            (assessment_id, f"Respondent {n}", "", GROUPS[n % 3], "en", now, now, now)
            for assessment_id in assessment_ids
            for n in range(respondents)
        ),
    )
    respondent_ids = db.session.scalars(select(Respondent.id).order_by(Respondent.id)).all()
    answers = Answer.__table__
    unique = next(c for c in answers.constraints if c.name and c.name.startswith("uq_"))
    db.session.execute(DropConstraint(unique))
    for index in answers.indexes:
        index.drop(db.session.connection())
    copying = time.perf_counter()
    copy_rows("answers", ANSWER_COLUMNS, answer_lines(respondent_ids, definitions, now))
    indexing = time.perf_counter()
    # Indexes built once, after, with room to sort in memory.
    db.session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    db.session.execute(AddConstraint(unique))
    for index in answers.indexes:
        index.create(db.session.connection())
    db.session.commit()
    done = time.perf_counter()
    count = db.session.scalar(select(func.count(Answer.id)))
    print(
        f"loaded {organisations} organisations, {len(assessment_ids)} assessments, "
        f"{len(respondent_ids):,} respondents, {count:,} answers in {done - started:.1f} s "
        f"(answers: COPY {indexing - copying:.1f} s, their indexes {done - indexing:.1f} s)"
    )

    started = time.perf_counter()
    first = db.session.scalars(select(Organisation).order_by(Organisation.id)).first()
    members = [m.user_id for m in first.memberships]
    seeded = seed_customers(
        CopyWriter(db.session),
        first.id,
        tracker.create_default_stages(first.id),
        count=customers,
        contacts_per_customer=CONTACTS_PER_CUSTOMER / CONTACT_WEIGHT,
        words=ENGLISH,
        owner_ids=[*members, None],
        now=now,
        rng=random.Random(2026),
    )
    db.session.commit()
    print(
        f"tracker: {seeded.customers:,} customers, {seeded.interactions:,} contacts "
        f"in {time.perf_counter() - started:.1f} s (COPY)"
    )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def answer_lines(respondent_ids: list[int], definitions, now) -> Iterable[str]:
    """Realistic answers in COPY's text format, a respondent's at a time: each respondent
    leans positive or negative, a few N/A and gaps."""
    rng = random.Random(2026)
    moment = now.isoformat()
    items = [
        (f"{definition.id}\t{item.id}", item.allow_na)
        for definition in definitions
        for dimension in definition.dimensions
        for item in dimension.items
    ]
    for respondent_id in respondent_ids:
        lean = rng.uniform(-1.2, 1.2)
        lines = []
        for key, allow_na in items:
            roll = rng.random()
            if roll < 0.03:
                continue  # skipped
            if roll < 0.08 and allow_na:
                lines.append(f"{respondent_id}\t{key}\t\\N\tt\t\t{moment}\n")
            else:
                value = min(5, max(1, round(3 + lean + rng.gauss(0, 1))))
                lines.append(f"{respondent_id}\t{key}\t{value}\tf\t\t{moment}\n")
        yield "".join(lines)


# --- Measuring ----------------------------------------------------------------------------


class QueryCounter:
    """Statements sent to the database, counted as SQLAlchemy sends them."""

    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.count += 1


def measure(
    work: Callable[[], object], counter: QueryCounter, repeat: int
) -> tuple[float, float, int]:
    """The median wall and CPU milliseconds of ``repeat`` runs after two warm-ups, and the
    queries of one. This process's CPU time leaves out the database's work and the time
    spent waiting for a core: on a shared, busy machine it is the steadier of the two."""
    for _ in range(2):
        work()
    wall, cpu = [], []
    for _ in range(repeat):
        before = counter.count
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        queries = counter.count - before
    return statistics.median(wall), statistics.median(cpu), queries


def page(client, url: str) -> Callable[[], object]:
    def get():
        response = client.get(url)
        response.get_data()
        assert response.status_code == 200, (url, response.status_code)

    return get


def counted_afresh(request: Callable[[], object]) -> Callable[[], object]:
    """``request`` with the tracker's kept figures forgotten first: what the first visit
    after a change to the tracker costs."""

    def forget_and_request():
        kept_figures._kept_figures.clear()
        request()

    return forget_and_request


def forgetting(
    request: Callable[[], object], assessment_id: int | None = None, *, answers: bool = True
):
    """``request`` with what is kept from one view of the results page to the next
    forgotten first (``scores.forget``): for ``assessment_id``, its results, as after a
    step of the review, and with ``answers`` its answers too, as after a response is
    submitted; or everything, as in a new web process."""

    def forget_and_request():
        scores.forget(assessment_id, answers=answers)
        request()

    return forget_and_request


def report_context(app, assessment_id: int) -> Callable[[], object]:
    def build():
        with app.test_request_context(), force_locale("en"):
            build_context(db.session.get(Assessment, assessment_id), "en")
            db.session.remove()

    return build


def targets() -> dict[str, object]:
    """The first organisation keeps the tracker; the second does not."""
    first, second = db.session.scalars(
        select(Organisation).order_by(Organisation.id).limit(2)
    ).all()

    def latest(organisation: Organisation) -> int:
        return db.session.scalars(
            select(Assessment.id)
            .where(Assessment.organisation_id == organisation.id)
            .order_by(Assessment.id.desc())
        ).first()

    roles = {m.role: m.user.email for m in first.memberships}
    respondents = db.session.scalar(
        select(func.count(Respondent.id)).where(Respondent.assessment_id == latest(second))
    )
    return {
        "organisation": first.id,
        "assessment": latest(second),
        "tracker_assessment": latest(first),
        "respondents": respondents,
        "owner": roles[MemberRole.OWNER],
        "manager": roles[MemberRole.MANAGER],
        "organisations": db.session.scalar(select(func.count(Organisation.id))),
        "answers": db.session.scalar(select(func.count(Answer.id))),
        "contacts": db.session.scalar(select(func.count(Interaction.id))),
    }


def measure_all(app, found: dict, repeat: int) -> list[tuple[str, float, float, int, str]]:
    with app.app_context():
        counter = QueryCounter(db.engine)
    organisation, assessment = found["organisation"], found["assessment"]
    rows = []

    def run(label, work, goal_ms=None, goal_queries=None):
        median, cpu, queries = measure(work, counter, repeat)
        goal = ""
        if goal_ms is not None:
            met = median <= goal_ms and (goal_queries is None or queries <= goal_queries)
            goal = ("ok" if met else "OVER") + f" (≤ {goal_ms} ms"
            goal += f", ≤ {goal_queries} q)" if goal_queries else ")"
        rows.append((label, median, cpu, queries, goal))

    def signed_in(email):
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, f"could not sign in as {email}"
        return client

    admin = signed_in("admin@bench.example.com")
    base = f"/assessments/{assessment}"
    run("baseline: /healthz (SELECT 1)", page(admin, "/healthz"))
    results = page(admin, f"{base}/results")
    run(f"results page ({found['respondents']} respondents)", results, 100, 10)
    run(
        "results page, after a step of the review",
        forgetting(results, assessment, answers=False),
        100,
        10,
    )
    run("results page, after new answers", forgetting(results, assessment), 100, 10)
    run("results page, first in a new process", forgetting(results), 100, 10)
    with_tracker = page(admin, f"/assessments/{found['tracker_assessment']}/results")
    run("results page, organisation with tracker", with_tracker, 100)
    run("JSON export", page(admin, f"{base}/export/assessment.json"), 150)
    run("report context (build_context)", report_context(app, assessment), 150)
    run("home: admin", page(admin, "/dashboard"), 50)
    consultant = signed_in("consultant@bench.example.com")
    run(f"home: consultant ({found['organisations']} orgs)", page(consultant, "/dashboard"), 50)
    run("home: owner", page(signed_in(found["owner"]), "/dashboard"), 50)
    run("home: manager", page(signed_in(found["manager"]), "/dashboard"), 50)
    run("organisation page", page(admin, f"/organisations/{organisation}"))
    figures = page(admin, f"/organisations/{organisation}/tracker/metrics")
    run("tracker metrics (last 90 days)", figures, 100)
    run("tracker metrics, counted afresh", counted_afresh(figures))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a scratch PostgreSQL database")
    parser.add_argument("--organisations", type=int, default=216)
    parser.add_argument("--respondents", type=int, default=100)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="measure the data already loaded")
    args = parser.parse_args()

    app = bench_app(args.database_url, TESTING=False)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            raise SystemExit("this benchmark needs a PostgreSQL database")
        if not args.reuse:
            load(args.organisations, args.respondents, args.customers)
        found = targets()
        db.session.remove()
    print(
        f"{found['organisations']} organisations, {found['answers']:,} answers, "
        f"{found['contacts']:,} tracker contacts; medians of {args.repeat} requests"
    )
    # Each request (and each report context) runs in an app context, and so a session, of
    # its own, as in the web process.
    default = measure_all(app, found, args.repeat)
    freeze_after_start_up()
    frozen = measure_all(app, found, args.repeat)
    print(f"{'':<38}{'collector as started':>30}  {'gc.freeze() + threshold':>30}")
    heading = f"{'wall ms':>10}{'CPU ms':>10}{'queries':>10}"
    print(f"{'page (medians)':<38}{heading}  {heading}  goal (wall, frozen)")
    for (label, *before, _goal), (_label, *after, goal) in zip(default, frozen, strict=True):
        figures = [
            f"{wall:>10.1f}{cpu:>10.1f}{queries:>10}" for wall, cpu, queries in (before, after)
        ]
        print(f"{label:<38}{figures[0]}  {figures[1]}  {goal}")
    gc.unfreeze()
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
