"""The executive summary's highlights, one rule for the results page and the report: the
largest gaps are the action plan's entries furthest below their target, and the strengths
the strongest other dimensions that score at least the overall index, so the two never
name the same dimension. (The action plan itself is ordered by priority, critical
dimensions first: a heavily weighted dimension can lead it with a small gap.)"""

from __future__ import annotations

from app.instrument.results import ActionItem, AssessmentResult, DimensionResult

HIGHLIGHTS = 3  # strengths and gaps each


def largest_gaps(result: AssessmentResult) -> tuple[ActionItem, ...]:
    """The largest gaps first; equal gaps in the action plan's order."""
    return tuple(sorted(result.action_plan, key=lambda action: -action.gap)[:HIGHLIGHTS])


def strengths(result: AssessmentResult) -> list[tuple[str, DimensionResult]]:
    """The strengths as (questionnaire id, dimension) pairs, strongest first."""
    if result.index is None:
        return []
    named = {(action.questionnaire_id, action.dimension_id) for action in largest_gaps(result)}
    above = [
        (questionnaire.questionnaire_id, dimension)
        for questionnaire in result.questionnaires
        for dimension in questionnaire.dimensions
        if dimension.score is not None
        and dimension.score >= result.index
        and (questionnaire.questionnaire_id, dimension.dimension_id) not in named
    ]
    return sorted(above, key=lambda pair: -pair[1].score)[:HIGHLIGHTS]
