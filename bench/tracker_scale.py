"""Benchmark: the tracker's list and board with 50,000 customers and 500,000 contacts in
one organisation.

Goal (issue 6): each list page and the board take 100 ms or less of server time. The
script seeds a database in bulk (Core inserts, many rows per statement), then times
requests through Flask's test client, in process, so the figures are the app's own time
without a network. A trivial page (/healthz, one SELECT 1) and the dashboard are timed
in the same run as baselines, since the machine is shared and noisy.

    .venv/bin/python bench/tracker_scale.py [--customers 50000] [--contacts 500000]
        [--repeat 30] [--database-url postgresql+psycopg://user@host/scratch_db]

Without --database-url a temporary SQLite file is used. A given database is a scratch
one: every table in it is dropped and created again.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from app.demo.seeding import ENGLISH, seed_customers
from app.extensions import db
from app.models import (
    Customer,
    Interaction,
    MemberRole,
    Membership,
    Organisation,
    OrganisationSize,
    User,
    utcnow,
)
from app.passwords import hash_password
from app.tracker import services
from bench.apps import bench_app
from tests.factories import schema_afresh

GOAL_MS = 100
PASSWORD = "bench-password-2026"
# app/demo/seeding.py gives customers further along the pipeline more contacts: on average about
# 1.06 times the mean asked for.
CONTACT_WEIGHT = 1.06


def seed(customers: int, contacts: int) -> tuple[Organisation, User]:
    owner = User(email="owner@bench.example.com", name="Owner", locale="en")
    owner.password_hash = hash_password(PASSWORD)
    manager = User(email="manager@bench.example.com", name="Manager", locale="en")
    organisation = Organisation(name="Bench Outfitters", size=OrganisationSize.LARGE)
    db.session.add_all([owner, manager, organisation])
    db.session.flush()
    db.session.add_all(
        [
            Membership(organisation=organisation, user=owner, role=MemberRole.OWNER),
            Membership(organisation=organisation, user=manager, role=MemberRole.MANAGER),
        ]
    )
    stages = services.create_default_stages(organisation.id)
    started = time.perf_counter()
    result = seed_customers(
        db.session,
        organisation.id,
        stages,
        count=customers,
        contacts_per_customer=contacts / customers / CONTACT_WEIGHT,
        words=ENGLISH,
        owner_ids=[owner.id, manager.id, None],
        now=utcnow(),
        rng=random.Random(2026),
    )
    db.session.commit()
    with db.engine.begin() as connection:  # fresh statistics for the query planner
        connection.execute(text("ANALYZE"))
    seconds = time.perf_counter() - started
    print(
        f"seeded {result.customers:,} customers and {result.interactions:,} contacts "
        f"in {seconds:.1f} s"
    )
    return organisation, owner


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def measure(client, url: str, repeat: int) -> tuple[float, float]:
    for _ in range(3):  # warm up: templates compiled, caches filled
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    ordered = sorted(samples)
    return statistics.median(ordered), percentile(ordered, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--contacts", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", help="a scratch database (its tables are dropped)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = bench_app(url, TESTING=False)
        with app.app_context():
            print(f"database: {db.engine.dialect.name}")
            schema_afresh()
            organisation, owner = seed(args.customers, args.contacts)
            organisation_id = organisation.id
            contacts = db.session.scalar(select(func.count(Interaction.id)))
            # A customer near the end of the name order, for a deep page of the list.
            deep = db.session.scalars(
                select(Customer.id)
                .where(Customer.organisation_id == organisation_id)
                .order_by(Customer.name.desc(), Customer.id.desc())
                .offset(100)
                .limit(1)
            ).one()
            busiest = db.session.scalar(
                select(Customer.id).order_by(Customer.interaction_count.desc()).limit(1)
            )
            stage = services.pipeline(organisation_id)[1].id
            owner_email = owner.email
            db.session.remove()
        client = app.test_client()
        response = client.post("/login", data={"email": owner_email, "password": PASSWORD})
        assert response.status_code == 302, "could not log in"
        base = f"/organisations/{organisation_id}/tracker"
        pages = [
            ("baseline: /healthz (SELECT 1)", "/healthz", False),
            ("baseline: dashboard", "/dashboard", False),
            ("list, first page", f"{base}/", True),
            ("list, filtered (stage, segment)", f"{base}/?stage={stage}&segment=Hikers", True),
            ("list, filtered (owner, overdue)", f"{base}/?owner=none&overdue=y", True),
            ("list, search", f"{base}/?q=taylor", True),
            ("list, deep page", f"{base}/?after={deep}", True),
            ("board", f"{base}/board", True),
            ("customer page (busiest)", f"{base}/customers/{busiest}", False),
            ("metrics (last 90 days)", f"{base}/metrics", False),
        ]
        print(f"{args.customers:,} customers, {contacts:,} contacts; {args.repeat} requests each")
        print(f"{'page':<36}{'median ms':>11}{'p95 ms':>10}  goal")
        with app.app_context():
            for label, url, goal in pages:
                median, p95 = measure(client, url, args.repeat)
                verdict = ("ok" if p95 <= GOAL_MS else "OVER") if goal else ""
                print(f"{label:<36}{median:>11.1f}{p95:>10.1f}  {verdict}")
            started = time.perf_counter()
            exported = client.get(f"{base}/customers.csv").get_data()
            seconds = time.perf_counter() - started
            rows = exported.count(b"\n") - 1
            print(f"export of the whole list: {rows:,} rows in {seconds:.2f} s (streamed)")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
