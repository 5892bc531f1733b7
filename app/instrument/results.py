"""What the scoring engine takes and gives: plain frozen dataclasses, used alike by the web
pages, the exports and the PDF. The method that fills them is app/instrument/scoring.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.instrument.definitions import Recommendation
from app.instrument.sharing import ItemKey
from app.instrument.statistics import Summary

DimensionKey = tuple[str, str]  # (questionnaire id, dimension id)


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
class ScoresAlone:
    """An assessment's overall index and its dimensions' scores, without the rest of its
    results (``scores_from_totals``)."""

    index: float | None
    dimensions: Mapping[DimensionKey, float | None]


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    weight: float
    answers: Summary | None  # the respondents' item scores (N/A excluded)
    not_applicable: int  # how many answered "don't know / not applicable"
    score: float | None  # the value used: the consensus, else the respondents' mean
    consensus: Consensus | None
    disagreement: bool  # respondents' scores spread wider than the definition allows


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
class UnscoredCritical:
    """A critical dimension with too few answers to score: it cannot be checked against
    its threshold, so the level it might hold down is only provisional."""

    questionnaire_id: str
    dimension_id: str
    coverage: float
    min_coverage: float
    threshold: float


@dataclass(frozen=True)
class QuestionnaireResult:
    questionnaire_id: str
    version: str
    weight: float
    index: float | None
    uncapped_level: str | None
    level: str | None
    caps: tuple[LevelCap, ...]
    unscored_critical: tuple[UnscoredCritical, ...]
    provisional: bool  # a level is given, but a critical dimension could not be checked
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
    unscored_critical: tuple[UnscoredCritical, ...]
    provisional: bool  # a level is given, but a critical dimension could not be checked
    respondents: int
    groups: tuple[str, ...]  # the groups scored on their own, large enough to show
    small_groups: tuple[str, ...]  # groups with answers but too few respondents to show
    target_level: str | None  # the assessment's target, None without any score
    target_is_default: bool  # the level above the overall level, as none was set
    questionnaires: tuple[QuestionnaireResult, ...]
    action_plan: tuple[ActionItem, ...] = field(default=())

    def questionnaire(self, questionnaire_id: str) -> QuestionnaireResult:
        return next(q for q in self.questionnaires if q.questionnaire_id == questionnaire_id)
