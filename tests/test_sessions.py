"""Signed-in sessions live on the server: signing out, a new password, a reset or a
deactivation ends them wherever their cookies are; idle and old sessions end by
themselves; signing in starts a fresh session and CSRF token; people see and end their
sessions."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from app.auth.password_links import make_reset_token
from app.extensions import db
from app.models import Answer, StaffRole, User, UserSession, utcnow
from tests import factories
from tests.conftest import csrf_token_from

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def sign_in(client, user, *, remember: bool = False, user_agent: str | None = None):
    data = {"email": user.email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    headers = {"User-Agent": user_agent} if user_agent else {}
    response = client.post("/login", data=data, headers=headers)
    assert response.headers["Location"] == "/dashboard"
    return response


def cookie(client, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def opens_dashboard(app, **cookies: str) -> bool:
    """Whether a browser holding only these cookies gets the dashboard."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/dashboard").status_code == 200


def age_sessions(user: User, *, idle: timedelta, since_sign_in: timedelta | None = None) -> None:
    now = utcnow()
    values = {"last_seen_at": now - idle}
    if since_sign_in is not None:
        values["created_at"] = now - since_sign_in
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id).values(values))
    db.session.commit()


# F4: logging out ends the session on the server.


def test_after_logout_the_old_session_cookie_opens_nothing(app, client):
    user = factories.make_user()
    sign_in(client, user)
    stolen = cookie(client, "session")
    assert opens_dashboard(app, session=stolen)
    client.post("/logout")
    assert not opens_dashboard(app, session=stolen)


def test_after_logout_the_old_remember_me_cookie_opens_nothing(app, client):
    user = factories.make_user()
    sign_in(client, user, remember=True)
    stolen = cookie(client, "remember_token")
    assert opens_dashboard(app, remember_token=stolen)  # it works on its own
    client.post("/logout")
    assert client.get_cookie("remember_token") is None  # this browser forgot it
    assert not opens_dashboard(app, remember_token=stolen)  # and a copy is void


def test_cookies_carry_a_random_secret_whose_hash_alone_is_stored(app, client):
    user = factories.make_user()
    sign_in(client, user, remember=True)
    remember = cookie(client, "remember_token")
    secret = remember.split("|")[0]
    assert str(user.id) != secret
    assert len(secret) >= 40
    stored = db.session.scalars(select(UserSession.token_hash)).all()
    assert len(stored) == 1
    assert secret not in stored[0]


# Ends that come from changes to the account.


def test_a_new_password_signs_out_the_other_browsers_and_renews_this_one(app, client):
    user = factories.make_user()
    other = app.test_client()
    sign_in(other, user, remember=True)
    other_cookies = {
        "session": cookie(other, "session"),
        "remember_token": cookie(other, "remember_token"),
    }
    sign_in(client, user, remember=True)
    before_change = cookie(client, "session")

    new = "a different secret"
    response = client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "password": new, "confirm": new},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Your password has been changed." in page
    assert "Other sessions signed out: 1." in page
    assert client.get("/dashboard").status_code == 200  # this browser stays signed in
    assert not opens_dashboard(app, session=other_cookies["session"])
    assert not opens_dashboard(app, remember_token=other_cookies["remember_token"])
    # This browser goes on under a new secret: a copy of its cookie from before is void.
    assert not opens_dashboard(app, session=before_change)
    assert opens_dashboard(app, remember_token=cookie(client, "remember_token"))


def test_a_password_reset_signs_out_every_session(app, client):
    user = factories.make_user()
    sign_in(client, user, remember=True)
    remembered = cookie(client, "remember_token")
    token = make_reset_token(user)
    new = {"password": "brand new secret", "confirm": "brand new secret"}
    app.test_client().post(f"/password/reset/{token}", data=new)
    assert client.get("/dashboard").headers["Location"].startswith("/login")
    assert not opens_dashboard(app, remember_token=remembered)


def test_deactivating_an_account_ends_its_sessions_for_good(app, client, auth):
    admin = factories.make_user(staff_role=StaffRole.ADMIN)
    user = factories.make_user(name="Dee Activated")
    browser = app.test_client()
    sign_in(browser, user, remember=True)
    remembered = cookie(browser, "remember_token")
    form = {"name": user.name, "email": user.email, "staff_role": "", "locale": "en"}

    auth.login(admin)
    client.post(f"/admin/users/{user.id}/edit", data=form)  # "active" left unticked
    assert browser.get("/dashboard").headers["Location"].startswith("/login")
    client.post(f"/admin/users/{user.id}/edit", data={**form, "active": "y"})
    assert not opens_dashboard(app, remember_token=remembered)  # not revived by reactivation
    assert browser.get("/dashboard").headers["Location"].startswith("/login")


