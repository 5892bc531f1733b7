"""Logging in and out, changing a password, resetting a forgotten one."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest
import redis

from app import PROJECT_ROOT
from app.auth.password_links import make_reset_token
from app.extensions import db
from tests import factories

WRONG = "The e-mail or password is not correct."


def reset_link_from_log(caplog) -> str:
    match = re.search(r"http://localhost(/password/reset/\S+)", caplog.text)
    assert match, "no reset link in the log"
    return match.group(1)


def test_login_then_dashboard_greets_user(client, auth, app):
    user = factories.make_user(name="Dana Consultant", staff_role=factories.StaffRole.CONSULTANT)
    response = auth.login(user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Dana Consultant" in page
    assert "Your assessments" in page  # the consultant's work queue
    assert db.session.get(type(user), user.id).last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@example.com", factories.PASSWORD),  # no such account
        ("known@example.com", "wrong password!"),  # wrong password
        ("inactive@example.com", factories.PASSWORD),  # deactivated account
        ("invited@example.com", ""),  # account without a password yet
    ],
)
def test_failed_login_says_the_same_thing_whatever_the_reason(client, app, email, password):
    factories.make_user(email="known@example.com")
    factories.make_user(email="inactive@example.com", active=False)
    factories.make_user(email="invited@example.com", password=None)
    response = client.post("/login", data={"email": email, "password": password or "x" * 12})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert WRONG in page
    assert f'value="{email}"' in page  # what the user typed is kept
    assert client.get("/dashboard").status_code == 302  # still logged out


def test_login_form_errors_show_beside_the_fields(client, app):
    page = client.post("/login", data={"email": "not-an-address", "password": ""}).get_data(
        as_text=True
    )
    assert 'id="email-error"' in page
    assert "Enter a valid e-mail address" in page
    assert 'id="password-error"' in page
    assert "Enter your password." in page


def test_login_email_is_case_insensitive(client, app):
    user = factories.make_user(email="mixed@example.com")
    response = client.post(
        "/login", data={"email": "  Mixed@Example.COM ", "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/dashboard", user


@pytest.mark.parametrize("target", ["/organisations/", "/account/password?x=1"])
def test_login_follows_a_local_next(client, app, target):
    user = factories.make_user(staff_role=factories.StaffRole.ADMIN)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "/\\evil.example.com",
        "javascript:alert(1)",
        "evil.example.com",
        "/\t/evil.example.com",
    ],
)
def test_login_ignores_a_next_that_leaves_the_site(client, app, target):
    user = factories.make_user()
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/dashboard"


def test_protected_page_sends_anonymous_to_login_and_back(client, app):
    user = factories.make_user()
    response = client.get("/account/password")
    assert response.headers["Location"].startswith("/login?next=")
    response = client.post(
        response.headers["Location"], data={"email": user.email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/account/password"


def test_logout_ends_the_session(client, auth, app):
    auth.login(factories.make_user())
    response = auth.logout()
    assert response.headers["Location"] == "/login"
    assert client.get("/dashboard").status_code == 302


def test_change_password(client, auth, app):
    user = factories.make_user()
    auth.login(user)
    data = {"current_password": factories.PASSWORD, "password": "a new long secret", "confirm": ""}

    page = client.post("/account/password", data=data).get_data(as_text=True)
    assert "Repeat the password." in page

    data["confirm"] = "something else!!"
    page = client.post("/account/password", data=data).get_data(as_text=True)
    assert "The two passwords do not match." in page

    data.update(current_password="not my password", confirm="a new long secret")
    page = client.post("/account/password", data=data).get_data(as_text=True)
    assert "This is not your current password." in page

    data["current_password"] = factories.PASSWORD
    response = client.post("/account/password", data=data, follow_redirects=True)
    assert "Your password has been changed." in response.get_data(as_text=True)
    auth.logout()
    assert "/dashboard" in auth.login(user, "a new long secret").headers["Location"]
    auth.logout()
    assert auth.login(user).status_code == 200  # the old password no longer works


def test_short_new_password_is_refused(client, auth, app):
    auth.login(factories.make_user())
    page = client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "password": "short", "confirm": "short"},
    ).get_data(as_text=True)
    assert "Use at least 10 characters." in page


def test_forgot_password_gives_the_same_answer_for_unknown_addresses(client, app, caplog):
    factories.make_user(email="real@example.com")
    answers = []
    for email in ("real@example.com", "ghost@example.com"):
        response = client.post("/password/forgot", data={"email": email}, follow_redirects=True)
        answers.append(response.get_data(as_text=True).split("<main")[1])
    assert answers[0] == answers[1]
    assert "a link to reset the password has been sent" in answers[0]
    assert caplog.text.count("/password/reset/") == 1  # only the real account got a link


def test_reset_link_sets_a_new_password_once(client, auth, app, caplog):
    user = factories.make_user(email="reset@example.com")
    client.post("/password/forgot", data={"email": "reset@example.com"})
    link = reset_link_from_log(caplog)

    page = client.get(link).get_data(as_text=True)
    assert "reset@example.com" in page
    new = {"password": "brand new secret", "confirm": "brand new secret"}
    response = client.post(link, data=new, follow_redirects=True)
    assert "Your password has been set." in response.get_data(as_text=True)
    assert auth.login(user, "brand new secret").headers["Location"] == "/dashboard"
    auth.logout()

    # The same link cannot be used twice.
    response = client.post(link, data=new, follow_redirects=True)
    assert "invalid, expired or already used" in response.get_data(as_text=True)


def test_reset_link_expires(client, app, monkeypatch):
    user = factories.make_user()
    token = make_reset_token(user)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.get(f"/password/reset/{token}", follow_redirects=True)
    assert "invalid, expired or already used" in response.get_data(as_text=True)


def test_tampered_reset_link_is_refused(client, app):
    token = make_reset_token(factories.make_user())
    response = client.get(f"/password/reset/{token[:-2]}xx", follow_redirects=True)
    assert "invalid, expired or already used" in response.get_data(as_text=True)


def test_password_is_stored_as_an_argon2_hash(app):
    user = factories.make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in user.password_hash


def test_changing_the_password_ends_other_sessions(app, client, auth):
    user = factories.make_user()
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert other_browser.get("/dashboard").status_code == 200

    auth.login(user)
    new = "a different secret"
    client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "password": new, "confirm": new},
    )
    assert client.get("/dashboard").status_code == 200  # this browser stays signed in
    assert other_browser.get("/dashboard").headers["Location"].startswith("/login")


def test_a_deactivated_user_is_signed_out_at_once(client, auth, app):
    user = factories.make_user()
    auth.login(user)
    assert client.get("/dashboard").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/dashboard").headers["Location"].startswith("/login")


def test_repeated_failed_logins_are_slowed_down(client, app, monkeypatch):
    user = factories.make_user()
    for _attempt in range(10):
        response = client.post("/login", data={"email": user.email, "password": "guess guess"})
        assert response.status_code == 200
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_password_emails_are_rate_limited(client, app, caplog):
    factories.make_user(email="flood@example.com")
    codes = [
        client.post("/password/forgot", data={"email": "flood@example.com"}).status_code
        for _attempt in range(6)
    ]
    assert codes == [302] * 5 + [429]
    assert caplog.text.count("/password/reset/") == 5


# One server process: the app as configured with REDIS_URL alone (the limits' storage is
# derived from it), making the given numbers of login attempts and password-link requests.
WORKER_SCRIPT = """
import sys
from app import create_app
from app.extensions import db
from config import TestConfig

