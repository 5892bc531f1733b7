"""The SVG charts: geometry a reader would notice, mirroring in Persian, escaping and
accessibility, and one look through a real browser."""

from __future__ import annotations

import base64
import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.charts import Series, bar_chart, bar_figure, cycle_figure, radar_chart, radar_figure

SVG = "{http://www.w3.org/2000/svg}"
BLOCKS = ["Vision", "Strategy", "Customer experience", "Collaboration", "Processes"]
FA_BLOCKS = [
    "چشم‌انداز",
    "راهبرد",
    "تجربه ارزشمند مشتری",
    "همکاری سازمانی",
    "فرایندها",
    "اطلاعات",
    "فناوری",
    "معیارها و شاخص‌های عملکرد سازمان",
]
PERSIAN = {"rtl": True, "title": "بلوک‌های سازنده", "no_data_label": "داده کافی نیست"}
CHROMIUM = Path("/usr/bin/chromium")
FONT = Path(__file__).parent.parent / "static" / "fonts" / "Vazirmatn-Regular.woff2"


def radar(values, *, rtl=False, labels=BLOCKS, extra=()):
    return radar_chart(
        labels,
        [Series("This assessment", values), *extra],
        rtl=rtl,
        title="Building blocks",
        no_data_label="insufficient data",
    )


def bars(values, *, rtl=False, labels=BLOCKS, extra=()):
    return bar_chart(
        labels,
        [Series("This assessment", values), *extra],
        rtl=rtl,
        title="Building blocks",
        no_data_label="insufficient data",
    )


def parse(svg) -> ET.Element:
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    return root


def elements(root: ET.Element, tag: str, css: str = "") -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if css in e.get("class", "").split() or not css]


def points(polygon: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in polygon.get("points").split()]


def centre(root: ET.Element) -> tuple[float, float]:
    spoke = elements(root, "line")[0]
    return float(spoke.get("x1")), float(spoke.get("y1"))


def outer_ring(root: ET.Element) -> list[tuple[float, float]]:
    """The grid's fifth ring, at 100."""
    return points(elements(group(root, "grid"), "polygon")[4])


def text_of(element: ET.Element) -> str:
    return " ".join(span.text or "" for span in element.iter(f"{SVG}tspan"))


def group(root: ET.Element, css: str) -> ET.Element:
    return next(g for g in root.iter(f"{SVG}g") if g.get("class") == css)


# --- Radar --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 5, 8])
def test_radar_has_one_vertex_per_label(count):
    labels = [f"Block {i}" for i in range(count)]
    root = parse(radar([50] * count, labels=labels))
    (polygon,) = elements(root, "polygon", "series-current")
    assert len(points(polygon)) == count
    assert [text_of(t) for t in elements(root, "text", "axis-label")] == labels


def test_radar_puts_100_on_the_outer_ring_and_0_at_the_centre():
    root = parse(radar([100, 0, 100, 50, 100]))
    vertices = points(elements(root, "polygon", "series-current")[0])
    ring = outer_ring(root)
    assert vertices[0] == pytest.approx(ring[0], abs=0.01)
    assert vertices[2] == pytest.approx(ring[2], abs=0.01)
    assert vertices[1] == pytest.approx(centre(root), abs=0.01)
    half_way = math.dist(centre(root), vertices[3]) / math.dist(centre(root), ring[3])
    assert half_way == pytest.approx(0.5, abs=0.01)


def test_radar_clamps_values_outside_the_scale():
    clamped = parse(radar([150, -5, 100, 0, 50]))
    exact = parse(radar([100, 0, 100, 0, 50]))
    assert points(elements(clamped, "polygon", "series-current")[0]) == points(
        elements(exact, "polygon", "series-current")[0]
    )


