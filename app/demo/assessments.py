"""Demo assessments in every state, so that every home page has work on it: each
organisation's published assessments (last year's and this year's, the latter with action
items that have owners and due dates), an open one with managers answering from their own
accounts, one past its deadline and one still being set up. Respondents' answers differ by
person, group and topic as they would in a real organisation. Loading twice changes
nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select

from app.assessments import respondents, scores, services
from app.assessments.services import Actor, SubmittedAnswer
from app.demo.benchmarks import CONSULTANT, PEERS
from app.extensions import db
from app.instrument.definitions import Questionnaire
from app.instrument.loader import LoadedQuestionnaire
from app.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Organisation,
    Respondent,
    User,
    utcnow,
)
from app.reports.actions import action_assignments, set_action_owner, set_done

GROUPS = ("executive", "manager", "staff")
# How much each group tends to agree, on the five-point scale: executives see the
# organisation more favourably than the staff who serve its customers.
GROUP_LEAN = {"executive": 0.6, "manager": 0.1, "staff": -0.4}


@dataclass(frozen=True)
class DemoMember:
    """A member of the organisation invited at their account's address, who answers from
    their own home page: ``answered`` is the share of the questions done so far."""

    email: str
    group: str
    answered: float


@dataclass(frozen=True)
class DemoAction:
    """An owner and due date for one recommendation of the published action plan: the
    ``rank``-th dimension of the plan, its ``position``-th recommendation."""

    rank: int
    position: int
    owner: str  # a member's name, so the item shows on their home page
    due_in_days: int  # negative: overdue
    done: bool = False


@dataclass(frozen=True)
class DemoAssessment:
    organisation: str
    consultant: str
    title: str
    status: AssessmentStatus
    # Each dimension's typical answer (1-5); unlisted dimensions sit at 3.
    profile: dict[str, float]
    people: tuple[tuple[str, str], ...]  # (name, group)
    submitted: int  # how many of them have submitted
    deadline_in_days: int = 30  # negative: the deadline has passed
    published_days_ago: int = 0  # for published ones: when
    lean: float = 0.0  # added to every dimension's typical answer (earlier, weaker years)
    members: tuple[DemoMember, ...] = ()
    actions: tuple[DemoAction, ...] = ()
    observations: str = ""
    # Answers written in one statement, without an audit row each: for the benchmark's
    # peers, whose answers nobody reads one by one, so that loading the demo stays quick.
    bulk: bool = False


PERSIAN_PEOPLE = (
    ("مریم احمدی", "executive"),
    ("حسین جعفری", "executive"),
    ("علی رضایی", "manager"),
    ("سارا مرادی", "manager"),
    ("نگار صالحی", "manager"),
    ("امید کاظمی", "manager"),
    ("فاطمه نوری", "staff"),
    ("مهدی قاسمی", "staff"),
    ("زهرا حیدری", "staff"),
    ("رضا موسوی", "staff"),
    ("لیلا عباسی", "staff"),
    ("بهروز شریفی", "staff"),
)
ENGLISH_PEOPLE = (
    ("Helen Carter", "executive"),
    ("Mark Jensen", "executive"),
    ("James Patel", "manager"),
    ("Olivia Brooks", "manager"),
    ("Sofia Reyes", "manager"),
    ("Daniel Kim", "manager"),
    ("Amy Walsh", "staff"),
    ("Tom Fletcher", "staff"),
    ("Priya Shah", "staff"),
    ("Lucas Moreau", "staff"),
    ("Grace Obi", "staff"),
    ("Noah Berg", "staff"),
)

PERSIAN_PROFILE = {
    "leadership": 2.3,
    "culture": 2.8,
    "data-it": 2.2,
    "people": 3.3,
    "processes": 2.9,
    "vision": 2.6,
    "strategy": 2.4,
    "customer-experience": 3.4,
    "collaboration": 2.5,
    "information": 2.1,
    "technology": 2.7,
    "metrics": 2.2,
    "gather-information": 2.9,
    "customer-responses": 2.4,
    "sales": 3.6,
    "service": 3.2,
}
ENGLISH_PROFILE = {
    "leadership": 3.6,
    "culture": 3.4,
    "data-it": 2.6,
    "people": 3.5,
    "processes": 3.1,
    "vision": 3.5,
    "customer-experience": 3.9,
    "information": 2.7,
    "metrics": 2.9,
    "marketing": 3.3,
    "sales": 3.0,
}
PERSIAN_OBSERVATIONS = (
    "مدیریت ارشد از CRM حمایت لفظی می‌کند اما حامی اجرایی مشخص و کمیتهٔ راهبری ندارد. "
    "دادهٔ مشتری میان فروش و انبار پراکنده است."
)
ENGLISH_OBSERVATIONS = (
    "Store managers back the idea, but customer data lives in the till system and in "
    "spreadsheets that nobody reconciles."
)

DEMO_ASSESSMENTS = (
    # The Persian organisation: last year's and this year's published assessments (the
    # owner's home shows the change), and a progress check now open, which two managers
    # answer from their own accounts.
    DemoAssessment(
        organisation="شرکت پخش سپیدار",
        consultant="reza.karimi@demo.example.com",
        title="ارزیابی آمادگی CRM ۱۴۰۴",
        status=AssessmentStatus.PUBLISHED,
        profile=PERSIAN_PROFILE,
        people=PERSIAN_PEOPLE[:8],
        submitted=8,
        published_days_ago=380,
        deadline_in_days=-10,
        lean=-0.4,
        observations=PERSIAN_OBSERVATIONS,
    ),
    DemoAssessment(
        organisation="شرکت پخش سپیدار",
        consultant="reza.karimi@demo.example.com",
        title="ارزیابی آمادگی CRM ۱۴۰۵",
        status=AssessmentStatus.PUBLISHED,
        profile=PERSIAN_PROFILE,
        people=PERSIAN_PEOPLE,
        submitted=12,
        published_days_ago=20,
        deadline_in_days=-10,
        observations=PERSIAN_OBSERVATIONS,
        actions=(
            DemoAction(0, 0, "مریم احمدی", due_in_days=-4),
            DemoAction(0, 1, "علی رضایی", due_in_days=10),
            DemoAction(1, 0, "سارا مرادی", due_in_days=25),
            DemoAction(2, 0, "علی رضایی", due_in_days=-1),
            DemoAction(3, 0, "مریم احمدی", due_in_days=40, done=True),
        ),
    ),
    DemoAssessment(
        organisation="شرکت پخش سپیدار",
        consultant="reza.karimi@demo.example.com",
        title="پایش پیشرفت CRM، پاییز ۱۴۰۵",
        status=AssessmentStatus.OPEN,
        profile=PERSIAN_PROFILE,
        people=PERSIAN_PEOPLE[4:10],
        submitted=3,
        deadline_in_days=9,
        lean=0.2,
        members=(
            DemoMember("ali.rezaei@demo.example.com", "manager", answered=0.5),
            DemoMember("sara.moradi@demo.example.com", "manager", answered=0.0),
        ),
    ),
    # The English organisation: last year's published assessment, this year's open one
    # past its deadline (a manager half-way through it), and a new one still being set up.
    DemoAssessment(
        organisation="Northwind Outfitters",
        consultant="emma.wilson@demo.example.com",
        title="CRM readiness 2025",
        status=AssessmentStatus.PUBLISHED,
        profile=ENGLISH_PROFILE,
        people=ENGLISH_PEOPLE[:8],
        submitted=8,
        published_days_ago=300,
        deadline_in_days=-10,
        lean=-0.3,
        observations=ENGLISH_OBSERVATIONS,
        actions=(
            DemoAction(0, 0, "James Patel", due_in_days=-6),
            DemoAction(1, 0, "Olivia Brooks", due_in_days=0),
            DemoAction(2, 0, "Helen Carter", due_in_days=21),
        ),
    ),
    DemoAssessment(
        organisation="Northwind Outfitters",
        consultant="emma.wilson@demo.example.com",
        title="CRM readiness 2026",
        status=AssessmentStatus.OPEN,
        profile=ENGLISH_PROFILE,
        people=ENGLISH_PEOPLE,
        submitted=7,
        deadline_in_days=-3,
        members=(DemoMember("james.patel@demo.example.com", "manager", answered=0.5),),
    ),
    DemoAssessment(
        organisation="Northwind Outfitters",
        consultant="emma.wilson@demo.example.com",
        title="Service desk deep-dive",
        status=AssessmentStatus.DRAFT,
        profile=ENGLISH_PROFILE,
        people=(),
        submitted=0,
        deadline_in_days=45,
    ),
    *(
        # Sepidar's peers in the benchmarks: an executive and a member of staff answer, in the
        # same questionnaires; an earlier assessment is a little weaker.
        DemoAssessment(
            organisation=peer.name,
            consultant=CONSULTANT,
            title="ارزیابی آمادگی CRM " + ("۱۴۰۴" if days > 300 else "۱۴۰۵"),
            status=AssessmentStatus.PUBLISHED,
            profile=PERSIAN_PROFILE,
            people=(PERSIAN_PEOPLE[1], PERSIAN_PEOPLE[7]),
            submitted=2,
            published_days_ago=days,
            deadline_in_days=-10,
            lean=peer.lean - 0.4 * (len(peer.published_days_ago) - 1 - number),
            bulk=True,
        )
        for peer in PEERS
        for number, days in enumerate(peer.published_days_ago)
    ),
)


def load_demo_assessments(questionnaires: list[LoadedQuestionnaire]) -> list[str]:
    """Create the demo assessments that are missing; return their titles."""
    made = []
    for spec in DEMO_ASSESSMENTS:
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.name == spec.organisation)
        )
        exists = db.session.scalar(
            select(Assessment.id).where(
                Assessment.organisation_id == organisation.id, Assessment.title == spec.title
            )
        )
        if exists is None:
            _build(spec, organisation, questionnaires)
            made.append(spec.title)
    db.session.commit()
    return made


def _build(
    spec: DemoAssessment, organisation: Organisation, questionnaires: list[LoadedQuestionnaire]
) -> None:
    consultant = db.session.scalar(select(User).where(User.email == spec.consultant))
    actor = Actor.of_user(consultant)
    assessment = services.create_assessment(
        organisation,
        title=spec.title,
        questionnaires=questionnaires,
        groups=list(GROUPS),
        # A published assessment's deadline came before its publication.
        deadline=(
            utcnow() + timedelta(days=spec.deadline_in_days - spec.published_days_ago)
        ).date(),
        actor=actor,
    )
    if spec.status is AssessmentStatus.DRAFT:
        return
    services.change_status(assessment, AssessmentStatus.OPEN, actor)
    rng = random.Random(spec.title)  # the same answers every time
    asked = scores.definitions(assessment)  # a shared question is answered once
    for number, (name, group) in enumerate(spec.people):
        respondent = Respondent(
            assessment=assessment,
            name=name,
            email=f"respondent{number + 1}@demo.example.com",
            group=group,
            locale=organisation.default_locale,
        )
        share = 1.0 if number < spec.submitted else rng.uniform(0.2, 0.7)
        submit = number < spec.submitted
        _answer(spec, respondent, asked, rng, share, submit, actor)
    for member in spec.members:
        user = db.session.scalar(select(User).where(User.email == member.email))
        respondent = Respondent(
            assessment=assessment,
            name=user.name,
            email=user.email,
            group=member.group,
            locale=user.locale,
            user=user,
        )
        _answer(spec, respondent, asked, rng, member.answered, False, actor)
    if spec.status is AssessmentStatus.PUBLISHED:
        services.change_status(assessment, AssessmentStatus.IN_REVIEW, actor)
        assessment.observations = spec.observations
        services.change_status(assessment, AssessmentStatus.PUBLISHED, actor)
        assessment.published_at = utcnow() - timedelta(days=spec.published_days_ago)
        assessment.created_at = assessment.published_at - timedelta(days=40)
        _assign_actions(spec, assessment, actor)


def _answer(
    spec: DemoAssessment,
    respondent: Respondent,
    definitions: list[Questionnaire],
    rng: random.Random,
    share: float,
    submit: bool,
    consultant: Actor,
) -> None:
    db.session.add(respondent)
    db.session.flush()
    respondents.issue_link(respondent, timedelta(days=60), consultant)
    answers = _answers(spec, respondent.group, definitions, rng, share)
    if spec.bulk:
        db.session.execute(
            insert(Answer),
            [
                dict(
                    respondent_id=respondent.id,
                    questionnaire_key=answer.questionnaire_key,
                    item_id=answer.item_id,
                    **answer.as_dict(),
                )
                for answer in answers
            ],
        )
        respondent.submitted_at = utcnow() if submit else None
        return
    services.save_answers(respondent, answers, Actor.of_respondent(respondent))
    if submit:
        services.submit_response(respondent, Actor.of_respondent(respondent))


def _assign_actions(spec: DemoAssessment, assessment: Assessment, actor: Actor) -> None:
    """Owners and due dates for some recommendations of the published plan; some done."""
    plan = scores.score(assessment).action_plan
    today = utcnow().date()
    for action in spec.actions:
        if action.rank >= len(plan) or action.position >= len(plan[action.rank].recommendations):
            continue
        item = plan[action.rank]
        key = (item.questionnaire_id, item.dimension_id, item.level, action.position)
        due = today + timedelta(days=action.due_in_days)
        set_action_owner(assessment, key, action.owner, due, actor)
        if action.done:
            db.session.flush()
            set_done(assessment, action_assignments(assessment.id)[key], True, actor)


def _answers(
    spec: DemoAssessment,
    group: str,
    definitions: list[Questionnaire],
    rng: random.Random,
    answered_share: float,
) -> list[SubmittedAnswer]:
    person = rng.gauss(0, 0.4)
    answers = []
    for definition in definitions:
        for dimension in definition.dimensions:
            typical = spec.profile.get(dimension.id, 3.0) + spec.lean + GROUP_LEAN[group] + person
            for item in dimension.items:
                if rng.random() > answered_share:
                    continue
                if item.allow_na and rng.random() < 0.05:
                    answers.append(SubmittedAnswer(definition.id, item.id, None, True, ""))
                    continue
                agreement = min(5, max(1, round(rng.gauss(typical, 0.8))))
                # A reverse item describes a weakness: where the topic is strong, people
                # disagree with it.
                value = 6 - agreement if item.reverse else agreement
                answers.append(SubmittedAnswer(definition.id, item.id, value, False, ""))
    return answers