class SharedLimits(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    REDIS_URL = "redis://127.0.0.1:6379/6"
    RATELIMIT_KEY_PREFIX = sys.argv[1]
    LOGIN_RATE_LIMIT = "2 per minute"
    PASSWORD_MAIL_RATE_LIMIT = "2 per minute"

app = create_app(SharedLimits)
assert app.config["RATELIMIT_STORAGE_URI"] == SharedLimits.REDIS_URL
with app.app_context():
    db.create_all()
    client = app.test_client()
    login = {"email": "someone@example.com", "password": "guess guess"}
    forgot = {"email": "someone@example.com"}
    logins, links = int(sys.argv[2]), int(sys.argv[3])
    codes = [client.post("/login", data=login).status_code for _ in range(logins)]
    codes += [client.post("/password/forgot", data=forgot).status_code for _ in range(links)]
    print(*codes)
"""


def test_login_and_password_limits_are_shared_between_processes_through_redis():
    """Two server processes count attempts together when REDIS_URL is set."""
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis server on 127.0.0.1:6379")
    prefix = f"crm-test-{uuid.uuid4().hex}"

    def worker(logins: int, password_links: int) -> str:
        result = subprocess.run(
            [sys.executable, "-c", WORKER_SCRIPT, prefix, str(logins), str(password_links)],
            capture_output=True,
            text=True,
            check=True,
            cwd=PROJECT_ROOT,
        )
        return result.stdout.strip()

    try:
        assert worker(2, 2) == "200 200 302 302"
        # The second process knows about the first one's attempts.
        assert worker(1, 1) == "429 429"
    finally:
        connection = redis.Redis(host="127.0.0.1", port=6379, db=6)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)