def test_radar_in_persian_mirrors_english():
    ltr, rtl = parse(radar([50] * 5)), parse(radar([50] * 5, rtl=True))
    cx, cy = centre(ltr)
    assert centre(rtl) == (cx, cy)
    top, second = outer_ring(ltr)[:2]
    assert top[0] == pytest.approx(cx)
    assert top[1] < cy
    assert second[0] > cx  # English runs clockwise: the second axis is upper right
    assert outer_ring(rtl)[1][0] == pytest.approx(2 * cx - second[0])  # Persian: upper left
    assert outer_ring(rtl)[1][1] == pytest.approx(second[1])


@pytest.mark.parametrize("rtl", [False, True])
def test_radar_labels_sit_outside_the_chart_on_both_sides(rtl):
    root = parse(radar([50] * 5, rtl=rtl))
    cx, _ = centre(root)
    for text in elements(root, "text", "axis-label"):
        x, anchor = float(text.get("x")), text.get("text-anchor")
        if abs(x - cx) < 1:
            assert anchor == "middle"
            continue
        # The edge of the text nearest the chart is at x: its left edge on the right side.
        # In RTL text "start" is the right edge, so the anchors swap.
        left_edge_anchor = "end" if rtl else "start"
        right_edge_anchor = "start" if rtl else "end"
        assert anchor == (left_edge_anchor if x > cx else right_edge_anchor)
        assert (text.get("direction") == "rtl") is rtl


def test_radar_marks_missing_data_and_plots_it_at_the_centre():
    root = parse(radar([62.5, None, 40, 50, 50]))
    vertices = points(elements(root, "polygon", "series-current")[0])
    assert vertices[1] == pytest.approx(centre(root), abs=0.01)
    labels = [text_of(t) for t in elements(root, "text", "axis-label")]
    assert labels[1] == "Strategy (insufficient data)"
    assert labels[0] == "Vision"
    desc = root.find(f"{SVG}desc").text
    assert desc == (
        "Vision: 62.5; Strategy: insufficient data; Customer experience: 40.0; "
        "Collaboration: 50.0; Processes: 50.0"
    )


def test_long_labels_wrap_onto_two_lines_at_a_space():
    labels = ["Short", "Organisational collaboration", "Metrics", "Unbreakablelabelwithoutspaces"]
    root = parse(radar([50] * 4, labels=labels))
    lines = [
        [span.text for span in text.iter(f"{SVG}tspan")]
        for text in elements(root, "text", "axis-label")
    ]
    assert lines == [
        ["Short"],
        ["Organisational", "collaboration"],
        ["Metrics"],
        ["Unbreakablelabelwithoutspaces"],
    ]


def test_radar_draws_every_series_with_its_own_style():
    root = parse(
        radar(
            [50] * 5,
            extra=[Series("Target", [80] * 5, "target"), Series("2025", [40] * 5, "previous")],
        )
    )
    target = elements(root, "polygon", "series-target")[0]
    previous = elements(root, "polygon", "series-previous")[0]
    current = elements(root, "polygon", "series-current")[0]
    assert current.get("fill") == "#0b5c8a"
    assert current.get("fill-opacity") == "0.25"
    assert target.get("fill") == "none"
    assert target.get("stroke-dasharray")
    assert previous.get("fill") == "none"
    assert previous.get("stroke") == "#7a5a00"
    assert "Target — Vision: 80.0" in root.find(f"{SVG}desc").text


# --- Bars ---------------------------------------------------------------------------


def gridline_x(root: ET.Element) -> list[float]:
    return [float(line.get("x1")) for line in elements(group(root, "grid"), "line")]


def bar_rects(root: ET.Element, style: str = "series-current") -> list[ET.Element]:
    return elements(group(root, "bars"), "rect", style)


def test_bar_widths_are_proportional_to_values():
    root = parse(bars([25, 50, 100, 0, 75]))
    zero, *_, full = gridline_x(root)
    widths = [float(rect.get("width")) for rect in bar_rects(root)]
    assert widths == pytest.approx([(full - zero) * f for f in (0.25, 0.5, 1, 0, 0.75)])
    assert {float(rect.get("x")) for rect in bar_rects(root)} == {zero}  # growing rightwards


