"""Two-step sign-in with an authenticator app, checked with real codes computed by
pyotp from the key the page shows."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
import segno
from sqlalchemy import select

from app.extensions import db
from app.models import RecoveryCode, StaffRole, User
from tests import factories


def key_on_page(html: str) -> str:
    match = re.search(r'<code class="secret-key" dir="ltr">([A-Z2-7 ]+)</code>', html)
    assert match, "the page shows no key"
    return match.group(1).replace(" ", "")


def code(secret: str, steps_ahead: int = 0) -> str:
    """The app's code now, or for a later 30-second step (accepted one step early, as
    clocks drift), for a test that needs a second code it has not used yet."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def recovery_codes_on(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code></li>", html)


def enrol(client, auth, user) -> tuple[str, list[str]]:
    """Sign ``user`` in and turn on two-step sign-in; returns the key and recovery codes."""
    auth.login(user)
    secret = key_on_page(client.get("/account/two-factor/setup").get_data(as_text=True))
    page = client.post(
        "/account/two-factor/setup", data={"code": code(secret)}, follow_redirects=True
    )
    return secret, recovery_codes_on(page.get_data(as_text=True))


def password_step(client, user, **extra):
    return client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD}, **extra
    )


def test_turning_it_on_with_the_key_from_the_page(app, client, auth):
    user = factories.make_user(email="dana@example.com")
    auth.login(user)
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert "<svg" in page  # the QR code is drawn in the page: the CSP allows no data: image
    assert "data:" not in page
    secret = key_on_page(page)
    assert key_on_page(client.get("/account/two-factor/setup").get_data(as_text=True)) == secret

    page = client.post("/account/two-factor/setup", data={"code": "123456"}).get_data(as_text=True)
    assert "This code is not correct" in page
    assert not db.session.get(User, user.id).two_factor_enabled

    response = client.post("/account/two-factor/setup", data={"code": code(secret)})
    assert response.status_code == 302  # Post/Redirect/Get: a reload repeats nothing
    response = client.get(response.headers["Location"])
    page = response.get_data(as_text=True)
    codes = recovery_codes_on(page)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert "Two-step sign-in is on." in page
    assert "shown only this once" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert db.session.get(User, user.id).two_factor_enabled
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(c.replace("-", "") in h for c in codes for h in stored)  # hashes only
    again = client.get("/account/two-factor/recovery-codes/new", follow_redirects=True)
    assert recovery_codes_on(again.get_data(as_text=True)) == []  # shown once only
    assert "shown only once" in again.get_data(as_text=True)
    status = client.get("/account/two-factor").get_data(as_text=True)
    assert "Unused recovery codes: 10." in status


def test_the_qr_code_holds_the_key_for_this_account(app, client, auth):
    """What the QR code encodes: the standard otpauth URI an app reads."""
    user = factories.make_user(email="qr@example.com")
    auth.login(user)
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = key_on_page(page)
    uri = pyotp.TOTP(secret).provisioning_uri(name="qr@example.com", issuer_name="CRM Readiness")
    expected = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", border=4)
    assert expected in page


def test_turning_it_on_signs_out_the_other_sessions(app, client, auth):
    user = factories.make_user()
    other = app.test_client()
    password_step(other, user)
    secret, _codes = enrol(client, auth, user)
    assert secret
    assert other.get("/dashboard").headers["Location"].startswith("/login")
    assert client.get("/dashboard").status_code == 200


