"""The printed report's finish: tables split without leaving a row or two alone on a page,
legible radar scale labels above the shapes, every glyph from the fonts the report
declares (no fallback font embedded), and each benchmark's spread inside its column."""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from weasyprint import HTML

from app import PROJECT_ROOT
from app.charts import SCALE_LABEL_SIZE, Series, radar_chart, radar_figure
from app.reports.branding import report_branding
from app.reports.context import build_context
from app.reports.render import ASSET_ORIGIN, ReportFetcher, lay_out
from tests import factories
from tests.test_benchmarks import answered_mini, other_organisations

STYLESHEET = PROJECT_ROOT / "static" / "css" / "report.css"
CSS_PX_IN_PT = 0.75


def declared_families() -> set[str]:
    """The font families report.css declares with @font-face, from its bundled files."""
    css = STYLESHEET.read_text()
    return set(re.findall(r'@font-face\s*{[^}]*?font-family:\s*"([^"]+)"', css))


def embedded_fonts(data: bytes) -> set[str]:
    """The fonts a PDF embeds, without their subset tag ("FJXULZ+Vazirmatn-Bold")."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+", 1)[-1])
    return names


def rows_by_page(document) -> dict[int, list[tuple[int, int, bool]]]:
    """For every table: on each page it reaches, its page number, its body rows there and
    whether its header row is there too."""
    tables: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)

    def visit(box, number, found):
        for child in getattr(box, "children", ()):
            kind = type(child).__name__
            if kind == "TableBox":
                parts = {"body": 0, "head": False}
                count(child, parts)
                found[id(child.element)] = (number, parts["body"], parts["head"])
            else:
                visit(child, number, found)

    def count(box, parts):
        for child in getattr(box, "children", ()):
            if type(child).__name__ == "TableRowGroupBox":
                if child.element is not None and child.element.tag == "thead":
                    parts["head"] = True
                else:
                    parts["body"] += len(child.children)
            else:
                count(child, parts)

    for number, page in enumerate(document.pages, start=1):
        found: dict[int, tuple[int, int, bool]] = {}
        visit(page._page_box, number, found)
        for table, entry in found.items():
            tables[table].append(entry)
    return tables


@pytest.mark.parametrize("language", ["en", "fa"])
def test_the_printed_report_splits_tables_well_and_uses_only_its_own_fonts(app, world, language):
    assessment = factories.answered_assessment(
        world.organisation, world.consultant_assigned, respondents=9
    )
    with app.test_request_context(), force_locale(language):
        document = lay_out(build_context(assessment, language), report_branding(assessment).logo())
        data = document.write_pdf()
    split = 0
    for pages in rows_by_page(document).values():
        if len(pages) == 1:
            continue
        split += 1
        for number, rows, head in pages:
            assert rows >= 3, f"page {number}: {rows} row(s) of a table alone"
            assert head, f"page {number}: a table continues without its header row"
    assert split, "no table was split: the check checked nothing"
    # Σ and → once came from DejaVu Sans: the report now writes ∑ (in Vazirmatn) and words.
    embedded = embedded_fonts(data)
    assert {name.split("-")[0] for name in embedded} == declared_families() == {"Vazirmatn"}
    assert embedded == {"Vazirmatn", "Vazirmatn-Bold"}


def test_radar_scale_labels_are_legible_and_above_the_shapes():
    series = [Series("This assessment", [80, 90, 70, 85]), Series("Target", [60] * 4, "target")]
    labels = ["Vision", "Strategy", "Experience", "Collaboration"]
    figure = radar_figure(labels, series, rtl=False, title="Blocks", no_data_label="n/a")
    scale = re.findall(r'class="chart-label grid-label halo" id="([^"]+)"', figure.html)
    assert len(scale) == 5  # 20, 40, 60, 80, 100
    for label_id in scale:
        size = float(re.search(rf"#{label_id}{{[^}}]*font-size:([\d.]+)px", figure.css)[1])
        assert size * CSS_PX_IN_PT >= 7
    # The figure's labels are HTML after the shapes' picture, so they are drawn over it,
    # on a white ground (report.css).
    assert str(figure.html).index("grid-label") > str(figure.html).index("</svg>")
    assert re.search(r"\.chart-label\.halo\s*{[^}]*background", STYLESHEET.read_text())
    svg = str(radar_chart(labels, series, rtl=False, title="Blocks", no_data_label="n/a"))
    assert svg.index('class="scale-labels"') > svg.rindex('class="series ')
    scale_text = re.findall(r'<text class="grid-label"[^>]*>', svg)
    assert len(scale_text) == 5
    for element in scale_text:
        assert f'font-size="{SCALE_LABEL_SIZE}"' in element
        assert 'stroke="#fff"' in element
        assert 'paint-order="stroke"' in element


def spreads_in_their_cells(document) -> list[tuple[float, float, float, float]]:
    """Each benchmark spread's left and right edges, and those of its table cell's content."""
    found = []

    def visit(box, cell):
        if type(box).__name__ == "TableCellBox":
            cell = box
        element = getattr(box, "element", None)
        if (
            element is not None
            and element.tag.endswith("svg")
            and "spread" in element.get("class", "")
        ):
            left = cell.content_box_x()
            found.append((box.position_x, box.position_x + box.width, left, left + cell.width))
            return
        for child in getattr(box, "children", ()):
            visit(child, cell)

    for page in document.pages:
        visit(page._page_box, None)
    return found


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_benchmark_spread_is_drawn_inside_its_column(app, world, language):
    """Drawn 128 px wide, the spread once ran past its column and the table's edge into
    the page's margin."""
    own = answered_mini(world.organisation, world.consultant_assigned, 4)
    other_organisations(world, [1, 2, 3, 4, 5])
    with app.test_request_context(), force_locale(language):
        document = lay_out(build_context(own, language), report_branding(own).logo())
    spreads = spreads_in_their_cells(document)
    assert len(spreads) == 3  # the index and the two dimensions
    for left, right, cell_left, cell_right in spreads:
        assert cell_left <= left < right <= cell_right + 0.01
        assert right - left > 0.6 * (cell_right - cell_left)  # narrowed, not shrunk away


