"""The charts of each questionnaire's section of the report, drawn as figures (SVG shapes
with HTML labels, see app/charts.py): a radar of Gartner's eight building blocks, the CRM
process cycle's four steps as a loop beside bars of its other dimensions, and bars for the
rest. Call inside ``force_locale`` for the series' names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from app.charts import (
    RADAR_QUESTIONNAIRES,
    Figure,
    Series,
    bar_figure,
    cycle_figure,
    radar_figure,
)

# The CRM process cycle's four steps (seed 002), drawn as a loop.
CYCLE_QUESTIONNAIRE = "crm-process-cycle"
CYCLE_STEPS = (
    "gather-information",
    "marketing-strategies",
    "customer-contacts",
    "customer-responses",
)
# Sizes that fit an A4 page between the report's margins.
RADAR_SIZE = {"radius": 115, "label_room": 150}
BAR_PLOT_WIDTH = 330


@dataclass(frozen=True)
class ChartRow:
    """One dimension as the charts draw it."""

    dimension_id: str
    title: str
    score: float | None
    target_score: float | None
    previous: float | None


def questionnaire_figures(
    questionnaire_id: str, title: str, rows: Sequence[ChartRow], language: str
) -> tuple[Figure, ...]:
    rtl = language == "fa"
    no_data = _("insufficient data")
    has_previous = any(row.previous is not None for row in rows)

    def series(chosen: Sequence[ChartRow]) -> list[Series]:
        drawn = [
            Series(_("This assessment"), [row.score for row in chosen]),
            Series(_("Target"), [row.target_score for row in chosen], style="target"),
        ]
        if has_previous:
            drawn.append(
                Series(_("Previous assessment"), [row.previous for row in chosen], style="previous")
            )
        return drawn

    def bars(chosen: Sequence[ChartRow]) -> Figure:
        return bar_figure(
            [row.title for row in chosen],
            series(chosen),
            rtl=rtl,
            title=title,
            no_data_label=no_data,
            plot_width=BAR_PLOT_WIDTH,
        )

    if questionnaire_id in RADAR_QUESTIONNAIRES:
        radar = radar_figure(
            [row.title for row in rows],
            series(rows),
            rtl=rtl,
            title=title,
            no_data_label=no_data,
            **RADAR_SIZE,
        )
        return (radar,)
    if questionnaire_id == CYCLE_QUESTIONNAIRE:
        steps = [row for row in rows if row.dimension_id in CYCLE_STEPS]
        others = [row for row in rows if row.dimension_id not in CYCLE_STEPS]
        loop = cycle_figure(
            [row.title for row in steps],
            [row.score for row in steps],
            rtl=rtl,
            title=title,
            no_data_label=no_data,
        )
        return (loop, bars(others)) if others else (loop,)
    return (bars(rows),)
