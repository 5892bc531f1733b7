"""In a real browser: the consultant's path from logging in to a downloaded PDF for a new
organisation, in Persian, in at most 14 page loads of their own (the download one of
them); a results page one finds one's way in, with charts legible on a phone; and every
page this work touched free of serious accessibility problems in both languages."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from app.assessments import services
from app.assessments.services import Actor
from app.extensions import db
from app.models import AssessmentStatus, utcnow
from tests import factories
from tests.browser import SERVER_WARNINGS, log_in
from tests.test_e2e import Auditor, answer_all_items_on_page, press

pytestmark = SERVER_WARNINGS

MOST_PAGE_LOADS = 14
SCREEN = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
SMALLEST_CHART_TEXT = 11  # CSS px


def squeeze(text: str) -> str:
    return "".join(text.split())


class PageLoads:
    """Counts a page's loads: every navigation, form post and redirect's landing (each
    request of the main frame that is a navigation, downloads included)."""

    def __init__(self, page):
        self.urls: list[str] = []
        page.on(
            "request",
            lambda request: (
                self.urls.append(f"{request.method} {request.url}")
                if request.is_navigation_request() and request.frame == page.main_frame
                else None
            ),
        )


def answer_everything(browser, link: str) -> None:
    """A respondent with no account answers every page by their link and submits."""
    context = browser.new_context()
    context.set_default_timeout(10000)
    page = context.new_page()
    page.goto(link)
    assert page.locator("html").get_attribute("dir") == "rtl"
    while True:
        answer_all_items_on_page(page, 3)
        if page.locator("button[value=next]").count():
            press(page, "button[value=next]")
        else:
            press(page, "button[value=review]")
            break
    press(page, "form.panel button")  # "Submit my answers"
    assert page.url.endswith("/done")
    context.close()


def test_a_consultant_goes_from_login_to_a_pdf_in_at_most_14_page_loads(
    app, browser, live_server, world, monkeypatch
):
    # As deployed: publishing renders the report ahead, and a download that finds it still
    # rendering waits for it (generously here, for a busy test machine) and is the PDF.
    monkeypatch.setitem(app.config, "REPORTS_RENDER_AHEAD", True)
    monkeypatch.setitem(app.config, "REPORT_RENDER_DELAY", 0)
    monkeypatch.setitem(app.config, "REPORT_DOWNLOAD_WAIT", 120)
    world.consultant_assigned.locale = "fa"
    db.session.commit()
    context = browser.new_context(accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(20000)
    page = context.new_page()
    loads = PageLoads(page)
    log_in(page, live_server, world.consultant_assigned)
    assert page.locator("html").get_attribute("lang") == "fa"
    # A new organisation; its first assessment follows.
    press(page, "a[href='/organisations/new']")
    page.fill("#name", "شرکت آزمون پارس")
    page.fill("#sector", "پخش")
    page.select_option("#default_locale", "fa")
    press(page, "input[type=submit]")
    assert "/assessments/new" in page.url
    # Title, questionnaire, respondents pasted, opened for answers: one form.
    page.fill("#title", "ارزیابی آزمایشی")
    page.check("input[value=supporting-conditions]")
    page.fill(
        "#respondents",
        "پریسا نوابی، parisa@example.com، manager\nکاوه جعفری، kaveh@example.com، staff",
    )
    page.check("#open_now")
    press(page, "input[type=submit]")
    links = [field.input_value() for field in page.locator(".copy-field").all()]
    assert len(links) == 2
    assert "هیچ ایمیلی فرستاده نشد" in page.inner_text(".new-links")  # honest: no mail server
    # A link's field selects the whole link; the button beside it copies it.
    page.focus(".copy-field >> nth=1")
    assert page.evaluate(
        "() => { const f = document.querySelectorAll('.copy-field')[1];"
        " return f.selectionStart === 0 && f.selectionEnd === f.value.length; }"
    )
    page.click(".copy-button >> nth=1")
    assert page.evaluate("navigator.clipboard.readText()") == links[1]
    cockpit = page.url
    for link in links:  # the respondents' own page loads are not the consultant's
        answer_everything(browser, link)
    # Back at the assessment: everyone has answered; close, review, publish, download.
    page.reload()
    press(page, "form:has(input[name=to][value=in_review]) button")
    assert page.url == cockpit + "/results"
    press(page, ".next-step-bar form button")
    assert "منتشر" in page.inner_text(".tag")
    with page.expect_download() as download:
        page.click("a[href$='report.pdf?lang=fa']")
    pdf = download.value.path().read_bytes()
    text = squeeze("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert squeeze("شرکت آزمون پارس") in text
    assert squeeze("ارزیابی آزمایشی") in text
    context.close()
    assert len(loads.urls) <= MOST_PAGE_LOADS, "\n".join(loads.urls)


@pytest.fixture
def results(world, tracker):
    """Results as long as they get: three questionnaires, a previous published assessment
    (a third series on every chart), the tracker's evidence; in review."""
    actor = Actor.of_user(world.consultant_assigned)
    previous = factories.answered_assessment(
        world.organisation, world.consultant_assigned, respondents=6, title="Baseline", seed=3
    )
    services.change_status(previous, AssessmentStatus.PUBLISHED, actor)
    previous.published_at = utcnow() - timedelta(days=200)
    db.session.commit()
    return factories.answered_assessment(
        world.organisation, world.consultant_assigned, respondents=9, title="Readiness"
    )


