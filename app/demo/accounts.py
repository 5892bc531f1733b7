"""Realistic demo data: staff, client organisations (Persian-speaking and English-speaking)
with owners and managers, and one new client not yet assessed. Loading it twice changes
nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.benchmarks import CONSULTANT, PEERS, SECTOR
from app.models import (
    ConsultantAssignment,
    MemberRole,
    Membership,
    Organisation,
    OrganisationSize,
    StaffRole,
    User,
)

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    locale: str
    staff_role: StaffRole | None = None
    organisation: str | None = None
    member_role: MemberRole | None = None


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    sector: str
    size: OrganisationSize
    default_locale: str
    notes: str
    consultant: str


ORGANISATIONS = (
    DemoOrganisation(
        name="شرکت پخش سپیدار",
        sector="پخش مواد غذایی",
        size=OrganisationSize.MEDIUM,
        default_locale="fa",
        notes="پخش سراسری با ۱۲ شعبه؛ سامانهٔ CRM فعلی فقط برای ثبت سفارش استفاده می‌شود.",
        consultant="reza.karimi@demo.example.com",
    ),
    DemoOrganisation(
        name="فروشگاه‌های زنجیره‌ای آفتاب",
        sector="خرده‌فروشی",
        size=OrganisationSize.LARGE,
        default_locale="fa",
        notes="۴۰ فروشگاه در سه استان؛ باشگاه مشتریان کاغذی است. هنوز ارزیابی نشده است.",
        consultant="reza.karimi@demo.example.com",
    ),
    DemoOrganisation(
        name="Northwind Outfitters",
        sector="Outdoor retail",
        size=OrganisationSize.SMALL,
        default_locale="en",
        notes="Eight stores and a web shop; customer data split between the till system "
        "and spreadsheets.",
        consultant="emma.wilson@demo.example.com",
    ),
    *(
        # Sepidar's peers in the benchmarks (app/demo/benchmarks.py): no members of their own.
        DemoOrganisation(
            name=peer.name,
            sector=SECTOR,
            size=OrganisationSize.MEDIUM,
            default_locale="fa",
            notes="",
            consultant=CONSULTANT,
        )
        for peer in PEERS
    ),
)

PEOPLE = (
    DemoPerson("admin@demo.example.com", "Admin", "en", staff_role=StaffRole.ADMIN),
    DemoPerson("reza.karimi@demo.example.com", "رضا کریمی", "fa", staff_role=StaffRole.CONSULTANT),
    DemoPerson(
        "emma.wilson@demo.example.com", "Emma Wilson", "en", staff_role=StaffRole.CONSULTANT
    ),
    DemoPerson(
        "maryam.ahmadi@demo.example.com",
        "مریم احمدی",
        "fa",
        organisation="شرکت پخش سپیدار",
        member_role=MemberRole.OWNER,
    ),
    DemoPerson(
        "ali.rezaei@demo.example.com",
        "علی رضایی",
        "fa",
        organisation="شرکت پخش سپیدار",
        member_role=MemberRole.MANAGER,
    ),
    DemoPerson(
        "sara.moradi@demo.example.com",
        "سارا مرادی",
        "fa",
        organisation="شرکت پخش سپیدار",
        member_role=MemberRole.MANAGER,
    ),
    DemoPerson(
        "helen.carter@demo.example.com",
        "Helen Carter",
        "en",
        organisation="Northwind Outfitters",
        member_role=MemberRole.OWNER,
    ),
    DemoPerson(
        "james.patel@demo.example.com",
        "James Patel",
        "en",
        organisation="Northwind Outfitters",
        member_role=MemberRole.MANAGER,
    ),
    DemoPerson(
        "olivia.brooks@demo.example.com",
        "Olivia Brooks",
        "en",
        organisation="Northwind Outfitters",
        member_role=MemberRole.MANAGER,
    ),
)


def load_demo_data(session: Session, password_hash: str) -> list[DemoPerson]:
    """Create whatever part of the demo data is missing; return the demo logins.

    Existing rows are left as they are, so a demo user who changed something keeps it.
    """
    users = {person.email: _get_or_create_user(session, person, password_hash) for person in PEOPLE}
    for spec in ORGANISATIONS:
        organisation = session.scalar(select(Organisation).where(Organisation.name == spec.name))
        if organisation is None:
            organisation = Organisation(
                name=spec.name,
                sector=spec.sector,
                size=spec.size,
                default_locale=spec.default_locale,
                notes=spec.notes,
            )
            session.add(organisation)
            session.flush()
        consultant = users[spec.consultant]
        if not any(a.consultant_id == consultant.id for a in organisation.assignments):
            session.add(ConsultantAssignment(organisation=organisation, consultant=consultant))
        for person in PEOPLE:
            if person.organisation != spec.name:
                continue
            user = users[person.email]
            if not any(m.organisation_id == organisation.id for m in user.memberships):
                session.add(
                    Membership(organisation=organisation, user=user, role=person.member_role)
                )
    session.commit()
    return list(PEOPLE)


def _get_or_create_user(session: Session, person: DemoPerson, password_hash: str) -> User:
    user = session.scalar(select(User).where(User.email == person.email))
    if user is None:
        user = User(
            email=person.email,
            name=person.name,
            locale=person.locale,
            staff_role=person.staff_role,
            password_hash=password_hash,
        )
        session.add(user)
        session.flush()
    return user
