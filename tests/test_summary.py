"""An executive summary that holds up, on one, two and many respondents: strengths and
gaps never name the same dimension, agreement is claimed only from three respondents, and
a respondent group is shown only when it is large enough not to expose anyone."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from app.extensions import db
from app.reports.context import build_context
from tests import factories
from tests.jobs import download_report

AGREE = "Respondents broadly agree on every question that at least 3 of them answered."
TOO_FEW = "Agreement is judged only from 3 submitted responses on (submitted so far: {n})."
SMALL = "Groups with fewer than 3 respondents are not shown on their own"


def one_questionnaire(world, respondents: int, groups: tuple[str, ...] | None = None):
    """A report of the supporting conditions alone (five dimensions), as in the issue."""
    assessment = factories.answered_assessment(
        world.organisation,
        world.consultant_assigned,
        respondents=respondents,
        questionnaires=[factories.supporting_conditions()],
    )
    if groups is not None:  # put the respondents in these groups, in turn
        for number, respondent in enumerate(assessment.respondents):
            respondent.group = groups[number % len(groups)]
        db.session.commit()
    return assessment


def context(assessment, language="en"):
    with force_locale(language):
        return build_context(assessment, language)


def named(rows) -> set[str]:
    return {row.title for row in rows}


@pytest.mark.parametrize("respondents", [1, 2, 9])
def test_strengths_and_gaps_never_name_the_same_dimension(app, world, respondents):
    report = context(one_questionnaire(world, respondents))
    assert report.gaps
    assert not named(report.strengths) & named(report.gaps)
    scored = [row for section in report.questionnaires for row in section.dimensions]
    strongest = max(scored, key=lambda row: row.score)
    assert strongest.title not in named(report.gaps)
    # Every strength scores at least the overall index; the gaps are the action plan's.
    assert all(row.score >= report.index for row in report.strengths)


def test_one_respondent_claims_no_agreement_and_shows_no_group(client, auth, world):
    assessment = one_questionnaire(world, 1)
    report = context(assessment)
    assert report.respondents == 1
    assert not report.agreement_judged
    assert report.disagreements == ()
    assert report.groups == ()
    assert report.small_groups == ("Executive",)
    auth.login(world.consultant_assigned)
    results = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert TOO_FEW.format(n=1) in results
    assert AGREE not in results
    assert SMALL in results
    assert '<th scope="col">Executive</th>' not in results  # no column for one person
    data = download_report(client, assessment, "en").data
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )
    assert "Respondents broadly agree" not in text
    assert TOO_FEW.format(n=1) in text
    assert "No respondent group is large enough to show on its own." in text
    assert f"{SMALL}, so that no one's answers can be read off them: Executive." in text


def test_two_respondents_are_not_enough_to_judge_agreement(client, auth, world):
    assessment = one_questionnaire(world, 2, groups=("manager",))
    # However far apart their answers, two people are not called a disagreement.
    first, second = assessment.respondents
    for answer in first.answers:
        answer.value = 1 if answer.value is not None else None
    for answer in second.answers:
        answer.value = 5 if answer.value is not None else None
    db.session.commit()
    report = context(assessment)
    assert report.disagreements == ()
    assert not report.agreement_judged
    assert report.groups == ()
    assert report.small_groups == ("Manager",)
    auth.login(world.consultant_assigned)
    results = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert TOO_FEW.format(n=2) in results
    assert "whose answers spread widely" not in results  # no question flagged


def test_many_respondents_show_their_groups_and_judge_agreement(client, auth, world):
    assessment = one_questionnaire(world, 9)  # three groups of three
    report = context(assessment)
    assert report.agreement_judged
    assert report.groups == ("Executive", "Manager", "Staff")
    assert report.small_groups == ()
    auth.login(world.consultant_assigned)
    results = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert SMALL not in results
    for group in report.groups:
        assert f'<th scope="col">{group}</th>' in results
    # Nine people who lean differently: their spreads are disagreements, listed as such.
    assert report.disagreements
    assert report.disagreements[0].statement in results
    assert AGREE not in results
    preview = client.get(f"/assessments/{assessment.id}/report?lang=en").get_data(as_text=True)
    assert 'class="data heatmap"' in preview


def test_a_group_below_the_minimum_is_hidden_the_rest_shown(app, world, monkeypatch):
    assessment = one_questionnaire(world, 7, groups=("staff", "staff", "manager"))
    # 5 staff and 2 managers: the managers are too few to show; a larger minimum hides both.
    report = context(assessment)
    assert report.groups == ("Staff",)
    assert report.small_groups == ("Manager",)
    comments = [
        comment.group
        for questionnaire in report.appendix
        for dimension in questionnaire.dimensions
        for item in dimension.items
        for comment in item.comments
    ]
    assert "Manager" not in comments  # their comments name no group
    monkeypatch.setitem(app.config, "MIN_GROUP_SIZE", 6)
    assert context(assessment).groups == ()


def test_the_persian_results_say_so_in_persian(client, auth, world):
    assessment = one_questionnaire(world, 1)
    world.consultant_assigned.locale = "fa"
    db.session.commit()
    auth.login(world.consultant_assigned)
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert "هم‌نظری پاسخ‌دهندگان تنها از ۳ پاسخ ارسال‌شده به بالا سنجیده می‌شود" in page
    assert "گروه‌هایی که کمتر از ۳ پاسخ‌دهنده دارند جداگانه نمایش داده نمی‌شوند" in page


def test_three_who_agree_are_said_to_agree(client, auth, world):
    assessment = one_questionnaire(world, 3, groups=("manager",))
    for respondent in assessment.respondents:
        for answer in respondent.answers:
            answer.value = 4 if answer.value is not None else None
    db.session.commit()
    report = context(assessment)
    assert report.agreement_judged
    assert report.disagreements == ()
    assert report.groups == ("Manager",)  # three is enough to show a group
    auth.login(world.consultant_assigned)
    results = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert AGREE in results
    assert '<th scope="col">Manager</th>' in results
