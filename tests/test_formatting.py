"""Numbers and lists by language (app/formatting.py): one module for the pages, the charts
and the report, following CLDR: Persian digits and separators, the minus sign on the left
of the number in a Persian sentence, «٪» and «،» in Persian text."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from markupsafe import Markup
from pypdf import PdfReader
from sqlalchemy import select

from app.assessments import scores, services
from app.assessments.services import Actor
from app.charts import Series, bar_chart, bar_figure, radar_chart
from app.extensions import db
from app.formatting import format_change, format_decimal, format_percent, join_list
from app.models import AssessmentStatus, FeedbackKind, User, utcnow
from app.tracker import services as tracker_services
from tests import factories
from tests.browser import log_in
from tests.jobs import download_report
from tests.test_access import PAGES, fill
from tests.test_i18n import switch, visible_text

LRM, MINUS = "\u200e", "\u2212"


@pytest.mark.parametrize(
    ("value", "language", "decimals", "text"),
    [
        (-27, "fa", 0, f"{LRM}{MINUS}۲۷"),  # a negative NPS: CLDR's minus, kept on the left
        (-27, "en", 0, "-27"),
        (-27.25, "fa", 1, f"{LRM}{MINUS}۲۷٫۳"),  # rounded half up, as by hand
        (55.25, "fa", 1, "۵۵٫۳"),
        (55.25, "en", 1, "55.3"),
        (60, "fa", 1, "۶۰٫۰"),
        (1234.5, "fa", 1, "۱٬۲۳۴٫۵"),
        (1234.5, "en", 1, "1,234.5"),
        (-0.04, "fa", 1, "۰٫۰"),  # no minus on a number that rounds to nothing
        (None, "fa", 1, "—"),
    ],
)
def test_decimals(value, language, decimals, text):
    assert format_decimal(value, language, decimals) == text


@pytest.mark.parametrize(
    ("ratio", "language", "decimals", "text"),
    [
        (0.6, "fa", 0, "۶۰٪"),
        (0.6, "en", 0, "60%"),
        (0.125, "fa", 1, "۱۲٫۵٪"),
        (-0.05, "fa", 0, f"{LRM}{MINUS}۵٪"),
        (None, "en", 0, "—"),
    ],
)
def test_percentages(ratio, language, decimals, text):
    assert format_percent(ratio, language, decimals) == text


@pytest.mark.parametrize(
    ("value", "language", "text"),
    [
        (3.24, "fa", f"{LRM}+۳٫۲"),
        (3.24, "en", "+3.2"),
        (-1, "fa", f"{LRM}{MINUS}۱٫۰"),
        (-1, "en", "-1.0"),
        (0.01, "en", "0.0"),
    ],
)
def test_changes_carry_their_sign(value, language, text):
    assert format_change(value, language) == text


@pytest.mark.parametrize(
    ("items", "language", "conjunction", "text"),
    [
        (["فروش", "انبار", "مالی"], "fa", True, "فروش،\u200f انبار، و مالی"),
        (["فروش", "انبار"], "fa", True, "فروش و انبار"),
        (["Sales", "Stock", "Finance"], "en", True, "Sales, Stock, and Finance"),
        (["Sales", "Stock"], "en", True, "Sales and Stock"),
        (["Sales", "Stock", "Finance"], "fa", False, "Sales،\u200f Stock،\u200f Finance"),
        (["Sales"], "fa", True, "Sales"),
        ([], "en", True, ""),
    ],
)
def test_lists_joined_in_a_sentence(items, language, conjunction, text):
    assert join_list(items, language, conjunction=conjunction) == text


def test_a_list_of_markup_keeps_its_markup_and_escapes_the_rest():
    joined = join_list([Markup("<bdi>الف</bdi>"), "<b>"], "fa")
    assert joined == Markup("<bdi>الف</bdi> و &lt;b&gt;")


def test_charts_write_numbers_as_the_pages_do():
    series = [Series("این ارزیابی", [55.25, 20, 80])]
    labels = ["الف", "ب", "پ"]
    for chart in (
        bar_chart(labels, series, rtl=True, title="t", no_data_label="-"),
        radar_chart(labels, series, rtl=True, title="t", no_data_label="-"),
        bar_figure(labels, series, rtl=True, title="t", no_data_label="-").html,
    ):
        assert format_decimal(55.25, "fa") in chart  # ۵۵٫۳
        assert "55.3" not in chart
    english = bar_chart(["a"], [Series("s", [55.25])], rtl=False, title="t", no_data_label="-")
    assert ">55.3<" in english


def negative_nps(world, tracker) -> None:
    """Three recommendation scores: one promoter, two detractors, NPS (1 - 2) / 3 = -33."""
    for score in (10, 0, 3):
        tracker_services.add_feedback(
            tracker.customer,
            kind=FeedbackKind.NPS,
            score=score,
            comment="",
            received_at=utcnow() - timedelta(days=2),
            by=world.manager,
        )
    db.session.commit()


def test_a_negative_nps_keeps_its_minus_on_the_left_in_persian(client, auth, world, tracker):
    negative_nps(world, tracker)
    world.manager.locale = "fa"
    db.session.commit()
    auth.login(world.manager)
    page = client.get(f"/organisations/{world.organisation.id}/tracker/metrics").get_data(
        as_text=True
    )
    assert f'<span class="stat-value">{LRM}{MINUS}۳۳</span>' in page
    assert "۳۳-" not in page


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_chromium_draws_the_minus_before_the_digits(live_server, browser, world, tracker):
    negative_nps(world, tracker)
    world.manager.locale = "fa"
    db.session.commit()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, world.manager)
    page.goto(f"{live_server}/organisations/{world.organisation.id}/tracker/metrics")
    where = """(needle) => {
      for (const span of document.querySelectorAll(".stat-value")) {
        const node = span.firstChild, at = node.data.indexOf(needle);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + needle.length);
        return range.getBoundingClientRect().left;
      }
      return null;
    }"""
    minus, digits = page.evaluate(where, MINUS), page.evaluate(where, "۳۳")
    assert minus is not None
    assert digits is not None
    assert minus < digits  # −۳۳, not ۳۳−
    context.close()


# Latin punctuation beside Persian letters or digits: «۶۰٫۰, هدف», «۶۰%».
LATIN_PUNCTUATION = re.compile(r"[\u0600-\u06ff][,;?%]|[,;?]\s*[\u0600-\u06ff]|[۰-۹]\s*%")


@pytest.mark.parametrize("role", ["consultant_assigned", "owner", "manager"])
def test_persian_pages_use_persian_punctuation(
    client, auth, world, assessments, tracker, library, role
):
    auth.login(world.user(role))
    switch(client, "fa", "/")
    typed = {value for (value,) in db.session.execute(select(User.name)).all()}
    for path in PAGES:
        response = client.get(fill(path, world, assessments, tracker, library))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        text = visible_text(response.get_data(as_text=True))
        for value in typed:
            text = text.replace(value, " ")
        assert not LATIN_PUNCTUATION.search(text), (path, LATIN_PUNCTUATION.findall(text))


def test_the_persian_report_writes_numbers_and_lists_in_persian(client, auth, world):
    """Coverage, changes since the previous assessment (some negative), the levels' list."""
    definition = factories.supporting_conditions()
    before = factories.answered_assessment(
        world.organisation,
        world.consultant_assigned,
        respondents=3,
        title="Baseline",
        questionnaires=[definition],
        seed=7,
    )
    consultant = Actor.of_user(world.consultant_assigned)
    services.change_status(before, AssessmentStatus.PUBLISHED, consultant)
    db.session.commit()
    now = factories.answered_assessment(
        world.organisation,
        world.consultant_assigned,
        respondents=3,
        questionnaires=[definition],
        seed=8,
    )
    auth.login(world.consultant_assigned)
    data = download_report(client, now, "fa").data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    # pypdf reads a run of Persian digits backwards (it takes them for right-to-left
    # letters), so the signs and separators are what is checked here; the digits and the
    # signs' places are checked on the page and in Chromium above.
    changes = [
        d.score - p.score
        for p, d in zip(
            scores.score(before).questionnaires[0].dimensions,
            scores.score(now).questionnaires[0].dimensions,
            strict=True,
        )
    ]
    assert any(change < 0 for change in changes)
    assert any(change > 0 for change in changes)
    assert MINUS in text  # a fall since the previous assessment
    assert "+" in text  # a rise
    assert not re.search(r"-[۰-۹]|[۰-۹]-", text)  # never a hyphen for a minus
    assert "٪" in text  # coverage
    assert "%" not in text
    assert "آغازین ۰،" in text  # the levels, listed with the Persian comma
    assert not LATIN_PUNCTUATION.search(text), LATIN_PUNCTUATION.findall(text)
