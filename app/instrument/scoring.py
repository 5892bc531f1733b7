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

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from app.instrument.definitions import (
    LevelBand,
    Questionnaire,
    as_written,
)
from app.instrument.exact import (
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
    UnscoredCritical,
)
from app.instrument.sharing import ItemKey, used_together
from app.instrument.statistics import summarise

_UNANSWERED = object()


def score_assessment(
    questionnaires: Sequence[Questionnaire],
    responses: Iterable[Response],
    consensus: Mapping[ItemKey, Consensus] | None = None,
    targets: Mapping[DimensionKey, str] | None = None,
    group_order: Sequence[str] = (),
) -> AssessmentResult:
    """Score every questionnaire of an assessment and the assessment as a whole. Shared
    items count once (app/instrument/sharing.py); groups are listed in ``group_order``,
    then any others in alphabetical order."""
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
    present = {response.group for response in responses}
    groups = [group for group in dict.fromkeys(group_order) if group in present]
    groups += sorted(present - set(groups))
    scored = [
        _score_questionnaire(questionnaire, responses, consensus, targets, groups)
        for questionnaire in questionnaires
    ]
    results = tuple(result for result, _index in scored)
    index = weighted_mean(
        [(exact, as_written(r.weight)) for r, exact in scored if exact is not None]
    )
    caps = tuple(cap for result in results for cap in result.caps)
    unscored = tuple(entry for result in results for entry in result.unscored_critical)
    return AssessmentResult(
        **_standing(questionnaires[0], index, caps, unscored),
        respondents=len(responses),
        groups=tuple(groups),
        questionnaires=results,
        action_plan=_action_plan(questionnaires, results),
    )


def _score_questionnaire(
    questionnaire: Questionnaire,
    responses: list[Response],
    consensus: Mapping[ItemKey, Consensus],
    targets: Mapping[DimensionKey, str],
    groups: list[str],
) -> tuple[QuestionnaireResult, Fraction | None]:
    """The questionnaire's result, and its index as an exact fraction."""
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
    for response in responses:
        scores = {}
        group_values = by_group[response.group]
        for item in items:
            value = response.answers.get((qid, item.id), _UNANSWERED)
            if value is _UNANSWERED:
                continue
            if value is None:
                not_applicable[item.id] += 1
                continue
            floats = scales[item.id].floats
            if value not in floats:
                raise not_on_scale(item.id, value)
            scores[item.id] = floats[value]
            by_item[item.id].append(value)
            group_values[item.id].append(value)
        per_respondent.append(scores)

    item_results: dict[str, ItemResult] = {}
    aggregate: dict[str, Fraction] = {}
    for item in items:
        scale, values = scales[item.id], by_item[item.id]
        summary = summarise([scale.floats[value] for value in values])
        agreed = consensus.get((qid, item.id))
        exact = scale.score(item.id, agreed.value) if agreed is not None else scale.mean(values)
        if exact is not None:
            aggregate[item.id] = exact
        item_results[item.id] = ItemResult(
            item_id=item.id,
            weight=item.weight,
            answers=summary,
            not_applicable=not_applicable[item.id],
            score=as_float(exact),
            consensus=agreed,
            disagreement=bool(summary and summary.n >= 2 and summary.sd > settings.disagreement_sd),
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
        target = _target(questionnaire, targets.get((qid, dimension.id)), level)
        gap = (
            max(Fraction(0), as_written(target.min) - score)
            if target is not None and score is not None
            else None
        )
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
                target_level=target.id if target else None,
                target_score=target.min if target else None,
                gap=as_float(gap),
                priority=as_float(gap * as_written(dimension.weight)) if gap is not None else None,
                critical_breach=bool(
                    dimension.critical
                    and score is not None
                    and score < as_written(dimension.critical_threshold)
                ),
                items=tuple(item_results[item.id] for item in dimension.items),
            )
        )

    index = weighted_mean(
        [
            (score, as_written(dimension.weight))
            for score, dimension in zip(exact_scores, questionnaire.dimensions, strict=True)
            if score is not None
        ]
    )
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
    return result, index


def _target(
    questionnaire: Questionnaire, explicit: str | None, current: LevelBand | None
) -> LevelBand | None:
    """The explicit target band, else the band above the current one (None at the top)."""
    ids = [level.id for level in questionnaire.levels]
    if explicit is not None:
        if explicit not in ids:
            raise ValueError(f"unknown target level {explicit!r} for {questionnaire.id}")
        return questionnaire.levels[ids.index(explicit)]
    if current is None:
        return None
    position = ids.index(current.id)
    return questionnaire.levels[position + 1] if position + 1 < len(ids) else None


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
