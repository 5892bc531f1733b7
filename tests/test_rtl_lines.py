"""Each line of a right-to-left block is laid out once (app/reports/rtl_lines.py), and
the pages come out as WeasyPrint's own line layout makes them, box for box."""

from __future__ import annotations

import importlib.util

import pytest
from weasyprint import HTML
from weasyprint.layout import inline

from app.reports.rtl_lines import lay_out_right_to_left_lines_once

PERSIAN = "مشتریان خود را با داده‌هایی که از آن‌ها داریم به بخش‌های مشخص تقسیم کرده‌ایم. "
# Floats on both sides (lines beside them are narrower), an indent, justified and centred
# text, an inline block, both scripts in one line, a table cell and a list: what the report
# and its comments are made of. Last, a line that a float starts below the top of: laid out
# at a line's height it clears the float, at its own (the inline block's) it does not, so
# it is laid out again further down; that second layout is the one the check is for.
PAGE = f"""<html dir="rtl" lang="fa"><body style="font: 10pt/1.6 sans-serif; width: 120mm">
<div style="float: right; width: 30mm; height: 25mm"></div>
<div style="float: left; width: 20mm; height: 45mm"></div>
<p style="text-indent: 2em; text-align: justify">{PERSIAN * 24}</p>
<p style="text-align: center">{PERSIAN} <bdi dir="ltr">Customer data is split.</bdi> {PERSIAN}</p>
<p>{PERSIAN} <span style="display: inline-block; width: 18mm">۴۵٫۰</span> {PERSIAN * 2}</p>
<table style="width: 100%"><tr><td>{PERSIAN * 2}</td><td>۶ · ۷ · ۶ · ۹ · ۲</td></tr></table>
<ul><li>{PERSIAN * 2}</li><li><bdi dir="ltr">{"A comment in English. " * 8}</bdi></li></ul>
<p style="margin: 0">{PERSIAN}</p>
<div style="float: right; width: 40mm; height: 20mm"></div>
<p style="margin-block-start: -6mm"><span style="display: inline-block; height: 15mm"></span>
{PERSIAN * 3}</p>
</body></html>"""


@pytest.fixture(scope="module")
def corrected():
    assert lay_out_right_to_left_lines_once(), "WeasyPrint's get_next_linebox has changed"


def boxes(document) -> list[tuple]:
    return [
        (
            page_number,
            type(box).__name__,
            *(round(value, 3) for value in (box.position_x, box.position_y)),
            *(round(value, 3) for value in (box.width, box.height)),
            getattr(box, "text", None),
        )
        for page_number, page in enumerate(document.pages)
        for box in page._page_box.descendants()
    ]


def weasyprints_own_line_layout():
    """``get_next_linebox`` as WeasyPrint ships it, from a fresh copy of its module."""
    spec = importlib.util.spec_from_file_location(
        "weasyprint.layout._inline_as_shipped", inline.__file__
    )
    shipped = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shipped)
    return shipped.get_next_linebox


def test_a_right_to_left_page_takes_as_many_line_layouts_as_its_mirror(corrected, monkeypatch):
    """WeasyPrint's own check laid out every line of a right-to-left block twice where no
    float was beside it; a left-to-right page lays a line out again only where a float
    makes it move."""
    laid_out = []
    split_inline_box = inline.split_inline_box

    def counted(context, box, *args, **kwargs):
        if isinstance(box, inline.boxes.LineBox):
            laid_out.append(box)
        return split_inline_box(context, box, *args, **kwargs)

    monkeypatch.setattr(inline, "split_inline_box", counted)
    layouts = {}
    for direction in ("ltr", "rtl"):
        laid_out.clear()
        HTML(string=PAGE.replace('dir="rtl"', f'dir="{direction}"')).render()
        layouts[direction] = len(laid_out)
    assert layouts["ltr"] > 50
    assert layouts["rtl"] == layouts["ltr"]


def test_right_to_left_pages_are_weasyprints_own_box_for_box(corrected, monkeypatch):
    ours = boxes(HTML(string=PAGE).render())
    monkeypatch.setattr(inline, "get_next_linebox", weasyprints_own_line_layout())
    theirs = boxes(HTML(string=PAGE).render())
    assert ours == theirs
    assert len({page for page, *_ in ours}) == 2