# Ends that come with time.


@pytest.mark.parametrize(
    ("staff_role", "idle_hours", "still_signed_in"),
    [
        (StaffRole.CONSULTANT, 7.9, True),
        (StaffRole.CONSULTANT, 8.1, False),
        (StaffRole.ADMIN, 8.1, False),
        (None, 8.1, True),  # organisation members: a day
        (None, 23.9, True),
        (None, 24.1, False),
    ],
)
def test_sessions_end_after_their_idle_time(app, client, staff_role, idle_hours, still_signed_in):
    user = factories.make_user(staff_role=staff_role)
    sign_in(client, user, remember=True)
    remembered = cookie(client, "remember_token")
    age_sessions(user, idle=timedelta(hours=idle_hours))
    assert opens_dashboard(app, remember_token=remembered) is still_signed_in
    response = client.get("/dashboard")
    assert (response.status_code == 200) is still_signed_in


def test_the_idle_time_is_configurable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_HOURS_STAFF", 1)
    user = factories.make_user(staff_role=StaffRole.CONSULTANT)
    sign_in(client, user)
    age_sessions(user, idle=timedelta(minutes=61))
    assert client.get("/dashboard").headers["Location"].startswith("/login")


def test_using_a_session_keeps_it_alive(app, client):
    user = factories.make_user(staff_role=StaffRole.CONSULTANT)
    sign_in(client, user)
    age_sessions(user, idle=timedelta(hours=7))
    assert client.get("/dashboard").status_code == 200  # seen now: the clock starts again
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)


def test_a_session_ends_at_its_absolute_lifetime_however_active(app, client, monkeypatch):
    user = factories.make_user()
    sign_in(client, user, remember=True)
    age_sessions(user, idle=timedelta(minutes=5), since_sign_in=timedelta(days=30, minutes=1))
    assert client.get("/dashboard").headers["Location"].startswith("/login")

    monkeypatch.setitem(app.config, "SESSION_MAX_AGE_DAYS", 0)  # no absolute limit
    sign_in(client, user)
    age_sessions(user, idle=timedelta(minutes=5), since_sign_in=timedelta(days=400))
    assert client.get("/dashboard").status_code == 200


