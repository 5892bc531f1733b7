"""Answering from one's account (/answer/<respondent>/...) stops when the consultant
revokes the invitation, and when the person leaves the organisation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.assessments import scores
from app.extensions import db
from app.models import Answer
from app.respond.pages import pages_of


def first_page_form(assessment) -> dict[str, str]:
    page = pages_of(scores.definitions(assessment))[0]
    form = {"go": "stay"}
    for item in page.dimension.items:
        form[f"v_{item.id}"] = "3"
        form[f"s_{item.id}"] = "|"
    return form


def revoke(client, auth, world, assessments) -> None:
    auth.login(world.consultant_assigned)
    client.post(
        f"/assessments/{assessments.open.id}/respondents/{assessments.respondent.id}/revoke"
    )
    auth.logout()


def remove_from_organisation(client, auth, world, assessments) -> None:
    auth.login(world.consultant_assigned)
    client.post(
        f"/organisations/{world.organisation.id}/members/{world.manager_membership.id}/remove"
    )
    auth.logout()


def test_the_invited_member_answers_from_their_account(client, auth, world, assessments):
    auth.login(world.manager)
    address = f"/answer/{assessments.respondent.id}"
    assert address in client.get("/dashboard").get_data(as_text=True)
    response = client.post(f"{address}/1", data=first_page_form(assessments.open))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Answer.id))) > 0


@pytest.mark.parametrize("withdraw", [revoke, remove_from_organisation])
def test_a_withdrawn_member_can_no_longer_answer(client, auth, world, assessments, withdraw):
    withdraw(client, auth, world, assessments)
    auth.login(world.manager)
    address = f"/answer/{assessments.respondent.id}"
    assert address not in client.get("/dashboard").get_data(as_text=True)
    for path in (address, f"{address}/1", f"{address}/review", f"{address}/done"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "You do not have permission to open this page." in response.get_data(as_text=True)
    response = client.post(f"{address}/1", data=first_page_form(assessments.open))
    assert response.status_code == 403
    assert client.post(f"{address}/review").status_code == 403
    assert db.session.scalar(select(func.count(Answer.id))) == 0
    assert assessments.respondent.submitted_at is None
