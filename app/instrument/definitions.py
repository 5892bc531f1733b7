"""The shape of a questionnaire definition, as pydantic models.

A definition is data written by consultants (see assessments/README.md). Structural rules
(types, required fields, ranges) live on the fields; rules that relate one part to another
(an item's scale exists, the level bands cover 0-100, every band has recommendations)
live in ``Questionnaire.check_references`` so each problem can name its exact place.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

# Where a question or recommendation comes from: a seed document of shared/seeds (the
# Persian source articles the instrument is built on) or Gartner's published framework.
KNOWN_SOURCES = frozenset(
    {
        "000_fb9d7c268573ac4a.txt",  # Gartner's CRM framework; Swift's cycle; why CRM fails
        "001_8b80b79e88590196.txt",  # the five supporting conditions of CRM
        "002_4debe54ca2c9cbfd.txt",  # the four-step CRM process
        "003_60f8fe543899ab3c.txt",  # customer-facing processes; the human factor; SFA
        "004_cd6c222999ae8647.txt",  # what CRM is: definitions and points to test for
        "Gartner eight building blocks",
    }
)

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Weight = Annotated[float, Field(gt=0, le=100)]
Score = Annotated[float, Field(ge=0, le=100)]
SEMANTIC_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(Strict):
    """The same text in English and Persian; both are required."""

    en: Text
    fa: Text

    def in_language(self, language: str) -> str:
        return self.fa if language == "fa" else self.en


class ScalePoint(Strict):
    value: int
    label: Bilingual


class Scale(Strict):
    """Labelled answer options. A point's item score is its position between the lowest
    and the highest value, from 0 to 100."""

    points: list[ScalePoint] = Field(min_length=2)
    not_applicable: Bilingual

    @field_validator("points")
    @classmethod
    def values_ascend(cls, points: list[ScalePoint]) -> list[ScalePoint]:
        values = [point.value for point in points]
        if values != sorted(set(values)):
            raise ValueError("point values must be distinct and in ascending order")
        return points


class Sourced(Strict):
    source: list[str] = Field(min_length=1)

    @field_validator("source", mode="before")
    @classmethod
    def one_or_many(cls, value):
        return [value] if isinstance(value, str) else value

    @field_validator("source")
    @classmethod
    def known_sources(cls, sources: list[str]) -> list[str]:
        unknown = [source for source in sources if source not in KNOWN_SOURCES]
        if unknown:
            raise ValueError(
                f"unknown source {unknown[0]!r}: use a file name from shared/seeds "
                "or 'Gartner eight building blocks'"
            )
        return sources


class SameAs(Strict):
    """Names the identical item of another questionnaire."""

    questionnaire: Identifier
    item: Identifier


class Item(Sourced):
    id: Identifier
    statement: Bilingual
    help: Bilingual
    scale: str
    weight: Weight = 1.0
    reverse: bool = False
    allow_na: bool = True
    # The same question as another questionnaire's item: when both questionnaires are in
    # one assessment, it is asked and counted there only (app/instrument/sharing.py).
    # Left out of the canonical form when unset, so that definitions frozen before the
    # field existed keep their content hash.
    same_as: SameAs | None = Field(default=None, exclude_if=lambda value: value is None)


class Recommendation(Sourced):
    text: Bilingual


class Dimension(Sourced):
    id: Identifier
    title: Bilingual
    description: Bilingual
    weight: Weight = 1.0
    critical: bool = False
    # Required for a critical dimension: below this score it caps the overall level.
    critical_threshold: Score | None = None
    items: list[Item] = Field(min_length=1)
    # Actions for this dimension, for each level band id.
    recommendations: dict[str, list[Recommendation]]


class LevelBand(Strict):
    """A band of scores from ``min`` (inclusive) up to the next band's ``min``."""

    id: Identifier
    min: Score
    name: Bilingual
    description: Bilingual


class Settings(Strict):
    # Below this share of a dimension's item weight answered, it is "insufficient data".
    min_coverage: Annotated[float, Field(gt=0, le=1)] = 0.5
    # An item whose respondents' scores spread wider than this standard deviation (in
    # score points) is flagged as a disagreement.
    disagreement_sd: Annotated[float, Field(gt=0, le=100)] = 25.0


