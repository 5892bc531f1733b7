"""Links that leave the app come from BASE_URL, never from the request's Host header, and
requests naming a host the app does not serve are refused."""

from __future__ import annotations

import re

import pytest

from app import create_app
from config import DevelopmentConfig, ProductionConfig
from tests import factories
from tests.test_config import bare_app

FORGED = {"Host": "evil.example"}


@pytest.fixture
def served_at(app, monkeypatch):
    """The app configured for https://crm.example.com/crm, with the host check off, so
    that a request with a forged Host header reaches the code that builds the links."""
    monkeypatch.setitem(app.config, "BASE_URL", "https://crm.example.com/crm")
    monkeypatch.setitem(app.config, "ALLOWED_HOSTS", None)
    return app


def test_password_link_ignores_a_forged_host(served_at, client, caplog):
    factories.make_user(email="victim@example.com")
    response = client.post("/password/forgot", data={"email": "victim@example.com"}, headers=FORGED)
    assert response.status_code == 302
    links = re.findall(r"\S+/password/reset/\S+", caplog.text)
    assert len(links) == 1
    assert links[0].startswith("https://crm.example.com/crm/password/reset/")
    assert "evil.example" not in caplog.text


def test_invitations_reminders_and_the_links_page_ignore_a_forged_host(
    served_at, client, world, assessments, caplog
):
    signed_in = {"email": world.consultant_assigned.email, "password": factories.PASSWORD}
    client.post("/login", data=signed_in, headers=FORGED)  # its cookie is for that host
    page = client.post(
        f"/assessments/{assessments.open.id}/respondents",
        data={"name": "Reza", "email": "reza@example.com", "group": "manager", "locale": "en"},
        headers=FORGED,
        follow_redirects=True,  # the link is shown once, on the page the post redirects to
    ).get_data(as_text=True)
    shown = re.findall(r'value="([^"]+/r/[^"]+)"', page)
    assert len(shown) == 1
    assert shown[0].startswith("https://crm.example.com/crm/r/")
    client.post(f"/assessments/{assessments.open.id}/remind", headers=FORGED)
    mailed = re.findall(r"\S+/r/\S+", caplog.text)
    assert len(mailed) == 2  # the invitation, then the reminder
    assert all(link.startswith("https://crm.example.com/crm/r/") for link in mailed)
    assert "evil.example" not in caplog.text + page


@pytest.mark.parametrize(("language", "title"), [("en", "Bad request"), ("fa", "درخواست نامعتبر")])
def test_a_request_for_another_host_is_refused_in_the_readers_language(
    client, app, caplog, language, title
):
    factories.make_user(email="victim@example.com")
    response = client.post(
        "/password/forgot",
        data={"email": "victim@example.com"},
        headers={**FORGED, "Accept-Language": language},
    )
    assert response.status_code == 400
    assert title in response.get_data(as_text=True)
    assert "/password/reset/" not in caplog.text  # nothing was sent


def test_the_configured_host_and_loopback_are_served(client, app):
    assert client.get("/login").status_code == 200  # the test client's host, localhost
    assert client.get("/login", headers={"Host": "127.0.0.1:5000"}).status_code == 200


def test_development_serves_and_links_on_the_loopback_address(tmp_path, monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    app = bare_app(tmp_path, DevelopmentConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_extra_trusted_hosts_add_to_the_base_urls(tmp_path):
    app = bare_app(
        tmp_path,
        ProductionConfig,
        SECRET_KEY="k" * 40,
        SQLALCHEMY_DATABASE_URI="sqlite://",
        BASE_URL="https://crm.example.com/",
        ALLOWED_HOSTS=["crm-internal.example.com"],
    )
    assert app.config["BASE_URL"] == "https://crm.example.com"
    assert app.config["ALLOWED_HOSTS"] == ["crm.example.com", "crm-internal.example.com"]


@pytest.mark.parametrize("base_url", [None, "", "http://crm.example.com"])
def test_production_refuses_to_start_without_an_https_base_url(tmp_path, base_url):
    with pytest.raises(RuntimeError, match="BASE_URL must be set in production"):
        bare_app(
            tmp_path,
            ProductionConfig,
            SECRET_KEY="k" * 40,
            SQLALCHEMY_DATABASE_URI="sqlite://",
            BASE_URL=base_url,
        )


@pytest.mark.parametrize(
    "base_url", ["crm.example.com", "https://", "https://crm.example.com/?x=1", "ftp://crm.example"]
)
def test_a_malformed_base_url_is_refused(config_class, base_url):
    class Malformed(config_class):
        BASE_URL = base_url

    with pytest.raises(RuntimeError, match="is not an address"):
        create_app(Malformed)
