"""Caching and transport headers: nothing one person may see is kept in a cache, HTTPS is
made sticky with HSTS, and CSV files say their type once."""

from __future__ import annotations

import pytest

from app import create_app
from app.reports.pdf import report_pdf


@pytest.fixture
def private_pages(world, assessments, tracker) -> dict[str, tuple[object, str]]:
    """Pages, exports and files, each with who opens it (None: by the respondent's link)."""
    organisation, assessment = world.organisation.id, assessments.published.id
    report_pdf(assessments.published, "en")  # ready, so the download is the PDF itself
    return {
        "dashboard": (world.owner, "/dashboard"),
        "organisation": (world.consultant_assigned, f"/organisations/{organisation}"),
        "results": (world.owner, f"/assessments/{assessment}/results"),
        "respondent's page": (None, f"/r/{assessments.token}/1"),
        "customers.csv": (world.owner, f"/organisations/{organisation}/tracker/customers.csv"),
        "answers.csv": (world.consultant_assigned, f"/assessments/{assessment}/export/answers.csv"),
        "assessment.xlsx": (
            world.consultant_assigned,
            f"/assessments/{assessment}/export/assessment.xlsx",
        ),
        "report.pdf": (world.owner, f"/assessments/{assessment}/report.pdf?lang=en"),
    }


def test_private_pages_exports_and_pdfs_are_never_stored(client, auth, private_pages):
    for name, (user, path) in private_pages.items():
        if user is not None:
            auth.login(user)
        response = client.get(path)
        assert response.status_code == 200, name
        assert response.headers["Cache-Control"] == "no-store", name
        if user is not None:
            auth.logout()


def test_public_pages_are_not_stored_either_but_static_files_are_cached(client, app):
    assert client.get("/login").headers["Cache-Control"] == "no-store"  # carries a CSRF token
    assert client.get("/no-such-page").headers["Cache-Control"] == "no-store"
    stylesheet = client.get("/static/css/app.css")
    assert "no-store" not in stylesheet.headers.get("Cache-Control", "")
    stylesheet.close()


def test_a_logo_is_kept_only_in_the_readers_own_cache(client, auth, world, assessments):
    auth.login(world.owner)
    response = client.get(f"/organisations/{world.organisation.id}/logo")
    assert response.headers["Cache-Control"] == "private, max-age=86400"


def test_hsts_is_sent_over_https_only(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "HSTS_SECONDS", 31536000)
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "HSTS_SECONDS", 0)
    assert (
        "Strict-Transport-Security"
        not in client.get("/login", base_url="https://localhost").headers
    )


def test_hsts_follows_the_proxys_scheme(app, config_class):
    """Behind a TLS-terminating proxy the app sees http; X-Forwarded-Proto tells it."""

    class BehindProxy(config_class):
        PROXY_COUNT = 1
        HSTS_SECONDS = 600

    proxied = create_app(BehindProxy).test_client()
    response = proxied.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=600"


@pytest.mark.parametrize(
    "export",
    [
        "/organisations/{organisation}/tracker/customers.csv",
        "/organisations/{organisation}/tracker/import/template.csv",
        "/assessments/{assessment}/export/answers.csv",
        "/assessments/{assessment}/import/template.csv",
    ],
)
def test_csv_files_name_their_charset_once(client, auth, world, assessments, tracker, export):
    auth.login(world.owner if "tracker" in export else world.consultant_assigned)
    path = export.format(organisation=world.organisation.id, assessment=assessments.published.id)
    response = client.get(path)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
