"""Running an assessment: set up, invite, answer, review, publish."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Assessment, AssessmentStatus, AuditEvent, Respondent, Target

NEW = {
    "title": "Readiness 2026",
    "questionnaires": ["supporting-conditions"],
    "groups": ["executive", "manager", "staff"],
    "deadline": "2026-12-31",
}


def create(client, world, data=None) -> Assessment:
    response = client.post(
        f"/organisations/{world.organisation.id}/assessments/new", data=data or NEW
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Assessment).order_by(Assessment.id.desc()))


def add_respondent(client, assessment, name="Reza", email="reza@example.com", group="manager"):
    response = client.post(
        f"/assessments/{assessment.id}/respondents",
        data={"name": name, "email": email, "group": group, "locale": "fa"},
    )
    assert response.status_code == 302  # a refresh of the next page adds nobody again
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'value="http://localhost(/r/[^"]+)"', page)
    assert link, page
    return link.group(1)


def set_status(client, assessment, to):
    return client.post(f"/assessments/{assessment.id}/status", data={"to": to})


def answer_page(client, link, number, values, go="next", seen=None):
    """Post one page: ``values`` maps item ids to '1'..'5' or 'na'."""
    data = {"go": go}
    for item, value in values.items():
        data[f"v_{item}"] = value
        data[f"s_{item}"] = (seen or {}).get(item, "|")
    return client.post(f"{link}/{number}", data=data)


@pytest.fixture
def open_assessment(client, auth, world):
    auth.login(world.consultant_assigned)
    assessment = create(client, world)
    link = add_respondent(client, assessment)
    set_status(client, assessment, "open")
    auth.logout()
    return assessment, link


def test_consultant_creates_an_assessment_with_frozen_questionnaires(client, auth, world):
    auth.login(world.consultant_assigned)
    assessment = create(client, world)
    assert assessment.status is AssessmentStatus.DRAFT
    assert assessment.groups == ["executive", "manager", "staff"]
    assert assessment.deadline == date(2026, 12, 31)
    (link,) = assessment.questionnaires
    assert link.version.questionnaire_key == "supporting-conditions"
    assert link.version.definition["dimensions"][0]["id"] == "leadership"
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "Readiness 2026" in page
    assert "Open for answers" in page


def test_assessment_form_explains_mistakes_and_keeps_input(client, auth, world):
    auth.login(world.consultant_assigned)
    page = client.post(
        f"/organisations/{world.organisation.id}/assessments/new",
        data={"title": "Kept title", "other_groups": "board, board", "deadline": "not a date"},
    ).get_data(as_text=True)
    assert "Choose at least one questionnaire." in page
    assert "Each group may appear only once." in page
    assert 'value="Kept title"' in page
    assert 'value="board, board"' in page
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_respondent_answers_over_two_sittings_and_submits(client, open_assessment):
    _assessment, link = open_assessment
    first = client.get(link)
    assert first.headers["Location"].endswith(f"{link}/1")
    page = client.get(f"{link}/1").get_data(as_text=True)
    assert "رهبری" in page  # the respondent's language (Persian) is used
    answer_page(client, link, 1, {"lead-goals": "4", "lead-priority": "5", "lead-oversight": "na"})
    # Later, on another device: the same link resumes on the first page with gaps.
    other_device = client.application.test_client()
    assert other_device.get(link).headers["Location"].endswith(f"{link}/1")
    resumed = other_device.get(f"{link}/1").get_data(as_text=True)
    assert 'name="v_lead-goals" value="4" checked' in resumed
    assert 'name="v_lead-oversight" value="na" checked' in resumed
    assert "به ۳ پرسش از ۳۲ پرسش پاسخ داده شده است" in other_device.get(f"{link}/2").get_data(
        as_text=True
    )
    saved = {a.item_id: (a.value, a.not_applicable) for a in db.session.scalars(select(Answer))}
    assert saved == {
        "lead-goals": (4, False),
        "lead-priority": (5, False),
        "lead-oversight": (None, True),
    }
    review = other_device.get(f"{link}/review").get_data(as_text=True)
    assert "۲۹ پرسش هنوز بی‌پاسخ مانده است" in review  # 32 items, 3 answered; in Persian
    other_device.post(f"{link}/review")
    respondent = db.session.scalar(select(Respondent))
    assert respondent.submitted_at is not None
    # Locked: another save is refused and nothing changes.
    response = answer_page(client, link, 1, {"lead-goals": "1"})
    assert response.headers["Location"].endswith(f"{link}/done")
    assert db.session.scalar(select(Answer.value).where(Answer.item_id == "lead-goals")) == 4


def test_an_invalid_choice_is_explained_and_nothing_typed_is_lost(client, open_assessment):
    _assessment, link = open_assessment
    # lead-sponsor does not allow "not applicable"; the page comes back with the error
    # and with the other answers still chosen.
    response = answer_page(client, link, 1, {"lead-goals": "4", "lead-sponsor": "na"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="v_lead-sponsor-error"' in page
    assert re.search(r'value="4"[^>]*checked|checked[^>]*value="4"', page)
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_a_stale_tab_does_not_overwrite_newer_answers(client, open_assessment):
    _assessment, link = open_assessment
    # Tab A and tab B both opened page 1 while it was empty ("seen" = "|").
    answer_page(client, link, 1, {"lead-goals": "5"}, go="stay")  # tab B answers first
    # Tab A only answers another item; it still sends lead-goals as it saw it (empty).
    answer_page(client, link, 1, {"lead-priority": "2"}, go="stay")
    answers = {a.item_id: a.value for a in db.session.scalars(select(Answer))}
    assert answers == {"lead-goals": 5, "lead-priority": 2}


def test_saving_the_same_page_twice_keeps_one_answer_per_item(client, open_assessment):
    _assessment, link = open_assessment
    for _ in range(2):
        answer_page(client, link, 1, {"lead-goals": "3"}, go="stay")
    assert db.session.scalar(select(func.count(Answer.id))) == 1


def test_a_double_submit_submits_once(client, open_assessment):
    _assessment, link = open_assessment
    answer_page(client, link, 1, {"lead-goals": "3"})
    client.post(f"{link}/review")
    client.post(f"{link}/review")
    submitted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "submitted")).all()
    assert len(submitted) == 1


def test_unknown_or_revoked_links_open_nothing(client, auth, world, open_assessment):
    assessment, link = open_assessment
    assert client.get("/r/not-a-real-token").status_code == 404
    auth.login(world.consultant_assigned)
    respondent = db.session.scalar(select(Respondent))
    client.post(f"/assessments/{assessment.id}/respondents/{respondent.id}/revoke")
    auth.logout()
    assert client.get(link).status_code == 404


def test_new_link_replaces_the_old_one(client, auth, world, open_assessment):
    assessment, old_link = open_assessment
    auth.login(world.consultant_assigned)
    respondent = db.session.scalar(select(Respondent))
    page = client.post(
        f"/assessments/{assessment.id}/respondents/{respondent.id}/link", follow_redirects=True
    ).get_data(as_text=True)
    new_link = re.search(r'value="http://localhost(/r/[^"]+)"', page).group(1)
    auth.logout()
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 302
    assert len(respondent.token_hash) == 64  # only a hash of the token is stored
    assert new_link.split("/")[2] not in respondent.token_hash


def test_paste_a_list_is_all_or_nothing(client, auth, world):
    auth.login(world.consultant_assigned)
    assessment = create(client, world)
    page = client.post(
        f"/assessments/{assessment.id}/respondents/paste",
        data={"lines": "Ali, ali@example.com, staff\nBad line\nSara, sara@x, boss", "locale": "fa"},
    ).get_data(as_text=True)
    assert "Line 2: write name, e-mail, group." in page
    assert "Line 3: sara@x is not an e-mail address." in page
    assert "Ali, ali@example.com, staff" in page  # what was typed stays in the box
    assert db.session.scalar(select(func.count(Respondent.id))) == 0
    page = client.post(
        f"/assessments/{assessment.id}/respondents/paste",
        data={
            "lines": "Ali, ali@example.com, staff\nSara, sara@example.com, مدیر ارشد",
            "locale": "fa",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert page.count("/r/") == 2
    groups = dict(db.session.execute(select(Respondent.name, Respondent.group)).all())
    assert groups == {"Ali": "staff", "Sara": "executive"}  # a group's Persian name works too


def test_invitation_email_is_sent_in_the_respondents_language(client, auth, world, caplog):
    auth.login(world.consultant_assigned)
    assessment = create(client, world)
    add_respondent(client, assessment)
    assert "To: reza@example.com" in caplog.text
    assert "/r/" in caplog.text
    assert "Subject: پرسش‌نامهٔ شما: Readiness 2026" in caplog.text  # Persian, as chosen


def test_member_answers_from_their_dashboard(client, auth, world):
    auth.login(world.consultant_assigned)
    assessment = create(client, world)
    add_respondent(client, assessment, name=world.manager.name, email=world.manager.email)
    set_status(client, assessment, "open")
    auth.logout()
    auth.login(world.manager)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    respondent = db.session.scalar(select(Respondent))
    assert f"/answer/{respondent.id}" in dashboard
    assert client.get(f"/answer/{respondent.id}").status_code == 302
    auth.logout()
    auth.login(world.owner)  # another member may not open it
    assert client.get(f"/answer/{respondent.id}").status_code == 403


def test_review_publish_and_owner_sees_results(client, auth, world, open_assessment):
    assessment, link = open_assessment
    values = {
        "lead-goals": "2",
        "lead-priority": "2",
        "lead-sponsor": "1",
        "lead-oversight": "2",
        "lead-silos": "2",
        "lead-review": "1",
    }
    answer_page(client, link, 1, values)
    client.post(f"{link}/review")
    auth.login(world.owner)
    assert client.get(f"/assessments/{assessment.id}/results").status_code == 403
    auth.logout()

    auth.login(world.consultant_assigned)
    set_status(client, assessment, "in_review")
    results = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert "under its critical threshold" in results  # leadership is critical
    assert "<svg" in results
    client.post(
        f"/assessments/{assessment.id}/consensus",
        data={
            "questionnaire": "supporting-conditions",
            "item": "lead-sponsor",
            "value": "3",
            "note": "Workshop",
        },
    )
    # The next view shows the value chosen for that question, and no other chosen.
    results = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    chosen = re.findall(r'<select name="value" id="value-([\w-]+)">(.*?)</select>', results, re.S)
    assert [
        (item, re.findall(r'<option value="(\d)" selected>', options))
        for item, options in chosen
        if " selected" in options
    ] == [("lead-sponsor", ["3"])]
    assert len(chosen) == len({item for item, _options in chosen}) > 1
    assert 'value="Workshop"' in results
    client.post(
        f"/assessments/{assessment.id}/observations", data={"observations": "Strong sales team."}
    )
    set_status(client, assessment, "published")
    auth.logout()

    auth.login(world.owner)
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert "Strong sales team." in page
    assert "Action plan" in page
    assert "Answers by question" not in page  # item details are for the consultant
    audit = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert audit.count("status") == 3
    assert {"consensus", "observations", "submitted"} <= set(audit)


def test_published_assessment_can_be_reopened_and_it_is_recorded(client, auth, world):
    auth.login(world.consultant_assigned)
    assessment = create(client, world)
    for to in ("open", "in_review", "published", "in_review"):
        set_status(client, assessment, to)
    assert db.session.get(Assessment, assessment.id).status is AssessmentStatus.IN_REVIEW
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-1] == "reopened"
    page = client.get(f"/assessments/{assessment.id}/audit").get_data(as_text=True)
    assert "Reopened after publishing" in page
    # An impossible move is refused.
    response = set_status(client, assessment, "draft")
    assert db.session.get(Assessment, assessment.id).status is AssessmentStatus.IN_REVIEW
    assert response.status_code == 302


def test_targets_change_the_gap_and_are_recorded(client, auth, world, open_assessment):
    assessment, link = open_assessment
    answer_page(
        client,
        link,
        1,
        {
            f"lead-{k}": "3"
            for k in ("goals", "priority", "sponsor", "oversight", "silos", "review")
        },
    )
    client.post(f"{link}/review")
    auth.login(world.consultant_assigned)
    page = client.get(f"/assessments/{assessment.id}/targets").get_data(as_text=True)
    # Only leadership is scored (50): the overall level is Developing, so by default
    # every dimension aims at the level above it.
    assert "The level above the overall level (now Established)" in page
    client.post(
        f"/assessments/{assessment.id}/targets",
        data={"assessment_target": "emerging", "t_supporting-conditions__leadership": "leading"},
    )
    db.session.refresh(assessment)
    assert assessment.target_level == "emerging"
    target = db.session.scalar(select(Target))
    assert (target.dimension_id, target.level) == ("leadership", "leading")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "target").order_by(AuditEvent.id)
    ).all()
    assert [(e.subject, e.old_value, e.new_value) for e in events] == [
        ("", None, "emerging"),
        ("supporting-conditions/leadership", None, "leading"),
    ]
    set_status(client, assessment, "in_review")
    results = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    # Leadership 50 against its own target "Leading" (80): a gap of 30.0.
    assert re.search(r"Leadership.*?30\.0", results, re.S)


def test_remind_sends_new_links_to_those_still_answering(client, auth, world, caplog):
    auth.login(world.consultant_assigned)
    assessment = create(client, world)
    add_respondent(client, assessment, name="Waiting", email="waiting@example.com")
    done_link = add_respondent(client, assessment, name="Done", email="done@example.com")
    set_status(client, assessment, "open")
    auth.logout()
    client.post(f"{done_link}/review")
    caplog.clear()
    auth.login(world.consultant_assigned)
    response = client.post(f"/assessments/{assessment.id}/remind", follow_redirects=True)
    page = response.get_data(as_text=True)
    # No mail server here: the page says so and shows the new link to pass on.
    assert "1 respondents have a new link; pass each one on." in page
    assert "No e-mail was sent" in page
    assert page.count('class="copy-field"') == 1
    assert "To: waiting@example.com" in caplog.text
    assert "done@example.com" not in caplog.text


def test_concurrent_saves_and_submits_leave_one_consistent_response(app, open_assessment):
    """Several requests at the same moment, as from a double click or two tabs."""
    _assessment, link = open_assessment
    barrier = threading.Barrier(4)
    codes = []

    def save(value):
        client = app.test_client()
        barrier.wait()
        codes.append(answer_page(client, link, 1, {"lead-goals": value}, go="stay").status_code)

    threads = [threading.Thread(target=save, args=(str(v),)) for v in (2, 3, 4, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [302] * 4
    rows = db.session.scalars(select(Answer).where(Answer.item_id == "lead-goals")).all()
    assert len(rows) == 1
    assert rows[0].value in (2, 3, 4, 5)

    submit_barrier = threading.Barrier(3)

    def submit():
        client = app.test_client()
        submit_barrier.wait()
        client.post(f"{link}/review")

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    submitted = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "submitted")).all()
    assert len(submitted) == 1
    assert db.session.scalar(select(Respondent.submitted_at)) is not None


def test_exports_in_every_format(client, auth, world, open_assessment):
    assessment, link = open_assessment
    answer_page(client, link, 1, {"lead-goals": "4"})
    client.post(f"{link}/review")
    auth.login(world.consultant_assigned)
    base = f"/assessments/{assessment.id}/export"
    answers = client.get(f"{base}/answers.csv")
    assert answers.mimetype == "text/csv"
    assert "attachment" in answers.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answers.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["name", "email", "group", "submitted_at"]
    goals = next(row for row in rows if "lead-goals" in row)
    assert "Reza" in goals
    assert "4" in goals
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}/assessment.xlsx").data))
    assert workbook.sheetnames == ["results", "answers"]
    document = json.loads(client.get(f"{base}/assessment.json").data)
    assert document["meta"]["assessment"] == "Readiness 2026"
    assert document["questionnaires"] == [{"id": "supporting-conditions", "version": "1.1.0"}]
    assert client.get(f"{base}/secrets.txt").status_code == 404


def test_import_is_all_or_nothing_with_a_report(client, auth, world):
    auth.login(world.consultant_assigned)
    assessment = create(client, world)
    template = client.get(f"/assessments/{assessment.id}/import/template.csv")
    header = template.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("name,email,group,supporting-conditions:lead-goals")
    bad = header + "\nAli,ali@example.com,staff,4\nSara,sara@example.com,boss,9\n"
    page = client.post(
        f"/assessments/{assessment.id}/import",
        data={"file": (io.BytesIO(bad.encode()), "paper.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "Line 3: the group must be one of: executive, manager, staff." in page
    assert "9 is not a value on this question&#39;s scale." in page  # escaped as text
    assert db.session.scalar(select(func.count(Respondent.id))) == 0
    good = header + "\nAli,ali@example.com,staff,4\nSara,sara@example.com,manager,۵\n"
    response = client.post(
        f"/assessments/{assessment.id}/import",
        data={"file": (io.BytesIO(good.encode()), "paper.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "2 responses imported from paper.csv." in response.get_data(as_text=True)
    imported = db.session.scalars(select(Respondent).order_by(Respondent.name)).all()
    assert [(r.name, r.group, r.submitted_at is not None) for r in imported] == [
        ("Ali", "staff", True),
        ("Sara", "manager", True),
    ]
    assert sorted(a.value for r in imported for a in r.answers) == [4, 5]


def test_import_refuses_other_file_types(client, auth, world):
    auth.login(world.consultant_assigned)
    assessment = create(client, world)
    page = client.post(
        f"/assessments/{assessment.id}/import",
        data={"file": (io.BytesIO(b"x"), "notes.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Upload an .xlsx or .csv file." in page
