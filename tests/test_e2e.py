"""End to end in a real browser: a consultant sets up and opens an assessment, a
respondent answers in Persian over two sittings by private link, the consultant reviews
and publishes, and the owner reads the results. Every page visited is checked with
axe-core, in both languages, and must have no serious or critical accessibility issue."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from tests.browser import SERVER_WARNINGS, log_in

pytestmark = SERVER_WARNINGS

SERIOUS = {"serious", "critical"}


class Auditor:
    """Runs axe-core on each page and keeps what is serious or critical."""

    def __init__(self):
        self.axe = Axe()
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, page) -> None:
        language = page.locator("html").get_attribute("lang")
        results = self.axe.run(page)
        self.checked.append(f"{language} {page.url}")
        for violation in results.response["violations"]:
            if violation["impact"] in SERIOUS:
                targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
                self.problems.append(
                    f"{language} {page.url}: {violation['id']} ({violation['impact']}) {targets}"
                )


def press(page, selector: str) -> None:
    """Click something that sends a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        page.click(selector)


def switch_language(page, language):
    if page.locator(f"button[name=language][value={language}]").count():
        press(page, f"button[name=language][value={language}]")


def answer_all_items_on_page(page, choice_index: int) -> None:
    """Pick, for each question on the page, the scale point at ``choice_index``."""
    for fieldset in page.locator("fieldset.item").all():
        fieldset.locator(".scale-option input").nth(choice_index).check()


def test_assessment_from_setup_to_published_results(browser, live_server, world):
    base = live_server
    auditor = Auditor()
    visited: list[str] = []

    # The consultant, in English, sets up the assessment.
    browser_contexts = []

    def new_context(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(5000)
        browser_contexts.append(context)
        return context

    consultant = new_context()
    page = consultant.new_page()
    log_in(page, base, world.consultant_assigned)
    page.goto(f"{base}/organisations/{world.organisation.id}")
    auditor.check(page)
    press(page, "text=New assessment")
    auditor.check(page)
    page.fill("#title", "Readiness review")
    page.check("input[value=supporting-conditions]")
    press(page, "input[type=submit]")
    assert "Assessment created" in page.inner_text(".flashes")
    assessment_url = page.url
    visited.append(assessment_url)
    auditor.check(page)
    page.fill("#name", "Parisa Navabi")
    page.fill("#email", "parisa@example.com")
    page.select_option("#group", "manager")
    page.select_option("#locale", "fa")
    press(page, "input[value='Add respondent']")
    auditor.check(page)
    link = page.input_value(".copy-field")  # shown once, on the page the form lands on
    page.goto(assessment_url)
    press(page, "form:has(input[name=to][value=open]) button")
    assert "Open for answers" in page.inner_text(".tag")

    # The respondent, with no account, answers in Persian. (axe-core needs JavaScript in
    # the page; that every form works without it is checked in test_browser.py.)
    first_sitting = new_context()
    answer = first_sitting.new_page()
    answer.goto(link)
    assert answer.locator("html").get_attribute("dir") == "rtl"
    assert "رهبری" in answer.inner_text("h1")
    auditor.check(answer)
    answer_all_items_on_page(answer, 3)  # "agree"
    press(answer, "button[value=next]")
    assert answer.url.endswith("/2")
    first_sitting.close()

    # Later, on another device: the same link resumes where they stopped.
    second_sitting = new_context()
    answer = second_sitting.new_page()
    answer.goto(link)
    assert answer.url.endswith("/2")
    for _page in range(10):  # supporting-conditions has five pages
        auditor.check(answer)
        answer_all_items_on_page(answer, 2)
        if answer.locator("button[value=next]").count():
            press(answer, "button[value=next]")
        else:
            press(answer, "button[value=review]")
            break
    auditor.check(answer)
    press(answer, "form.panel button")  # "Submit my answers" (in Persian)
    assert answer.url.endswith("/done")
    auditor.check(answer)
    second_sitting.close()

    # The consultant reviews and publishes.
    page.goto(assessment_url)
    press(page, "text=Close answering and review")  # lands on the results, to review
    results_url = page.url
    visited.append(results_url)
    assert "Overall readiness" in page.inner_text("main")
    auditor.check(page)
    page.goto(assessment_url)
    press(page, "text=Publish to the organisation")
    assert "Published" in page.inner_text(".tag")
    for url in visited:  # the consultant's pages in Persian too
        switch_language(page, "fa")
        page.goto(url)
        auditor.check(page)
    consultant.close()

    # The owner reads the published results.
    owner = new_context()
    page = owner.new_page()
    log_in(page, base, world.owner)
    page.goto(f"{base}/organisations/{world.organisation.id}")
    press(page, "text=Readiness review")
    assert page.url == results_url
    assert "Action plan" in page.inner_text("main")
    auditor.check(page)
    switch_language(page, "fa")
    assert "برنامهٔ اقدام" in page.inner_text("main")
    auditor.check(page)
    owner.close()

    languages = {entry.split()[0] for entry in auditor.checked}
    assert languages == {"en", "fa"}
    assert not auditor.problems, "\n".join(auditor.problems)
