"""The benchmark of an assessment: the consenting organisations' figures read in a fixed
number of queries, set against the assessment's own with the pure rules of
app/instrument/benchmarks.py, and labelled for the results page and the report.

Only the organisation's own figures and the pool's quartiles leave this module: never
another organisation's name or figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from app.assessments import scores
from app.extensions import db
from app.instrument.benchmarks import (
    INDEX,
    MIN_OTHERS,
    Contribution,
    Scope,
    Standing,
    benchmark,
)
from app.instrument.definitions import Questionnaire
from app.instrument.results import AssessmentResult, QuestionnaireResult
from app.models import (
    Assessment,
    AssessmentQuestionnaire,
    AssessmentStatus,
    Organisation,
    QuestionnaireVersion,
)

# A published assessment stays in the pool when it is archived, and leaves it while it is
# reopened for review (its figures may change).
CONTRIBUTING = (AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED)

VersionKey = tuple[str, str]  # (questionnaire id, version)


@dataclass(frozen=True)
class BenchmarkRow:
    title: str  # "Index" or the dimension's title, in the report's or page's language
    is_index: bool
    own: float | None
    standing: Standing


@dataclass(frozen=True)
class QuestionnaireBenchmark:
    title: str
    version: str
    shown: bool  # at least MIN_OTHERS other organisations have an index
    others: int  # the organisations in the pool used (or the widest one, when not shown)
    scope: str  # which pool, in words; empty when not shown
    min_others: int  # the fewest other organisations a figure is shown for
    rows: tuple[BenchmarkRow, ...]


@dataclass(frozen=True)
class PoolEntry:
    """One other organisation's latest published assessment on a version."""

    assessment_id: int
    sector: str
    size: str
    status: str
    published_at: datetime
    # Read in the same query, so that scoring the pool needs no query of its own to find
    # them (a published assessment's results are kept once scored).
    assessment: Assessment = field(compare=False, repr=False)


def _scope_label(scope: Scope) -> str:
    return {
        Scope.SECTOR_AND_SIZE: _("organisations of the same sector and size"),
        Scope.SECTOR: _("organisations of the same sector, of every size"),
        Scope.ALL: _("every organisation using this questionnaire version"),
    }[scope]


def pool_entries(
    organisation_id: int, versions: Sequence[VersionKey]
) -> dict[VersionKey, list[PoolEntry]]:
    """For each version, the consenting other organisations' latest published assessment
    using it, in one query."""
    found: dict[VersionKey, dict[int, PoolEntry]] = {version: {} for version in versions}
    if not versions:
        return {}
    rows = db.session.execute(
        select(
            QuestionnaireVersion.questionnaire_key,
            QuestionnaireVersion.version,
            Assessment.organisation_id,
            Assessment.id,
            Organisation.sector,
            Organisation.size,
            Assessment.status,
            Assessment.published_at,
            Assessment,
        )
        .join(Assessment.organisation)
        .join(AssessmentQuestionnaire, AssessmentQuestionnaire.assessment_id == Assessment.id)
        .join(AssessmentQuestionnaire.version)
        .where(
            Organisation.benchmark_consent.is_(True),
            Organisation.id != organisation_id,
            Assessment.status.in_(CONTRIBUTING),
            Assessment.published_at.is_not(None),
            or_(
                *(
                    and_(
                        QuestionnaireVersion.questionnaire_key == key,
                        QuestionnaireVersion.version == version,
                    )
                    for key, version in versions
                )
            ),
        )
        .order_by(Assessment.published_at.desc(), Assessment.id.desc())
    )
    for key, version, other, assessment_id, sector, size, status, published_at, row in rows:
        # Newest first: the first row of each organisation is its latest assessment.
        found[(key, version)].setdefault(
            other,
            PoolEntry(assessment_id, sector, str(size), str(status), published_at, row),
        )
    return {version: list(entries.values()) for version, entries in found.items()}


def _figures(questionnaire: QuestionnaireResult) -> dict[str, float | None]:
    figures: dict[str, float | None] = {INDEX: questionnaire.index}
    for dimension in questionnaire.dimensions:
        figures[dimension.dimension_id] = dimension.score
    return figures


def contributions(
    organisation_id: int, versions: Sequence[VersionKey]
) -> dict[VersionKey, list[Contribution]]:
    """The pool of each version: every consenting other organisation's figures, scored
    together from a fixed number of queries."""
    entries = pool_entries(organisation_id, versions)
    assessments = {entry.assessment_id: entry.assessment for e in entries.values() for entry in e}
    scored = scores.score_many(list(assessments.values()))
    pools: dict[VersionKey, list[Contribution]] = {}
    for (key, version), listed in entries.items():
        pools[(key, version)] = [
            Contribution(
                sector=entry.sector,
                size=entry.size,
                figures=_figures(scored[entry.assessment_id].questionnaire(key)),
            )
            for entry in listed
        ]
    return pools


def benchmarks_of(
    assessment: Assessment,
    result: AssessmentResult,
    definitions: Sequence[Questionnaire],
    language: str,
) -> tuple[QuestionnaireBenchmark, ...]:
    """Where the assessment stands, questionnaire by questionnaire, among the consenting
    organisations using the same version; labelled in ``language`` (call it inside that
    locale)."""
    versions = [(q.questionnaire_id, q.version) for q in result.questionnaires]
    pools = contributions(assessment.organisation_id, versions)
    organisation = assessment.organisation
    found = []
    for definition, questionnaire in zip(definitions, result.questionnaires, strict=True):
        standing = benchmark(
            _figures(questionnaire),
            organisation.sector,
            str(organisation.size),
            pools[(questionnaire.questionnaire_id, questionnaire.version)],
        )
        titles = {d.id: d.title.in_language(language) for d in definition.dimensions}
        rows = []
        if standing.scope is not None:
            rows.append(
                BenchmarkRow(_("Index"), True, questionnaire.index, standing.standings[INDEX])
            )
            rows.extend(
                BenchmarkRow(
                    titles[d.dimension_id], False, d.score, standing.standings[d.dimension_id]
                )
                for d in questionnaire.dimensions
            )
        found.append(
            QuestionnaireBenchmark(
                title=definition.title.in_language(language),
                version=questionnaire.version,
                shown=standing.scope is not None,
                others=standing.others,
                scope=_scope_label(standing.scope) if standing.scope else "",
                min_others=MIN_OTHERS,
                rows=tuple(rows),
            )
        )
    return tuple(found)


def pool_fingerprint(assessment: Assessment) -> list[tuple]:
    """What the assessment's benchmark is made from, without scoring: the report's cache
    key changes when an organisation joins, leaves, republishes or changes sector or size
    (a published assessment's figures change only through republishing)."""
    versions = db.session.execute(
        select(QuestionnaireVersion.questionnaire_key, QuestionnaireVersion.version)
        .join(AssessmentQuestionnaire.version)
        .where(AssessmentQuestionnaire.assessment_id == assessment.id)
        .order_by(AssessmentQuestionnaire.position)
    ).all()
    entries = pool_entries(assessment.organisation_id, [tuple(v) for v in versions])
    return [
        (
            version,
            sorted(
                (e.assessment_id, e.sector, e.size, e.status, e.published_at.isoformat())
                for e in listed
            ),
        )
        for version, listed in sorted(entries.items())
    ]