def test_a_table_keeps_its_heading_and_lead_in_on_its_first_page():
    """Wherever a benchmark or the comparison falls on a page, its heading and the
    paragraph that introduces its table are not left at the foot of one page with the
    table on the next (as they were in the demo's English report)."""
    rows = "".join(
        f"<tr id='row-{n}'><th scope='row'>Dimension {n}<br>of two lines</th><td>1</td></tr>"
        for n in range(8)
    )
    fetcher = ReportFetcher(PROJECT_ROOT / "static", {})
    kept = 0
    for spacer_mm in range(166, 250, 8):
        html = (
            '<html lang="en"><head><link rel="stylesheet" href="static/css/report.css">'
            "</head><body>"
            f'<div style="block-size: {spacer_mm}mm"></div><h3 id="heading">Benchmarks</h3>'
            '<p class="lead-in" id="lead-in">Compared with 6 other organisations.</p>'
            '<div class="table-scroll"><table class="data"><thead><tr><th>Dimension</th>'
            f"<th>Score</th></tr></thead><tbody>{rows}</tbody></table></div></body></html>"
        )
        document = HTML(string=html, base_url=f"{ASSET_ORIGIN}/", url_fetcher=fetcher).render()
        pages = pages_of(document, {"heading", "lead-in", "row-0"})
        assert pages["heading"] == pages["lead-in"] == pages["row-0"], (spacer_mm, pages)
        kept += pages["heading"] == 2
    assert kept, "no spacer pushed the table to the next page: the check checked nothing"


def pages_of(document, ids: set[str]) -> dict[str, int]:
    """The page on which each element of ``ids`` starts."""
    found: dict[str, int] = {}

    def visit(box, number):
        element = getattr(box, "element", None)
        if element is not None and element.get("id") in ids:
            found.setdefault(element.get("id"), number)
        for child in getattr(box, "children", ()):
            visit(child, number)

    for number, page in enumerate(document.pages, start=1):
        visit(page._page_box, number)
    return found
