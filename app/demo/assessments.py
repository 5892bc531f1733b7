"""Demo assessments: a published one for the Persian organisation and an open one for the
English organisation, each with a dozen respondents whose answers differ by person,
group and topic as they would in a real organisation. Loading twice changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from app.assessments import services
from app.assessments.services import Actor, SubmittedAnswer
from app.extensions import db
from app.instrument.loader import LoadedQuestionnaire
from app.models import Assessment, AssessmentStatus, Organisation, Respondent, User, utcnow

GROUPS = ("executive", "manager", "staff")
# How much each group tends to agree, on the five-point scale: executives see the
# organisation more favourably than the staff who serve its customers.
GROUP_LEAN = {"executive": 0.6, "manager": 0.1, "staff": -0.4}


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

DEMO_ASSESSMENTS = (
    DemoAssessment(
        organisation="شرکت پخش سپیدار",
        consultant="reza.karimi@demo.example.com",
        title="ارزیابی آمادگی CRM ۱۴۰۵",
        status=AssessmentStatus.PUBLISHED,
        profile={
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
        },
        people=PERSIAN_PEOPLE,
        submitted=12,
    ),
    DemoAssessment(
        organisation="Northwind Outfitters",
        consultant="emma.wilson@demo.example.com",
        title="CRM readiness 2026",
        status=AssessmentStatus.OPEN,
        profile={
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
        },
        people=ENGLISH_PEOPLE,
        submitted=7,
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
        deadline=(utcnow() + timedelta(days=30)).date(),
        actor=actor,
    )
    services.change_status(assessment, AssessmentStatus.OPEN, actor)
    rng = random.Random(spec.title)  # the same answers every time
    for number, (name, group) in enumerate(spec.people):
        respondent = Respondent(
            assessment=assessment,
            name=name,
            email=f"respondent{number + 1}@demo.example.com",
            group=group,
            locale=organisation.default_locale,
        )
        db.session.add(respondent)
        db.session.flush()
        services.issue_link(respondent, timedelta(days=30), actor)
        answered_share = 1.0 if number < spec.submitted else rng.uniform(0.2, 0.7)
        answers = _answers(spec, group, questionnaires, rng, answered_share)
        services.save_answers(respondent, answers, Actor.of_respondent(respondent))
        if number < spec.submitted:
            services.submit_response(respondent, Actor.of_respondent(respondent))
    if spec.status is AssessmentStatus.PUBLISHED:
        services.change_status(assessment, AssessmentStatus.IN_REVIEW, actor)
        assessment.observations = (
            "مدیریت ارشد از CRM حمایت لفظی می‌کند اما حامی اجرایی مشخص و کمیتهٔ راهبری ندارد. "
            "دادهٔ مشتری میان فروش و انبار پراکنده است."
        )
        services.change_status(assessment, AssessmentStatus.PUBLISHED, actor)


def _answers(
    spec: DemoAssessment,
    group: str,
    questionnaires: list[LoadedQuestionnaire],
    rng: random.Random,
    answered_share: float,
) -> list[SubmittedAnswer]:
    person = rng.gauss(0, 0.4)
    answers = []
    for loaded in questionnaires:
        definition = loaded.definition
        for dimension in definition.dimensions:
            typical = spec.profile.get(dimension.id, 3.0) + GROUP_LEAN[group] + person
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
