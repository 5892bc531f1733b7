"""Where in the editor each place of a definition is edited, so the overview can point
to the page that shows a problem beside its field; a problem with no such page (an answer
scale, the version) is shown at the top of the overview."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.library.fields import field_for
from app.library.forms import DimensionForm, ItemForm, LevelRow, QuestionnaireForm

_LEVELS = re.compile(r"^levels(?:\[(\d+)\]\.?(.*))?$")
_RECOMMENDATIONS = re.compile(r"^dimensions\[(\d+)\]\.recommendations")
_ITEM = re.compile(r"^dimensions\[(\d+)\]\.items\[(\d+)\]\.?(.*)$")
_DIMENSION = re.compile(r"^dimensions\[(\d+)\]\.?(.*)$")


@dataclass(frozen=True)
class Place:
    endpoint: str
    dimension: int | None = None
    item: int | None = None

    @property
    def args(self) -> dict[str, int]:
        args = {"dimension": self.dimension, "item": self.item}
        return {name: value for name, value in args.items() if value is not None}


def place_of(path: str) -> Place | None:
    if field_for(QuestionnaireForm.PATHS, path):
        return Place("library.edit_questionnaire")
    if match := _LEVELS.match(path):
        rest = match.group(2)
        if match.group(1) is None or field_for(LevelRow.PATHS, rest or ""):
            return Place("library.edit_levels")
        return None
    if match := _RECOMMENDATIONS.match(path):
        return Place("library.edit_recommendations", int(match.group(1)))
    if match := _ITEM.match(path):
        if field_for(ItemForm.PATHS, match.group(3)):
            return Place("library.edit_item", int(match.group(1)), int(match.group(2)))
        return None
    if (match := _DIMENSION.match(path)) and field_for(DimensionForm.PATHS, match.group(2)):
        return Place("library.edit_dimension", int(match.group(1)))
    return None
