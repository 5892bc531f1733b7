"""Demo organisations for the benchmarks: six food distributors of the same sector and
size as «شرکت پخش سپیدار», each with published assessments, all sharing their results,
so Sepidar's results and report show where it stands and its consultant's portfolio has
several clients over time. Each peer's assessments have two respondents: enough for an
index, and quick to load."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import BenchmarkConsentChange, MemberRole, Organisation

SECTOR = "پخش مواد غذایی"
CONSULTANT = "reza.karimi@demo.example.com"
SEPIDAR = "شرکت پخش سپیدار"


@dataclass(frozen=True)
class DemoPeer:
    name: str
    lean: float  # added to every answer: how much more (or less) ready than Sepidar
    published_days_ago: tuple[int, ...]  # one published assessment for each


PEERS = (
    DemoPeer("شرکت پخش البرز", -0.9, (410, 35)),
    DemoPeer("پخش نوین‌تجارت", -0.5, (60,)),
    DemoPeer("شرکت پخش کوهرنگ", -0.1, (395, 50)),
    DemoPeer("پخش مهرگان", 0.3, (45,)),
    DemoPeer("شرکت پخش آوا", 0.7, (370, 25)),
    DemoPeer("پخش زاگرس", 1.1, (70,)),
)


def load_demo_consents(session: Session) -> list[str]:
    """Turn benchmark consent on for Sepidar (by its owner) and the peers, where it is
    not on yet; return the organisations' names."""
    names = [SEPIDAR, *(peer.name for peer in PEERS)]
    turned_on = []
    for organisation in session.scalars(
        select(Organisation).where(
            Organisation.name.in_(names), Organisation.benchmark_consent.is_(False)
        )
    ):
        owner = next((m.user for m in organisation.memberships if m.role is MemberRole.OWNER), None)
        organisation.benchmark_consent = True
        session.add(
            BenchmarkConsentChange(
                organisation_id=organisation.id,
                consented=True,
                actor_id=owner.id if owner else None,
                actor_label=owner.name if owner else organisation.name,
            )
        )
        turned_on.append(organisation.name)
    session.commit()
    return turned_on