def test_signing_in_takes_two_steps(app, client, auth):
    user = factories.make_user()
    secret, _codes = enrol(client, auth, user)
    auth.logout()

    response = client.post(
        "/login",
        query_string={"next": "/account/sessions"},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/login/two-factor"
    assert client.get("/dashboard").headers["Location"].startswith("/login")  # not yet in
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "enter the 6-digit code" in page.lower()
    assert 'autocomplete="one-time-code"' in page

    page = client.post("/login/two-factor", data={"code": "000000"}).get_data(as_text=True)
    assert "This code is not correct" in page
    response = client.post("/login/two-factor", data={"code": code(secret, 1)})
    assert response.headers["Location"] == "/account/sessions"  # where the user was going
    assert client.get("/dashboard").status_code == 200


def test_a_code_typed_in_persian_digits_with_spaces_works(app, client, auth):
    user = factories.make_user()
    secret, _codes = enrol(client, auth, user)
    auth.logout()
    password_step(client, user)
    typed = code(secret, 1).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.post("/login/two-factor", data={"code": f" {typed[:3]} {typed[3:]} "})
    assert response.headers["Location"] == "/dashboard"


def test_a_code_cannot_be_used_twice(app, client, auth):
    user = factories.make_user()
    secret, _codes = enrol(client, auth, user)
    auth.logout()
    replay = code(secret, 1)
    password_step(client, user)
    assert client.post("/login/two-factor", data={"code": replay}).status_code == 302
    auth.logout()

    password_step(client, user)
    page = client.post("/login/two-factor", data={"code": replay}).get_data(as_text=True)
    assert "has been used already" in page
    assert client.get("/dashboard").status_code == 302
    # Nor an older one within the window: only a later step's code passes.
    page = client.post("/login/two-factor", data={"code": code(secret)}).get_data(as_text=True)
    assert "has been used already" in page


def test_a_recovery_code_signs_in_once(app, client, auth):
    user = factories.make_user()
    _secret, codes = enrol(client, auth, user)
    auth.logout()

    password_step(client, user)
    response = client.post(
        "/login/two-factor", data={"code": codes[0].upper()}, follow_redirects=True
    )
    assert "You signed in with a recovery code. Recovery codes left: 9." in response.get_data(
        as_text=True
    )
    auth.logout()
    password_step(client, user)
    page = client.post("/login/two-factor", data={"code": codes[0]}).get_data(as_text=True)
    assert "This code is not correct" in page


def test_new_recovery_codes_replace_the_old(app, client, auth):
    user = factories.make_user()
    secret, old_codes = enrol(client, auth, user)
    page = client.post("/account/two-factor/recovery-codes", data={"code": "111111"}).get_data(
        as_text=True
    )
    assert "This code is not correct" in page
    response = client.post(
        "/account/two-factor/recovery-codes", data={"code": code(secret, 1)}, follow_redirects=True
    )
    new_codes = recovery_codes_on(response.get_data(as_text=True))
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    auth.logout()
    password_step(client, user)
    assert client.post("/login/two-factor", data={"code": old_codes[1]}).status_code == 200
    assert client.post("/login/two-factor", data={"code": new_codes[1]}).status_code == 302


def test_turning_it_off_needs_the_password_and_a_code(app, client, auth):
    user = factories.make_user()
    secret, _codes = enrol(client, auth, user)
    data = {"password": "not my password", "code": code(secret, 1)}
    page = client.post("/account/two-factor/disable", data=data).get_data(as_text=True)
    assert "This is not your current password." in page
    data = {"password": factories.PASSWORD, "code": "222222"}
    page = client.post("/account/two-factor/disable", data=data).get_data(as_text=True)
    assert "This code is not correct" in page
    assert db.session.get(User, user.id).two_factor_enabled

    data["code"] = code(secret, 1)
    response = client.post("/account/two-factor/disable", data=data, follow_redirects=True)
    assert "Two-step sign-in is off." in response.get_data(as_text=True)
    assert db.session.scalars(select(RecoveryCode)).all() == []
    auth.logout()
    assert password_step(client, user).headers["Location"] == "/dashboard"  # one step again


def test_the_second_step_is_rate_limited(app, client, auth):
    user = factories.make_user()
    enrol(client, auth, user)
    auth.logout()
    password_step(client, user)
    codes = [
        client.post("/login/two-factor", data={"code": f"{n:06d}"}).status_code for n in range(11)
    ]
    assert codes == [200] * 10 + [429]


def test_the_second_step_is_limited_per_account_whatever_the_address(app, client, auth):
    user = factories.make_user()
    enrol(client, auth, user)
    auth.logout()
    statuses = []
    for n in range(11):  # each attempt from another address, with a fresh password step
        address = {"REMOTE_ADDR": f"198.51.100.{n + 1}"}
        browser = app.test_client()
        password_step(browser, user, environ_base=address)
        statuses.append(
            browser.post(
                "/login/two-factor", data={"code": f"{n:06d}"}, environ_base=address
            ).status_code
        )
    assert statuses == [200] * 10 + [429]


def test_the_second_step_lapses(app, client, auth, monkeypatch):
    user = factories.make_user()
    secret, _codes = enrol(client, auth, user)
    auth.logout()
    password_step(client, user)
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 301)
    response = client.post("/login/two-factor", data={"code": code(secret)}, follow_redirects=True)
    assert "The sign-in took too long. Log in again." in response.get_data(as_text=True)


