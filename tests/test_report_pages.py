"""The printed report's page numbers, read back from the real PDF in both languages: "page
X of Y" on every page after the cover with the right X and Y, and each entry of the
contents pointing at the page its section starts on. Whatever is done to make a render
quicker, these must hold.

pypdf writes a Persian number of several digits back to front (see tests/test_reports.py),
so a Persian number is looked for either way round.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.extensions import db
from app.models import ReportCache
from tests import factories
from tests.jobs import download_report

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ZWNJ = "\u200c"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text.replace(ZWNJ, ""))


def written(number: int, language: str) -> set[str]:
    """A number as pypdf reads it back from the report in ``language``."""
    if language == "en":
        return {str(number)}
    digits = str(number).translate(PERSIAN_DIGITS)
    return {digits, digits[::-1]}


# pypdf may also read the Persian total before the words of the right-to-left footer.
PAGE_OF = {"en": ["Page{page}of{pages}"], "fa": ["صفحه{page}از{pages}", "{pages}صفحه{page}از"]}
# The contents' entries checked, with the heading their page starts with.
SECTIONS = {
    "en": ["Executive summary", "Method", "Action plan", "Appendix: every question"],
    "fa": ["خلاصهٔ مدیریتی", "روش", "برنامهٔ اقدام", "پیوست: همهٔ پرسش‌ها"],
}


@pytest.mark.parametrize("language", ["en", "fa"])
def test_every_page_says_which_of_how_many_and_the_contents_point_at_their_pages(
    client, auth, world, language
):
    assessment = factories.answered_assessment(
        world.organisation, world.consultant_assigned, respondents=6
    )
    auth.login(world.consultant_assigned)
    response = download_report(client, assessment, language)
    assert response.status_code == 200
    pages = [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(response.data)).pages]
    assert len(pages) == db.session.scalar(db.select(ReportCache.pages)) > 10

    total = written(len(pages), language)
    for number, text in enumerate(pages[1:], start=2):
        footers = {
            form.format(page=page, pages=pages_)
            for form in PAGE_OF[language]
            for page in written(number, language)
            for pages_ in total
        }
        assert any(footer in text for footer in footers), (number, text[-80:])

    contents = pages[1]
    # English reads back as "title, leader, number"; pypdf reorders the Persian lines
    # (number, leader, and the title elsewhere), so there each start page must be among the
    # contents' numbers.
    listed = re.findall(r"([0-9۰-۹]+)\.{3,}", contents) if language == "fa" else []
    for title in SECTIONS[language]:
        heading = squeeze(title)
        starts = [  # after the cover and the contents
            number for number, text in enumerate(pages[2:], start=3) if heading in text[:60]
        ]
        assert starts, f"no page starts with {title}"
        if language == "en":
            entry = re.search(re.escape(heading) + r"\.{3,}([0-9]+)", contents)
            assert entry, (title, contents)
            listed = [entry.group(1)]
        assert written(starts[0], language) & set(listed), (title, starts, listed)