@contextmanager
def session_writes():
    writes: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("UPDATE USER_SESSIONS"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield writes
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_last_seen_is_written_at_most_once_a_minute(app, client):
    user = factories.make_user()
    sign_in(client, user)
    with session_writes() as writes:
        for _request in range(5):
            assert client.get("/dashboard").status_code == 200
    assert writes == []  # signed in seconds ago: no write at all
    age_sessions(user, idle=timedelta(minutes=2))
    with session_writes() as writes:
        for _request in range(5):
            assert client.get("/dashboard").status_code == 200
    assert len(writes) == 1


# Renewal at sign-in (session fixation).


def test_a_session_and_csrf_token_planted_before_login_are_useless_after(csrf_app, client):
    user = factories.make_user()
    attacker = csrf_app.test_client()
    planted_token = csrf_token_from(attacker.get("/login").get_data(as_text=True))
    planted_cookie = cookie(attacker, "session")

    client.set_cookie("session", planted_cookie)  # the victim's browser gets the attacker's
    client.post(
        "/login",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": planted_token},
    )
    assert client.get("/dashboard").status_code == 200
    assert cookie(client, "session") != planted_cookie
    # The attacker's copy opens nothing, and its CSRF token no longer passes for the victim.
    assert attacker.get("/dashboard").headers["Location"].startswith("/login")
    response = client.post("/account/sessions/end-others", data={"csrf_token": planted_token})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    fresh = csrf_token_from(client.get("/account/sessions").get_data(as_text=True))
    assert (
        client.post("/account/sessions/end-others", data={"csrf_token": fresh}).status_code == 302
    )


def test_a_cookie_from_before_this_release_opens_nothing(app):
    """Sessions used to carry "<id>:<password fingerprint>"; such a cookie must not pass."""
    user = factories.make_user()
    browser = app.test_client()
    with browser.session_transaction() as cookie_session:
        cookie_session["_user_id"] = f"{user.id}:{user.credential_fingerprint}"
        cookie_session["_fresh"] = True
    assert browser.get("/dashboard").headers["Location"].startswith("/login")


# The signed-in sessions page.


def test_the_sessions_page_lists_each_browser_in_plain_words(app, client):
    user = factories.make_user()
    phone = app.test_client()
    sign_in(phone, user, remember=True, user_agent=SAFARI_ON_IPHONE)
    sign_in(client, user, user_agent=FIREFOX_ON_WINDOWS)
    page = client.get("/account/sessions", headers={"User-Agent": FIREFOX_ON_WINDOWS}).get_data(
        as_text=True
    )
    assert "Firefox on Windows" in page
    assert "Mobile Safari on iPhone" in page
    current = page.split('class="session session-current"')[1].split("</li>")[0]
    assert "Firefox on Windows" in current
    assert "This session" in current
    assert page.count("This session") == 1
    assert "Sign out everywhere else" in page
    assert "A session ends after 24 hours without use, and 30 days after signing in" in page


def test_the_sessions_page_in_persian_shows_the_solar_hijri_calendar(app, client):
    user = factories.make_user(locale="fa", staff_role=StaffRole.CONSULTANT)
    sign_in(client, user, user_agent=FIREFOX_ON_WINDOWS)
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "نشست‌های فعال" in page
    assert "Firefox روی Windows" in page
    assert "این نشست" in page
    assert re.search(r"[۰-۹]{4}", page)  # the year in Persian digits
    assert str(utcnow().year) not in page.split("<main")[1]  # no Gregorian year


def test_signing_out_another_session_from_the_list(app, client):
    user = factories.make_user()
    phone = app.test_client()
    sign_in(phone, user, remember=True, user_agent=SAFARI_ON_IPHONE)
    phone_remembered = cookie(phone, "remember_token")
    sign_in(client, user, user_agent=FIREFOX_ON_WINDOWS)
    phone_session = db.session.scalar(
        select(UserSession).where(UserSession.browser == "Mobile Safari")
    )
    response = client.post(
        "/account/sessions/end", data={"session_id": phone_session.id}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "That session has been signed out." in page
    assert "iPhone" not in page.split("<main")[1]
    assert phone.get("/dashboard").headers["Location"].startswith("/login")
    assert not opens_dashboard(app, remember_token=phone_remembered)
    assert client.get("/dashboard").status_code == 200


def test_sign_out_everywhere_else(app, client):
    user = factories.make_user()
    others = [app.test_client() for _ in range(2)]
    for other in others:
        sign_in(other, user)
    sign_in(client, user)
    response = client.post("/account/sessions/end-others", follow_redirects=True)
    assert "Other sessions signed out: 2." in response.get_data(as_text=True)
    assert all(other.get("/dashboard").status_code == 302 for other in others)
    assert client.get("/dashboard").status_code == 200


def test_nobody_can_end_someone_elses_session(app, client):
    victim = factories.make_user()
    victim_browser = app.test_client()
    sign_in(victim_browser, victim)
    victim_session = db.session.scalar(select(UserSession.id))
    sign_in(client, factories.make_user())
    response = client.post("/account/sessions/end", data={"session_id": victim_session})
    assert response.status_code == 404
    assert victim_browser.get("/dashboard").status_code == 200


def test_ending_this_session_from_the_list_logs_out(app, client):
    user = factories.make_user()
    sign_in(client, user)
    this_session = db.session.scalar(select(UserSession.id))
    response = client.post("/account/sessions/end", data={"session_id": this_session})
    assert response.headers["Location"] == "/login"
    assert client.get("/dashboard").status_code == 302


def test_ended_sessions_are_forgotten_at_the_next_sign_in(app, client):
    user = factories.make_user()
    for _round in range(3):
        sign_in(client, user)
        client.post("/logout")
    sign_in(client, user)
    assert len(db.session.scalars(select(UserSession)).all()) == 1


def test_the_account_menu_links_to_the_sessions_page(app, client):
    sign_in(client, factories.make_user())
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/account/sessions"' in page
    sessions_page = client.get("/account/sessions").get_data(as_text=True)
    for link in ("/account/sessions", "/account/two-factor", "/account/password"):
        assert f'href="{link}"' in sessions_page
    assert 'aria-current="page"' in sessions_page


def test_a_page_saved_when_last_seen_is_due_is_saved_whole(app, client, world, assessments):
    """The "last seen" write commits before the view begins, never inside its save."""
    respondent = assessments.respondent
    sign_in(client, world.manager)
    page = client.get(f"/answer/{respondent.id}/1").get_data(as_text=True)
    items = sorted(set(re.findall(r'name="v_([^"]+)"', page)))
    assert len(items) >= 2
    age_sessions(world.manager, idle=timedelta(minutes=2))
    data = {"go": "next"}
    for item in items:
        data[f"v_{item}"] = re.search(rf'name="v_{re.escape(item)}"[^>]*value="([^"]+)"', page)[1]
        data[f"s_{item}"] = "1"
    response = client.post(f"/answer/{respondent.id}/1", data=data)
    assert response.status_code == 302
    saved = db.session.scalars(select(Answer).where(Answer.respondent_id == respondent.id)).all()
    assert len(saved) == len(items)
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)
