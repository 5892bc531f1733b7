"""Server-side SVG charts: a radar for the building blocks and grouped horizontal bars.

The same inline ``<svg>`` goes into the HTML page and, through WeasyPrint, into the PDF,
so it needs no JavaScript, no inline ``style`` (the CSP forbids it) and no external
references. Every element carries a class for the stylesheet and presentational
attributes as defaults, so a chart also reads correctly with no CSS at all.

Text is never reversed here: RTL text keeps its logical order and gets ``direction="rtl"``
so the browser or WeasyPrint shapes and orders it. Only the geometry is mirrored.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

from app.i18n import to_persian_digits

SERIES_STYLES: dict[str, str] = {
    "current": 'fill="#0b5c8a" fill-opacity="0.25" stroke="#0b5c8a" stroke-width="2"',
    "target": 'fill="none" stroke="#1d6b3a" stroke-width="2" stroke-dasharray="6 4"',
    "previous": (
        'fill="none" stroke="#7a5a00" stroke-width="2" stroke-dasharray="1 4"'
        ' stroke-linecap="round"'
    ),
}
GRID_FRACTIONS = (0.2, 0.4, 0.6, 0.8, 1.0)  # the level-band boundaries at 20/40/60/80/100
WRAP_AT = 18  # longer labels break onto two lines at a space
LINE_HEIGHT = 14
LEGEND_ROW = 18
_GRID_ATTRS = 'fill="none" stroke="#c9d1da" stroke-width="1"'
_TEXT_ATTRS = 'fill="#1d2733"'
_MUTED_ATTRS = 'fill="#5a6775"'


@dataclass(frozen=True)
class Series:
    """One line of data: a value from 0 to max_value per label, or None for no data."""

    name: str
    values: Sequence[float | None]
    style: str = "current"


def radar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    rtl: bool,
    title: str,
    no_data_label: str,
    max_value: float = 100,
) -> Markup:
    """A radar (spider) chart for three or more axes; the first axis points up and the
    rest run clockwise in LTR and counter-clockwise in RTL, so Persian reads the same way
    round as its text."""
    values = _validate(labels, series, max_value, minimum_labels=3)
    radius, gap = 130.0, 12.0
    width = 2 * (radius + gap + 210)  # room either side for a 30-character label
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
    for fraction in GRID_FRACTIONS:  # ring values beside the upward spoke, on the reading side
        parts.append(
            _text(
                [_format(fraction * max_value, rtl, tick=True)],
                cx + side * 4,
                cy - radius * fraction + 10,
                anchor="start",
                rtl=rtl,
                css="grid-label",
                attrs=f'font-size="9" {_MUTED_ATTRS}',
            )
        )
    parts.append("</g>")

    for item, row in zip(series, values, strict=True):
        fractions = [0.0 if v is None else v / max_value for v in row]
        parts.append(
            f'<polygon class="series series-{item.style}" points="{polygon(fractions)}"'
            f' stroke-linejoin="round" {SERIES_STYLES[item.style]}/>'
        )

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
        parts.append(_text(lines, x, first_baseline, anchor=anchor, rtl=rtl, css="axis-label"))
    parts.append("</g>")

    parts.append(_legend(series, width, rtl))
    return _svg("radar", labels, series, values, parts, width, height, rtl, title, no_data_label)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    rtl: bool,
    title: str,
    no_data_label: str,
    max_value: float = 100,
) -> Markup:
    """Grouped horizontal bars, one row per label. In RTL the labels sit on the right and
    the bars grow leftwards from the right-hand baseline."""
    values = _validate(labels, series, max_value, minimum_labels=1)
    pad, label_width, plot_width, value_room = 10.0, 200.0, 410.0, 50.0
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
            _text(
                [_format(fraction * max_value, rtl, tick=True)],
                x,
                bottom + 15,
                anchor="middle",
                rtl=rtl,
                css="grid-label",
                attrs=f'font-size="10" {_MUTED_ATTRS}',
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
        parts.append(_text(lines, label_x, first_baseline, anchor="end", rtl=rtl, css="axis-label"))
        for position, (item, row) in enumerate(zip(series, values, strict=True)):
            y = row_top + row_pad + position * (bar_height + bar_gap)
            value = row[index]
            text_y = y + bar_height / 2 + 4
            if value is None:
                parts.append(
                    _text(
                        [no_data_label],
                        x_at(0) + side * 4,
                        text_y,
                        anchor="start",
                        rtl=rtl,
                        css="value-label no-data",
                        attrs=f'font-size="11" {_MUTED_ATTRS}',
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
                _text(
                    [_format(value, rtl)],
                    end + side * 4,
                    text_y,
                    anchor="start",
                    rtl=rtl,
                    css="value-label",
                    attrs=f'font-size="11" {_TEXT_ATTRS}',
                )
            )
    parts.append("</g>")

    parts.append(_legend(series, width, rtl))
    return _svg("bar", labels, series, values, parts, width, height, rtl, title, no_data_label)


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


def _svg(
    kind: str,
    labels: Sequence[str],
    series: Sequence[Series],
    values: list[list[float | None]],
    parts: list[str],
    width: float,
    height: float,
    rtl: bool,
    title: str,
    no_data_label: str,
) -> Markup:
    """Wrap the drawing with its accessible name and description.

    The id comes from a hash of the content, so the output is reproducible (handy for PDFs
    and tests) and two different charts on one page never share an id."""
    fingerprint = repr((kind, list(labels), series, rtl, title, no_data_label, width, height))
    chart_id = "chart-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:12]
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
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}"'
        f' role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc"'
        f' font-family="{font}" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(". ".join(summaries))}</desc>'
        + "".join(parts)
        + "</svg>"
    )


def _legend(series: Sequence[Series], width: float, rtl: bool) -> str:
    """Swatch and name per series, in the top corner where the reader starts."""
    parts = ['<g class="legend">']
    for index, item in enumerate(series):
        y = 8 + index * LEGEND_ROW
        swatch_x = width - 10 - 18 if rtl else 10
        text_x = swatch_x - 6 if rtl else swatch_x + 18 + 6
        parts.append(
            f'<rect class="series-{item.style}" x="{_n(swatch_x)}" y="{_n(y + 2)}" width="18"'
            f' height="10" {SERIES_STYLES[item.style]}/>'
        )
        parts.append(
            _text([item.name], text_x, y + 11, anchor="start", rtl=rtl, css="legend-label")
        )
    parts.append("</g>")
    return "".join(parts)


def _text(
    lines: Sequence[str],
    x: float,
    y: float,
    *,
    anchor: str,
    rtl: bool,
    css: str,
    attrs: str = _TEXT_ATTRS,
) -> str:
    """A text element in logical order, one tspan per line, all lines anchored at x."""
    direction = ' direction="rtl" unicode-bidi="embed"' if rtl else ""
    spans = "".join(
        f'<tspan x="{_n(x)}" dy="{0 if i == 0 else LINE_HEIGHT}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text class="{css}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{direction}'
        f" {attrs}>{spans}</text>"
    )


def _wrap(label: str) -> list[str]:
    """Break a long label at the space nearest its middle, so both lines stay short."""
    spaces = [i for i, char in enumerate(label) if char == " "]
    if len(label) <= WRAP_AT or not spaces:
        return [label]
    split = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return [label[:split], label[split + 1 :]]


def _format(value: float, rtl: bool, *, tick: bool = False) -> str:
    """One decimal, rounded half up as people do by hand (55.25 -> 55.3, not Python's
    55.2); ticks drop a ".0". Persian digits and the Persian decimal separator in RTL."""
    rounded = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}".removesuffix(".0") if tick else f"{rounded:f}"
    return to_persian_digits(text.replace(".", "٫")) if rtl else text


def _n(number: float) -> str:
    """A coordinate rounded to two decimals, without trailing zeros."""
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
