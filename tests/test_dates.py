"""The one date field: Solar Hijri in Persian, Gregorian in English, typed as text (no
browser date box, no JavaScript), every impossible day refused with the reason."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.assessments.scores import score
from app.dates import DateError, parse_day, show_day
from app.extensions import db
from app.instrument.scoring import ActionItem
from app.models import Assessment, AssessmentStatus
from app.reports.actions import action_assignments
from tests import factories
from tests.browser import log_in


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-11-25", date(2026, 11, 25)),
        ("1405/09/04", date(2026, 11, 25)),
        ("۱۴۰۵/۰۹/۰۴", date(2026, 11, 25)),
        ("١٤٠٥/٠٩/٠٤", date(2026, 11, 25)),  # Arabic-Indic digits
        ("۱۴۰۵-۹-۴", date(2026, 11, 25)),
        (" 1405.09.04 ", date(2026, 11, 25)),
        ("25/11/2026", date(2026, 11, 25)),
        ("۱۴۰۵/۰۹/۱۵", date(2026, 12, 6)),
        ("1403/12/30", date(2025, 3, 20)),  # 1403 is a leap year: Esfand has 30 days
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_days_as_people_type_them(app, typed, day):
    with app.test_request_context():
        assert parse_day(typed) == day


@pytest.mark.parametrize(
    ("typed", "language", "message"),
    [
        ("۱۴۰۵/۱۲/۳۱", "en", "There is no day 31 in Esfand 1405: it has 29 days."),
        ("1405/12/30", "en", "There is no day 30 in Esfand 1405: it has 29 days."),
        ("۱۴۰۵/۱۲/۳۱", "fa", "روز ۳۱ در اسفند ۱۴۰۵ وجود ندارد: این ماه ۲۹ روز دارد."),
        ("1405/07/31", "en", "There is no day 31 in Mehr 1405: it has 30 days."),
        ("2027-02-29", "en", "There is no day 29 in February 2027: it has 28 days."),
        ("2026-04-00", "en", "There is no day 0 in April 2026: it has 30 days."),
        ("1405/13/01", "en", "There is no month 13: months run from 1 to 12."),
        ("05/09/15", "en", "Write the year in full, such as 2026-12-06."),
        ("yesterday", "en", "Write the date as year/month/day, such as 2026-12-06."),
        ("دیروز", "fa", "تاریخ را به شکل سال/ماه/روز بنویسید، مانند ۱۴۰۵/۰۹/۱۵."),
    ],
)
def test_an_impossible_day_is_refused_with_the_reason(app, typed, language, message):
    with app.test_request_context(), force_locale(language):
        with pytest.raises(DateError) as refused:
            parse_day(typed)
        assert str(refused.value.args[0]) == message


def test_the_field_shows_the_days_calendar_of_the_page(app):
    with app.test_request_context(), force_locale("fa"):
        assert show_day(date(2026, 11, 25)) == "۱۴۰۵/۰۹/۰۴"
    with app.test_request_context(), force_locale("en"):
        assert show_day(date(2026, 11, 25)) == "2026-11-25"


def persian(auth, user):
    """Signed in as ``user``, who reads the app in Persian."""
    user.locale = "fa"
    db.session.commit()
    auth.logout()
    auth.login(user)


def date_inputs(page: str) -> list[str]:
    return re.findall(r"<input[^>]*\binputmode=\"numeric\"[^>]*>", page)


def test_no_browser_date_box_on_any_form(client, auth, world, tracker):
    """The deadline, the tracker's dates and the metrics period: text boxes with their
    format beside them, in the page's calendar."""
    persian(auth, world.consultant_assigned)
    page = client.get(f"/organisations/{world.organisation.id}/assessments/new").get_data(
        as_text=True
    )
    assert 'type="date"' not in page
    (deadline,) = date_inputs(page)
    assert 'type="text"' in deadline
    assert "سال/ماه/روز، مانند ۱۴۰۵/۰۹/۱۵" in page  # the visible format hint
    persian(auth, world.manager)
    base = f"/organisations/{world.organisation.id}/tracker"
    for path in (f"{base}/customers/{tracker.customer.id}", f"{base}/metrics"):
        page = client.get(path).get_data(as_text=True)
        assert 'type="date"' not in page
        assert date_inputs(page)
        assert "مانند ۱۴۰۵/۰۹/۱۵" in page