def test_bars_in_persian_grow_leftwards_from_the_right_baseline():
    root = parse(bars([25, 50, 100, 0, 75], rtl=True))
    grid = gridline_x(root)
    zero, full = grid[0], grid[-1]
    assert zero > full  # 0 on the right, 100 on the left
    for rect in bar_rects(root):
        assert float(rect.get("x")) + float(rect.get("width")) == pytest.approx(zero)
    labels = elements(root, "text", "axis-label")
    assert all(float(label.get("x")) > zero for label in labels)  # labels on the right


def test_grid_lines_mark_every_twenty():
    root = parse(bars([50] * 5))
    grid = gridline_x(root)
    assert len(grid) == 6
    steps = {round(b - a, 2) for a, b in itertools.pairwise(grid)}
    assert len(steps) == 1
    ticks = [text_of(t) for t in elements(group(root, "grid"), "text")]
    assert ticks == ["0", "20", "40", "60", "80", "100"]


def test_value_labels_use_persian_digits_in_persian():
    english = [text_of(t) for t in elements(parse(bars([62.5, 40, 55.25, 100, 0])), "text")]
    persian = [
        text_of(t) for t in elements(parse(bars([62.5, 40, 55.25, 100, 0], rtl=True)), "text")
    ]
    for value in ("62.5", "40.0", "55.3", "100.0", "0.0"):  # half up, as read by hand
        assert value in english
    for value in ("۶۲٫۵", "۴۰٫۰", "۵۵٫۳", "۱۰۰٫۰", "۰٫۰"):
        assert value in persian


def test_missing_value_shows_text_instead_of_a_bar():
    root = parse(bars([62.5, None, 40, 50, 50], extra=[Series("Target", [80] * 5, "target")]))
    assert len(bar_rects(root)) == 4
    assert len(bar_rects(root, "series-target")) == 5
    no_data = elements(root, "text", "no-data")
    assert [text_of(t) for t in no_data] == ["insufficient data"]


def test_persian_text_keeps_logical_order_and_direction():
    root = parse(bar_chart(FA_BLOCKS, [Series("این ارزیابی", [50] * 8)], **PERSIAN))
    texts = elements(root, "text")
    assert all(t.get("direction") == "rtl" and t.get("unicode-bidi") == "embed" for t in texts)
    assert "Vazirmatn" in root.get("font-family")
    assert text_of(elements(root, "text", "axis-label")[0]) == "چشم‌انداز"


# --- Both charts --------------------------------------------------------------------


@pytest.mark.parametrize("chart", [radar_chart, bar_chart])
def test_text_is_escaped(chart):
    hostile = "<script>alert(1)</script>"
    svg = chart(
        [hostile, "R&D", "Sales & Service"],
        [Series("Us & <them>", [10, 20, 30])],
        rtl=False,
        title="Scores & <b>gaps</b>",
        no_data_label="n/a",
    )
    assert "<script" not in svg
    assert "<b>" not in svg
    root = parse(svg)
    labels = [text_of(t) for t in elements(root, "text", "axis-label")]
    assert labels == [hostile, "R&D", "Sales & Service"]
    assert root.find(f"{SVG}title").text == "Scores & <b>gaps</b>"
    assert "Us & <them>" in [text_of(t) for t in elements(root, "text", "legend-label")]


@pytest.mark.parametrize("chart", [radar_chart, bar_chart])
def test_chart_is_self_contained_and_free_of_inline_styles(chart):
    svg = str(chart(BLOCKS, [Series("Now", [50] * 5)], **PERSIAN))
    root = parse(svg)
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.endswith("href") for name in element.attrib)
    assert "<script" not in svg
    assert "url(" not in svg


@pytest.mark.parametrize("chart", [radar_chart, bar_chart])
def test_chart_is_named_and_described_for_screen_readers(chart):
    root = parse(chart(BLOCKS, [Series("Now", [62.5, 40, 0, 100, 50])], **PERSIAN))
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert root.get("aria-labelledby") == title.get("id")
    assert title.text == "بلوک‌های سازنده"
    desc = root.find(f"{SVG}desc")
    assert root.get("aria-describedby") == desc.get("id")
    assert desc.text.startswith("Vision: ۶۲٫۵؛ Strategy: ۴۰٫۰")


