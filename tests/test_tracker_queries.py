"""The tracker's pages make the same number of SQL statements with 5 customers as with
50: no page runs a query per row. (Their speed at 50,000 customers is measured by
bench/tracker_scale.py.)"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Channel, CustomerKind, Direction, FeedbackKind, Outcome, utcnow
from app.tracker import services

pytestmark = pytest.mark.usefixtures("app")
TRACKER_TABLES = {
    "customers",
    "stage_changes",
    "interactions",
    "follow_ups",
    "feedback",
    "pipeline_stages",
    "customer_imports",
}


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def fill_tracker(world, customers: int) -> int:
    """``customers`` customers, each with as many contacts, follow-ups and feedback, in
    several stages, owned by different people; returns the first customer's id."""
    organisation = world.organisation
    stages = services.create_default_stages(organisation.id)
    owners = [world.owner.id, world.manager.id, None]
    first = None
    for number in range(customers):
        customer = services.add_customer(
            organisation.id,
            services.CustomerDetails(
                kind=CustomerKind.PERSON,
                name=f"Customer {number:03d}",
                segment=f"segment {number % 4}",
                owner_id=owners[number % 3],
            ),
            stages[number % 5],
            world.manager,
        )
        first = first or customer
        if number % 2:
            services.move_customer(customer, stages[(number + 1) % 5], world.manager)
    for number in range(customers):
        services.record_interaction(
            first if number % 2 else customer,
            channel=list(Channel)[number % 8],
            direction=Direction.OUTBOUND,
            occurred_at=utcnow() - timedelta(days=number),
            outcome=Outcome.NEUTRAL,
            notes="",
            by=world.manager,
        )
        services.add_follow_up(
            first,
            title=f"Task {number}",
            due_on=date.today() - timedelta(days=number % 3),
            assignee_id=world.owner.id,
            by=world.owner,
        )
        services.add_feedback(
            first,
            kind=FeedbackKind.CSAT,
            score=1 + number % 5,
            comment="",
            received_at=utcnow(),
            by=None,
        )
    db.session.commit()
    return first.id


def statements_per_page(client, auth, world, customers: int) -> dict[str, int]:
    customer_id = fill_tracker(world, customers)
    auth.login(world.owner)
    base = f"/organisations/{world.organisation.id}/tracker"
    pages = {
        "list": f"{base}/",
        "list, filtered": f"{base}/?segment=segment+1&overdue=y&q=cust",
        "list, next page": f"{base}/?after={customer_id}",
        "board": f"{base}/board",
        "customer": f"{base}/customers/{customer_id}",
        "tasks": f"{base}/tasks?who=all",
        "metrics": f"{base}/metrics",
        "export": f"{base}/customers.csv",
    }
    counts = {}
    for name, url in pages.items():
        with counted_statements() as statements:
            response = client.get(url)
            response.get_data()  # a streamed export reads its rows now
        assert response.status_code == 200, name
        counts[name] = len(statements)
    return counts


def test_statements_do_not_grow_with_the_rows(client, auth, world):
    few = statements_per_page(client, auth, world, 5)

    for table in reversed(db.metadata.sorted_tables):  # the tracker starts again
        if table.name in TRACKER_TABLES:
            db.session.execute(table.delete())
    db.session.commit()
    many = statements_per_page(client, auth, world, 50)
    assert few == many
    assert max(many.values()) <= 20, many