def new_assessment(client, world, deadline: str, **fields):
    return client.post(
        f"/organisations/{world.organisation.id}/assessments/new",
        data={
            "title": "ارزیابی پاییز",
            "questionnaires": ["supporting-conditions"],
            "groups": ["manager"],
            "deadline": deadline,
            **fields,
        },
    )


def test_an_impossible_deadline_is_refused_and_nothing_typed_is_lost(client, auth, world):
    persian(auth, world.consultant_assigned)
    response = new_assessment(client, world, "۱۴۰۵/۱۲/۳۱", other_groups="فروش")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "روز ۳۱ در اسفند ۱۴۰۵ وجود ندارد: این ماه ۲۹ روز دارد." in page
    assert 'value="ارزیابی پاییز"' in page
    assert 'value="۱۴۰۵/۱۲/۳۱"' in page
    assert 'value="فروش"' in page
    assert re.search(r'<input[^>]*checked[^>]*value="supporting-conditions"', page)
    assert not re.search(r'<input[^>]*checked[^>]*value="executive"', page)
    assert db.session.scalar(select(Assessment)) is None


def test_a_solar_hijri_deadline_is_kept_and_shown_back(client, auth, world):
    persian(auth, world.consultant_assigned)
    response = new_assessment(client, world, "۱۴۰۵/۱۲/۲۹")
    assert response.status_code == 302
    assessment = db.session.scalar(select(Assessment))
    assert assessment.deadline == date(2027, 3, 20)
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "۲۹ اسفند ۱۴۰۵" in page


def in_review(world) -> Assessment:
    assessment = factories.answered_assessment(
        world.organisation, world.consultant_assigned, respondents=3
    )
    assert assessment.status is AssessmentStatus.IN_REVIEW
    return assessment


def first_recommendation(assessment) -> tuple[ActionItem, dict]:
    action = score(assessment).action_plan[0]
    key = {
        "questionnaire": action.questionnaire_id,
        "dimension": action.dimension_id,
        "level": action.level,
        "position": "0",
    }
    return action, key


def test_an_action_plan_due_date_in_solar_hijri(client, auth, world):
    assessment = in_review(world)
    _action, key = first_recommendation(assessment)
    persian(auth, world.consultant_assigned)
    response = client.post(
        f"/assessments/{assessment.id}/actions",
        data={**key, "owner": "واحد فروش", "due_date": "۱۴۰۵/۱۰/۰۱"},
    )
    assert response.status_code == 302
    (assignment,) = action_assignments(assessment.id).values()
    assert (assignment.owner, assignment.due_date) == ("واحد فروش", date(2026, 12, 22))
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert 'value="۱۴۰۵/۱۰/۰۱"' in page
    assert 'type="date"' not in page


def test_an_impossible_due_date_keeps_the_owner_typed_beside_the_reason(client, auth, world):
    assessment = in_review(world)
    _action, key = first_recommendation(assessment)
    auth.login(world.consultant_assigned)
    response = client.post(
        f"/assessments/{assessment.id}/actions",
        data={**key, "owner": "Sales team", "due_date": "2027-02-30"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is no day 30 in February 2027: it has 28 days." in page
    assert 'value="Sales team"' in page
    assert 'value="2027-02-30"' in page
    assert action_assignments(assessment.id) == {}


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_new_assessment_form_in_chromium(live_server, browser, world):
    """Without JavaScript: a plain text box for the deadline with its format shown, the
    checkboxes without list bullets beside them, and a refused day kept in the box."""
    world.consultant_assigned.locale = "fa"
    db.session.commit()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, world.consultant_assigned)
    page.goto(f"{live_server}/organisations/{world.organisation.id}/assessments/new")
    assert page.get_attribute("#deadline", "type") == "text"
    assert page.locator("#deadline-help").is_visible()
    assert page.locator("#deadline-help").inner_text() == "سال/ماه/روز، مانند ۱۴۰۵/۰۹/۱۵"
    for checkboxes in ("#questionnaires", "#groups"):
        style = page.eval_on_selector(checkboxes, "list => getComputedStyle(list).listStyleType")
        assert style == "none"
    page.fill("#title", "ارزیابی پاییز")
    page.check("input[value=supporting-conditions]")
    page.fill("#deadline", "۱۴۰۵/۱۲/۳۱")
    page.click("input[type=submit]")
    assert "اسفند ۱۴۰۵" in page.locator("#deadline-error").inner_text()
    assert page.input_value("#deadline") == "۱۴۰۵/۱۲/۳۱"
    assert page.input_value("#title") == "ارزیابی پاییز"
    assert page.is_checked("input[value=supporting-conditions]")
    context.close()
