"""The results page and what the consultant sets on it: consensus values and observations.
The views attach to the assessments blueprint.

The page opens on a summary that fills the first screen (index, level, warnings, strengths,
largest gaps) and a list of its sections; the detail of every question comes last, folded.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import undefer
from wtforms import SelectChoice

from app.assessments import scores, services
from app.assessments.forms import ConsensusForm, ObservationsForm, StatusForm
from app.assessments.routes import assessment_or_404, bp, current_actor
from app.assessments.services import REVIEWING
from app.assessments.steps import Progress, next_step, progress_among, progress_of
from app.benchmarks.pool import benchmarks_of
from app.charts import RADAR_QUESTIONNAIRES, Series, bar_chart, radar_chart
from app.extensions import db
from app.i18n import current_language
from app.instrument.highlights import largest_gaps, strengths
from app.models import Assessment, Membership, User
from app.policy import Action, can
from app.reports.actions import action_assignments
from app.reports.forms import ActionOwnerForm, action_owner_fields
from app.tracker.forms import today
from app.tracker.kept_figures import tracker_evidence

# Sizes that put two charts side by side on a wide screen (about 500 px each).
RADAR_SIZE = {"radius": 105, "label_room": 135}
BAR_PLOT_WIDTH = 230


@bp.route("/assessments/<int:assessment_id>/results")
def results(assessment_id: int):
    # With its latest changes, by which its scores and its answers are kept from one view
    # to the next (app/assessments/scores.py): with nothing changed, the answers are
    # neither read nor scored again; after a step of the review, scored but not read.
    assessment = assessment_or_404(
        assessment_id,
        Action.VIEW_RESULTS,
        undefer(Assessment.latest_change),
        undefer(Assessment.latest_answers_change),
    )
    return render_results(assessment)


def render_results(assessment: Assessment, failed_owner_form: ActionOwnerForm | None = None):
    """The results page; ``failed_owner_form`` is an action-plan owner form whose save was
    refused, shown again with what was typed and why."""
    previous = scores.previous_published(assessment)
    questionnaires = scores.definitions_of([a.id for a in (assessment, previous) if a])
    definitions = questionnaires[assessment.id]
    # Everyone's answers, submitted or not: the next step counts who is still answering.
    to_read = [assessment.id] if scores.needs_answers(assessment) else []
    everyone = scores.read_responses(to_read, submitted_only=False)
    # The previous assessment's scores alone: its answers are added up, not read.
    result, compared = scores.score_compared(
        assessment, previous, questionnaires, scores.submitted(everyone)
    )
    previous_scores = compared.dimensions if compared else {}
    manage = can(current_user, Action.MANAGE_ASSESSMENT, assessment)
    action_owners = action_assignments(assessment.id)
    return render_template(
        "assessments/results.html",
        assessment=assessment,
        charts=_charts(definitions, result, previous_scores),
        definitions={d.id: d for d in definitions},
        levels={level.id: level for level in definitions[0].levels},
        dimensions={(q.id, d.id): d for q in definitions for d in q.dimensions},
        items={(q.id, i.id): i for q in definitions for d in q.dimensions for i in d.items},
        result=result,
        strengths=strengths(result),
        gaps=largest_gaps(result),
        previous_assessment=previous,
        previous_scores=previous_scores,
        manage=manage,
        reviewing=manage and assessment.status in REVIEWING,
        step=next_step(_progress(assessment, everyone), today()) if manage else None,
        status_form=StatusForm(),
        observations_form=ObservationsForm(observations=assessment.observations),
        tracker_evidence=tracker_evidence(assessment.organisation_id, assessment.published_at),
        action_owners=action_owners,
        action_owner_fields=action_owner_fields(
            result.action_plan, action_owners, failed_owner_form
        ),
        # Its labels and the date's hint, for every recommendation's plain fields.
        owner_form_labels=ActionOwnerForm(formdata=None),
        members=_member_names(assessment) if manage else [],
        benchmarks=benchmarks_of(assessment, result, definitions, current_language()),
    )


def _progress(assessment: Assessment, read: dict[int, list[scores.StoredResponse]]) -> Progress:
    """Counted from the respondents read to score, or, when the scores were kept and
    nobody was read, by the database."""
    if assessment.id in read:
        return progress_among(assessment, read[assessment.id])
    return progress_of(assessment)


def _member_names(assessment: Assessment) -> list[str]:
    """The organisation's members, offered as action-plan owners."""
    return list(
        db.session.scalars(
            select(User.name)
            .join(Membership)
            .where(Membership.organisation_id == assessment.organisation_id)
            .order_by(User.name)
        )
    )


def _charts(definitions, result, previous_scores) -> dict:
    """One chart per questionnaire: scores, targets and (when there is one) the previous
    published assessment, labelled in the page's language."""
    language = current_language()
    charts = {}
    for definition, scored in zip(definitions, result.questionnaires, strict=True):
        labels = [d.title.in_language(language) for d in definition.dimensions]
        series = [
            Series(_("This assessment"), [d.score for d in scored.dimensions]),
            Series(_("Target"), [d.target_score for d in scored.dimensions], style="target"),
        ]
        if previous_scores:
            series.append(
                Series(
                    _("Previous assessment"),
                    [previous_scores.get((definition.id, d.id)) for d in definition.dimensions],
                    style="previous",
                )
            )
        drawn = {
            "rtl": language == "fa",
            "title": definition.title.in_language(language),
            "no_data_label": _("insufficient data"),
        }
        if definition.id in RADAR_QUESTIONNAIRES:
            charts[definition.id] = radar_chart(labels, series, **drawn, **RADAR_SIZE)
        else:
            charts[definition.id] = bar_chart(labels, series, **drawn, plot_width=BAR_PLOT_WIDTH)
    return charts


@bp.route("/assessments/<int:assessment_id>/consensus", methods=["POST"])
def set_consensus(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    form = ConsensusForm()
    definitions = {d.id: d for d in scores.definitions(assessment)}
    definition = definitions.get(form.questionnaire.data)
    item = (
        next((i for d in definition.dimensions for i in d.items if i.id == form.item.data), None)
        if definition
        else None
    )
    if item is None:
        abort(400)
    if assessment.status not in REVIEWING:
        flash(
            _("Published results do not change: reopen the assessment for review first."), "error"
        )
        return redirect(url_for("assessments.results", assessment_id=assessment.id))
    form.value.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(point.value), point.label.in_language(current_language()))
        for point in definition.scales[item.scale].points
    ]
    if form.validate_on_submit():
        value = int(form.value.data) if form.value.data else None
        services.set_consensus(
            assessment, definition.id, item.id, value, form.note.data or "", current_actor()
        )
        db.session.commit()
        flash(_("Consensus value saved."), "success")
    else:
        flash(_("Choose a value on the scale."), "error")
    return redirect(
        url_for("assessments.results", assessment_id=assessment.id) + f"#item-{item.id}"
    )


@bp.route("/assessments/<int:assessment_id>/observations", methods=["POST"])
def save_observations(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    form = ObservationsForm()
    if assessment.status not in REVIEWING:
        flash(
            _("Published results do not change: reopen the assessment for review first."), "error"
        )
    elif form.validate_on_submit():
        text = (form.observations.data or "").strip()
        if text != assessment.observations:
            services.record(
                assessment, current_actor(), "observations", "", assessment.observations, text
            )
            assessment.observations = text
            db.session.commit()
        flash(_("Observations saved."), "success")
    return redirect(url_for("assessments.results", assessment_id=assessment.id) + "#observations")
