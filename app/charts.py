"""Server-side charts: a radar for the building blocks, grouped horizontal bars and the
CRM process cycle.

Each chart is drawn once, as shapes and labels placed on a canvas, and written out in one
of two ways:

- as one inline ``<svg>`` with ``<text>`` labels (``radar_chart``, ``bar_chart``), for the
  web pages: browsers shape Persian in SVG text;
- as a ``Figure`` (``radar_figure``, ``bar_figure``, ``cycle_figure``): the shapes in SVG
  and every label as HTML text positioned over them, for the report. WeasyPrint draws SVG
  ``<text>`` itself without shaping Arabic script (its issues #2249 and #2909), while HTML
  text goes through Pango and HarfBuzz, comes out shaped and can be extracted from the PDF.
  The positions are CSS rules returned beside the markup (the CSP forbids ``style``
  attributes), for one ``<style>`` block in the page.

Neither needs JavaScript or external references. Every element carries a class for the
stylesheet and presentational attributes as defaults, so a chart also reads correctly with
no CSS at all. Text is never reversed here: RTL text keeps its logical order and gets its
direction, so the browser or WeasyPrint shapes and orders it. Only the geometry is mirrored.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.bidi import isolate_runs
from app.formatting import format_decimal, round_half_up

SERIES_STYLES: dict[str, str] = {
    "current": 'fill="#0b5c8a" fill-opacity="0.25" stroke="#0b5c8a" stroke-width="2"',
    "target": 'fill="none" stroke="#1d6b3a" stroke-width="2" stroke-dasharray="6 4"',
    "previous": (
        'fill="none" stroke="#7a5a00" stroke-width="2" stroke-dasharray="1 4"'
        ' stroke-linecap="round"'
    ),
}
# Gartner's eight building blocks read best as a radar; the other questionnaires as bars
# (on the results page and in the report alike).
RADAR_QUESTIONNAIRES = frozenset({"gartner-building-blocks"})
GRID_FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)  # the level-band boundaries at 20/40/60/80/100
# The smallest text a chart draws, in px at its own size: legible on a phone, where the
# results page shows a chart at its own size and lets it scroll sideways.
MIN_TEXT = 11
WRAP_AT = 18  # longer labels break onto two lines at a space
LINE_HEIGHT = 14
LEGEND_ROW = 18
_GRID_ATTRS = 'fill="none" stroke="#c9d1da" stroke-width="1"'
_TEXT_ATTRS = 'fill="#1d2733"'
_MUTED_ATTRS = 'fill="#5a6775"'
_HALO_ATTRS = 'stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"'
# The radar's ring values: the least a chart draws, 11 px, is 8.25 pt in print, above the
# 7 pt a printed figure may use.
SCALE_LABEL_SIZE = MIN_TEXT


@dataclass(frozen=True)
class Series:
    """One line of data: a value from 0 to max_value per label, or None for no data."""

    name: str
    values: Sequence[float | None]
    style: str = "current"


@dataclass(frozen=True)
class Label:
    """Text at a point of the canvas, in logical order, one entry per line. ``y`` is the
    first line's baseline; ``anchor`` is SVG's text-anchor, read in the text's direction
    (with RTL text, "start" is the right-hand edge)."""

    lines: tuple[str, ...]
    x: float
    y: float
    anchor: str
    rtl: bool
    css: str
    size: int = 12
    muted: bool = False
    halo: bool = False  # a white outline, so the text stays legible over the shapes

    def svg(self) -> str:
        """A text element in logical order, one tspan per line, all lines anchored at x."""
        direction = ' direction="rtl" unicode-bidi="embed"' if self.rtl else ""
        size = f'font-size="{self.size}" ' if self.size != 12 else ""
        attrs = size + (_MUTED_ATTRS if self.muted else _TEXT_ATTRS)
        if self.halo:
            attrs += f" {_HALO_ATTRS}"
        spans = "".join(
            f'<tspan x="{_n(self.x)}" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
            for i, line in enumerate(self.lines)
        )
        return (
            f'<text class="{self.css}" x="{_n(self.x)}" y="{_n(self.y)}"'
            f' text-anchor="{self.anchor}"{direction} {attrs}>{spans}</text>'
        )


Part = str | Label  # an SVG shape, or a label


@dataclass(frozen=True)
class Figure:
    """A chart as HTML: ``html`` holds the SVG shapes and the labels over them; ``css``
    the rules that size the figure and place each label, for a ``<style>`` block."""

    html: Markup
    css: str


@dataclass(frozen=True)
class _Drawing:
    kind: str
    width: float
    height: float
    parts: list[Part]


def radar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    rtl: bool,
    title: str,
    no_data_label: str,
    max_value: float = 100,
    radius: float = 130.0,
    label_room: float = 210.0,
) -> Markup:
    """A radar (spider) chart for three or more axes; the first axis points up and the
    rest run clockwise in LTR and counter-clockwise in RTL, so Persian reads the same way
    round as its text. ``radius`` and ``label_room`` (the width kept for labels either
    side) set its size."""
    values = _validate(labels, series, max_value, minimum_labels=3)
    drawing = _radar(labels, series, values, rtl, no_data_label, max_value, radius, label_room)
    return _svg(drawing, labels, series, values, rtl, title, no_data_label)


def radar_figure(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    rtl: bool,
    title: str,
    no_data_label: str,
    max_value: float = 100,
    radius: float = 130.0,
    label_room: float = 210.0,
) -> Figure:
    """``radar_chart`` as a Figure; ``radius`` and ``label_room`` (the width kept for
    labels either side) let it fit a printed page."""
    values = _validate(labels, series, max_value, minimum_labels=3)
    drawing = _radar(labels, series, values, rtl, no_data_label, max_value, radius, label_room)
    return _figure(drawing, labels, series, rtl, title, no_data_label)


def _radar(
    labels: Sequence[str],
    series: Sequence[Series],
    values: list[list[float | None]],
    rtl: bool,
    no_data_label: str,
    max_value: float,
    radius: float,
    label_room: float,
) -> _Drawing:
    gap = 12.0
    width = 2 * (radius + gap + label_room)
    legend_height = len(series) * LEGEND_ROW + 8
    cx, cy = width / 2, legend_height + 2 * LINE_HEIGHT + gap + radius
    height = cy + radius + gap + 2 * LINE_HEIGHT + 10
    side = -1 if rtl else 1

    def point(index: int, fraction: float) -> tuple[float, float]:
        angle = 2 * math.pi * index / len(labels)
        r = radius * fraction
        return cx + side * r * math.sin(angle), cy - r * math.cos(angle)

    def polygon(fractions: Sequence[float]) -> str:
        return " ".join(
            f"{_n(x)},{_n(y)}" for x, y in (point(i, f) for i, f in enumerate(fractions))
        )

    parts = ['<g class="grid">']
    for fraction in GRID_FRACTIONS:
        parts.append(f'<polygon points="{polygon([fraction] * len(labels))}" {_GRID_ATTRS}/>')
    for index in range(len(labels)):
        x, y = point(index, 1)
        parts.append(f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" {_GRID_ATTRS}/>')
    parts.append("</g>")

    for item, row in zip(series, values, strict=True):
        fractions = [0.0 if v is None else v / max_value for v in row]
        parts.append(
            f'<polygon class="series series-{item.style}" points="{polygon(fractions)}"'
            f' stroke-linejoin="round" {SERIES_STYLES[item.style]}/>'
        )

    # Ring values beside the upward spoke, on the reading side, drawn after the shapes and
    # outlined in white, so that no shape ever covers them.
    parts.append('<g class="scale-labels">')
    for fraction in GRID_FRACTIONS:
        parts.append(
            Label(
                (_format(fraction * max_value, rtl, tick=True),),
                cx + side * 4,
                cy - radius * fraction + 11,
                anchor="start",
                rtl=rtl,
                css="grid-label",
                size=SCALE_LABEL_SIZE,
                halo=True,
            )
        )
    parts.append("</g>")

    parts.append('<g class="axis-labels">')
    for index, label in enumerate(labels):
        if any(row[index] is None for row in values):
            label = f"{label} ({no_data_label})"
        lines = _wrap(label)
        x, y = point(index, (radius + gap) / radius)
        dx = x - cx
        if abs(dx) < 1:
            anchor = "middle"
        else:
            # Sit outside the chart: the text's near edge at the point. With direction rtl,
            # "start" is the right edge, so the choice flips with the text direction.
            on_right = dx > 0
            anchor = "start" if on_right != rtl else "end"
        vertical = -(y - cy) / (radius + gap)  # 1 at the top, -1 at the bottom
        block_middle = y - vertical * (len(lines) * LINE_HEIGHT / 2 + 2)
        first_baseline = block_middle - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
        parts.append(Label(lines, x, first_baseline, anchor=anchor, rtl=rtl, css="axis-label"))
    parts.append("</g>")

    parts.extend(_legend(series, width, rtl))
    return _Drawing("radar", width, height, parts)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    rtl: bool,
    title: str,
    no_data_label: str,
    max_value: float = 100,
    plot_width: float = 410.0,
) -> Markup:
    """Grouped horizontal bars, one row per label. In RTL the labels sit on the right and
    the bars grow leftwards from the right-hand baseline."""
    values = _validate(labels, series, max_value, minimum_labels=1)
    drawing = _bars(labels, series, values, rtl, no_data_label, max_value, plot_width)
    return _svg(drawing, labels, series, values, rtl, title, no_data_label)


def bar_figure(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    rtl: bool,
    title: str,
    no_data_label: str,
    max_value: float = 100,
    plot_width: float = 410.0,
) -> Figure:
    """``bar_chart`` as a Figure; a narrower ``plot_width`` lets it fit a printed page."""
    values = _validate(labels, series, max_value, minimum_labels=1)
    drawing = _bars(labels, series, values, rtl, no_data_label, max_value, plot_width)
    return _figure(drawing, labels, series, rtl, title, no_data_label)


def _bars(
    labels: Sequence[str],
    series: Sequence[Series],
    values: list[list[float | None]],
    rtl: bool,
    no_data_label: str,
    max_value: float,
    plot_width: float,
) -> _Drawing:
    pad, label_width, value_room = 10.0, 200.0, 50.0
    width = pad + label_width + plot_width + value_room + pad
    bar_height, bar_gap, row_pad = 14.0, 3.0, 9.0
    row_height = len(series) * (bar_height + bar_gap) - bar_gap + 2 * row_pad
    top = len(series) * LEGEND_ROW + 16
    bottom = top + len(labels) * row_height
    height = bottom + 24
    side = -1 if rtl else 1
    baseline = width - pad - label_width if rtl else pad + label_width

    def x_at(fraction: float) -> float:
        return baseline + side * plot_width * fraction

    parts = ['<g class="grid">']
    for fraction in (0.0, *GRID_FRACTIONS):
        x = x_at(fraction)
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" {_GRID_ATTRS}/>'
        )
        parts.append(
            Label(
                (_format(fraction * max_value, rtl, tick=True),),
                x,
                bottom + 15,
                anchor="middle",
                rtl=rtl,
                css="grid-label",
                size=MIN_TEXT,
                muted=True,
            )
        )
    parts.append("</g>")

    # The labels' near edge touches the baseline: "end" is the left edge in RTL text.
    label_x = baseline - side * 8
    # Value text follows the bar's far end: "start" is the right edge in RTL text.
    parts.append('<g class="bars">')
    for index, label in enumerate(labels):
        row_top = top + index * row_height
        lines = _wrap(label)
        first_baseline = row_top + row_height / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
        parts.append(Label(lines, label_x, first_baseline, anchor="end", rtl=rtl, css="axis-label"))
        for position, (item, row) in enumerate(zip(series, values, strict=True)):
            y = row_top + row_pad + position * (bar_height + bar_gap)
            value = row[index]
            text_y = y + bar_height / 2 + 4
            if value is None:
                parts.append(
                    Label(
                        (no_data_label,),
                        x_at(0) + side * 4,
                        text_y,
                        anchor="start",
                        rtl=rtl,
                        css="value-label no-data",
                        size=MIN_TEXT,
                        muted=True,
                    )
                )
                continue
            end = x_at(value / max_value)
            parts.append(
                f'<rect class="bar series-{item.style}" x="{_n(min(baseline, end))}"'
                f' y="{_n(y)}" width="{_n(abs(end - baseline))}" height="{_n(bar_height)}"'
                f" {SERIES_STYLES[item.style]}/>"
            )
            parts.append(
                Label(
                    (_format(value, rtl),),
                    end + side * 4,
                    text_y,
                    anchor="start",
                    rtl=rtl,
                    css="value-label",
                    size=MIN_TEXT,
                )
            )
    parts.append("</g>")

    parts.extend(_legend(series, width, rtl))
    return _Drawing("bar", width, height, parts)


def cycle_figure(
    steps: Sequence[str],
    values: Sequence[float | None],
    *,
    rtl: bool,
    title: str,
    no_data_label: str,
    max_value: float = 100,
) -> Figure:
    """The steps of a continuous process round a loop, each in a box with its score: the
    first at the top, the rest clockwise in LTR and counter-clockwise in RTL (as the radar),
    with an arrow from each step to the next and from the last back to the first."""
    series = [Series(title, values)]
    (row,) = _validate(steps, series, max_value, minimum_labels=3)
    width, height = 560.0, 330.0
    cx, cy, rx, ry = width / 2, height / 2, 190.0, 118.0
    box_width, box_height, clearance = 156.0, 60.0, 6.0
    side = -1 if rtl else 1

    def at(angle: float) -> tuple[float, float]:
        return cx + side * rx * math.sin(angle), cy - ry * math.cos(angle)

    centres = [at(2 * math.pi * index / len(steps)) for index in range(len(steps))]

    def in_a_box(x: float, y: float) -> bool:
        return any(
            abs(x - bx) < box_width / 2 + clearance and abs(y - by) < box_height / 2 + clearance
            for bx, by in centres
        )

    parts: list[Part] = ['<g class="cycle-arrows">']
    for index in range(len(steps)):
        start = 2 * math.pi * index / len(steps)
        sweep = 2 * math.pi / len(steps)
        # The arc between two boxes: the points of the loop that lie outside every box.
        points = [
            point
            for point in (at(start + sweep * k / 60) for k in range(61))
            if not in_a_box(*point)
        ]
        if len(points) < 2:
            continue
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#5a6775" stroke-width="2"/>')
        parts.append(_arrowhead(points[-2], points[-1]))
    parts.append('</g><g class="cycle-steps">')
    for (x, y), step, value in zip(centres, steps, row, strict=True):
        style = "no-data" if value is None else "scored"
        fill = "#f3f6f9" if value is None else "#e1eef7"
        parts.append(
            f'<rect class="cycle-step {style}" x="{_n(x - box_width / 2)}"'
            f' y="{_n(y - box_height / 2)}" width="{_n(box_width)}" height="{_n(box_height)}"'
            f' rx="8" fill="{fill}" stroke="#0b5c8a" stroke-width="1.5"/>'
        )
        lines = (*_wrap(step), no_data_label if value is None else _format(value, rtl))
        first_baseline = y - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
        parts.append(Label(lines, x, first_baseline, anchor="middle", rtl=rtl, css="step-label"))
    parts.append("</g>")
    drawing = _Drawing("cycle", width, height, parts)
    return _figure(drawing, steps, series, rtl, title, no_data_label)


def _arrowhead(before: tuple[float, float], tip: tuple[float, float]) -> str:
    """A filled triangle at ``tip``, pointing along the line from ``before``."""
    angle = math.atan2(tip[1] - before[1], tip[0] - before[0])
    length, half_width = 10.0, 5.0
    back_x, back_y = tip[0] - length * math.cos(angle), tip[1] - length * math.sin(angle)
    dx, dy = -half_width * math.sin(angle), half_width * math.cos(angle)
    corners = [tip, (back_x + dx, back_y + dy), (back_x - dx, back_y - dy)]
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in corners)
    return f'<polygon points="{points}" fill="#5a6775"/>'


def _validate(
    labels: Sequence[str], series: Sequence[Series], max_value: float, *, minimum_labels: int
) -> list[list[float | None]]:
    """Check the shape and return the values clamped to 0..max_value; a value that is not
    a finite number counts as no data rather than breaking the drawing."""
    if len(labels) < minimum_labels:
        raise ValueError(f"this chart needs at least {minimum_labels} labels")
    if not series:
        raise ValueError("a chart needs at least one series")
    if not max_value > 0:
        raise ValueError("max_value must be positive")
    clamped = []
    for item in series:
        if item.style not in SERIES_STYLES:
            raise ValueError(f"unknown series style {item.style!r}")
        if len(item.values) != len(labels):
            raise ValueError(
                f"series {item.name!r} has {len(item.values)} values for {len(labels)} labels"
            )
        clamped.append(
            [
                None
                if v is None or not math.isfinite(v)
                else min(max(float(v), 0.0), max_value) + 0.0
                for v in item.values
            ]
        )
    return clamped


def _chart_id(
    prefix: str,
    drawing: _Drawing,
    labels: Sequence[str],
    series: Sequence[Series],
    rtl: bool,
    title: str,
    no_data_label: str,
) -> str:
    """An id from a hash of the content, so the output is reproducible (handy for PDFs and
    tests) and two different charts on one page never share an id."""
    size = (drawing.width, drawing.height)
    fingerprint = repr((drawing.kind, list(labels), series, rtl, title, no_data_label, *size))
    return prefix + hashlib.sha256(fingerprint.encode()).hexdigest()[:12]


def _svg(
    drawing: _Drawing,
    labels: Sequence[str],
    series: Sequence[Series],
    values: list[list[float | None]],
    rtl: bool,
    title: str,
    no_data_label: str,
) -> Markup:
    """The drawing as one SVG with text labels, its accessible name and description."""
    chart_id = _chart_id("chart-", drawing, labels, series, rtl, title, no_data_label)
    width, height = drawing.width, drawing.height
    separator = "؛ " if rtl else "; "
    summaries = []
    for item, row in zip(series, values, strict=True):
        pairs = separator.join(
            f"{label}: {no_data_label if v is None else _format(v, rtl)}"
            for label, v in zip(labels, row, strict=True)
        )
        summaries.append(f"{item.name} — {pairs}" if len(series) > 1 else pairs)
    font = "Vazirmatn, Tahoma, sans-serif" if rtl else "system-ui, sans-serif"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{drawing.kind}"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}"'
        f' role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc"'
        f' font-family="{font}" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(". ".join(summaries))}</desc>'
        + "".join(part.svg() if isinstance(part, Label) else part for part in drawing.parts)
        + "</svg>"
    )


def _figure(
    drawing: _Drawing,
    labels: Sequence[str],
    series: Sequence[Series],
    rtl: bool,
    title: str,
    no_data_label: str,
) -> Figure:
    """The drawing's shapes as an SVG picture, with each label as HTML text over it."""
    figure_id = _chart_id("figure-", drawing, labels, series, rtl, title, no_data_label)
    width, height = drawing.width, drawing.height
    shapes = "".join(part for part in drawing.parts if isinstance(part, str))
    texts, rules = [], [f"#{figure_id}{{width:{_n(width)}px;height:{_n(height)}px}}"]
    for number, label in enumerate(p for p in drawing.parts if isinstance(p, Label)):
        label_id = f"{figure_id}-{number}"
        muted = " muted" if label.muted else ""
        halo = " halo" if label.halo else ""
        lines = Markup("<br>").join(isolate_runs(line, rtl) for line in label.lines)
        texts.append(
            f'<span class="chart-label {label.css}{muted}{halo}" id="{label_id}">{lines}</span>'
        )
        rules.append(f"#{label_id}{{{_placement(label, width)}}}")
    direction = "rtl" if rtl else "ltr"
    html = Markup(
        f'<div class="chart-html chart-{drawing.kind}" id="{figure_id}" dir="{direction}"'
        f' role="group" aria-label="{escape(title)}">'
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-shapes"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}"'
        f' aria-hidden="true" focusable="false">{shapes}</svg>' + "".join(texts) + "</div>"
    )
    return Figure(html=html, css="\n".join(rules))


