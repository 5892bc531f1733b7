"""Demo tracker data: a few hundred customers with their histories for each demo
organisation, in its language. Loading twice changes nothing: an organisation that has
customers already is left as it is."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.demo.seeding import ENGLISH, PERSIAN, Vocabulary, seed_customers
from app.extensions import db
from app.models import Customer, Membership, Organisation, User, utcnow
from app.tracker import services

DEMO_TRACKERS = (
    ("شرکت پخش سپیدار", PERSIAN, 320),
    ("Northwind Outfitters", ENGLISH, 260),
)
CONTACTS_PER_CUSTOMER = 5
# Follow-ups for these managers due today and two days ago, whatever the random histories
# gave them, so their home pages have something due.
MANAGERS_WITH_WORK = ("ali.rezaei@demo.example.com", "james.patel@demo.example.com")
DUE_IN_DAYS = (0, -2)


def load_demo_tracker() -> list[str]:
    """Fill the trackers of the demo organisations that have none; return their names."""
    filled = []
    for name, words, count in DEMO_TRACKERS:
        organisation = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if organisation is None:
            continue
        has_customers = db.session.scalar(
            select(Customer.id).where(Customer.organisation_id == organisation.id).limit(1)
        )
        if has_customers is not None:
            continue
        stages = services.pipeline(organisation.id) or services.create_default_stages(
            organisation.id
        )
        members = db.session.scalars(
            select(Membership.user_id)
            .where(Membership.organisation_id == organisation.id)
            .order_by(Membership.user_id)
        ).all()
        seed_customers(
            db.session,
            organisation.id,
            stages,
            count=count,
            contacts_per_customer=CONTACTS_PER_CUSTOMER,
            words=words,
            owner_ids=[*members, None],
            now=utcnow(),
            rng=random.Random(name),  # the same customers every time
        )
        _follow_ups_due(organisation, words, random.Random(f"{name} follow-ups"))
        filled.append(name)
    db.session.commit()
    return filled


def _follow_ups_due(organisation: Organisation, words: Vocabulary, rng: random.Random) -> None:
    managers = db.session.scalars(
        select(User)
        .join(Membership)
        .where(Membership.organisation_id == organisation.id, User.email.in_(MANAGERS_WITH_WORK))
    ).all()
    customers = db.session.scalars(
        select(Customer).where(Customer.organisation_id == organisation.id).order_by(Customer.id)
    ).all()
    today = utcnow().date()
    for manager in managers:
        for days in DUE_IN_DAYS:
            services.add_follow_up(
                rng.choice(customers),
                title=rng.choice(words.tasks),
                due_on=today + timedelta(days=days),
                assignee_id=manager.id,
                by=manager,
            )
