"""A critical dimension with too few answers to score makes the level provisional, and
the results page, the report (in both languages) and the JSON export say so."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape

from app.assessments import scores, services
from app.assessments.services import Actor, SubmittedAnswer
from app.extensions import db
from app.models import AssessmentStatus, Respondent
from app.reports.pdf import report_pdf
from tests import factories
from tests.test_reports import pdf_text, squeeze

WARNING_EN = (
    "Leadership and management has too few answers to be scored (less than 50% of its "
    "question weight is answered), so it cannot be checked against its critical threshold "
    "of 40.0: the level {level} is provisional and may be lower once it is scored."
)
WARNING_FA = (
    "رهبری و مدیریت پاسخ کافی برای امتیازدهی ندارد (کمتر از ۵۰٪ از وزن پرسش‌هایش پاسخ داده "
    "شده است)؛ بنابراین نمی‌توان آن را با آستانهٔ حیاتی‌اش (۴۰٫۰) سنجید و سطح {level} موقت است "
    "و پس از امتیازدهی ممکن است پایین‌تر بیاید."
)


@pytest.fixture
def thin_leadership(world):
    """The supporting conditions, in review: one manager answered "agree" (75) to every
    question but leadership's, of which they answered one: 1/6 of its weight."""
    consultant = Actor.of_user(world.consultant_assigned)
    assessment = services.create_assessment(
        world.organisation,
        title="Readiness 2026",
        questionnaires=[factories.supporting_conditions()],
        groups=["manager"],
        deadline=None,
        actor=consultant,
    )
    services.change_status(assessment, AssessmentStatus.OPEN, consultant)
    respondent = Respondent(assessment=assessment, name="Reza", group="manager")
    db.session.add(respondent)
    db.session.flush()
    (definition,) = scores.definitions(assessment)
    answers = [
        SubmittedAnswer(definition.id, item.id, 2 if item.reverse else 4, False, "")
        for dimension in definition.dimensions
        for item in dimension.items
        if dimension.id != "leadership" or item.id == "lead-goals"
    ]
    services.save_answers(respondent, answers, Actor.of_respondent(respondent))
    services.submit_response(respondent, Actor.of_respondent(respondent))
    services.change_status(assessment, AssessmentStatus.IN_REVIEW, consultant)
    db.session.commit()
    return assessment


def text_of(html: str) -> str:
    """The page's text, one space between words, tags and marks of direction removed."""
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", re.sub("[\u2066-\u2069\u200e\u200f]", "", text))


def test_the_results_page_marks_the_level_provisional_and_says_why(
    client, auth, world, thin_leadership
):
    result = scores.score(thin_leadership)
    assert (result.index, result.level, result.provisional) == (75, "established", True)
    auth.login(world.consultant_assigned)
    url = f"/assessments/{thin_leadership.id}/results"
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Established" in page
    assert '<span class="tag">provisional</span>' in page
    assert str(escape(WARNING_EN.format(level="Established"))) in page
    world.consultant_assigned.locale = "fa"
    db.session.commit()
    page = text_of(client.get(url).get_data(as_text=True))
    assert "موقت" in page
    assert WARNING_FA.format(level="استقراریافته") in page


@pytest.mark.parametrize(
    ("language", "level", "warning", "tag"),
    [
        ("en", "Established", WARNING_EN, "provisional"),
        ("fa", "استقراریافته", WARNING_FA, "موقت"),
    ],
)
def test_the_report_marks_the_level_provisional_and_says_why(
    client, auth, world, thin_leadership, language, level, warning, tag
):
    auth.login(world.consultant_assigned)
    html = client.get(f"/assessments/{thin_leadership.id}/report?lang={language}")
    page = text_of(html.get_data(as_text=True))
    assert warning.format(level=level) in page
    assert f"{level} {tag}" in page  # the headline, the summary table, the section


def test_the_json_export_carries_the_provisional_level(client, auth, world, thin_leadership):
    auth.login(world.consultant_assigned)
    export = client.get(f"/assessments/{thin_leadership.id}/export/assessment.json")
    results = json.loads(export.data)["results"]
    assert (results["level"], results["provisional"]) == ("established", True)
    (entry,) = results["unscored_critical"]
    assert entry == {
        "questionnaire_id": "supporting-conditions",
        "dimension_id": "leadership",
        "coverage": 1 / 6,
        "min_coverage": 0.5,
        "threshold": 40.0,
    }
    (questionnaire,) = results["questionnaires"]
    assert questionnaire["provisional"] is True


def test_with_leadership_scored_the_level_is_not_provisional(client, auth, world):
    assessment = factories.answered_assessment(
        world.organisation,
        world.consultant_assigned,
        respondents=3,
        questionnaires=[factories.supporting_conditions()],
    )
    assert not scores.score(assessment).provisional
    auth.login(world.consultant_assigned)
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert "provisional" not in page


def test_the_persian_pdf_says_the_level_is_provisional(client, auth, world, thin_leadership):
    everything = squeeze("\n".join(pdf_text(report_pdf(thin_leadership, "fa").data)))
    # pypdf reads the digits of a right-to-left run backwards: the words around them.
    for words in (
        "رهبری و مدیریت پاسخ کافی برای امتیازدهی ندارد (کمتر از",
        "از وزن پرسش‌هایش پاسخ داده شده است)؛ بنابراین نمی‌توان آن را با آستانهٔ حیاتی‌اش",
        "سنجید و سطح استقراریافته موقت است و پس از امتیازدهی ممکن است پایین‌تر بیاید.",
    ):
        assert squeeze(words) in everything, words
