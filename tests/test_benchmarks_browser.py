"""The benchmark pages in a real browser: the owner's consent page, the results and
report with a benchmark, and the consultant's portfolio, in both languages, with no
serious or critical accessibility problem (axe-core)."""

from __future__ import annotations

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
