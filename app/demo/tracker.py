"""Demo tracker data: a few hundred customers with their histories for each demo
organisation, in its language. Loading twice changes nothing: an organisation that has
customers already is left as it is."""

from __future__ import annotations

import random

from sqlalchemy import select

from app.demo.seeding import ENGLISH, PERSIAN, seed_customers
from app.extensions import db
from app.models import Customer, Membership, Organisation, utcnow
from app.tracker import services

DEMO_TRACKERS = (
    ("شرکت پخش سپیدار", PERSIAN, 320),
    ("Northwind Outfitters", ENGLISH, 260),
)
CONTACTS_PER_CUSTOMER = 5


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
        filled.append(name)
    db.session.commit()
    return filled
