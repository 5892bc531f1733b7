"""Each text's Pango layout is kept from the page's layout to its drawing
(app/reports/kept_layouts.py), and the PDF is the one WeasyPrint's own methods make."""

from __future__ import annotations

import importlib.util
import io

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.text import line_break
from weasyprint.text.line_break import Layout

from app.reports.kept_layouts import keep_text_layouts_for_drawing

PERSIAN = "مشتریان خود را با داده‌هایی که از آن‌ها داریم به بخش‌های مشخص تقسیم کرده‌ایم. "
ENGLISH = "We divide our customers into defined segments using the data we hold. "
ROWS = "".join(
    f'<tr><td>{PERSIAN}</td><td class="n">۴۵٫۰</td><td class="n">{n} · ۷ · ۶</td></tr>'
    for n in range(40)
)
# What the report is made of (both scripts, a table whose header repeats on the next page,
# numbers kept on one line, a list, running heads and page numbers), and what drawing
# changes or makes afresh: justified and letter-spaced text, a cut-off text with an
# ellipsis.
PLAIN = f"""<html dir="rtl" lang="fa"><head><style>
@page {{ size: A5; @top-right {{ content: "گزارش آمادگی" }}
  @bottom-left {{ content: "صفحهٔ " counter(page) " از " counter(pages) }} }}
body {{ font: 9pt/1.6 sans-serif }} td.n {{ white-space: nowrap }}
thead {{ display: table-header-group }}
</style></head><body>
<h1>گزارش آمادگی <bdi dir="ltr">CRM</bdi></h1>
<p>{PERSIAN * 6} <bdi dir="ltr">{ENGLISH}</bdi></p>
<table><thead><tr><th>پرسش</th><th>میانگین</th><th>پاسخ‌ها</th></tr></thead>
<tbody>{ROWS}</tbody></table>
<ul><li>{PERSIAN}</li><li><bdi dir="ltr">{ENGLISH * 3}</bdi></li></ul>
<p dir="ltr" lang="en">{ENGLISH * 4}</p>
</body></html>"""
DRAWN_AFRESH = """
<p style="text-align: justify">{persian}</p>
<p style="letter-spacing: 1pt; word-spacing: 2pt">{persian}</p>
<p style="width: 30mm; white-space: nowrap; overflow: hidden; text-overflow: ellipsis">
{english}</p>
""".format(persian=PERSIAN * 5, english=ENGLISH)
PAGE = PLAIN.replace("</body>", f"{DRAWN_AFRESH}</body>")


@pytest.fixture(scope="module")
def kept():
    assert keep_text_layouts_for_drawing(), "WeasyPrint's Layout methods have changed"


def weasyprints_own_methods():
    """``Layout.deactivate`` and ``reactivate`` as WeasyPrint ships them, from a fresh
    copy of their module."""
    spec = importlib.util.spec_from_file_location(
        "weasyprint.text._line_break_as_shipped", line_break.__file__
    )
    shipped = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shipped)
    return shipped.Layout.deactivate, shipped.Layout.reactivate


def layouts_made_while_drawing(html: str, monkeypatch) -> int:
    document = HTML(string=html).render()
    made = []
    setup = Layout.setup

    def counted(self, style):
        made.append(self)
        setup(self, style)

    with monkeypatch.context() as patch:
        patch.setattr(Layout, "setup", counted)
        document.write_pdf()
    return len(made)


def test_the_pdf_is_the_one_weasyprints_own_methods_make(kept, monkeypatch):
    ours = HTML(string=PAGE).write_pdf()
    deactivate, reactivate = weasyprints_own_methods()
    monkeypatch.setattr(Layout, "deactivate", deactivate)
    monkeypatch.setattr(Layout, "reactivate", reactivate)
    theirs = HTML(string=PAGE).write_pdf()
    assert ours == theirs
    assert len(PdfReader(io.BytesIO(ours)).pages) >= 2  # a table header drawn twice


def test_drawing_makes_a_layout_again_only_where_it_would_differ(kept, monkeypatch):
    assert layouts_made_while_drawing(PLAIN, monkeypatch) == 0
    # The justified and spaced paragraphs' lines are made afresh, as before; the cut-off
    # one is drawn from its kept layout, which drawing gives a width and an ellipsis.
    assert layouts_made_while_drawing(PAGE, monkeypatch) >= 3
    deactivate, reactivate = weasyprints_own_methods()
    monkeypatch.setattr(Layout, "deactivate", deactivate)
    monkeypatch.setattr(Layout, "reactivate", reactivate)
    assert layouts_made_while_drawing(PLAIN, monkeypatch) > 150


def test_a_drawn_text_holds_no_pango_layout(kept):
    document = HTML(string=PLAIN).render()
    document.write_pdf()
    texts = [
        box.pango_layout
        for page in document.pages
        for box in page._page_box.descendants()
        if getattr(box, "pango_layout", None) is not None
    ]
    assert len(texts) > 150
    assert not any(hasattr(layout, "layout") for layout in texts)
