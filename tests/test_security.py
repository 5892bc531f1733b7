"""CSRF on every form, escaping of user content, cookies, error pages."""

from __future__ import annotations

import io

import pytest
from flask import abort

from app import create_app
from app.extensions import db
from tests import factories
from tests.conftest import csrf_token_from


def post_routes(app):
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint != "static"
    )


def test_every_post_route_refuses_a_request_without_csrf_token(csrf_app, client, auth, world):
    token_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": world.admin.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token_from(token_page),
        },
    )
    assert client.get("/dashboard").status_code == 200  # signed in, with a token
    for rule in post_routes(csrf_app):
        path = rule.replace("<int:organisation_id>", str(world.organisation.id))
        path = path.replace("<int:membership_id>", str(world.manager_membership.id))
        path = path.replace("<int:assignment_id>", str(world.assignment.id))
        path = path.replace("<int:user_id>", str(world.manager.id)).replace("<token>", "x")
        path = path.replace("<int:assessment_id>", "1").replace("<int:respondent_id>", "1")
        path = path.replace("<int:number>", "1")
        for library_part in ("questionnaire_id", "dimension", "item"):
            path = path.replace(f"<int:{library_part}>", "1")
        path = path.replace("<key>", "x").replace("<any(up, down):direction>", "up")
        for tracker_id in ("customer_id", "interaction_id", "follow_up_id", "stage_id", "batch_id"):
            path = path.replace(f"<int:{tracker_id}>", "1")
        response = client.post(path, data={"name": "x"})
        assert response.status_code == 400, path
        assert "This form has expired" in response.get_data(as_text=True)


def test_form_with_token_goes_through(csrf_app, client, world):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login",
        data={
            "email": world.owner.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.headers["Location"] == "/dashboard"


def test_user_content_is_escaped(client, auth, world):
    auth.login(world.admin)
    client.post(
        f"/organisations/{world.organisation.id}/edit",
        data={
            "name": "<script>alert(1)</script>",
            "sector": "<b>bold</b>",
            "size": "small",
            "default_locale": "en",
            "notes": "<img src=x onerror=alert(1)>",
        },
    )
    page = client.get(f"/organisations/{world.organisation.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>bold</b>" not in page
    # The work queue's filter lists the organisation by name.
    queue = client.get("/assessments").get_data(as_text=True)
    assert f'<option value="{world.organisation.id}">&lt;script&gt;alert(1)' in queue
    assert "<script>alert(1)</script>" not in queue


def test_what_users_typed_is_escaped_inside_error_messages(client, auth, world, assessments):
    """Error messages quote bad input; the quote must not become markup."""
    auth.login(world.consultant_assigned)
    attack = "<img src=x onerror=alert(1)>"
    page = client.post(
        f"/assessments/{assessments.open.id}/respondents/paste",
        data={"lines": f"Eve, {attack}, manager", "locale": "en"},
    ).get_data(as_text=True)
    assert attack not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    upload = f"name,email,group\nEve,eve@example.com,{attack}\n".encode()
    page = client.post(
        f"/assessments/{assessments.open.id}/import",
        data={"file": (io.BytesIO(upload), "x.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Nothing was imported" in page
    assert attack not in page


def test_pages_send_security_headers(client, app):
    headers = client.get("/login").headers
    # Scripts only from this site's files: never inline, never from elsewhere.
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite(client, world):
    response = client.post(
        "/login", data={"email": world.owner.email, "password": factories.PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.fixture(scope="module")
def failing_app(config_class, _schema):
    """A separate app with routes that fail on purpose (the shared one is already serving)."""
    app = create_app(config_class)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # show the 500 page, as in production
    for code in (400, 403, 404):
        app.add_url_rule(f"/__fail/{code}", f"fail_{code}", lambda code=code: abort(code))
    app.add_url_rule("/__fail/500", "fail_500", lambda: 1 / 0)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("code", "english", "persian"),
    [
        (400, "Bad request", "درخواست نامعتبر"),
        (403, "Access denied", "عدم دسترسی"),
        (404, "Page not found", "صفحه پیدا نشد"),
        (500, "Something went wrong", "خطایی رخ داد"),
    ],
)
def test_error_pages_in_both_languages(failing_app, code, english, persian):
    client = failing_app.test_client()
    for language, title in (("en", english), ("fa", persian)):
        response = client.get(f"/__fail/{code}", headers={"Accept-Language": language})
        page = response.get_data(as_text=True)
        assert response.status_code == code
        assert title in page
        assert f'<html lang="{language}"' in page
