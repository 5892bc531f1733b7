"""The scoring engine: from answers to scores, levels, gaps and an action plan.

The method is written out in docs/scoring.md; this module follows it step by step.
Results are plain frozen dataclasses used alike by the web pages, exports and the PDF.
Nothing is rounded here: rounding is for display only.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from app.instrument.definitions import Dimension, Item, LevelBand, Questionnaire, Recommendation
from app.instrument.statistics import Summary, summarise, weighted_mean

ItemKey = tuple[str, str]  # (questionnaire id, item id)
_UNANSWERED = object()
DimensionKey = tuple[str, str]  # (questionnaire id, dimension id)

# Fewer answers than this say nothing about whether people agree: with one there is no
# spread at all, with two one person's view is half of it.
MIN_AGREEMENT_ANSWERS = 3
# A respondent group smaller than this is not scored on its own, so that no one's answers
# can be read off a group's figures (the app's MIN_GROUP_SIZE setting can raise it).
MIN_GROUP_SIZE = 3


# --- Inputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """One respondent's answers: a scale value per item, or None for "don't know / not
    applicable". Items left out were not answered."""

    respondent: str
    group: str
    answers: Mapping[ItemKey, int | None]


@dataclass(frozen=True)
class Consensus:
    """A consultant's agreed scale value for an item, replacing the respondents' aggregate."""

    value: int
    note: str = ""


# --- Results ------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    weight: float
    answers: Summary | None  # the respondents' item scores (N/A excluded)
    not_applicable: int  # how many answered "don't know / not applicable"
    score: float | None  # the value used: the consensus, else the respondents' mean
    consensus: Consensus | None
    disagreement: bool  # enough answers, spread wider than the definition allows


@dataclass(frozen=True)
class DimensionResult:
    dimension_id: str
    weight: float
    critical: bool
    critical_threshold: float | None
    score: float | None  # None when the data are insufficient
    coverage: float  # answered item weight / total item weight, 0-1
    sufficient: bool
    level: str | None
    respondents: Summary | None  # over respondents' own dimension scores
    by_group: Mapping[str, float | None]  # groups large enough to show (AssessmentResult)
    group_gap: float | None  # highest minus lowest group score
    target_level: str | None  # the dimension's own target, else the assessment's
    target_score: float | None
    gap: float | None  # how far the score is below the target (never negative)
    priority: float | None  # gap x weight
    critical_breach: bool  # critical, scored, and under its threshold
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class LevelCap:
    """A critical dimension under its threshold holds the level down to its own band."""

    questionnaire_id: str
    dimension_id: str
    score: float
    threshold: float
    capped_at: str  # the level band of the dimension's score


@dataclass(frozen=True)
class QuestionnaireResult:
    questionnaire_id: str
    version: str
    weight: float
    index: float | None
    uncapped_level: str | None
    level: str | None
    caps: tuple[LevelCap, ...]
    dimensions: tuple[DimensionResult, ...]

    def dimension(self, dimension_id: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.dimension_id == dimension_id)


@dataclass(frozen=True)
class ActionItem:
    questionnaire_id: str
    dimension_id: str
    critical: bool
    level: str
    score: float
    target_level: str
    gap: float
    priority: float
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class AssessmentResult:
    index: float | None
    uncapped_level: str | None
    level: str | None
    caps: tuple[LevelCap, ...]
    respondents: int
    groups: tuple[str, ...]  # the groups scored on their own, large enough to show
    small_groups: tuple[str, ...]  # groups with answers but too few respondents to show
    target_level: str | None  # the assessment's target, None without any score
    target_is_default: bool  # the level above the overall level, as none was set
    questionnaires: tuple[QuestionnaireResult, ...]
    action_plan: tuple[ActionItem, ...] = field(default=())

    def questionnaire(self, questionnaire_id: str) -> QuestionnaireResult:
        return next(q for q in self.questionnaires if q.questionnaire_id == questionnaire_id)


# --- The method ---------------------------------------------------------------------


def item_scores(item: Item, questionnaire: Questionnaire) -> dict[int, float]:
    """Each scale value's item score: 0-100 from the value's position between the lowest
    and highest value; mirrored for a reverse item."""
    values = [point.value for point in questionnaire.scales[item.scale].points]
    low, high = values[0], values[-1]
    scores = {value: (value - low) / (high - low) * 100 for value in values}
    return {value: 100 - score for value, score in scores.items()} if item.reverse else scores


def item_score(table: Mapping[int, float], item_id: str, value: int) -> float:
    try:
        return table[value]
    except KeyError:
        raise ValueError(f"{value!r} is not on the scale of item {item_id!r}") from None


