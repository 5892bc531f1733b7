"""Names in the other script stay whole where they meet a sentence or a cell: a Persian
organisation on English pages and in the English PDF, a Latin one on Persian pages and in
the Persian PDF. Checked where a reader sees them: the PDF's text read back with pypdf,
and the positions of the words as Chromium draws them."""

from __future__ import annotations

import io
import re

import pytest
from markupsafe import Markup
from pypdf import PdfReader

from app.bidi import direction_of, isolate, isolate_runs, isolate_text
from app.extensions import db
from tests import factories
from tests.browser import log_in
from tests.jobs import download_report

ZWNJ = "\u200c"
PERSIAN_ORGANISATION = "شرکت پخش سپیدار"
MIXED_TITLE = "ارزیابی آمادگی CRM ۱۴۰۵"  # Persian, then a Latin word and Persian digits


def squeeze(text: str) -> str:
    """As pypdf reads text back: no ZWNJ; without whitespace, which it moves about at
    the ends of right-to-left runs."""
    return re.sub(r"\s+", "", text.replace(ZWNJ, ""))


# --- The tool --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("شرکت پخش سپیدار", "rtl"),
        ("Northwind Outfitters", "ltr"),
        ("CRM را با ردیف بودجه در فهرست قرار دهید.", "rtl"),  # most letters, not the first
        ("CRM readiness 2026", "ltr"),
        ("AB شرکت", "rtl"),
        ("ABC الف", "ltr"),  # a tie: the first letter decides
        ("۱۲۳ شرکت", "rtl"),  # digits are not letters
        ("۱۲۳", "ltr"),
        ("", "ltr"),
    ],
)
def test_the_direction_of_a_text_is_that_of_most_of_its_letters(text, direction):
    assert direction_of(text) == direction


def test_isolate_makes_an_island_of_the_texts_own_direction():
    assert isolate(MIXED_TITLE, "ltr") == Markup(
        '<bdi dir="rtl">ارزیابی آمادگی <bdi dir="ltr">CRM ۱۴۰۵</bdi></bdi>'
    )
    # In a sentence of its own direction only the runs in the other script are islands.
    assert isolate(MIXED_TITLE, "rtl") == Markup('ارزیابی آمادگی <bdi dir="ltr">CRM ۱۴۰۵</bdi>')
    assert isolate("Acme <b>", "rtl") == Markup('<bdi dir="ltr">Acme &lt;b&gt;</bdi>')
    assert isolate(None) == isolate("") == Markup("")
    assert isolate_runs("Northwind شرکت 2", rtl=False) == Markup(
        'Northwind <bdi dir="rtl">شرکت 2</bdi>'
    )
    assert isolate_text("Acme") == "\u2068Acme\u2069"


def test_an_address_in_a_persian_sentence_is_one_island():
    """As in a failed e-mail job's description on the admin's Persian home page, where
    it once read «demo.example.com@sara.moradi»."""
    subject = "تعیین رمز عبور در سامانه آمادگی CRM"
    assert isolate(f"رایانامه به sara.moradi@demo.example.com: {subject}", "rtl") == Markup(
        'رایانامه به <bdi dir="ltr">sara.moradi@demo.example.com</bdi>: '
        'تعیین رمز عبور در سامانه آمادگی <bdi dir="ltr">CRM</bdi>'
    )
    assert isolate_runs("به m_2@x.example.com", rtl=True) == Markup(
        'به <bdi dir="ltr">m_2@x.example.com</bdi>'
    )


# --- Pages ----------------------------------------------------------------------------


def organisation_assessment(world, name: str, title: str):
    world.organisation.name = name
    db.session.commit()
    return factories.answered_assessment(
        world.organisation,
        world.consultant_assigned,
        respondents=3,
        title=title,
        questionnaires=[factories.supporting_conditions()],
    )


def in_language(user, language: str) -> None:
    user.locale = language
    db.session.commit()


def test_english_results_isolate_a_persian_organisation_and_title(client, auth, world):
    assessment = organisation_assessment(world, PERSIAN_ORGANISATION, MIXED_TITLE)
    auth.login(world.consultant_assigned)
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert 'Results: <bdi dir="rtl">ارزیابی آمادگی <bdi dir="ltr">CRM ۱۴۰۵</bdi></bdi>' in page
    assert f'<bdi dir="rtl">{PERSIAN_ORGANISATION}</bdi> · 3 submitted responses' in page


def test_persian_pages_isolate_a_latin_organisation(client, auth, world):
    in_language(world.consultant_assigned, "fa")
    world.organisation.name = "Northwind Outfitters"
    db.session.commit()
    auth.login(world.consultant_assigned)
    page = client.get(f"/organisations/{world.organisation.id}").get_data(as_text=True)
    assert '<h1><bdi dir="ltr">Northwind Outfitters</bdi></h1>' in page
    new = client.get(f"/organisations/{world.organisation.id}/assessments/new")
    assert 'ارزیابی جدید برای <bdi dir="ltr">Northwind Outfitters</bdi>' in new.get_data(
        as_text=True
    )


def test_a_flashed_message_isolates_the_name_it_quotes(client, auth, world):
    auth.login(world.consultant_assigned)
    client.post(
        f"/organisations/{world.organisation.id}/members/new",
        data={
            "name": "شیرین عبادی",
            "email": "shirin@example.com",
            "role": "manager",
            "locale": "fa",
        },
    )
    page = client.get(f"/organisations/{world.organisation.id}").get_data(as_text=True)
    assert "\u2068شیرین عبادی\u2069 was added." in page


