"""Small builders for test data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from itertools import count

from app import PROJECT_ROOT
from app.assessments import services
from app.assessments.services import Actor
from app.extensions import db
from app.instrument.loader import LoadedQuestionnaire, load_questionnaire
from app.models import (
    Assessment,
    AssessmentStatus,
    ConsultantAssignment,
    MemberRole,
    Membership,
    Organisation,
    OrganisationSize,
    Respondent,
    StaffRole,
    User,
)
from app.passwords import hash_password

PASSWORD = "correct horse battery"
ASSESSMENTS = PROJECT_ROOT / "assessments"
_sequence = count(1)


def make_user(
    *,
    name: str | None = None,
    email: str | None = None,
    staff_role: StaffRole | None = None,
    locale: str = "en",
    active: bool = True,
    password: str | None = PASSWORD,
) -> User:
    n = next(_sequence)
    user = User(
        name=name or f"User {n}",
        email=email or f"user{n}@example.com",
        staff_role=staff_role,
        locale=locale,
        active=active,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_organisation(*, name: str | None = None, locale: str = "en") -> Organisation:
    organisation = Organisation(
        name=name or f"Organisation {next(_sequence)}",
        sector="Retail",
        size=OrganisationSize.SMALL,
        default_locale=locale,
        notes="",
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


def add_member(organisation: Organisation, user: User, role: MemberRole) -> Membership:
    membership = Membership(organisation=organisation, user=user, role=role)
    db.session.add(membership)
    db.session.commit()
    return membership


def assign(organisation: Organisation, consultant: User) -> ConsultantAssignment:
    assignment = ConsultantAssignment(organisation=organisation, consultant=consultant)
    db.session.add(assignment)
    db.session.commit()
    return assignment


@dataclass
class World:
    """Two organisations and one person in every role the access rules know."""

    organisation: Organisation
    other_organisation: Organisation
    admin: User
    consultant_assigned: User
    consultant_unassigned: User
    owner: User
    manager: User
    other_member: User
    manager_membership: Membership
    assignment: ConsultantAssignment

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def build_world() -> World:
    organisation = make_organisation(name="Acme Trading")
    other = make_organisation(name="Globex Foods")
    admin = make_user(name="Ada Admin", staff_role=StaffRole.ADMIN)
    consultant_assigned = make_user(name="Carl Consultant", staff_role=StaffRole.CONSULTANT)
    consultant_unassigned = make_user(name="Una Consultant", staff_role=StaffRole.CONSULTANT)
    owner = make_user(name="Olga Owner")
    manager = make_user(name="Max Manager")
    other_member = make_user(name="Otto Outsider")
    assignment = assign(organisation, consultant_assigned)
    assign(other, consultant_unassigned)
    add_member(organisation, owner, MemberRole.OWNER)
    manager_membership = add_member(organisation, manager, MemberRole.MANAGER)
    add_member(other, other_member, MemberRole.OWNER)
    return World(
        organisation=organisation,
        other_organisation=other,
        admin=admin,
        consultant_assigned=consultant_assigned,
        consultant_unassigned=consultant_unassigned,
        owner=owner,
        manager=manager,
        other_member=other_member,
        manager_membership=manager_membership,
        assignment=assignment,
    )


@dataclass
class AssessmentWorld:
    """Beside a World: an open assessment of its organisation with one respondent (the
    manager, who can also answer from their account) and a published one."""

    open: Assessment
    published: Assessment
    respondent: Respondent
    token: str


@cache
def supporting_conditions() -> LoadedQuestionnaire:
    """Parsed once per run: the YAML does not change while the tests run."""
    return load_questionnaire(ASSESSMENTS / "supporting-conditions.yaml")


def build_assessments(world: World) -> AssessmentWorld:
    definition = supporting_conditions()
    consultant = Actor.of_user(world.consultant_assigned)
    published = services.create_assessment(
        world.organisation,
        title="Baseline 2025",
        questionnaires=[definition],
        groups=["manager"],
        deadline=None,
        actor=consultant,
    )
    for status in (AssessmentStatus.OPEN, AssessmentStatus.IN_REVIEW, AssessmentStatus.PUBLISHED):
        services.change_status(published, status, consultant)
    current = services.create_assessment(
        world.organisation,
        title="Readiness 2026",
        questionnaires=[definition],
        groups=["manager"],
        deadline=None,
        actor=consultant,
    )
    services.change_status(current, AssessmentStatus.OPEN, consultant)
    respondent = Respondent(
        assessment=current, name=world.manager.name, group="manager", user=world.manager
    )
    db.session.add(respondent)
    db.session.flush()
    token = services.issue_link(respondent, timedelta(days=30), consultant)
    db.session.commit()
    return AssessmentWorld(open=current, published=published, respondent=respondent, token=token)