def dimension_score(
    dimension: Dimension,
    item_scores: Mapping[str, float],
    min_coverage: float,
    total_weight: float | None = None,
) -> tuple[float | None, float]:
    """Weighted mean of the answered items and the coverage; None below min coverage.
    ``total_weight`` (the sum of all the dimension's item weights) may be passed in when
    it is already known."""
    weighted, weights = [], []
    for item in dimension.items:
        score = item_scores.get(item.id)
        if score is not None:
            weighted.append(score * item.weight)
            weights.append(item.weight)
    if not weights:
        return None, 0.0
    if total_weight is None:
        total_weight = math.fsum(item.weight for item in dimension.items)
    answered_weight = math.fsum(weights)
    coverage = answered_weight / total_weight
    if coverage < min_coverage:
        return None, coverage
    return math.fsum(weighted) / answered_weight, coverage


def score_assessment(
    questionnaires: Sequence[Questionnaire],
    responses: Iterable[Response],
    consensus: Mapping[ItemKey, Consensus] | None = None,
    targets: Mapping[DimensionKey, str] | None = None,
    *,
    target_level: str | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
) -> AssessmentResult:
    """Score every questionnaire of an assessment and the assessment as a whole.

    ``target_level`` is the level the whole assessment aims at (by default the one above
    its overall level); ``targets`` override it for single dimensions."""
    if not questionnaires:
        raise ValueError("an assessment needs at least one questionnaire")
    bands = [(level.id, level.min) for level in questionnaires[0].levels]
    for questionnaire in questionnaires[1:]:
        if [(level.id, level.min) for level in questionnaire.levels] != bands:
            raise ValueError("the questionnaires of one assessment must share their level bands")
    responses = list(responses)
    consensus = consensus or {}
    targets = targets or {}
    sizes = Counter(response.group for response in responses)
    shown = frozenset(group for group, size in sizes.items() if size >= min_group_size)
    results = tuple(
        _score_questionnaire(questionnaire, responses, consensus, shown)
        for questionnaire in questionnaires
    )
    levels = questionnaires[0].levels
    index = weighted_mean([(r.index, r.weight) for r in results if r.index is not None])
    uncapped = questionnaires[0].level_for(index).id if index is not None else None
    caps = tuple(cap for result in results for cap in result.caps)
    level = _apply_caps(levels, uncapped, caps)
    target = _assessment_target(levels, target_level, level)
    results = tuple(
        _with_targets(questionnaire, result, targets, target)
        for questionnaire, result in zip(questionnaires, results, strict=True)
    )
    return AssessmentResult(
        index=index,
        uncapped_level=uncapped,
        level=level,
        caps=caps,
        respondents=len(responses),
        groups=tuple(sorted(shown)),
        small_groups=tuple(sorted(set(sizes) - shown)),
        target_level=target,
        target_is_default=target is not None and target_level is None,
        questionnaires=results,
        action_plan=_action_plan(questionnaires, results),
    )


def _score_questionnaire(
    questionnaire: Questionnaire,
    responses: list[Response],
    consensus: Mapping[ItemKey, Consensus],
    shown_groups: frozenset[str],
) -> QuestionnaireResult:
    """The questionnaire's scores and levels; targets and gaps come after, once the
    assessment's overall level is known (``_with_targets``)."""
    qid = questionnaire.id
    settings = questionnaire.settings
    items = [item for dimension in questionnaire.dimensions for item in dimension.items]

    tables = {item.id: item_scores(item, questionnaire) for item in items}

    # Every respondent's item scores; N/A and unanswered items are left out. The same
    # scores are also gathered per item, overall and per respondent group.
    per_respondent: list[dict[str, float]] = []
    by_item: dict[str, list[float]] = {item.id: [] for item in items}
    by_group: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    not_applicable: dict[str, int] = defaultdict(int)
    for response in responses:
        scores = {}
        group_scores = by_group[response.group] if response.group in shown_groups else {}
        for item in items:
            value = response.answers.get((qid, item.id), _UNANSWERED)
            if value is _UNANSWERED:
                continue
            if value is None:
                not_applicable[item.id] += 1
                continue
            score = item_score(tables[item.id], item.id, value)
            scores[item.id] = score
            by_item[item.id].append(score)
            if response.group in shown_groups:
                group_scores[item.id].append(score)
        per_respondent.append(scores)

    item_results: dict[str, ItemResult] = {}
    for item in items:
        summary = summarise(by_item[item.id])
        agreed = consensus.get((qid, item.id))
        if agreed is not None:
            score = item_score(tables[item.id], item.id, agreed.value)
        else:
            score = summary.mean if summary else None
        item_results[item.id] = ItemResult(
            item_id=item.id,
            weight=item.weight,
            answers=summary,
            not_applicable=not_applicable[item.id],
            score=score,
            consensus=agreed,
            disagreement=bool(
                summary
                and summary.n >= MIN_AGREEMENT_ANSWERS
                and summary.sd > settings.disagreement_sd
            ),
        )
    aggregate = {i: r.score for i, r in item_results.items() if r.score is not None}
    groups = sorted(by_group)
    group_item_scores = {
        group: {item_id: math.fsum(values) / len(values) for item_id, values in scores.items()}
        for group, scores in by_group.items()
    }

    dimensions = []
    for dimension in questionnaire.dimensions:
        total = math.fsum(item.weight for item in dimension.items)
        minimum = settings.min_coverage
        score, coverage = dimension_score(dimension, aggregate, minimum, total)
        own_scores = [
            own
            for scores in per_respondent
            if (own := dimension_score(dimension, scores, minimum, total)[0]) is not None
        ]
        by_group = {
            group: dimension_score(dimension, group_item_scores[group], minimum, total)[0]
            for group in groups
        }
        scored_groups = [value for value in by_group.values() if value is not None]
        level = questionnaire.level_for(score) if score is not None else None
        dimensions.append(
            DimensionResult(
                dimension_id=dimension.id,
                weight=dimension.weight,
                critical=dimension.critical,
                critical_threshold=dimension.critical_threshold,
                score=score,
                coverage=coverage,
                sufficient=score is not None,
                level=level.id if level else None,
                respondents=summarise(own_scores),
                by_group=by_group,
                group_gap=max(scored_groups) - min(scored_groups)
                if len(scored_groups) > 1
                else None,
                target_level=None,
                target_score=None,
                gap=None,
                priority=None,
                critical_breach=bool(
                    dimension.critical
                    and score is not None
                    and score < dimension.critical_threshold
                ),
                items=tuple(item_results[item.id] for item in dimension.items),
            )
        )

    index = weighted_mean([(d.score, d.weight) for d in dimensions if d.score is not None])
    uncapped = questionnaire.level_for(index).id if index is not None else None
    caps = tuple(
        LevelCap(
            questionnaire_id=qid,
            dimension_id=d.dimension_id,
            score=d.score,
            threshold=d.critical_threshold,
            capped_at=d.level,
        )
        for d in dimensions
        if d.critical_breach
    )
    return QuestionnaireResult(
        questionnaire_id=qid,
        version=questionnaire.version,
        weight=questionnaire.weight,
        index=index,
        uncapped_level=uncapped,
        level=_apply_caps(questionnaire.levels, uncapped, caps),
        caps=caps,
        dimensions=tuple(dimensions),
    )


