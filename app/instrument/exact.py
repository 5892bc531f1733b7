"""Exact arithmetic for the scoring: item scores, means, coverage and weighted means as
fractions, from the answers and from the definition's numbers as written.

Floats carry 0.1 + 0.7 as 0.7999999999999999: a dimension with item weights 0.1, 0.7,
0.1, 0.2 and 0.5 whose first two items are answered came out at a coverage of
0.49999999999999994 and fell under the minimum of 0.5 that it meets exactly. Here that
coverage is 8/16, and the rule compares it as such.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from app.instrument.definitions import Dimension, Item, Questionnaire, as_written


def exact_item_scores(item: Item, questionnaire: Questionnaire) -> dict[int, Fraction]:
    """Each scale value's item score: 0-100 from the value's position between the lowest
    and highest value; mirrored for a reverse item."""
    values = [point.value for point in questionnaire.scales[item.scale].points]
    low, high = values[0], values[-1]
    scores = {value: Fraction(100 * (value - low), high - low) for value in values}
    return {value: 100 - score for value, score in scores.items()} if item.reverse else scores


def item_scores(item: Item, questionnaire: Questionnaire) -> dict[int, float]:
    return {value: float(score) for value, score in exact_item_scores(item, questionnaire).items()}


@dataclass(frozen=True)
class ItemScale:
    """An item's scale values as item scores, exact and as floats. Item scores grow (or,
    on a reverse item, fall) in step with the values, so the mean of a number of them is
    exactly known from the count of the values and their sum: no fractions are added one
    by one, and the values' totals summed by the database give the same mean."""

    exact: Mapping[int, Fraction]
    floats: Mapping[int, float]
    low: int
    high: int
    reverse: bool

    def score(self, item_id: str, value: int) -> Fraction:
        if value not in self.exact:
            raise not_on_scale(item_id, value)
        return self.exact[value]

    def mean(self, values: list[int]) -> Fraction | None:
        return self.mean_of(len(values), sum(values))

    def mean_of(self, count: int, total: int) -> Fraction | None:
        """The mean item score of ``count`` values adding up to ``total``."""
        if not count:
            return None
        above_low = total - count * self.low
        hundredths = 100 * (
            count * (self.high - self.low) - above_low if self.reverse else above_low
        )
        return Fraction(hundredths, (self.high - self.low) * count)


def not_on_scale(item_id: str, value: int) -> ValueError:
    return ValueError(f"{value!r} is not on the scale of item {item_id!r}")


def item_scales(questionnaire: Questionnaire, items: list[Item]) -> dict[str, ItemScale]:
    """Each item's scale; items on the same scale in the same direction share one."""
    made: dict[tuple[str, bool], ItemScale] = {}
    for item in items:
        if (item.scale, item.reverse) not in made:
            points = questionnaire.scales[item.scale].points
            exact = exact_item_scores(item, questionnaire)
            made[(item.scale, item.reverse)] = ItemScale(
                exact=exact,
                floats={value: float(score) for value, score in exact.items()},
                low=points[0].value,
                high=points[-1].value,
                reverse=item.reverse,
            )
    return {item.id: made[(item.scale, item.reverse)] for item in items}


class Weights:
    """A questionnaire's item weights as written, counted in whole units of their common
    denominator: coverage is then compared exactly, in integers."""

    def __init__(self, questionnaire: Questionnaire):
        exact = {
            item.id: as_written(item.weight)
            for dimension in questionnaire.dimensions
            for item in dimension.items
        }
        unit = math.lcm(*(weight.denominator for weight in exact.values()))
        # By dimension id: each item's (id, units), and the dimension's total units.
        self.items = {
            dimension.id: [(item.id, int(exact[item.id] * unit)) for item in dimension.items]
            for dimension in questionnaire.dimensions
        }
        self.totals = {
            dimension_id: sum(units for _item, units in items)
            for dimension_id, items in self.items.items()
        }
        minimum = as_written(questionnaire.settings.min_coverage)
        self._minimum = minimum.numerator, minimum.denominator

    def enough(self, answered: int, total: int) -> bool:
        """Is ``answered`` units of ``total`` at least the minimum coverage?"""
        numerator, denominator = self._minimum
        return answered * denominator >= total * numerator


def dimension_score(
    dimension: Dimension, scores: Mapping[str, Fraction], weights: Weights
) -> tuple[Fraction | None, Fraction]:
    """The weighted mean of the answered items and the coverage, exactly; no score below
    the minimum coverage."""
    answered = 0
    weighted = Fraction(0)
    for item_id, units in weights.items[dimension.id]:
        score = scores.get(item_id)
        if score is not None:
            answered += units
            weighted += score * units
    total = weights.totals[dimension.id]
    if not answered:
        return None, Fraction(0)
    if not weights.enough(answered, total):
        return None, Fraction(answered, total)
    return weighted / answered, Fraction(answered, total)


def own_dimension_score(
    dimension: Dimension, scores: Mapping[str, float], weights: Weights
) -> float | None:
    """One respondent's dimension score, under the same coverage rule. It only feeds the
    statistics of the respondents' scores, which decide nothing, so it is a float."""
    answered = 0
    weighted = []
    for item_id, units in weights.items[dimension.id]:
        score = scores.get(item_id)
        if score is not None:
            answered += units
            weighted.append(score * units)
    if not answered or not weights.enough(answered, weights.totals[dimension.id]):
        return None
    return math.fsum(weighted) / answered


def weighted_mean(pairs: Sequence[tuple[Fraction, Fraction]]) -> Fraction | None:
    if not pairs:
        return None
    return sum(value * weight for value, weight in pairs) / sum(weight for _, weight in pairs)


def as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)