def test_two_charts_on_a_page_have_different_ids():
    ids = [
        parse(svg).find(f"{SVG}title").get("id")
        for svg in (radar([50] * 5), radar([60] * 5), bars([50] * 5))
    ]
    assert len(set(ids)) == 3


@pytest.mark.parametrize("rtl", [False, True])
@pytest.mark.parametrize("chart", [radar_chart, bar_chart])
def test_legend_names_each_series_in_the_reading_corner(chart, rtl):
    series = [
        Series("This assessment", [50] * 5),
        Series("Target", [80] * 5, "target"),
        Series("2025", [30] * 5, "previous"),
    ]
    root = parse(chart(BLOCKS, series, rtl=rtl, title="t", no_data_label="-"))
    legend = group(root, "legend")
    assert [text_of(t) for t in elements(legend, "text")] == ["This assessment", "Target", "2025"]
    styles = [rect.get("class") for rect in elements(legend, "rect")]
    assert styles == ["series-current", "series-target", "series-previous"]
    width = float(root.get("viewBox").split()[2])
    swatch_x = float(elements(legend, "rect")[0].get("x"))
    assert (swatch_x > width / 2) is rtl


@pytest.mark.parametrize("chart", [radar_chart, bar_chart])
@pytest.mark.parametrize(
    ("labels", "series", "message"),
    [
        ([], [Series("Now", [])], "labels"),
        (BLOCKS, [Series("Now", [50] * 4)], "4 values for 5 labels"),
        (BLOCKS, [Series("Now", [50] * 5), Series("Target", [50] * 6, "target")], "6 values"),
        (BLOCKS, [Series("Now", [50] * 5, "bold")], "style"),
        (BLOCKS, [], "series"),
    ],
)
def test_bad_input_is_refused(chart, labels, series, message):
    with pytest.raises(ValueError, match=message):
        chart(labels, series, rtl=False, title="t", no_data_label="-")


def test_radar_needs_three_axes():
    with pytest.raises(ValueError, match="at least 3"):
        radar([50, 50], labels=["A", "B"])


