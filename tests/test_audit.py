"""The audit trail in words: the question in the reader's language, values as the labels
people chose from; filters by kind and person; pages; a spreadsheet-safe CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from app.assessments import services
from app.assessments.services import Actor, SubmittedAnswer
from app.extensions import db
from app.models import AssessmentStatus, Respondent
from app.reports.actions import set_action_owner
from tests.test_home import new_assessment, text_of

LEAD_GOALS_EN = "Our senior management has decided whether CRM should mainly serve"
LEAD_GOALS_FA = "مدیریت ارشد ما مشخص کرده است"


@pytest.fixture
def trail(world):
    """An assessment whose trail has answers (a value, "not applicable", a comment), a
    target, changes of state, a consensus value and an action-plan owner."""
    assessment = new_assessment(world, "Readiness", status=AssessmentStatus.OPEN)
    consultant = Actor.of_user(world.consultant_assigned)
    respondent = Respondent(assessment=assessment, name='=HYPERLINK("x")', group="manager")
    db.session.add(respondent)
    db.session.flush()
    answers = [
        SubmittedAnswer("supporting-conditions", "lead-goals", 4, False, "Only on paper"),
        SubmittedAnswer("supporting-conditions", "lead-priority", None, True, ""),
    ]
    services.save_answers(respondent, answers, Actor.of_respondent(respondent))
    services.save_answers(
        respondent,
        [SubmittedAnswer("supporting-conditions", "lead-goals", 2, False, "Only on paper")],
        Actor.of_respondent(respondent),
    )
    services.submit_response(respondent, Actor.of_respondent(respondent))
    services.set_target(
        assessment, "supporting-conditions", "leadership", "established", consultant
    )
    services.change_status(assessment, AssessmentStatus.IN_REVIEW, consultant)
    services.set_consensus(
        assessment, "supporting-conditions", "lead-goals", 5, "workshop", consultant
    )
    set_action_owner(
        assessment,
        ("supporting-conditions", "leadership", "emerging", 0),
        "Sara Moradi",
        date(2026, 12, 20),
        consultant,
    )
    db.session.commit()
    return assessment


def test_events_read_in_words_in_english(client, auth, world, trail):
    auth.login(world.consultant_assigned)
    page = text_of(client.get(f"/assessments/{trail.id}/audit").get_data(as_text=True))
    assert LEAD_GOALS_EN in page
    assert "supporting-conditions/" not in page  # no keys
    assert "Agree, comment: Only on paper" in page  # the first answer
    assert "Disagree, comment: Only on paper" in page  # changed to
    assert "Don't know / not applicable" in page
    assert "Strongly agree, note: workshop" in page  # the consensus value
    assert "Established" in page  # the target level
    assert "Open for answers In review" in page  # old and new state
    assert "owner: Sara Moradi, due date: Dec 20, 2026" in page
    assert "Leadership and management:" in page  # the recommendation's dimension


def test_events_read_in_words_in_persian(client, auth, world, trail):
    world.consultant_assigned.locale = "fa"
    db.session.commit()
    auth.login(world.consultant_assigned)
    page = text_of(client.get(f"/assessments/{trail.id}/audit").get_data(as_text=True))
    assert LEAD_GOALS_FA in page
    assert "موافقم" in page
    assert "نمی‌دانم / موضوعیت ندارد" in page
    assert "در حال بازبینی" in page  # "In review"


def test_the_trail_filters_by_kind_and_person_and_pages(client, auth, world, trail):
    auth.login(world.consultant_assigned)
    url = f"/assessments/{trail.id}/audit"
    answers = text_of(client.get(f"{url}?kind=answer").get_data(as_text=True))
    assert "3 events" in answers  # two answers, then one changed
    assert "Target level" not in answers.split("3 events")[1]
    people = text_of(client.get(f"{url}?person=Carl+Consultant").get_data(as_text=True))
    assert LEAD_GOALS_EN in people  # the consensus value
    assert "Don't know / not applicable" not in people  # the respondent's answers are not
    consultant = Actor.of_user(world.consultant_assigned)
    for number in range(60):
        services.record(trail, consultant, "observations", "", "", f"note {number}")
    db.session.commit()
    page = text_of(client.get(url).get_data(as_text=True))
    assert "Page 1 of 2" in page
    assert "note 59" in page
    assert "note 0 " not in page
    assert "note 0" in text_of(client.get(f"{url}?page=2").get_data(as_text=True))


def test_the_export_is_the_filtered_trail_and_safe_in_a_spreadsheet(client, auth, world, trail):
    auth.login(world.consultant_assigned)
    response = client.get(f"/assessments/{trail.id}/audit.csv?kind=answer")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["When", "Who", "What", "Concerning", "Respondent", "Old value", "New value"]
    assert len(rows) == 4  # the three answers
    for row in rows[1:]:
        assert row[1] == '\'=HYPERLINK("x")'  # a formula is kept as text
        assert row[2] == "Answer"
    assert any(LEAD_GOALS_EN in row[3] for row in rows[1:])
