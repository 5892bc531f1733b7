"""Small builders for test data."""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import count

from PIL import Image
from sqlalchemy import text

from app import PROJECT_ROOT
from app.assessments import respondents, scores, services
from app.assessments.services import Actor
from app.extensions import db
from app.instrument.authoring import draft_of
from app.instrument.loader import LoadedQuestionnaire, load_directory, load_questionnaire
from app.models import (
    ActionAssignment,
    Assessment,
    AssessmentStatus,
    Channel,
    ConsultantAssignment,
    ConsultantBranding,
    Customer,
    CustomerImport,
    CustomerKind,
    Direction,
    FollowUp,
    Interaction,
    LibraryQuestionnaire,
    MemberRole,
    Membership,
    Organisation,
    OrganisationBranding,
    OrganisationSize,
    Outcome,
    PipelineStage,
    Respondent,
    StaffRole,
    User,
    utcnow,
)
from app.passwords import hash_password
from app.tracker import services as tracker_services

PASSWORD = "correct horse battery"
ASSESSMENTS = PROJECT_ROOT / "assessments"
_sequence = count(1)


def schema_afresh() -> None:
    """Every table dropped and made again from the models; on PostgreSQL the whole public
    schema, so that what no model knows of (an earlier run's tables, types) goes too."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
    db.create_all()


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


def png_logo(width: int = 120, height: int = 40, colour: str = "#c0392b") -> bytes:
    """A small real PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def brand(
    owner: Organisation | User, *, logo: bytes | None = None, colour: str = "#8a2be2"
) -> OrganisationBranding | ConsultantBranding:
    """The report branding of an organisation, or of a consultant's workspace."""
    branding = (
        OrganisationBranding(organisation_id=owner.id)
        if isinstance(owner, Organisation)
        else ConsultantBranding(user_id=owner.id)
    )
    branding.accent_colour = colour
    branding.logo = logo
    branding.logo_type = "image/png" if logo else ""
    branding.logo_hash = hashlib.sha256(logo).hexdigest() if logo else ""
    db.session.add(branding)
    db.session.commit()
    return branding


@dataclass
class AssessmentWorld:
    """Beside a World: an open assessment of its organisation with one respondent (the
    manager, who can also answer from their account) and a published one whose action
    plan has an item for the manager. The organisation and both consultants' workspaces
    have report branding with a logo."""

    open: Assessment
    published: Assessment
    respondent: Respondent
    token: str
    action: ActionAssignment  # an item of the published action plan, owned by the manager


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
    token = respondents.issue_link(respondent, timedelta(days=30), consultant)
    action = owned_action(published, world.manager, date.today() + timedelta(days=14))
    db.session.commit()
    brand(world.organisation, logo=png_logo())
    for consultant in (world.consultant_assigned, world.consultant_unassigned):
        brand(consultant, logo=png_logo(colour="#2e86c1"), colour="#2e86c1")
    return AssessmentWorld(
        open=current, published=published, respondent=respondent, token=token, action=action
    )


def owned_action(assessment: Assessment, owner: User, due: date) -> ActionAssignment:
    """An owner and due date for the first leadership recommendation of the plan."""
    action = ActionAssignment(
        assessment_id=assessment.id,
        questionnaire_key="supporting-conditions",
        dimension_id="leadership",
        level="emerging",
        position=0,
        owner=owner.name,
        owner_id=owner.id,
        due_date=due,
    )
    db.session.add(action)
    return action


@dataclass
class TrackerWorld:
    """Beside a World: its organisation's tracker with the default stages, a company and
    a person working there (owned by the manager), a contact, a follow-up due yesterday,
    and a CSV upload waiting for its preview."""

    stages: list[PipelineStage]
    company: Customer
    customer: Customer
    interaction: Interaction
    follow_up: FollowUp
    upload: CustomerImport

    def stage(self, name_en: str) -> PipelineStage:
        return next(stage for stage in self.stages if stage.name_en == name_en)


UPLOAD_CSV = "name,email,phone\nNasrin Karimi,nasrin@example.com,0912 000 1111\n"


def add_customer(
    organisation: Organisation,
    name: str,
    stage: PipelineStage,
    *,
    kind: CustomerKind = CustomerKind.PERSON,
    by: User | None = None,
    **details,
) -> Customer:
    customer = tracker_services.add_customer(
        organisation.id,
        tracker_services.CustomerDetails(kind=kind, name=name, **details),
        stage,
        by,
    )
    db.session.commit()
    return customer