def _placement(label: Label, width: float) -> str:
    """CSS that puts an HTML label where the SVG text would be: its box is one line
    height per line, so the first baseline sits where the SVG's does."""
    top = label.y - (LINE_HEIGHT - label.size) / 2 - 0.8 * label.size
    rule = f"top:{_n(top)}px;font-size:{label.size}px;"
    if label.anchor == "middle":
        return rule + f"left:{_n(label.x)}px;transform:translateX(-50%);text-align:center"
    # Which edge sits at x: "start" is the left edge of LTR text and the right edge of RTL.
    if (label.anchor == "start") != label.rtl:
        return rule + f"left:{_n(label.x)}px;text-align:left"
    return rule + f"right:{_n(width - label.x)}px;text-align:right"


def _legend(series: Sequence[Series], width: float, rtl: bool) -> list[Part]:
    """Swatch and name per series, in the top corner where the reader starts."""
    parts: list[Part] = ['<g class="legend">']
    for index, item in enumerate(series):
        y = 8 + index * LEGEND_ROW
        swatch_x = width - 10 - 18 if rtl else 10
        text_x = swatch_x - 6 if rtl else swatch_x + 18 + 6
        parts.append(
            f'<rect class="series-{item.style}" x="{_n(swatch_x)}" y="{_n(y + 2)}" width="18"'
            f' height="10" {SERIES_STYLES[item.style]}/>'
        )
        parts.append(
            Label((item.name,), text_x, y + 11, anchor="start", rtl=rtl, css="legend-label")
        )
    parts.append("</g>")
    return parts


def _wrap(label: str) -> tuple[str, ...]:
    """Break a long label at the space nearest its middle, so both lines stay short."""
    spaces = [i for i, char in enumerate(label) if char == " "]
    if len(label) <= WRAP_AT or not spaces:
        return (label,)
    split = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return (label[:split], label[split + 1 :])


def _format(value: float, rtl: bool, *, tick: bool = False) -> str:
    """A value as the pages and the report write it (``app/formatting.py``): one decimal,
    dropped on a tick that is a whole number. The charts know the language by its
    direction: Persian is the app's one right-to-left language."""
    whole = tick and round_half_up(value, 1) == round_half_up(value, 0)
    return format_decimal(value, "fa" if rtl else "en", 0 if whole else 1)


def _n(number: float) -> str:
    """A coordinate rounded to two decimals, without trailing zeros."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
