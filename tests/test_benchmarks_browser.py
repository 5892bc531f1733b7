"""The benchmark pages in a real browser: the owner's consent page, the results and
report with a benchmark, and the consultant's portfolio, in both languages, with no
serious or critical accessibility problem (axe-core); the report's preview on a phone."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.browser import SERVER_WARNINGS, log_in
from tests.test_benchmarks import answered_mini, other_organisations
from tests.test_e2e import Auditor

pytestmark = SERVER_WARNINGS


def test_benchmark_pages_have_no_serious_accessibility_problem(browser, live_server, world):
    earlier = answered_mini(world.organisation, world.consultant_assigned, 2)
    own = answered_mini(world.organisation, world.consultant_assigned, 4)
    other_organisations(world, [1, 2, 3, 4, 5])
    world.organisation.benchmark_consent = True
    db.session.commit()
    pages = {
        "owner": [
            f"/organisations/{world.organisation.id}/benchmarks",
            f"/assessments/{own.id}/results",
        ],
        "consultant_assigned": [
            "/portfolio",
            f"/assessments/{own.id}/report",
            f"/assessments/{earlier.id}/results",
        ],
    }
    auditor = Auditor()
    for role, paths in pages.items():
        for language in ("fa", "en"):
            user = world.user(role)
            user.locale = language
            db.session.commit()
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.set_default_timeout(10000)
            page = context.new_page()
            log_in(page, live_server, user)
            for path in paths:
                page.goto(live_server + path)
                assert page.locator("html").get_attribute("lang") == language
                auditor.check(page)
            context.close()
    assert len(auditor.checked) == 10
    assert not auditor.problems, "\n".join(auditor.problems)


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_report_preview_with_its_benchmark_fits_a_phone(browser, live_server, world, language):
    """The benchmark's spreads, drawn 128 px wide, narrow to their column on a 360 px
    screen: the page does not scroll sideways (it did, to 441 px)."""
    own = answered_mini(world.organisation, world.consultant_assigned, 4)
    other_organisations(world, [1, 2, 3, 4, 5])
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, world.consultant_assigned)
    page.goto(f"{live_server}/assessments/{own.id}/report?lang={language}")
    assert page.locator("#benchmarks svg.spread").count() == 3  # the index and two dimensions
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for cell in page.locator("#benchmarks td:has(svg.spread)").all():
        assert cell.evaluate("cell => cell.scrollWidth <= cell.clientWidth")
    context.close()
