"""Administrators manage user accounts."""

from __future__ import annotations

from sqlalchemy import select

from app.bidi import isolate_text
from app.extensions import db
from app.models import StaffRole, User
from tests import factories


def user_data(**overrides):
    data = {
        "name": "Parisa Navabi",
        "email": "parisa@example.com",
        "staff_role": "consultant",
        "locale": "fa",
        "active": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_admin_creates_a_consultant_who_gets_a_password_link(client, auth, world, caplog):
    auth.login(world.admin)
    response = client.post("/admin/users/new", data=user_data(), follow_redirects=True)
    assert f"Account for {isolate_text('Parisa Navabi')} created." in response.get_data(
        as_text=True
    )
    user = db.session.scalar(select(User).where(User.email == "parisa@example.com"))
    assert user.staff_role == StaffRole.CONSULTANT
    assert user.password_hash is None
    assert "/password/reset/" in caplog.text


def test_duplicate_email_is_refused_beside_the_field(client, auth, world):
    auth.login(world.admin)
    page = client.post(
        "/admin/users/new", data=user_data(email=world.owner.email.upper())
    ).get_data(as_text=True)
    assert 'id="email-error"' in page
    assert "Another account already uses this e-mail address." in page
    assert 'value="Parisa Navabi"' in page


def test_admin_edits_and_deactivates_a_user(client, auth, world):
    auth.login(world.admin)
    client.post(
        f"/admin/users/{world.consultant_unassigned.id}/edit",
        data=user_data(name="Una C.", email=world.consultant_unassigned.email, active=None),
    )
    user = db.session.get(User, world.consultant_unassigned.id)
    assert user.name == "Una C."
    assert user.active is False
    auth.logout()
    assert auth.login(user).status_code == 200  # a deactivated account cannot log in


def test_admin_cannot_lock_themselves_out(client, auth, world):
    auth.login(world.admin)
    page = client.post(
        f"/admin/users/{world.admin.id}/edit",
        data=user_data(email=world.admin.email, staff_role="consultant"),
    ).get_data(as_text=True)
    assert "You cannot remove your own administrator role" in page
    assert db.session.get(User, world.admin.id).staff_role == StaffRole.ADMIN


def test_user_list_search_and_status(client, auth, world):
    factories.make_user(name="Invited Ivan", password=None)
    auth.login(world.admin)
    page = client.get("/admin/users", query_string={"q": "ivan"}).get_data(as_text=True)
    assert "Invited Ivan" in page
    assert "Invited</td>" in page
    assert "Olga Owner" not in page


def test_admin_sends_a_password_link(client, auth, world, caplog):
    auth.login(world.admin)
    response = client.post(f"/admin/users/{world.manager.id}/password-link", follow_redirects=True)
    assert (
        f"A link to set a password was sent to {isolate_text(world.manager.email)}"
        in response.get_data(as_text=True)
    )
    assert world.manager.email in caplog.text


def test_user_list_is_paginated(client, auth, world, monkeypatch):
    monkeypatch.setitem(client.application.config, "ITEMS_PER_PAGE", 4)
    auth.login(world.admin)
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert 'href="/admin/users?page=2" rel="next"' in first
    first = first.split("<table")[1]  # the list, not the header's signed-in name
    second = client.get("/admin/users?page=2").get_data(as_text=True).split("<table")[1]
    names = ["Ada Admin", "Carl Consultant", "Max Manager", "Olga Owner", "Otto Outsider"]
    assert sum(name in first for name in names) == 4  # sorted by name, four a page
    assert "Una Consultant" in second
    assert "Ada Admin" not in second
