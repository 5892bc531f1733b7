"""Two versions of a questionnaire side by side: what was added, removed or changed,
per dimension and item, in both languages (plain Python, no Flask)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.instrument.definitions import Bilingual, Questionnaire


@dataclass(frozen=True)
class Change:
    """One value at one place (``statement.fa``, ``recommendations.initial[0].text.en``)."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class PartComparison:
    """A dimension, item or level band matched by its id in the two versions."""

    id: str
    title: Bilingual  # the newer title, or the older one of a removed part
    status: str  # "added", "removed", "changed" or "same"
    changes: list[Change] = field(default_factory=list)
    items: list[PartComparison] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    questionnaire: list[Change]
    levels: list[PartComparison]
    dimensions: list[PartComparison]

    @property
    def unchanged(self) -> bool:
        return not self.questionnaire and all(
            part.status == "same" for part in [*self.levels, *self.dimensions]
        )


def compare(old: Questionnaire, new: Questionnaire) -> Comparison:
    own = {"dimensions", "levels", "version"}
    return Comparison(
        questionnaire=_changes(_dump(old, own), _dump(new, own)),
        levels=_parts(old.levels, new.levels, lambda level: level.name, set()),
        dimensions=[
            _with_items(part, old, new)
            for part in _parts(old.dimensions, new.dimensions, lambda d: d.title, {"items"})
        ],
    )


def _with_items(part: PartComparison, old: Questionnaire, new: Questionnaire) -> PartComparison:
    before = next((d.items for d in old.dimensions if d.id == part.id), [])
    after = next((d.items for d in new.dimensions if d.id == part.id), [])
    items = _parts(before, after, lambda item: item.statement, set())
    status = part.status
    if status == "same" and any(item.status != "same" for item in items):
        status = "changed"
    return PartComparison(part.id, part.title, status, part.changes, items)


def _parts(old: list, new: list, title, left_out: set[str]) -> list[PartComparison]:
    """Parts in the newer order, then the removed ones."""
    before = {part.id: part for part in old}
    after = {part.id: part for part in new}
    compared = []
    for part in new:
        if part.id not in before:
            compared.append(PartComparison(part.id, title(part), "added"))
            continue
        changes = _changes(_dump(before[part.id], left_out), _dump(part, left_out))
        compared.append(
            PartComparison(part.id, title(part), "changed" if changes else "same", changes)
        )
    compared += [
        PartComparison(part.id, title(part), "removed") for part in old if part.id not in after
    ]
    return compared


def _dump(model, left_out: set[str]) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude=left_out)


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before, after = _flat(old), _flat(new)
    return [
        Change(path, before.get(path, ""), after.get(path, ""))
        for path in dict.fromkeys([*after, *before])
        if before.get(path, "") != after.get(path, "")
    ]


def _flat(value: Any, path: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        flat: dict[str, str] = {}
        for key, inner in value.items():
            flat |= _flat(inner, f"{path}.{key}" if path else str(key))
        return flat
    if isinstance(value, list) and any(isinstance(inner, dict | list) for inner in value):
        flat = {}
        for index, inner in enumerate(value):
            flat |= _flat(inner, f"{path}[{index}]")
        return flat
    if isinstance(value, list):
        return {path: ", ".join(str(inner) for inner in value)}
    return {path: "" if value is None else str(value)}