class Questionnaire(Strict):
    id: Identifier
    version: str
    title: Bilingual
    description: Bilingual
    weight: Weight = 1.0
    settings: Settings = Settings()
    scales: dict[str, Scale] = Field(min_length=1)
    levels: list[LevelBand] = Field(min_length=2)
    dimensions: list[Dimension] = Field(min_length=1)

    @field_validator("version")
    @classmethod
    def semantic_version(cls, version: str) -> str:
        if not SEMANTIC_VERSION.match(version):
            raise ValueError(f"version {version!r} is not a semantic version such as 1.0.0")
        return version

    def check_references(self) -> list[tuple[str, str]]:
        """Problems that relate one part of the definition to another, as (path, message)."""
        level_ids = [level.id for level in self.levels]
        problems = _level_problems(self.levels)
        problems += _duplicates(
            [(f"levels[{n}].id", level.id) for n, level in enumerate(self.levels)]
        )
        problems += _duplicates(
            [(f"dimensions[{n}].id", dimension.id) for n, dimension in enumerate(self.dimensions)]
        )
        problems += _duplicates(
            [
                (f"dimensions[{d}].items[{i}].id", item.id)
                for d, dimension in enumerate(self.dimensions)
                for i, item in enumerate(dimension.items)
            ],
            note=" (item ids are unique in a questionnaire)",
        )
        for index, dimension in enumerate(self.dimensions):
            problems += _dimension_problems(
                f"dimensions[{index}]", dimension, self.id, self.scales, level_ids
            )
        return problems

    def level_for(self, score: float | Fraction) -> LevelBand:
        """The band a score falls in, against each band's ``min`` as written (a score
        exactly at a band's ``min`` is in that band)."""
        band = self.levels[0]
        for level in self.levels:
            if score >= as_written(level.min):
                band = level
        return band


@lru_cache(maxsize=1024)
def as_written(number: float) -> Fraction:
    """A number of a definition exactly as it is written there: the weight 0.1 is one
    tenth, not the binary fraction nearest to it, so that 0.1 + 0.7 is exactly 0.8.
    (The shortest representation of a float, which ``repr`` gives, is the decimal that
    YAML read it from.)"""
    return Fraction(repr(number))


def _level_problems(levels: list[LevelBand]) -> list[tuple[str, str]]:
    problems = []
    if levels[0].min != 0:
        problems.append(("levels[0].min", "the first level band must start at 0"))
    for index in range(1, len(levels)):
        if levels[index].min <= levels[index - 1].min:
            problems.append((f"levels[{index}].min", "level bands must start in ascending order"))
    return problems


def _dimension_problems(
    where: str,
    dimension: Dimension,
    questionnaire_id: str,
    scales: dict[str, Scale],
    level_ids: list[str],
) -> list[tuple[str, str]]:
    problems = []
    if dimension.critical and dimension.critical_threshold is None:
        problems.append((f"{where}.critical_threshold", "a critical dimension needs a threshold"))
    if not dimension.critical and dimension.critical_threshold is not None:
        problems.append(
            (f"{where}.critical_threshold", "only a critical dimension has a threshold")
        )
    if all(item.same_as for item in dimension.items):
        problems.append(
            (f"{where}.items", "a dimension needs at least one item that is not same_as another")
        )
    for index, item in enumerate(dimension.items):
        if item.scale not in scales:
            problems.append((f"{where}.items[{index}].scale", f"unknown scale {item.scale!r}"))
        if item.same_as and item.same_as.questionnaire == questionnaire_id:
            problems.append(
                (
                    f"{where}.items[{index}].same_as.questionnaire",
                    "an item can only be the same as another questionnaire's item",
                )
            )
    for band in level_ids:
        if not dimension.recommendations.get(band):
            problems.append((f"{where}.recommendations", f"no recommendation for level {band!r}"))
    for band in dimension.recommendations:
        if band not in level_ids:
            problems.append((f"{where}.recommendations.{band}", f"unknown level {band!r}"))
    return problems


def _duplicates(entries: list[tuple[str, str]], note: str = "") -> list[tuple[str, str]]:
    """(path, id) pairs whose id was already used earlier in the list."""
    seen: set[str] = set()
    problems = []
    for path, identifier in entries:
        if identifier in seen:
            problems.append((path, f"duplicate id {identifier!r}{note}"))
        seen.add(identifier)
    return problems
