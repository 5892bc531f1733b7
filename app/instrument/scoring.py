"""The scoring engine: from answers to scores, levels, gaps and an action plan.

The method is written out in docs/scoring.md; this module follows it step by step.
It takes and gives the plain dataclasses of app/instrument/results.py.

Every figure that a rule compares (coverage with its minimum, a score with a band's edge
or a critical threshold, a score with its target) is computed exactly, as a fraction,
from the answers and from the definition's numbers as written (``as_written``); the
comparison is made on that exact value, and the figure is then rounded once to a float
for the result. Nothing is rounded further here: rounding is for display only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction

from app.instrument.definitions import (
    LevelBand,
    Questionnaire,
    as_written,
)
from app.instrument.exact import (
    ItemScale,
    Weights,
    as_float,
    dimension_score,
    item_scales,
    not_on_scale,
    own_dimension_score,
    weighted_mean,
)
from app.instrument.results import (
    ActionItem,
    AssessmentResult,
    Consensus,
    DimensionKey,
    DimensionResult,
    ItemResult,
    LevelCap,
    QuestionnaireResult,
    Response,
    ScoresAlone,
    UnscoredCritical,
)
from app.instrument.sharing import ItemKey, used_together
from app.instrument.statistics import summarise

_UNANSWERED = object()
# Fewer answers than this say nothing about whether people agree: with one there is no
# spread at all, with two one person's view is half of it.
MIN_AGREEMENT_ANSWERS = 3
# A respondent group smaller than this is not scored on its own, so that no one's answers
# can be read off a group's figures (the app's MIN_GROUP_SIZE setting can raise it).
MIN_GROUP_SIZE = 3


def score_assessment(
    questionnaires: Sequence[Questionnaire],
    responses: Iterable[Response],
    consensus: Mapping[ItemKey, Consensus] | None = None,
    targets: Mapping[DimensionKey, str] | None = None,
    group_order: Sequence[str] = (),
    *,
    target_level: str | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
) -> AssessmentResult:
    """Score every questionnaire of an assessment and the assessment as a whole. Shared
    items count once (app/instrument/sharing.py). A group of at least ``min_group_size``
    respondents is scored on its own; groups are listed in ``group_order``, then any others
    in alphabetical order.

    ``target_level`` is the level the whole assessment aims at (by default the one above
    its overall level); ``targets`` override it for single dimensions."""
    if not questionnaires:
        raise ValueError("an assessment needs at least one questionnaire")
    bands = [(level.id, level.min) for level in questionnaires[0].levels]
    for questionnaire in questionnaires[1:]:
        if [(level.id, level.min) for level in questionnaire.levels] != bands:
            raise ValueError("the questionnaires of one assessment must share their level bands")
    questionnaires = used_together(questionnaires)
    responses = list(responses)
    consensus = consensus or {}
    targets = targets or {}
    sizes = Counter(response.group for response in responses)
    ordered = [group for group in dict.fromkeys(group_order) if group in sizes]
    ordered += sorted(set(sizes) - set(ordered))
    groups = [group for group in ordered if sizes[group] >= min_group_size]
    scored = [
        _score_questionnaire(questionnaire, responses, consensus, groups)
        for questionnaire in questionnaires
    ]
    index = _overall_index(
        (questionnaire, exact)
        for questionnaire, (_result, exact, _scores) in zip(questionnaires, scored, strict=True)
    )
    caps = tuple(cap for result, _index, _scores in scored for cap in result.caps)
    unscored = tuple(
        entry for result, _index, _scores in scored for entry in result.unscored_critical
    )
    standing = _standing(questionnaires[0], index, caps, unscored)
    target = _assessment_target(questionnaires[0].levels, target_level, standing["level"])
    results = tuple(
        _with_targets(questionnaire, result, exact_scores, targets, target)
        for questionnaire, (result, _index, exact_scores) in zip(
            questionnaires, scored, strict=True
        )
    )
    return AssessmentResult(
        **standing,
        respondents=len(responses),
        groups=tuple(groups),
        small_groups=tuple(group for group in ordered if sizes[group] < min_group_size),
        target_level=target,
        target_is_default=target is not None and target_level is None,
        questionnaires=results,
        action_plan=_action_plan(questionnaires, results),
    )


def _score_questionnaire(
    questionnaire: Questionnaire,
    responses: list[Response],
    consensus: Mapping[ItemKey, Consensus],
    groups: list[str],
) -> tuple[QuestionnaireResult, Fraction | None, list[Fraction | None]]:
    """The questionnaire's scores and levels, with its index and its dimensions' scores
    as exact fractions; targets and gaps come after, once the assessment's overall level
    is known (``_with_targets``). Only the respondents of ``groups`` are scored by group."""
    qid = questionnaire.id
    settings = questionnaire.settings
    weights = Weights(questionnaire)
    items = [item for dimension in questionnaire.dimensions for item in dimension.items]
    scales = item_scales(questionnaire, items)

    # Every respondent's item scores; N/A and unanswered items are left out. The values
    # answered are also gathered per item, overall and per respondent group.
    per_respondent: list[dict[str, float]] = []
    by_item: dict[str, list[int]] = {item.id: [] for item in items}
    by_group: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    not_applicable: dict[str, int] = defaultdict(int)
    shown = set(groups)
    # What the loop below needs of each item, looked up once rather than once for every
    # respondent (it runs for each answer: ten thousand for a hundred respondents).
    looked_up = [
        (item.id, (qid, item.id), scales[item.id].floats, by_item[item.id]) for item in items
    ]
    for response in responses:
        scores = {}
        answers = response.answers
        group_values = by_group[response.group] if response.group in shown else None
        for item_id, key, floats, values in looked_up:
            value = answers.get(key, _UNANSWERED)
            if value is _UNANSWERED:
                continue
            if value is None:
                not_applicable[item_id] += 1
                continue
            if value not in floats:
                raise not_on_scale(item_id, value)
            scores[item_id] = floats[value]
            values.append(value)
            if group_values is not None:
                group_values[item_id].append(value)
        per_respondent.append(scores)

    item_results: dict[str, ItemResult] = {}
    aggregate: dict[str, Fraction] = {}
    for item in items:
        scale, values = scales[item.id], by_item[item.id]
        summary = summarise([scale.floats[value] for value in values])
        agreed = consensus.get((qid, item.id))
        exact = _item_score(item.id, scale, agreed, len(values), sum(values))
        if exact is not None:
            aggregate[item.id] = exact
        item_results[item.id] = ItemResult(
            item_id=item.id,
            weight=item.weight,
            answers=summary,
            not_applicable=not_applicable[item.id],
            score=as_float(exact),
            consensus=agreed,
            disagreement=bool(
                summary
                and summary.n >= MIN_AGREEMENT_ANSWERS
                and summary.sd > settings.disagreement_sd
            ),
        )
    group_items = {
        group: {
            item_id: scales[item_id].mean(values) for item_id, values in by_group[group].items()
        }
        for group in groups
    }

    dimensions, exact_scores = [], []
    for dimension in questionnaire.dimensions:
        score, coverage = dimension_score(dimension, aggregate, weights)
        exact_scores.append(score)
        own_scores = [
            own
            for scores in per_respondent
            if (own := own_dimension_score(dimension, scores, weights)) is not None
        ]
        groups_exact = {
            group: dimension_score(dimension, group_items[group], weights)[0] for group in groups
        }
        scored_groups = [value for value in groups_exact.values() if value is not None]
        level = questionnaire.level_for(score) if score is not None else None
        dimensions.append(
            DimensionResult(
                dimension_id=dimension.id,
                weight=dimension.weight,
                critical=dimension.critical,
                critical_threshold=dimension.critical_threshold,
                score=as_float(score),
                coverage=float(coverage),
                sufficient=score is not None,
                level=level.id if level else None,
                respondents=summarise(own_scores),
                by_group={group: as_float(value) for group, value in groups_exact.items()},
                group_gap=as_float(max(scored_groups) - min(scored_groups))
                if len(scored_groups) > 1
                else None,
                target_level=None,
                target_score=None,
                gap=None,
                priority=None,
                critical_breach=bool(
                    dimension.critical
                    and score is not None
                    and score < as_written(dimension.critical_threshold)
                ),
                items=tuple(item_results[item.id] for item in dimension.items),
            )
        )

    index = _questionnaire_index(questionnaire, exact_scores)
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
    unscored = tuple(
        UnscoredCritical(
            questionnaire_id=qid,
            dimension_id=d.dimension_id,
            coverage=d.coverage,
            min_coverage=settings.min_coverage,
            threshold=d.critical_threshold,
        )
        for d in dimensions
        if d.critical and not d.sufficient
    )
    result = QuestionnaireResult(
        questionnaire_id=qid,
        version=questionnaire.version,
        weight=questionnaire.weight,
        **_standing(questionnaire, index, caps, unscored),
        dimensions=tuple(dimensions),
    )
    return result, index, exact_scores


def _item_score(
    item_id: str, scale: ItemScale, agreed: Consensus | None, count: int, total: int
) -> Fraction | None:
    """The score an item gives its dimension: its consensus value's, else the mean of the
    ``count`` values answered, which add up to ``total``."""
    return scale.score(item_id, agreed.value) if agreed is not None else scale.mean_of(count, total)


def _questionnaire_index(
    questionnaire: Questionnaire, exact_scores: Sequence[Fraction | None]
) -> Fraction | None:
    return weighted_mean(
        [
            (score, as_written(dimension.weight))
            for score, dimension in zip(exact_scores, questionnaire.dimensions, strict=True)
            if score is not None
        ]
    )


def _overall_index(indexes: Iterable[tuple[Questionnaire, Fraction | None]]) -> Fraction | None:
    return weighted_mean(
        [(index, as_written(q.weight)) for q, index in indexes if index is not None]
    )


def scores_from_totals(
    questionnaires: Sequence[Questionnaire],
    totals: Mapping[ItemKey, tuple[int, int]],
    consensus: Mapping[ItemKey, Consensus] | None = None,
) -> ScoresAlone:
    """The overall index and the dimensions' scores alone, exactly as ``score_assessment``
    gives them, from each item's count of values answered and their sum (what a database
    adds up): for the scores of an earlier assessment, without reading its answers."""
    consensus = consensus or {}
    dimensions: dict[DimensionKey, float | None] = {}
    indexes = []
    for questionnaire in used_together(questionnaires):
        qid = questionnaire.id
        weights = Weights(questionnaire)
        items = [item for dimension in questionnaire.dimensions for item in dimension.items]
        scales = item_scales(questionnaire, items)
        aggregate = {}
        for item in items:
            count, total = totals.get((qid, item.id), (0, 0))
            agreed = consensus.get((qid, item.id))
            exact = _item_score(item.id, scales[item.id], agreed, count, total)
            if exact is not None:
                aggregate[item.id] = exact
        exact_scores = [
            dimension_score(dimension, aggregate, weights)[0]
            for dimension in questionnaire.dimensions
        ]
        for dimension, score in zip(questionnaire.dimensions, exact_scores, strict=True):
            dimensions[(qid, dimension.id)] = as_float(score)
        indexes.append((questionnaire, _questionnaire_index(questionnaire, exact_scores)))
    return ScoresAlone(index=as_float(_overall_index(indexes)), dimensions=dimensions)


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
    exact_scores: Sequence[Fraction | None],
    targets: Mapping[DimensionKey, str],
    assessment_target: str | None,
) -> QuestionnaireResult:
    """Each dimension's target (its own, else the assessment's), gap and priority, the gap
    worked out from the exact score.

    With one target for every dimension, the gap shrinks as the score grows, so the
    strongest dimension never has the largest gap."""
    bands = {band.id: band for band in questionnaire.levels}
    dimensions = []
    for dimension, scored, score in zip(
        questionnaire.dimensions, result.dimensions, exact_scores, strict=True
    ):
        target_id = targets.get((questionnaire.id, dimension.id), assessment_target)
        if target_id is not None and target_id not in bands:
            raise ValueError(f"unknown target level {target_id!r} for {questionnaire.id}")
        target = bands.get(target_id) if target_id else None
        gap = (
            max(Fraction(0), as_written(target.min) - score)
            if target is not None and score is not None
            else None
        )
        dimensions.append(
            replace(
                scored,
                target_level=target.id if target else None,
                target_score=target.min if target else None,
                gap=as_float(gap),
                priority=as_float(gap * as_written(dimension.weight)) if gap is not None else None,
            )
        )
    return replace(result, dimensions=tuple(dimensions))


def _standing(
    questionnaire: Questionnaire,
    index: Fraction | None,
    caps: tuple[LevelCap, ...],
    unscored: tuple[UnscoredCritical, ...],
) -> dict:
    """An index's level, held down by the caps, and provisional while a critical
    dimension could not be checked: the fields a questionnaire's result and the
    assessment's share."""
    uncapped = questionnaire.level_for(index).id if index is not None else None
    return {
        "index": as_float(index),
        "uncapped_level": uncapped,
        "level": _apply_caps(questionnaire.levels, uncapped, caps),
        "caps": caps,
        "unscored_critical": unscored,
        "provisional": uncapped is not None and bool(unscored),
    }


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