def build_tracker(world: World) -> TrackerWorld:
    organisation = world.organisation
    stages = tracker_services.create_default_stages(organisation.id)
    company = add_customer(
        organisation, "Darius Trading", stages[2], kind=CustomerKind.COMPANY, segment="wholesale"
    )
    customer = add_customer(
        organisation,
        "Roya Tehrani",
        stages[1],
        by=world.manager,
        company_id=company.id,
        email="roya@example.com",
        phone="0912 345 6789",
        segment="wholesale",
        owner_id=world.manager.id,
    )
    interaction = tracker_services.record_interaction(
        customer,
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        occurred_at=utcnow() - timedelta(days=3),
        outcome=Outcome.POSITIVE,
        notes="Asked for a price list",
        by=world.manager,
    )
    follow_up = tracker_services.add_follow_up(
        customer,
        title="Send the price list",
        due_on=date.today() - timedelta(days=1),
        assignee_id=world.manager.id,
        by=world.manager,
    )
    upload = CustomerImport(
        organisation_id=organisation.id,
        filename="customers.csv",
        content=UPLOAD_CSV,
        mapping={"name": 0, "email": 1, "phone": 2},
    )
    db.session.add(upload)
    db.session.commit()
    return TrackerWorld(stages, company, customer, interaction, follow_up, upload)


def customer_in(organisation: Organisation) -> Customer:
    """A customer in the tracker of another organisation (given its default stages)."""
    stages = tracker_services.create_default_stages(organisation.id)
    return add_customer(organisation, "Someone Else", stages[0])


@cache
def all_questionnaires() -> list[LoadedQuestionnaire]:
    """The three shipped questionnaires, parsed once per run."""
    return load_directory(ASSESSMENTS)


GROUPS = ("executive", "manager", "staff")
COMMENTS = (
    "Customer data is split between sales and the warehouse.",
    "داده‌های مشتری میان فروش و انبار پراکنده است.",
    "",
)


def answered_assessment(
    organisation: Organisation,
    consultant: User,
    *,
    respondents: int,
    title: str = "Readiness 2026",
    questionnaires: list[LoadedQuestionnaire] | None = None,
    seed: int = 2026,
) -> Assessment:
    """An assessment in review whose respondents, in three groups, have all submitted:
    each leans more or less favourably, answers a few questions "not applicable" and
    leaves a comment now and then, so every part of the results has something to show."""
    actor = Actor.of_user(consultant)
    assessment = services.create_assessment(
        organisation,
        title=title,
        questionnaires=questionnaires or all_questionnaires(),
        groups=list(GROUPS),
        deadline=None,
        actor=actor,
    )
    services.change_status(assessment, AssessmentStatus.OPEN, actor)
    rng = random.Random(seed)
    for number in range(respondents):
        respondent = Respondent(
            assessment=assessment, name=f"Respondent {number + 1}", group=GROUPS[number % 3]
        )
        db.session.add(respondent)
        db.session.flush()
        lean = rng.uniform(-1.2, 1.2)
        answers = []
        for link in assessment.questionnaires:
            definition = scores.definitions(assessment)[link.position]
            for dimension in definition.dimensions:
                for item in dimension.items:
                    comment = rng.choice(COMMENTS) if rng.random() < 0.05 else ""
                    if item.allow_na and rng.random() < 0.04:
                        answers.append(
                            services.SubmittedAnswer(definition.id, item.id, None, True, comment)
                        )
                        continue
                    value = min(5, max(1, round(3 + lean + rng.gauss(0, 0.9))))
                    answers.append(
                        services.SubmittedAnswer(definition.id, item.id, value, False, comment)
                    )
        services.save_answers(respondent, answers, Actor.of_respondent(respondent))
        services.submit_response(respondent, Actor.of_respondent(respondent))
    services.change_status(assessment, AssessmentStatus.IN_REVIEW, actor)
    db.session.commit()
    return assessment


def reviewed(world: World, title: str, seed: int = 2026) -> Assessment:
    """A small assessment in review: three respondents on the supporting conditions."""
    return answered_assessment(
        world.organisation,
        world.consultant_assigned,
        respondents=3,
        title=title,
        questionnaires=[supporting_conditions()],
        seed=seed,
    )


def library_questionnaire(owner: User, key: str = "my-conditions") -> LibraryQuestionnaire:
    """A clone of the supporting conditions, renamed so that it can be published."""
    draft = draft_of(supporting_conditions().definition)
    draft["id"] = key
    questionnaire = LibraryQuestionnaire(owner=owner, draft=draft)
    db.session.add(questionnaire)
    db.session.commit()
    return questionnaire
