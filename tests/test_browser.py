"""In a real browser (Debian's Chromium driven by Playwright): the layout fits a 360 px
phone, mirrors in Persian, and every form works with JavaScript switched off."""

from __future__ import annotations

import pytest

from app.bidi import isolate_text
from tests import factories
from tests.browser import SERVER_WARNINGS, log_in
from tests.test_access import PAGES, fill
from tests.test_e2e import Auditor

pytestmark = SERVER_WARNINGS


def choose_language(page, base: str, language: str) -> None:
    """Press the header's language switch unless the page is already in ``language``."""
    page.goto(f"{base}/dashboard")
    button = page.locator(f"button[name=language][value={language}]")
    if button.count():
        button.click()


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("role", ["admin", "consultant_assigned", "owner"])
def test_pages_fit_a_phone_without_javascript(
    browser, live_server, world, assessments, tracker, library, role, language
):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, world.user(role))
    choose_language(page, live_server, language)
    for path in PAGES:
        page.goto(live_server + fill(path, world, assessments, tracker, library))
        assert page.locator("html").get_attribute("lang") == language
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide at 360px ({role}, {language})"
    context.close()


@pytest.mark.parametrize("role", ["admin", "consultant_assigned", "owner"])
def test_persian_pages_on_a_phone_have_no_serious_accessibility_problem(
    browser, live_server, world, assessments, tracker, library, role
):
    """On a 360 px screen, what scrolls sideways in its own box (a wide table, the
    report's charts) can be reached from the keyboard: axe-core found such boxes on the
    audit trail, the organisation, the tracker's figures and import, and the report's
    preview, which the audits at 1,280 px (test_e2e) never see scroll."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    log_in(page, live_server, world.user(role))
    choose_language(page, live_server, "fa")
    auditor = Auditor()
    for path in PAGES:
        page.goto(live_server + fill(path, world, assessments, tracker, library))
        auditor.check(page)
    assert len(auditor.checked) == len(PAGES)
    assert not auditor.problems, "\n".join(auditor.problems)
    context.close()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_lists_are_numbered_where_they_mean_to_be_in_either_language(
    browser, live_server, world, assessments, tracker, language
):
    """In Persian, numbered lists count in Persian digits; the tracker's cards and the
    results' process steps, drawn without numbers, had Persian numbers all the same (the
    rule for Persian outweighed theirs), and the two-step sign-in's steps had numbers in
    Persian only (their class was the process steps' too)."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, world.owner)
    choose_language(page, live_server, language)

    def markers(path: str, selector: str) -> set[str]:
        page.goto(live_server + path)
        found = page.evaluate(
            "selector => [...document.querySelectorAll(selector)]"
            ".map(list => getComputedStyle(list).listStyleType)",
            selector,
        )
        assert found, f"no {selector} on {path}"
        return set(found)

    numbers = "persian" if language == "fa" else "decimal"
    assert markers("/account/two-factor/setup", "ol.setup-steps") == {numbers}
    assert markers(f"/organisations/{world.organisation.id}/tracker/board", "ol.cards") == {"none"}
    assert markers(f"/assessments/{assessments.published.id}/results", "ol.steps") == {"none"}
    context.close()


def test_persian_layout_mirrors_the_english_one(browser, live_server, world):
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    positions = {}
    for language in ("en", "fa"):
        choose_language(page, live_server, language)
        page.goto(f"{live_server}/login")
        brand = page.locator(".brand").bounding_box()
        heading = page.locator("h1").bounding_box()
        positions[language] = (brand["x"], heading["x"] + heading["width"])
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "fa" else "ltr")
    assert positions["en"][0] < 100  # brand at the left edge in English
    assert positions["fa"][0] > 800  # and at the right edge in Persian
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Vazirmatn" in font
    context.close()


def test_forms_work_without_javascript(browser, live_server, world):
    """Log in, switch language, and add a member with a mistake, then correct it."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, world.consultant_assigned)
    page.goto(f"{live_server}/organisations/{world.organisation.id}/members/new")
    page.fill("#name", "Shirin Ebadi")
    page.fill("#email", "not an address")
    page.click("input[type=submit]")
    assert "Enter a valid e-mail address" in page.locator("#email-error").inner_text()
    assert page.input_value("#name") == "Shirin Ebadi"  # nothing typed is lost
    page.fill("#email", "shirin@example.com")
    page.click("input[type=submit]")
    # The name is a first-strong isolate in the message, so it cannot reorder it.
    assert f"{isolate_text('Shirin Ebadi')} was added." in page.locator(".flashes").inner_text()
    page.locator("button[name=language][value=fa]").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "Shirin Ebadi" in page.locator("table").inner_text()  # names stay as typed
    context.close()


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_consensus_value_is_set_in_view_of_its_question(browser, live_server, world, language):
    """The review's table of answers at a desktop width: a question reads as a few lines,
    and its consensus form, button included, is in view without scrolling sideways; the
    value set is the one shown chosen after the page comes back."""
    assessment = factories.reviewed(world, "Review in view")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server, world.consultant_assigned)
    choose_language(page, live_server, language)
    page.goto(f"{live_server}/assessments/{assessment.id}/results")
    page.locator("#answers details summary").first.click()
    row = page.locator("#answers tbody tr").first
    scroller = page.locator("#answers .table-scroll").first.bounding_box()
    button = row.locator(".consensus-form button").bounding_box()
    assert scroller["x"] <= button["x"]
    assert button["x"] + button["width"] <= scroller["x"] + scroller["width"]
    assert row.locator("td").first.bounding_box()["width"] >= 176  # 11rem: a few words a line
    item = row.get_attribute("id")
    row.locator("select[name=value]").select_option("4")
    row.locator("input[name=note]").fill("Agreed in the workshop")
    row.locator(".consensus-form button").click()
    chosen = page.locator(f"#{item} select[name=value] option:checked")
    assert chosen.get_attribute("value") == "4"
    assert page.locator(f"#{item} input[name=note]").input_value() == "Agreed in the workshop"
    context.close()
