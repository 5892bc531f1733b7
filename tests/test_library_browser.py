"""The questionnaire library in a real browser: its pages have no serious accessibility
problem in either language, and a draft is reordered and edited with JavaScript off."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.browser import SERVER_WARNINGS, log_in
from tests.test_e2e import Auditor, press

pytestmark = SERVER_WARNINGS


@pytest.fixture
def with_problem_and_versions(library, client, auth, world):
    """The consultant's questionnaire published twice, then a field left empty, so every
    page shows what it can: versions to compare and an error beside a field."""
    auth.login(world.consultant_assigned)
    client.post(f"/questionnaires/{library.id}/publish")
    draft = dict(library.draft, weight=2.0)
    library.draft = draft
    db.session.commit()
    client.post(f"/questionnaires/{library.id}/publish")
    draft = dict(library.draft, title={"en": "Our conditions", "fa": ""})
    library.draft = draft
    db.session.commit()
    return library


def test_library_pages_have_no_serious_accessibility_problem(
    browser, live_server, world, with_problem_and_versions
):
    own = f"/questionnaires/{with_problem_and_versions.id}"
    paths = [
        "/questionnaires/",
        "/questionnaires/import",
        "/questionnaires/shipped/supporting-conditions/preview",
        own,
        f"{own}/edit",
        f"{own}/levels",
        f"{own}/dimensions/0",
        f"{own}/dimensions/0/items/0",
        f"{own}/dimensions/0/recommendations",
        f"{own}/preview?lang=fa",
        f"{own}/preview?lang=en",
        f"{own}/compare",
    ]
    auditor = Auditor()
    user = world.consultant_assigned
    for language in ("fa", "en"):
        user.locale = language
        db.session.commit()
        context = browser.new_context()
        context.set_default_timeout(10000)
        page = context.new_page()
        log_in(page, live_server, user)
        for path in paths:
            page.goto(live_server + path)
            auditor.check(page)
        context.close()
    assert len(auditor.checked) == 2 * len(paths)
    assert not auditor.problems, "\n".join(auditor.problems)


def test_a_draft_is_reordered_and_edited_without_javascript(browser, live_server, world, library):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, world.consultant_assigned)
    page.goto(f"{live_server}/questionnaires/{library.id}")
    first = page.locator("#dimension-0 h3").inner_text()
    press(page, "#dimension-0 form[action$='/down'] button")
    assert page.locator("#dimension-1 h3").inner_text().endswith(first.split(". ", 1)[1])
    page.goto(f"{live_server}/questionnaires/{library.id}/dimensions/0/items/0")
    page.fill("#statement_fa", "")
    press(page, "input[type=submit]")
    assert page.locator("#statement_fa-error").inner_text() == "Write this text."
    context.close()