# --- In a browser -------------------------------------------------------------------


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
@pytest.mark.parametrize("chart", [radar_chart, bar_chart])
def test_persian_chart_renders_legibly_in_chromium(chart, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    image = pytest.importorskip("PIL.Image")
    values = [62.5, 40, None, 80, 100, 0, 55.25, 33]
    svg = chart(
        FA_BLOCKS,
        [Series("این ارزیابی", values), Series("هدف", [80] * 8, "target")],
        **PERSIAN,
    )
    font = base64.b64encode(FONT.read_bytes()).decode()
    html = (
        '<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><style>'
        f"@font-face {{font-family: Vazirmatn; src: url(data:font/woff2;base64,{font})}}"
        f"body {{margin: 0; background: #fff}}</style></head><body>{svg}</body></html>"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.set_content(html)
            page.evaluate("document.fonts.ready")
            # Every piece of text lies inside the drawing: nothing is cut off at an edge.
            overflow = page.evaluate(
                """() => {
                  const svg = document.querySelector('svg');
                  const [, , w, h] = svg.getAttribute('viewBox').split(' ').map(Number);
                  return [...svg.querySelectorAll('text')].map(t => t.getBBox())
                    .filter(b => b.x < 0 || b.y < 0 || b.x + b.width > w || b.y + b.height > h)
                    .length;
                }"""
            )
            png = tmp_path / f"{chart.__name__}_fa.png"
            page.locator("svg").screenshot(path=str(png))
        finally:
            browser.close()
    assert overflow == 0
    with image.open(png) as picture:
        colours = picture.convert("RGB").getcolors(maxcolors=1_000_000)
    ink = sum(count for count, rgb in colours if rgb != (255, 255, 255))
    assert len(colours) > 50  # anti-aliased text and shapes, not a flat fill
    assert ink > 0.02 * sum(count for count, _ in colours)  # a blank page has none


# --- Figures: the same charts with HTML labels, for the PDF report ----------------------


@pytest.mark.parametrize(
    ("chart", "figure"), [(radar_chart, radar_figure), (bar_chart, bar_figure)]
)
@pytest.mark.parametrize("rtl", [False, True])
def test_figure_puts_every_svg_label_into_html_at_the_same_place(chart, figure, rtl):
    labels = ["چشم‌انداز CRM", "Strategy", "Customer experience"]
    series = [Series("This assessment", [40, None, 75]), Series("Target", [60, 60, 80], "target")]
    common = {"rtl": rtl, "title": "Blocks", "no_data_label": "insufficient data"}
    svg = parse(chart(labels, series, **common))
    drawn = figure(labels, series, **common)
    html = str(drawn.html)
    assert "<text" not in html  # WeasyPrint would draw SVG text unshaped
    texts = elements(svg, "text")
    spans = re.findall(r'<span class="chart-label ([^"]*)" id="([^"]+)">(.*?)</span>', html)
    classes = [re.sub(r" (muted|halo)", "", css) for css, _id, _t in spans]
    assert [t.get("class") for t in texts] == classes
    for text, (_css, label_id, content) in zip(texts, spans, strict=True):
        rule = re.search(rf"#{label_id}\{{([^}}]*)\}}", drawn.css).group(1)
        first_baseline = float(text.get("y"))
        top = float(re.search(r"top:([-\d.]+)px", rule).group(1))
        assert first_baseline - 14 < top < first_baseline  # the line box holds the baseline
        x = float(text.get("x"))
        if "left:" in rule:
            assert float(re.search(r"left:([-\d.]+)px", rule).group(1)) == pytest.approx(x)
        else:
            right = float(re.search(r"right:([-\d.]+)px", rule).group(1))
            assert right == pytest.approx(float(svg.get("width")) - x)
        assert (
            re.sub(r"<[^>]+>", "", content.replace("<br>", " ")).split()
            == " ".join(span.text or "" for span in text.iter(f"{SVG}tspan")).split()
        )


def test_figure_labels_isolate_latin_runs_and_escape_text():
    drawn = bar_figure(
        ["چشم‌انداز CRM", "<script>x</script>"],
        [Series("این ارزیابی", [50, 60])],
        rtl=True,
        title="<b>t</b>",
        no_data_label="-",
    )
    html = str(drawn.html)
    assert 'چشم‌انداز <bdi dir="ltr">CRM</bdi>' in html
    assert "<script>" not in html
    assert "&lt;" in html
    assert 'aria-label="&lt;b&gt;t&lt;/b&gt;"' in html
    assert "<" not in drawn.css


@pytest.mark.parametrize("rtl", [False, True])
def test_cycle_runs_round_in_the_reading_direction(rtl):
    steps = ["Gather", "Plan", "Contact", "Evaluate"]
    drawn = cycle_figure(
        steps, [40, None, 60, 80], rtl=rtl, title="Cycle", no_data_label="insufficient data"
    )
    svg = ET.fromstring(re.search(r"<svg.*</svg>", str(drawn.html)).group(0))
    boxes = elements(svg, "rect", "cycle-step")
    centres = [
        (
            float(b.get("x")) + float(b.get("width")) / 2,
            float(b.get("y")) + float(b.get("height")) / 2,
        )
        for b in boxes
    ]
    top, second, bottom, fourth = centres
    assert top[1] < second[1] < bottom[1]
    # Clockwise in English (the second step on the right), counter-clockwise in Persian.
    assert (second[0] > top[0]) != rtl
    assert (fourth[0] < top[0]) != rtl
    assert "no-data" in boxes[1].get("class")
    assert len(elements(svg, "polyline")) == 4  # an arrow into every step
    assert "insufficient data" in str(drawn.html)
