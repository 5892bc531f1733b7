"""The report laid out in two processes at once (app/reports/parts.py) is the report laid
out whole: the same pages with the same text, the contents' page numbers, "page X of Y",
the bookmarks and the links' destinations; and where a part fails, the whole is rendered."""

from __future__ import annotations

import io
import logging
import os
import re

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from app.reports import parts
from app.reports.branding import report_branding
from app.reports.context import build_context
from app.reports.render import _PdfSource, collector_paused, lay_out, render_pdf
from tests import factories


@pytest.fixture
def report(app, world):
    """The context and logo of a report whose appendix runs over several pages."""
    assessment = factories.answered_assessment(
        world.organisation, world.consultant_assigned, respondents=9
    )

    def make(language: str):
        return build_context(assessment, language), report_branding(assessment).logo()

    return make


def whole_pdf(context, logo) -> bytes:
    with collector_paused():
        return lay_out(context, logo).write_pdf()


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def destinations(reader: PdfReader) -> dict[str, int]:
    return {
        name: reader.get_destination_page_number(destination)
        for name, destination in reader.named_destinations.items()
    }


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_report_in_two_parts_is_the_report_laid_out_whole(app, report, monkeypatch, language):
    with app.test_request_context(), force_locale(language):
        context, logo = report(language)
        whole = PdfReader(io.BytesIO(whole_pdf(context, logo)))

        def not_whole(_source):
            raise AssertionError("rendered whole, not in two parts")

        monkeypatch.setattr(_PdfSource, "lay_out", not_whole)
        rendered = render_pdf(context, logo)
    split = PdfReader(io.BytesIO(rendered.data))

    assert rendered.pages == len(split.pages) == len(whole.pages) > 20
    for number, (ours, theirs) in enumerate(zip(split.pages, whole.pages, strict=True), start=1):
        assert ours.extract_text() == theirs.extract_text(), f"page {number} differs"
    assert outline(split) == outline(whole)
    assert destinations(split) == destinations(whole)

    # The appendix opens on a recto (odd-numbered) page, the one the contents and its link
    # name.
    start = destinations(split)["appendix"]
    assert start % 2 == 0  # zero-based: page 1, 3, 5…
    heading = "Appendix: every question" if language == "en" else "پیوست: همهٔ پرسش‌ها"
    assert heading.replace("\u200c", "") in split.pages[start].extract_text().replace("\u200c", "")
    if language == "en":
        contents = split.pages[1].extract_text()
        assert re.search(rf"Appendix: every question\s*\.+\s*{start + 1}\b", contents)
        last = split.pages[-1].extract_text()
        assert f"Page {len(split.pages)} of {len(split.pages)}" in last


def test_a_part_that_fails_leaves_the_report_to_one_process(app, report, monkeypatch, caplog):
    def dies(*_args):
        os._exit(1)

    monkeypatch.setattr(parts, "_render_part", dies)
    with app.test_request_context(), force_locale("en"):
        context, logo = report("en")
        with caplog.at_level(logging.WARNING, logger="app.reports.parts"):
            rendered = render_pdf(context, logo)
        whole = PdfReader(io.BytesIO(whole_pdf(context, logo)))
    split = PdfReader(io.BytesIO(rendered.data))
    assert "could not be rendered in two parts" in caplog.text
    assert [page.extract_text() for page in split.pages] == [
        page.extract_text() for page in whole.pages
    ]
