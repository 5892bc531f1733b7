"""The readiness report as plain values: every text already in the report's language, every
figure a number or drawn markup, no ORM object. The HTML preview and the PDF render the same
template from it.

``build_context`` reads the assessment once and scores it with the engine the results page
uses; call it inside ``force_locale(language)`` so the translated labels come out in that
language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from flask import current_app
from flask_babel import to_user_timezone
from markupsafe import Markup
from sqlalchemy import func, select

from app.assessments import scores
from app.benchmarks.pool import QuestionnaireBenchmark, benchmarks_of
from app.charts import Figure
from app.extensions import db
from app.instrument.definitions import Questionnaire
from app.instrument.highlights import largest_gaps, strengths
from app.instrument.results import AssessmentResult, ScoresAlone
from app.instrument.scoring import MIN_AGREEMENT_ANSWERS
from app.labels import STATUS_LABELS, group_label
from app.models import Assessment, ConsultantAssignment, Respondent, User, utcnow
from app.reports.actions import action_assignments
from app.reports.appendix import AppendixQuestionnaire, appendix_of
from app.reports.branding import report_branding
from app.reports.figures import ChartRow, questionnaire_figures
from app.tracker.kept_figures import tracker_evidence
from app.tracker.metrics import TrackerEvidence


@dataclass(frozen=True)
class DimensionRow:
    questionnaire: str
    title: str
    critical: bool
    score: float | None
    band: str | None  # the level band's id, for colours
    level: str | None  # the band's name
    coverage: float
    target_level: str | None
    gap: float | None
    by_group: tuple[float | None, ...]  # in the order of ReportContext.groups
    group_bands: tuple[str | None, ...]
    previous: float | None


@dataclass(frozen=True)
class QuestionnaireSection:
    anchor: str
    title: str
    description: str
    version: str
    index: float | None
    level: str | None
    provisional: bool  # a critical dimension could not be checked against its threshold
    figures: tuple[Markup, ...]
    dimensions: tuple[DimensionRow, ...]
    answer_rate: float | None  # share of the items submitted responses answered (N/A too)
    sufficient: int  # dimensions with enough data to score


@dataclass(frozen=True)
class CapNote:
    dimension: str
    score: float
    threshold: float
    level: str
    uncapped: str


@dataclass(frozen=True)
class UnscoredNote:
    """A critical dimension with too few answers to be checked against its threshold."""

    dimension: str
    min_coverage: float
    threshold: float


@dataclass(frozen=True)
class ScaleNote:
    questionnaires: tuple[str, ...]  # the questionnaires that share this scale and settings
    points: tuple[tuple[int, str, float], ...]  # value, label, item score
    not_applicable: str
    min_coverage: float
    disagreement_sd: float


@dataclass(frozen=True)
class GroupCount:
    group: str
    invited: int
    submitted: int


@dataclass(frozen=True)
class ActionRow:
    questionnaire: str
    dimension: str
    critical: bool
    level: str
    target_level: str
    gap: float
    priority: float
    recommendation: str
    owner: str
    due: date | None


@dataclass(frozen=True)
class Disagreement:
    questionnaire: str
    dimension: str
    statement: str
    sd: float
    n: int


@dataclass(frozen=True)
class Comparison:
    title: str
    published: date
    index_before: float | None
    rows: tuple[DimensionRow, ...]  # dimensions scored in both


@dataclass(frozen=True)
class ReportContext:
    language: str
    direction: str
    organisation: str
    assessment_id: int
    title: str
    status: str
    consultants: tuple[str, ...]
    report_date: date
    accent: str
    logo_hash: str  # empty without a logo
    respondents: int  # submitted responses, the ones scored
    agreement_judged: bool  # enough respondents to say whether they agree
    min_answers: int  # the answers a question needs before agreement is judged
    index: float | None
    level: str | None
    level_description: str
    target_level: str | None  # the assessment's target level
    target_is_default: bool
    caps: tuple[CapNote, ...]
    provisional: bool  # a critical dimension could not be checked against its threshold
    unscored: tuple[UnscoredNote, ...]
    strengths: tuple[DimensionRow, ...]  # above the overall index and not among the gaps
    gaps: tuple[DimensionRow, ...]  # the action plan's first entries
    observations: str
    scales: tuple[ScaleNote, ...]
    levels: tuple[tuple[str, float], ...]  # each band's name and the score it starts at
    group_counts: tuple[GroupCount, ...]
    groups: tuple[str, ...]  # the scored groups' names, the heatmap's columns
    small_groups: tuple[str, ...]  # groups with too few respondents to show on their own
    min_group_size: int
    questionnaires: tuple[QuestionnaireSection, ...]
    disagreements: tuple[Disagreement, ...]
    target_gaps: tuple[DimensionRow, ...]
    actions: tuple[ActionRow, ...]
    comparison: Comparison | None
    appendix: tuple[AppendixQuestionnaire, ...]
    figures_css: str
    tracker: TrackerEvidence | None  # None when the organisation keeps no customers
    benchmarks: tuple[QuestionnaireBenchmark, ...]


def tracker_figures(assessment: Assessment) -> TrackerEvidence | None:
    """The customer tracker's evidence for the report: the year up to publication, else
    up to the start of today, so that the figures (and the cache key) hold for the day."""
    until = assessment.published_at or datetime.combine(utcnow().date(), time.min, tzinfo=UTC)
    return tracker_evidence(assessment.organisation_id, until)


def report_date(assessment: Assessment) -> date:
    """The date on the cover: the day of publication, else today (in the app's time zone)."""
    return to_user_timezone(assessment.published_at or utcnow()).date()


def build_context(assessment: Assessment, language: str) -> ReportContext:
    previous = scores.previous_published(assessment)
    questionnaires = scores.definitions_of([a.id for a in (assessment, previous) if a])
    # The report shows the assessment's own answers, and only the previous one's scores.
    responses = scores.read_responses([assessment.id])
    result, previous_scores = scores.score_compared(assessment, previous, questionnaires, responses)
    definitions = questionnaires[assessment.id]
    before = previous_scores.dimensions if previous_scores else {}
    rtl = language == "fa"
    levels = definitions[0]
    level_names = {band.id: band.name.in_language(language) for band in levels.levels}
    groups = result.groups

    def band_of(score: float | None) -> str | None:
        return levels.level_for(score).id if score is not None else None

    rows: dict[tuple[str, str], DimensionRow] = {}
    for definition, scored in zip(definitions, result.questionnaires, strict=True):
        for dimension, d in zip(definition.dimensions, scored.dimensions, strict=True):
            by_group = tuple(d.by_group.get(group) for group in groups)
            rows[(definition.id, dimension.id)] = DimensionRow(
                questionnaire=definition.title.in_language(language),
                title=dimension.title.in_language(language),
                critical=d.critical,
                score=d.score,
                band=d.level,
                level=level_names.get(d.level),
                coverage=d.coverage,
                target_level=level_names.get(d.target_level),
                gap=d.gap,
                by_group=by_group,
                group_bands=tuple(band_of(score) for score in by_group),
                previous=before.get((definition.id, dimension.id)),
            )

    submitted = responses[assessment.id]
    answers = [(r, a) for r in submitted for a in r.answers.values()]
    figures = [
        questionnaire_figures(
            definition.id,
            definition.title.in_language(language),
            [
                ChartRow(
                    dimension_id=dimension.id,
                    title=rows[(definition.id, dimension.id)].title,
                    score=d.score,
                    target_score=d.target_score,
                    previous=before.get((definition.id, dimension.id)),
                )
                for dimension, d in zip(definition.dimensions, scored.dimensions, strict=True)
            ],
            language,
        )
        for definition, scored in zip(definitions, result.questionnaires, strict=True)
    ]
    branding = report_branding(assessment)
    return ReportContext(
        language=language,
        direction="rtl" if rtl else "ltr",
        organisation=assessment.organisation.name,
        assessment_id=assessment.id,
        title=assessment.title,
        status=str(STATUS_LABELS[assessment.status]),
        consultants=_consultant_names(assessment),
        report_date=report_date(assessment),
        accent=branding.accent,
        logo_hash=branding.logo_hash,
        respondents=result.respondents,
        agreement_judged=result.respondents >= MIN_AGREEMENT_ANSWERS,
        min_answers=MIN_AGREEMENT_ANSWERS,
        index=result.index,
        level=level_names.get(result.level),
        level_description=next(
            (b.description.in_language(language) for b in levels.levels if b.id == result.level),
            "",
        ),
        target_level=level_names.get(result.target_level),
        target_is_default=result.target_is_default,
        caps=tuple(
            CapNote(
                dimension=rows[(cap.questionnaire_id, cap.dimension_id)].title,
                score=cap.score,
                threshold=cap.threshold,
                level=level_names[cap.capped_at],
                uncapped=level_names[result.uncapped_level],
            )
            for cap in result.caps
        ),
        provisional=result.provisional,
        unscored=tuple(
            UnscoredNote(
                dimension=rows[(entry.questionnaire_id, entry.dimension_id)].title,
                min_coverage=entry.min_coverage,
                threshold=entry.threshold,
            )
            for entry in result.unscored_critical
        ),
        strengths=tuple(
            rows[(questionnaire_id, dimension.dimension_id)]
            for questionnaire_id, dimension in strengths(result)
        ),
        gaps=tuple(
            rows[(action.questionnaire_id, action.dimension_id)] for action in largest_gaps(result)
        ),
        observations=assessment.observations,
        scales=_scale_notes(definitions, language),
        levels=tuple((level_names[band.id], band.min) for band in levels.levels),
        group_counts=_group_counts(assessment),
        groups=tuple(str(group_label(group)) for group in groups),
        small_groups=tuple(str(group_label(group)) for group in result.small_groups),
        min_group_size=current_app.config["MIN_GROUP_SIZE"],
        questionnaires=tuple(
            _section(definition, scored, rows, figures[n], answers, len(submitted), language)
            for n, (definition, scored) in enumerate(
                zip(definitions, result.questionnaires, strict=True)
            )
        ),
        disagreements=_disagreements(definitions, result, rows, language),
        target_gaps=tuple(
            sorted((row for row in rows.values() if row.gap), key=lambda row: -(row.gap or 0))
        ),
        actions=_actions(assessment, result, rows, level_names, language),
        comparison=_comparison(previous, previous_scores, rows),
        appendix=tuple(
            appendix_of(definition, scored, answers, set(groups), language)
            for definition, scored in zip(definitions, result.questionnaires, strict=True)
        ),
        figures_css="\n".join(figure.css for pair in figures for figure in pair),
        tracker=tracker_figures(assessment),
        benchmarks=benchmarks_of(assessment, result, definitions, language),
    )


def _section(
    definition: Questionnaire,
    scored,
    rows: dict[tuple[str, str], DimensionRow],
    figures: tuple[Figure, ...],
    answers: list,
    submitted: int,
    language: str,
) -> QuestionnaireSection:
    items = sum(len(d.items) for d in definition.dimensions)
    given = sum(
        1 for _r, a in answers if a.questionnaire_key == definition.id and scores.is_answered(a)
    )
    levels = {band.id: band.name.in_language(language) for band in definition.levels}
    return QuestionnaireSection(
        anchor=f"questionnaire-{definition.id}",
        title=definition.title.in_language(language),
        description=definition.description.in_language(language),
        version=definition.version,
        index=scored.index,
        level=levels.get(scored.level),
        provisional=scored.provisional,
        figures=tuple(figure.html for figure in figures),
        dimensions=tuple(rows[(definition.id, d.id)] for d in definition.dimensions),
        answer_rate=given / (items * submitted) if submitted else None,
        sufficient=sum(1 for d in scored.dimensions if d.sufficient),
    )


def _scale_notes(definitions: list[Questionnaire], language: str) -> tuple[ScaleNote, ...]:
    """One note per distinct scale and settings, naming the questionnaires that use it."""
    notes: list[ScaleNote] = []
    for definition in definitions:
        note = _scale_note(definition, language)
        same = next((n for n in notes if replace(n, questionnaires=()) == note), None)
        if same is None:
            notes.append(replace(note, questionnaires=(definition.title.in_language(language),)))
        else:
            notes[notes.index(same)] = replace(
                same, questionnaires=(*same.questionnaires, definition.title.in_language(language))
            )
    return tuple(notes)


def _scale_note(definition: Questionnaire, language: str) -> ScaleNote:
    """The definition's scale and settings (with no questionnaire named yet)."""
    # The shipped questionnaires use one scale each; the first is the one described.
    scale = next(iter(definition.scales.values()))
    low, high = scale.points[0].value, scale.points[-1].value
    return ScaleNote(
        questionnaires=(),
        points=tuple(
            (p.value, p.label.in_language(language), (p.value - low) / (high - low) * 100)
            for p in scale.points
        ),
        not_applicable=scale.not_applicable.in_language(language),
        min_coverage=definition.settings.min_coverage,
        disagreement_sd=definition.settings.disagreement_sd,
    )


def _consultant_names(assessment: Assessment) -> tuple[str, ...]:
    return tuple(
        db.session.scalars(
            select(User.name)
            .join(ConsultantAssignment, ConsultantAssignment.consultant_id == User.id)
            .where(ConsultantAssignment.organisation_id == assessment.organisation_id)
            .order_by(User.name)
        )
    )


def _group_counts(assessment: Assessment) -> tuple[GroupCount, ...]:
    counts = db.session.execute(
        select(Respondent.group, func.count(Respondent.id), func.count(Respondent.submitted_at))
        .where(Respondent.assessment_id == assessment.id)
        .group_by(Respondent.group)
    ).all()
    invited = {group: count for group, count, _submitted in counts}
    submitted = {group: count for group, _invited, count in counts}
    groups = list(assessment.groups) + sorted(set(invited) - set(assessment.groups))
    return tuple(
        GroupCount(str(group_label(group)), invited.get(group, 0), submitted.get(group, 0))
        for group in groups
    )


def _disagreements(
    definitions: list[Questionnaire],
    result: AssessmentResult,
    rows: dict[tuple[str, str], DimensionRow],
    language: str,
) -> tuple[Disagreement, ...]:
    found = []
    for definition, scored in zip(definitions, result.questionnaires, strict=True):
        for dimension, d in zip(definition.dimensions, scored.dimensions, strict=True):
            for item, item_result in zip(dimension.items, d.items, strict=True):
                if item_result.disagreement:
                    row = rows[(definition.id, dimension.id)]
                    found.append(
                        Disagreement(
                            questionnaire=row.questionnaire,
                            dimension=row.title,
                            statement=item.statement.in_language(language),
                            sd=item_result.answers.sd,
                            n=item_result.answers.n,
                        )
                    )
    return tuple(sorted(found, key=lambda entry: -entry.sd))


def _actions(
    assessment: Assessment,
    result: AssessmentResult,
    rows: dict[tuple[str, str], DimensionRow],
    level_names: dict[str, str],
    language: str,
) -> tuple[ActionRow, ...]:
    assigned = action_assignments(assessment.id)
    plan = []
    for action in result.action_plan:
        row = rows[(action.questionnaire_id, action.dimension_id)]
        for position, recommendation in enumerate(action.recommendations):
            assignment = assigned.get(
                (action.questionnaire_id, action.dimension_id, action.level, position)
            )
            plan.append(
                ActionRow(
                    questionnaire=row.questionnaire,
                    dimension=row.title,
                    critical=action.critical,
                    level=level_names[action.level],
                    target_level=level_names[action.target_level],
                    gap=action.gap,
                    priority=action.priority,
                    recommendation=recommendation.text.in_language(language),
                    owner=assignment.owner if assignment else "",
                    due=assignment.due_date if assignment else None,
                )
            )
    return tuple(plan)


def _comparison(
    previous: Assessment | None,
    previous_scores: ScoresAlone | None,
    rows: dict[tuple[str, str], DimensionRow],
) -> Comparison | None:
    if previous is None or previous_scores is None:
        return None
    return Comparison(
        title=previous.title,
        published=to_user_timezone(previous.published_at).date(),
        index_before=previous_scores.index,
        rows=tuple(
            row
            for key, row in rows.items()
            if previous_scores.dimensions.get(key) is not None and row.score is not None
        ),
    )