# Every text of every chart, in CSS px as drawn: an SVG text's size times the scale the
# SVG is drawn at, or an HTML label's own size.
CHART_TEXT_SIZES = """() => [
  ...document.querySelectorAll('.chart-figure text, .chart-figure .chart-label')
].map(element => {
    const size = parseFloat(getComputedStyle(element).fontSize);
    const scale = element.getScreenCTM ? element.getScreenCTM().a : 1;
    return size * scale;
  })"""


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_results_page_is_short_to_its_detail_and_its_charts_legible_on_a_phone(
    browser, live_server, world, results, language
):
    world.consultant_assigned.locale = language
    db.session.commit()
    context = browser.new_context(viewport=SCREEN)
    page = context.new_page()
    log_in(page, live_server, world.consultant_assigned)
    page.goto(f"{live_server}/assessments/{results.id}/results")
    summary = page.locator("#summary").bounding_box()
    assert summary["y"] + summary["height"] <= SCREEN["height"]  # the summary fills screen one
    for heading in ("Strengths", "Largest gaps") if language == "en" else ("نقاط قوت",):
        assert heading in page.inner_text("#summary")
    contents = page.locator("nav.contents a").evaluate_all("links => links.map(a => a.hash)")
    for anchor in contents:  # the contents list links to every section
        assert page.locator(anchor).count() == 1, anchor
    assert len(contents) >= 8
    detail = page.locator("#answers").bounding_box()["y"]
    assert detail <= 4 * SCREEN["height"], f"the per-question detail starts at {detail}px"
    assert page.locator("#answers details").count() > 0
    assert not page.locator("#answers details[open]").count()  # folded
    context.close()

    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    log_in(page, live_server, world.consultant_assigned)
    page.goto(f"{live_server}/assessments/{results.id}/results")
    sizes = page.evaluate(CHART_TEXT_SIZES)
    assert len(sizes) > 40  # every chart's labels, values and ticks
    assert min(sizes) >= SMALLEST_CHART_TEXT, f"chart text of {min(sizes):.1f}px on a phone"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    scrolls = page.locator(".chart-scroll").evaluate_all(
        "figures => figures.map(f => f.scrollWidth > f.clientWidth)"
    )
    assert any(scrolls)  # the wide charts scroll sideways instead
    phone.close()


def test_every_page_touched_has_no_serious_accessibility_problem(
    browser, live_server, world, assessments, tracker, results
):
    auditor = Auditor()
    consultant = world.consultant_assigned
    actor = Actor.of_user(consultant)
    services.change_status(results, AssessmentStatus.PUBLISHED, actor)
    db.session.commit()
    pages = {
        "admin": ["/dashboard", "/assessments"],
        "consultant_assigned": [
            "/dashboard",
            f"/assessments/{assessments.open.id}",
            f"/assessments/{results.id}",
            f"/assessments/{results.id}/results",
            f"/assessments/{results.id}/audit",
            f"/assessments/{results.id}/report",
            f"/organisations/{world.organisation.id}/assessments/new",
        ],
        "owner": ["/dashboard", f"/assessments/{results.id}/results"],
        "manager": ["/dashboard", f"/answer/{assessments.respondent.id}/review"],
    }
    heading_order = []
    for role, paths in pages.items():
        for language in ("fa", "en"):
            user = world.user(role)
            user.locale = language
            db.session.commit()
            context = browser.new_context(viewport=SCREEN)
            context.set_default_timeout(10000)
            page = context.new_page()
            log_in(page, live_server, user)
            if role == "consultant_assigned":  # new links waiting to be shown, once
                page.goto(f"{live_server}/assessments/{assessments.open.id}/respondents/paste")
                page.fill("#lines", f"Ali {language}, ali-{language}@example.com, manager")
                press(page, "input[type=submit]")
                assert page.locator(".copy-field").count() == 1
                assert page.locator(".copy-button").count() == 1  # added by the script
                auditor.check(page)
            for path in paths:
                page.goto(live_server + path)
                auditor.check(page)
                if path.endswith("/report"):
                    results_ = auditor.axe.run(page).response["violations"]
                    heading_order += [v["id"] for v in results_ if v["id"] == "heading-order"]
            context.close()
    assert {entry.split()[0] for entry in auditor.checked} == {"fa", "en"}
    assert not auditor.problems, "\n".join(auditor.problems)
    assert not heading_order, "the report preview skips a heading level"
