"""The assessment's page as the consultant's cockpit: its stage and next step, the report
once there are results, only the actions that still apply; new links shown once after the
redirect, with an honest word on whether an e-mail went out; one invitation per address."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.assessments import respondents, services
from app.assessments.services import Actor
from app.extensions import db
from app.models import Assessment, AssessmentStatus, Respondent
from tests.test_home import invite, new_assessment, text_of
from tests.test_mail import body_of

LINK = re.compile(r'value="http://localhost(/r/[^"]+)"')


def paste(client, assessment, lines: str):
    return client.post(
        f"/assessments/{assessment.id}/respondents/paste", data={"lines": lines, "locale": "fa"}
    )


def stage_of(page: str) -> str:
    return re.search(r'aria-current="step">([^<]+)<', page).group(1)


def test_the_page_shows_the_stage_and_one_next_step_as_it_moves_on(client, auth, world):
    assessment = new_assessment(world, "Readiness")
    auth.login(world.consultant_assigned)
    url = f"/assessments/{assessment.id}"
    page = client.get(url).get_data(as_text=True)
    assert stage_of(page) == "Set-up"
    assert f'href="{url}#add-respondent"' in page
    assert "Results and report" not in page  # no results yet
    paste(client, assessment, "Ali, ali@example.com, manager\nSara, sara@example.com, manager")
    page = client.get(url).get_data(as_text=True)
    assert "2 respondents are invited." in text_of(page)
    client.post(f"{url}/status", data={"to": "open"})
    page = client.get(url).get_data(as_text=True)
    assert stage_of(page) == "Open for answers"
    assert "0 of 2 respondents have submitted." in text_of(page)
    assert f'action="{url}/remind"' in page
    for respondent in db.session.get(Assessment, assessment.id).respondents:
        services.submit_response(respondent, Actor.of_respondent(respondent))
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Close answering to review the results." in text_of(page)
    assert "Results and report" in page  # the report's buttons, now that there are results
    for language in ("fa", "en"):
        assert f'href="{url}/report.pdf?lang={language}"' in page
    response = client.post(f"{url}/status", data={"to": "in_review"})
    assert response.headers["Location"] == f"{url}/results"  # closing lands on the review
    assert stage_of(client.get(url).get_data(as_text=True)) == "Review"


def test_a_published_assessment_offers_no_action_that_no_longer_applies(client, auth, world):
    assessment = new_assessment(world, "Readiness", status=AssessmentStatus.OPEN)
    respondent = invite(assessment, "Ali", "ali@example.com", submitted=True)
    waiting = invite(assessment, "Sara", "sara@example.com")
    actor = Actor.of_user(world.consultant_assigned)
    for status in (AssessmentStatus.IN_REVIEW, AssessmentStatus.PUBLISHED):
        services.change_status(assessment, status, actor)
    db.session.commit()
    auth.login(world.consultant_assigned)
    url = f"/assessments/{assessment.id}"
    page = client.get(url).get_data(as_text=True)
    assert stage_of(page) == "Published"
    for gone in (
        "New link",
        "Revoke link",
        "Unlock",
        "Add a respondent",
        "Paste a list",
        "Import answers",
        "Targets",
    ):
        assert gone not in page, gone
    assert "Download the report (PDF)" in page
    # Sent anyway (from a page left open), each is refused with a message and changes nothing.
    for action, someone in (("link", waiting), ("revoke", waiting), ("unlock", respondent)):
        page = client.post(
            f"{url}/respondents/{someone.id}/{action}", follow_redirects=True
        ).get_data(as_text=True)
        assert "That is no longer possible for this assessment." in page
    db.session.refresh(waiting)
    db.session.refresh(respondent)
    assert waiting.revoked_at is None
    assert respondent.submitted_at is not None
    response = client.get(f"{url}/respondents/paste", follow_redirects=True)
    assert "Respondents can no longer be added to this assessment." in response.get_data(
        as_text=True
    )


def test_respondents_pasted_on_creation_get_links_shown_once_after_the_redirect(
    client, auth, world, app
):
    auth.login(world.consultant_assigned)
    response = client.post(
        f"/organisations/{world.organisation.id}/assessments/new",
        data={
            "title": "Readiness 2027",
            "questionnaires": ["supporting-conditions"],
            "groups": ["manager", "staff"],
            "respondents": "Ali Navabi, Ali@Example.com, manager\n"
            "Sara Moradi, sara@example.com, staff",
            "locale": "fa",
            "open_now": "y",
        },
    )
    assert response.status_code == 302
    cookie = client.get_cookie("session").value
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assessment = db.session.scalar(select(Assessment).where(Assessment.title == "Readiness 2027"))
    assert assessment.status is AssessmentStatus.OPEN
    assert "Assessment created and open for answers; 2 respondents invited." in page
    links = LINK.findall(page)
    assert len(links) == 2
    # The links work, the database holds only their hashes and the session no token.
    tokens = [link.split("/")[2] for link in links]
    hashes = set(db.session.scalars(select(Respondent.token_hash)))
    assert hashes == {respondents.hash_token(token) for token in tokens}
    session = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert not any(token in repr(session) for token in tokens)
    auth.logout()
    assert client.get(links[0]).status_code == 302
    auth.login(world.consultant_assigned)
    again = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert not LINK.findall(again)  # shown once
    assert "ali@example.com" in again  # addresses are kept in lower case


def test_a_link_replaced_before_it_is_shown_is_not_shown(client, auth, world):
    assessment = new_assessment(world, "Readiness", status=AssessmentStatus.OPEN)
    auth.login(world.consultant_assigned)
    paste(client, assessment, "Ali, ali@example.com, manager")
    respondent = db.session.scalar(select(Respondent))
    client.post(f"/assessments/{assessment.id}/respondents/{respondent.id}/revoke")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert not LINK.findall(page)


def test_the_same_address_twice_in_one_assessment_is_refused(client, auth, world):
    assessment = new_assessment(world, "Readiness")
    auth.login(world.consultant_assigned)
    paste(client, assessment, "Ali, ali@example.com, manager")
    page = client.post(
        f"/assessments/{assessment.id}/respondents",
        data={"name": "Ali again", "email": "ALI@example.com", "group": "manager", "locale": "fa"},
    ).get_data(as_text=True)
    assert "ali@example.com is already invited to this assessment." in page
    assert 'value="Ali again"' in page  # nothing typed is lost
    page = paste(
        client, assessment, "Sara, sara@example.com, manager\nAli, Ali@Example.com, manager"
    ).get_data(as_text=True)
    assert "Line 2: ali@example.com is already invited to this assessment." in page
    page = paste(
        client, assessment, "Sara, sara@example.com, manager\nSara M, SARA@example.com, manager"
    ).get_data(as_text=True)
    assert "Line 2: sara@example.com is already invited to this assessment." in page
    assert db.session.scalar(select(func.count(Respondent.id))) == 1
    # Another assessment may invite the same person.
    other = new_assessment(world, "Another")
    assert paste(client, other, "Ali, ali@example.com, manager").status_code == 302


def test_the_creation_form_refuses_an_address_twice_and_keeps_the_list(client, auth, world):
    auth.login(world.consultant_assigned)
    page = client.post(
        f"/organisations/{world.organisation.id}/assessments/new",
        data={
            "title": "Readiness 2027",
            "questionnaires": ["supporting-conditions"],
            "groups": ["manager"],
            "respondents": "Ali, ali@example.com, manager\nAli N, ALI@example.com, manager",
            "locale": "fa",
        },
    ).get_data(as_text=True)
    assert "Line 2: ali@example.com is already invited to this assessment." in page
    assert "Ali N, ALI@example.com, manager" in page
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_without_a_mail_server_the_page_says_no_email_was_sent(client, auth, world):
    assessment = new_assessment(world, "Readiness")
    auth.login(world.consultant_assigned)
    page = paste(client, assessment, "Ali, ali@example.com, manager")
    page = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "No e-mail was sent: this server has no mail server set up." in page
    assert "not e-mailed" in page
    field = re.search(r'<input class="copy-field"[^>]*>', page).group(0)
    assert "readonly" in field  # selectable and copyable by hand, without JavaScript
    assert 'data-copy-label="Copy"' in field
    # The copy button comes from one file of this site; the page has no inline script.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/copy.js" defer>']
    with client.get("/static/js/copy.js") as script:
        assert "navigator.clipboard" in script.get_data(as_text=True)


def test_with_a_mail_server_the_page_says_each_email_is_on_its_way(client, auth, world, smtp):
    assessment = new_assessment(world, "Readiness")
    auth.login(world.consultant_assigned)
    response = paste(client, assessment, "Ali, ali@example.com, manager")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "An e-mail with their own link is on its way to each respondent below." in page
    assert "No e-mail was sent" not in page
    (message,) = smtp.wait_for_messages(1)
    assert "To: ali@example.com" in message
    (link,) = LINK.findall(page)
    assert link in body_of(message)  # the link shown is the one sent


def test_a_member_invited_at_their_address_is_linked_to_their_account(client, auth, world):
    assessment = new_assessment(world, "Readiness", status=AssessmentStatus.OPEN)
    auth.login(world.consultant_assigned)
    paste(client, assessment, f"Max, {world.manager.email.upper()}, manager")
    respondent = db.session.scalar(select(Respondent))
    assert respondent.user_id == world.manager.id  # they answer from their home page