def test_a_new_password_voids_a_half_done_sign_in(app, client, auth):
    user = factories.make_user()
    secret, _codes = enrol(client, auth, user)
    auth.logout()
    password_step(client, user)
    user.password_hash = "changed elsewhere"
    db.session.commit()
    response = client.post("/login/two-factor", data={"code": code(secret, 1)})
    assert response.headers["Location"] == "/login"


@pytest.fixture
def staff_must_enrol(app, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_2FA_FOR_STAFF", True)


@pytest.mark.parametrize("staff_role", [StaffRole.ADMIN, StaffRole.CONSULTANT])
def test_staff_are_sent_to_enrol_first_when_it_is_required(
    app, client, auth, staff_must_enrol, staff_role
):
    user = factories.make_user(staff_role=staff_role)
    auth.login(user)
    for path in ("/dashboard", "/organisations/", "/account/sessions"):
        response = client.get(path)
        assert response.headers["Location"] == "/account/two-factor/setup", path
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert "it is required for staff" in page
    secret = key_on_page(page)
    client.post("/account/two-factor/setup", data={"code": code(secret)})
    assert client.get("/dashboard").status_code == 200
    response = client.get("/account/two-factor/disable", follow_redirects=True)
    assert "required for staff and cannot be turned off" in response.get_data(as_text=True)


def test_members_are_not_made_to_enrol(app, client, auth, staff_must_enrol, world):
    auth.login(world.owner)
    assert client.get("/dashboard").status_code == 200


def test_the_admin_resets_a_lost_second_factor(app, client, auth, caplog):
    admin = factories.make_user(staff_role=StaffRole.ADMIN, email="boss@example.com")
    user = factories.make_user(name="Lost Phone", email="lost@example.com")
    user_browser = app.test_client()
    _secret, _codes = enrol(user_browser, type(auth)(user_browser), user)
    assert user_browser.get("/dashboard").status_code == 200

    auth.login(admin)
    users_page = client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{user.id}/two-factor/reset" in users_page
    assert f"/admin/users/{admin.id}/two-factor/reset" not in users_page
    response = client.post(f"/admin/users/{user.id}/two-factor/reset", follow_redirects=True)
    assert "Two-step sign-in of Lost Phone has been reset." in response.get_data(as_text=True)
    assert not db.session.get(User, user.id).two_factor_enabled
    assert user_browser.get("/dashboard").headers["Location"].startswith("/login")
    assert "reset by admin" in caplog.text
    assert "boss@example.com" in caplog.text
    assert "Subject: Your two-step sign-in was reset" in caplog.text  # the user is told
    assert password_step(app.test_client(), user).headers["Location"] == "/dashboard"


def test_the_admin_cannot_reset_their_own_second_factor(app, client, auth):
    admin = factories.make_user(staff_role=StaffRole.ADMIN)
    enrol(client, auth, admin)
    response = client.post(f"/admin/users/{admin.id}/two-factor/reset", follow_redirects=True)
    assert "from your account page" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).two_factor_enabled


def test_the_setup_page_in_persian(app, client, auth):
    user = factories.make_user(locale="fa")
    auth.login(user)
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert 'dir="rtl"' in page
    assert "ورود دومرحله‌ای" in page
    assert key_on_page(page)  # the key stays in Latin letters, left to right


def test_the_shell_resets_a_second_factor_when_no_admin_can(app, client, auth, runner):
    admin = factories.make_user(staff_role=StaffRole.ADMIN, email="only.admin@example.com")
    enrol(client, auth, admin)
    result = runner.invoke(args=["users", "reset-2fa", "--email", "Only.Admin@example.com"])
    assert result.exit_code == 0, result.output
    assert "Two-step sign-in of only.admin@example.com is off; 1 session(s) ended." in result.output
    assert not db.session.get(User, admin.id).two_factor_enabled
    assert client.get("/dashboard").headers["Location"].startswith("/login")
    result = runner.invoke(args=["users", "reset-2fa", "--email", "nobody@example.com"])
    assert result.exit_code != 0
    assert "no account with e-mail nobody@example.com" in result.output
