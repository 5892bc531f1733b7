"""Questionnaires written in the app: drafts as the data a YAML file holds, and the
moves an editor makes on them (plain Python, no Flask).

A draft is the parsed form of a definition file (dicts, lists, strings, numbers). It may
be incomplete or wrong while it is written; ``check_definition`` (app/instrument/loader.py),
the check every YAML file passes, says where. YAML export and import round-trip with the
files in ``assessments/``.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from app.instrument.definitions import SEMANTIC_VERSION, Questionnaire

Draft = dict[str, Any]
FIRST_VERSION = "1.0.0"


def draft_of(definition: Questionnaire) -> Draft:
    """A valid definition as a draft to edit: its canonical data."""
    return definition.model_dump(mode="json")


def empty_draft(house: Questionnaire) -> Draft:
    """A questionnaire with nothing written yet; it starts from the answer scales, level
    bands and settings of ``house`` (a shipped questionnaire), so the first dimension is
    all that is missing."""
    shipped = draft_of(house)
    return {
        "id": "",
        "version": FIRST_VERSION,
        "title": {"en": "", "fa": ""},
        "description": {"en": "", "fa": ""},
        "weight": 1.0,
        "settings": shipped["settings"],
        "scales": shipped["scales"],
        "levels": shipped["levels"],
        "dimensions": [],
    }


def blank_dimension() -> dict[str, Any]:
    return {
        "id": "",
        "title": {"en": "", "fa": ""},
        "description": {"en": "", "fa": ""},
        "weight": 1.0,
        "critical": False,
        "source": [],
        "items": [],
        "recommendations": {},
    }


def blank_item(draft: Draft) -> dict[str, Any]:
    return {
        "id": "",
        "statement": {"en": "", "fa": ""},
        "help": {"en": "", "fa": ""},
        "scale": next(iter(draft.get("scales") or {}), ""),
        "weight": 1.0,
        "reverse": False,
        "allow_na": True,
        "source": [],
    }


def move(entries: list, index: int, step: int) -> None:
    """Move ``entries[index]`` one place up (step -1) or down (+1); at an end, stay."""
    target = index + step
    if 0 <= index < len(entries) and 0 <= target < len(entries):
        entries[index], entries[target] = entries[target], entries[index]


def to_yaml(draft: Draft) -> str:
    """The draft as a definition file, keys in the order the shipped files use."""
    return yaml.safe_dump(draft, allow_unicode=True, sort_keys=False, width=100)


def next_version(draft_version: object, published: list[str]) -> str:
    """The version a publication gets: the draft's own if it is a semantic version above
    every published one, else the patch after the highest published."""
    if not published:
        return str(draft_version) if _is_version(draft_version) else FIRST_VERSION
    highest = max(published, key=_as_tuple)
    if _is_version(draft_version) and _as_tuple(str(draft_version)) > _as_tuple(highest):
        return str(draft_version)
    major, minor, patch = _as_tuple(highest)
    return f"{major}.{minor}.{patch + 1}"


def with_version(draft: Draft, version: str) -> Draft:
    published = copy.deepcopy(draft)
    published["version"] = version
    return published


def _is_version(value: object) -> bool:
    return isinstance(value, str) and SEMANTIC_VERSION.match(value) is not None


def _as_tuple(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(part) for part in version.split("."))
    return major, minor, patch
