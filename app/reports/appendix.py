"""The report's appendix: every question of a questionnaire with the respondents'
statistics, how many chose each scale point, and their comments, by group and never by
name."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _

from app.instrument.definitions import Questionnaire
from app.labels import group_label


@dataclass(frozen=True)
class Comment:
    group: str
    text: str


@dataclass(frozen=True)
class ItemRow:
    statement: str
    reverse: bool
    n: int
    mean: float | None
    median: float | None
    sd: float | None
    not_applicable: int
    distribution: tuple[int, ...]  # answers per scale point, in the scale's order
    score: float | None
    consensus: str | None  # the agreed scale point's label
    disagreement: bool
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class AppendixDimension:
    title: str
    items: tuple[ItemRow, ...]


@dataclass(frozen=True)
class AppendixQuestionnaire:
    title: str
    points: tuple[str, ...]  # the scale's point labels, the distribution's columns
    dimensions: tuple[AppendixDimension, ...]


def appendix_of(
    definition: Questionnaire, scored, answers: list, shown_groups: set[str], language: str
) -> AppendixQuestionnaire:
    """Every item: the respondents' statistics, how many chose each scale point, and
    their comments, by group, not by name; a group too small to show gives no name."""
    scale = next(iter(definition.scales.values()))
    values = [point.value for point in scale.points]
    counts: dict[str, Counter] = defaultdict(Counter)
    comments: dict[str, list[Comment]] = defaultdict(list)
    for respondent, answer in answers:
        if answer.questionnaire_key != definition.id:
            continue
        if answer.value is not None:
            counts[answer.item_id][answer.value] += 1
        if answer.comment.strip():
            group = respondent.group
            label = group_label(group) if group in shown_groups else _("A respondent")
            comments[answer.item_id].append(Comment(str(label), answer.comment.strip()))
    dimensions = []
    for dimension, d in zip(definition.dimensions, scored.dimensions, strict=True):
        items = []
        for item, r in zip(dimension.items, d.items, strict=True):
            point_labels = {
                p.value: p.label.in_language(language) for p in definition.scales[item.scale].points
            }
            items.append(
                ItemRow(
                    statement=item.statement.in_language(language),
                    reverse=item.reverse,
                    n=r.answers.n if r.answers else 0,
                    mean=r.answers.mean if r.answers else None,
                    median=r.answers.median if r.answers else None,
                    sd=r.answers.sd if r.answers else None,
                    not_applicable=r.not_applicable,
                    distribution=tuple(counts[item.id][value] for value in values),
                    score=r.score,
                    consensus=point_labels.get(r.consensus.value) if r.consensus else None,
                    disagreement=r.disagreement,
                    comments=tuple(sorted(comments[item.id], key=lambda c: c.group)),
                )
            )
        dimensions.append(AppendixDimension(dimension.title.in_language(language), tuple(items)))
    return AppendixQuestionnaire(
        title=definition.title.in_language(language),
        points=tuple(point.label.in_language(language) for point in scale.points),
        dimensions=tuple(dimensions),
    )