def _assessment_target(
    levels: Sequence[LevelBand], explicit: str | None, level: str | None
) -> str | None:
    """The level the assessment aims at: the one set, else ``default_target``."""
    if explicit is not None:
        if explicit not in {band.id for band in levels}:
            raise ValueError(f"unknown target level {explicit!r}")
        return explicit
    return default_target(levels, level)


def default_target(levels: Sequence[LevelBand], level: str | None) -> str | None:
    """The band above the overall ``level`` (the top band for an assessment already in
    it); None without an overall level."""
    if level is None:
        return None
    ids = [band.id for band in levels]
    return ids[min(ids.index(level) + 1, len(ids) - 1)]


def _with_targets(
    questionnaire: Questionnaire,
    result: QuestionnaireResult,
    targets: Mapping[DimensionKey, str],
    assessment_target: str | None,
) -> QuestionnaireResult:
    """Each dimension's target (its own, else the assessment's), gap and priority.

    With one target for every dimension, the gap shrinks as the score grows, so the
    strongest dimension never has the largest gap."""
    bands = {band.id: band for band in questionnaire.levels}
    dimensions = []
    for dimension, scored in zip(questionnaire.dimensions, result.dimensions, strict=True):
        target_id = targets.get((questionnaire.id, dimension.id), assessment_target)
        if target_id is not None and target_id not in bands:
            raise ValueError(f"unknown target level {target_id!r} for {questionnaire.id}")
        target = bands.get(target_id) if target_id else None
        gap = max(0.0, target.min - scored.score) if target and scored.sufficient else None
        dimensions.append(
            replace(
                scored,
                target_level=target.id if target else None,
                target_score=target.min if target else None,
                gap=gap,
                priority=gap * dimension.weight if gap is not None else None,
            )
        )
    return replace(result, dimensions=tuple(dimensions))


def _apply_caps(
    levels: Sequence[LevelBand], level: str | None, caps: Sequence[LevelCap]
) -> str | None:
    if level is None:
        return None
    order = [band.id for band in levels]
    return min([level, *(cap.capped_at for cap in caps)], key=order.index)


def _action_plan(
    questionnaires: Sequence[Questionnaire], results: Sequence[QuestionnaireResult]
) -> tuple[ActionItem, ...]:
    """Dimensions below their target, critical ones first, then by priority (gap x weight);
    ties keep the order of the definitions."""
    entries = []
    for q_position, (questionnaire, result) in enumerate(zip(questionnaires, results, strict=True)):
        for d_position, (dimension, scored) in enumerate(
            zip(questionnaire.dimensions, result.dimensions, strict=True)
        ):
            if not scored.gap:
                continue
            item = ActionItem(
                questionnaire_id=questionnaire.id,
                dimension_id=dimension.id,
                critical=dimension.critical,
                level=scored.level,
                score=scored.score,
                target_level=scored.target_level,
                gap=scored.gap,
                priority=scored.priority,
                recommendations=tuple(dimension.recommendations[scored.level]),
            )
            entries.append(((not item.critical, -item.priority, q_position, d_position), item))
    return tuple(item for _key, item in sorted(entries, key=lambda entry: entry[0]))