# --- The PDF ---------------------------------------------------------------------------


def header_fragments(data: bytes, page: int) -> list[tuple[float, str]]:
    """The running heads of a page: each piece of text on its top line, with where it
    starts from the left edge."""
    pieces = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            pieces.append((tm[5] * cm[3] + cm[5], tm[4] * cm[0] + cm[4], text))

    PdfReader(io.BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    top = max(y for y, _x, _text in pieces)
    return [(x, text) for y, x, text in pieces if abs(y - top) < 1]


def report_pages(client, assessment, language: str) -> tuple[bytes, list[str]]:
    data = download_report(client, assessment, language).data
    return data, [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_english_pdf_reads_a_persian_organisation_and_title_in_order(client, auth, world):
    assessment = organisation_assessment(world, PERSIAN_ORGANISATION, MIXED_TITLE)
    auth.login(world.consultant_assigned)
    data, pages = report_pages(client, assessment, "en")
    cover = squeeze(pages[0])
    # "CRM ۱۴۰۵" stays after the Persian words, as typed, not moved to the other end.
    assert squeeze(f"{PERSIAN_ORGANISATION}\n{MIXED_TITLE}\nCRM readiness report") in cover
    # The running head: the organisation on the left, where an English line starts,
    # the title on the right; neither swaps places with the other.
    heads = header_fragments(data, 2)
    organisation = next(x for x, text in heads if squeeze(PERSIAN_ORGANISATION) in squeeze(text))
    title = next(x for x, text in heads if "ارزیابی" in text)
    assert organisation < title
    assert squeeze(PERSIAN_ORGANISATION) in squeeze(pages[2].split("\n")[-2])
    # pypdf reads text in logical order whether or not it was drawn in the right places;
    # what puts "CRM ۱۴۰۵" at the left of the Persian words is the markup the PDF is made
    # from (the preview is the same template), drawn as Chromium draws it below.
    preview = client.get(f"/assessments/{assessment.id}/report?lang=en").get_data(as_text=True)
    assert '<h1><bdi dir="rtl">ارزیابی آمادگی <bdi dir="ltr">CRM ۱۴۰۵</bdi></bdi></h1>' in preview
    assert f'<p class="organisation"><bdi dir="rtl">{PERSIAN_ORGANISATION}</bdi></p>' in preview


def test_persian_pdf_reads_a_latin_organisation_in_order(client, auth, world):
    assessment = organisation_assessment(world, "Northwind Outfitters", "Readiness review 2026")
    auth.login(world.consultant_assigned)
    data, pages = report_pages(client, assessment, "fa")
    assert squeeze("Northwind Outfitters\nReadiness review 2026\nگزارش آمادگی CRM") in squeeze(
        pages[0]
    )
    heads = header_fragments(data, 2)
    organisation = next(x for x, text in heads if "Northwind Outfitters" in text)
    title = next(x for x, text in heads if "Readiness review 2026" in text)
    assert organisation > title  # the organisation on the right, where Persian starts


# --- In Chromium -----------------------------------------------------------------------

WHERE = """([selector, needle]) => {
  const scope = document.querySelector(selector);
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      const box = range.getBoundingClientRect();
      return [box.left, box.right];
    }
  }
  return null;
}"""


def drawn_at(page, selector: str, needle: str) -> tuple[float, float]:
    """Where Chromium draws ``needle`` inside ``selector``: its left and right edges."""
    box = page.evaluate(WHERE, [selector, needle])
    assert box, f"{needle!r} is not in {selector}"
    return tuple(box)


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_chromium_draws_names_in_the_other_script_in_their_place(
    live_server, browser, world, language
):
    if language == "en":
        name, title = PERSIAN_ORGANISATION, MIXED_TITLE
    else:
        name, title = "Northwind Outfitters", "CRM readiness 2026"
    assessment = organisation_assessment(world, name, title)
    in_language(world.consultant_assigned, language)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, world.consultant_assigned)
    page.goto(f"{live_server}/assessments/{assessment.id}/results")
    if language == "en":
        # "Results: " on the left, then the Persian title, whose "CRM ۱۴۰۵" sits at the
        # left of its Persian words (right-to-left) and reads "CRM" then "۱۴۰۵".
        results, crm, year = (drawn_at(page, "h1", t) for t in ("Results", "CRM", "۱۴۰۵"))
        words = drawn_at(page, "h1", "ارزیابی آمادگی")
        assert results[1] < crm[0] < year[0] < words[0]
        # "شرکت پخش سپیدار · 3 submitted responses": the count stays on the right.
        line = "main p.crumb"
        organisation, count, submitted = (drawn_at(page, line, t) for t in (name, "3", "submitted"))
        assert organisation[1] < count[0] < submitted[0]
    else:
        # «نتایج: » on the right, the Latin title to its left, read left to right.
        results = drawn_at(page, "h1", "نتایج")
        crm, year = drawn_at(page, "h1", "CRM"), drawn_at(page, "h1", "2026")
        assert crm[0] < year[0] < results[0]
        # «Northwind Outfitters · ۳ پاسخ ارسال‌شده»: the count stays left of the name.
        line = "main p.crumb"
        organisation, count, answered = (drawn_at(page, line, t) for t in (name, "۳", "پاسخ"))
        assert answered[1] < count[0] < count[1] < organisation[0]
    context.close()
