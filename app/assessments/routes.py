from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.assessments import services
from app.assessments.forms import (
    AssessmentForm,
    ConsensusForm,
    ObservationsForm,
    PasteRespondentsForm,
    RespondentForm,
    StatusForm,
    targets_form,
)
from app.assessments.services import Actor, AssessmentError
from app.bidi import isolate_text
from app.charts import Series, bar_chart, radar_chart
from app.extensions import db
from app.forms import ConfirmForm
from app.i18n import current_language, localize_digits
from app.instrument.loader import DefinitionError, load_directory
from app.instrument.scoring import default_target
from app.labels import group_label, label
from app.mail import send_mail
from app.models import (
    Assessment,
    AssessmentStatus,
    AuditEvent,
    Organisation,
    Respondent,
)
from app.policy import Action, authorize, can
from app.reports.actions import action_assignments
from app.reports.forms import ActionOwnerForm, action_owner_forms
from app.tracker.metrics import tracker_evidence

bp = Blueprint("assessments", __name__)


def assessment_or_404(assessment_id: int, action: Action = Action.MANAGE_ASSESSMENT) -> Assessment:
    assessment = db.get_or_404(Assessment, assessment_id)
    authorize(action, assessment)
    return assessment


def _respondent(assessment: Assessment, respondent_id: int) -> Respondent:
    respondent = db.get_or_404(Respondent, respondent_id)
    if respondent.assessment_id != assessment.id:
        abort(404)
    return respondent


def current_actor() -> Actor:
    return Actor.of_user(current_user._get_current_object())


def _group_choices(assessment: Assessment) -> list[SelectChoice]:
    return [SelectChoice(group, group_label(group)) for group in assessment.groups]


def back_to_assessment(assessment: Assessment):
    return redirect(url_for("assessments.show", assessment_id=assessment.id))


@bp.route("/organisations/<int:organisation_id>/assessments/new", methods=["GET", "POST"])
def create(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.CREATE_ASSESSMENT, organisation)
    try:
        available = load_directory(Path(current_app.config["ASSESSMENTS_DIR"]))
    except DefinitionError as error:
        current_app.logger.error("Invalid questionnaire definitions:\n%s", error)
        available = []
    by_id = {loaded.definition.id: loaded for loaded in available}
    form = AssessmentForm()
    form.questionnaires.choices = [
        SelectChoice(key, loaded.definition.title.in_language(current_language()))
        for key, loaded in by_id.items()
    ]
    if form.validate_on_submit():
        try:
            assessment = services.create_assessment(
                organisation,
                title=form.title.data,
                questionnaires=[by_id[key] for key in form.questionnaires.data],
                groups=form.chosen_groups(),
                deadline=form.deadline.data,
                actor=current_actor(),
            )
        except DefinitionError as error:  # e.g. a version changed after it was used
            db.session.rollback()
            form.questionnaires.errors.extend(error.problems)
        else:
            db.session.commit()
            flash(_("Assessment created. Add respondents, then open it for answers."), "success")
            return back_to_assessment(assessment)
    return render_template("assessments/new.html", form=form, organisation=organisation)


@bp.route("/assessments/<int:assessment_id>")
def show(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    respondent_form = RespondentForm()
    respondent_form.group.choices = _group_choices(assessment)
    respondent_form.locale.data = assessment.organisation.default_locale
    return _render_show(assessment, respondent_form)


def _render_show(assessment: Assessment, respondent_form: RespondentForm) -> str:
    return render_template(
        "assessments/show.html",
        assessment=assessment,
        definitions=services.definitions(assessment),
        transitions=services.TRANSITIONS[assessment.status],
        respondent_form=respondent_form,
        status_form=StatusForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/assessments/<int:assessment_id>/targets", methods=["GET", "POST"])
def targets(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    definitions = services.definitions(assessment)
    current = {(t.questionnaire_key, t.dimension_id): t.level for t in assessment.targets}
    posted = request.method == "POST"
    form, fields = targets_form(
        definitions,
        current,
        assessment.target_level,
        _default_target_label(assessment, definitions),
        current_language(),
        request.form if posted else None,
    )
    if posted and form.validate():
        actor = current_actor()
        services.set_assessment_target(assessment, form.assessment_target.data or None, actor)
        for (questionnaire_key, dimension_id), name in fields.items():
            level = form[name].data or None
            services.set_target(assessment, questionnaire_key, dimension_id, level, actor)
        db.session.commit()
        flash(_("Targets saved."), "success")
        return back_to_assessment(assessment)
    return render_template(
        "assessments/targets.html",
        assessment=assessment,
        definitions=definitions,
        form=form,
        fields=fields,
    )


def _default_target_label(assessment: Assessment, definitions) -> str:
    """The default choice of the assessment's target, naming the level it gives now."""
    levels = definitions[0].levels
    target = default_target(levels, services.score(assessment).level)
    if target is None:
        return _("The level above the overall level (no score yet)")
    name = next(band.name for band in levels if band.id == target)
    return _(
        "The level above the overall level (now %(level)s)",
        level=name.in_language(current_language()),
    )


@bp.route("/assessments/<int:assessment_id>/remind", methods=["POST"])
def remind(assessment_id: int):
    """E-mail everyone who has not submitted a fresh link (it replaces their old one)."""
    assessment = assessment_or_404(assessment_id)
    if ConfirmForm().validate_on_submit():
        waiting = [
            r
            for r in assessment.respondents
            if r.submitted_at is None and r.revoked_at is None and r.email
        ]
        for respondent in waiting:
            _invite(respondent, reminder=True)
        db.session.commit()
        flash(
            _(
                "A reminder with a new link was sent to %(count)s respondents.",
                count=localize_digits(len(waiting)),
            ),
            "success",
        )
    return back_to_assessment(assessment)


@bp.route("/assessments/<int:assessment_id>/status", methods=["POST"])
def change_status(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.change_status(assessment, AssessmentStatus(form.to.data), current_actor())
        except (ValueError, AssessmentError):
            flash(_("That change of state is not possible now."), "error")
        else:
            db.session.commit()
            flash(
                _("The assessment is now: %(status)s.", status=label(assessment.status)), "success"
            )
    return back_to_assessment(assessment)


@bp.route("/assessments/<int:assessment_id>/respondents", methods=["POST"])
def add_respondent(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    form = RespondentForm()
    form.group.choices = _group_choices(assessment)
    if form.validate_on_submit():
        respondent = services.add_respondent(
            assessment,
            name=form.name.data,
            email=form.email.data,
            group=form.group.data,
            locale=form.locale.data,
            actor=current_actor(),
        )
        token = _invite(respondent)
        db.session.commit()
        return _show_link(assessment, [(respondent, token)])
    return _render_show(assessment, form)


@bp.route("/assessments/<int:assessment_id>/respondents/paste", methods=["GET", "POST"])
def paste_respondents(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    form = PasteRespondentsForm(groups=assessment.groups)
    if not form.is_submitted():
        form.locale.data = assessment.organisation.default_locale
    if form.validate_on_submit():
        issued = []
        for pasted in form.parsed:
            respondent = services.add_respondent(
                assessment,
                name=pasted.name,
                email=pasted.email,
                group=pasted.group,
                locale=form.locale.data,
                actor=current_actor(),
            )
            issued.append((respondent, _invite(respondent)))
        db.session.commit()
        return _show_link(assessment, issued)
    return render_template("assessments/paste.html", form=form, assessment=assessment)


@bp.route("/assessments/<int:assessment_id>/respondents/<int:respondent_id>/link", methods=["POST"])
def reissue_link(assessment_id: int, respondent_id: int):
    assessment = assessment_or_404(assessment_id)
    respondent = _respondent(assessment, respondent_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = _invite(respondent)
    db.session.commit()
    return _show_link(assessment, [(respondent, token)])


@bp.route(
    "/assessments/<int:assessment_id>/respondents/<int:respondent_id>/revoke", methods=["POST"]
)
def revoke_link(assessment_id: int, respondent_id: int):
    assessment = assessment_or_404(assessment_id)
    respondent = _respondent(assessment, respondent_id)
    if ConfirmForm().validate_on_submit():
        services.revoke_link(respondent, current_actor())
        db.session.commit()
        flash(
            _("The link of %(name)s no longer works.", name=isolate_text(respondent.name)),
            "success",
        )
    return back_to_assessment(assessment)


@bp.route(
    "/assessments/<int:assessment_id>/respondents/<int:respondent_id>/unlock", methods=["POST"]
)
def unlock(assessment_id: int, respondent_id: int):
    assessment = assessment_or_404(assessment_id)
    respondent = _respondent(assessment, respondent_id)
    if ConfirmForm().validate_on_submit():
        services.unlock_response(respondent, current_actor())
        db.session.commit()
        flash(
            _("%(name)s can change their answers again.", name=isolate_text(respondent.name)),
            "success",
        )
    return back_to_assessment(assessment)


def _invite(respondent: Respondent, reminder: bool = False) -> str:
    """Issue a fresh link and e-mail it (or log it, without a mail server)."""
    lifetime = services.link_lifetime(
        respondent.assessment, current_app.config["RESPONDENT_LINK_DAYS"]
    )
    token = services.issue_link(respondent, lifetime, current_actor())
    link = url_for("respond.start", token=token, _external=True)
    if respondent.email:
        with force_locale(respondent.locale):
            subject = (
                _("Reminder: %(title)s", title=respondent.assessment.title)
                if reminder
                else _("Your questionnaire: %(title)s", title=respondent.assessment.title)
            )
            body = _(
                "Hello %(name)s,\n\n%(organisation)s asks for your view on its readiness for "
                "customer relationship management. Your answers are saved page by page; you "
                "can stop and come back with the same link:\n%(link)s\n\nThank you.",
                name=respondent.name,
                organisation=respondent.assessment.organisation.name,
                link=link,
            )
        send_mail(respondent.email, subject, body)
    return token


def _show_link(assessment: Assessment, issued: list[tuple[Respondent, str]]):
    """The page that shows new links once, for the consultant to copy."""
    links = [
        (respondent, url_for("respond.start", token=token, _external=True))
        for respondent, token in issued
    ]
    return render_template("assessments/links.html", assessment=assessment, links=links)


@bp.route("/assessments/<int:assessment_id>/results")
def results(assessment_id: int):
    return render_results(assessment_or_404(assessment_id, Action.VIEW_RESULTS))


def render_results(assessment: Assessment, failed_owner_form: ActionOwnerForm | None = None):
    """The results page; ``failed_owner_form`` is an action-plan owner form whose save was
    refused, shown again with what was typed and why."""
    definitions = services.definitions(assessment)
    previous = services.previous_published(assessment)
    previous_scores = {}
    if previous is not None:
        for questionnaire in services.score(previous).questionnaires:
            for dimension in questionnaire.dimensions:
                previous_scores[(questionnaire.questionnaire_id, dimension.dimension_id)] = (
                    dimension.score
                )
    result = services.score(assessment)
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
        previous_assessment=previous,
        previous_scores=previous_scores,
        manage=can(current_user, Action.MANAGE_ASSESSMENT, assessment),
        observations_form=ObservationsForm(observations=assessment.observations),
        consensus_form=ConsensusForm(),
        tracker_evidence=tracker_evidence(assessment.organisation_id, assessment.published_at),
        action_owners=action_owners,
        action_owner_forms=action_owner_forms(result.action_plan, action_owners, failed_owner_form),
    )


# Gartner's eight building blocks read best as a radar; the other questionnaires as bars.
RADAR_QUESTIONNAIRES = frozenset({"gartner-building-blocks"})


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
        draw = radar_chart if definition.id in RADAR_QUESTIONNAIRES else bar_chart
        charts[definition.id] = draw(
            labels,
            series,
            rtl=language == "fa",
            title=definition.title.in_language(language),
            no_data_label=_("insufficient data"),
        )
    return charts


@bp.route("/assessments/<int:assessment_id>/consensus", methods=["POST"])
def set_consensus(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    form = ConsensusForm()
    definitions = {d.id: d for d in services.definitions(assessment)}
    definition = definitions.get(form.questionnaire.data)
    item = (
        next((i for d in definition.dimensions for i in d.items if i.id == form.item.data), None)
        if definition
        else None
    )
    if item is None:
        abort(400)
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
    if form.validate_on_submit():
        text = (form.observations.data or "").strip()
        if text != assessment.observations:
            services.record(
                assessment, current_actor(), "observations", "", assessment.observations, text
            )
            assessment.observations = text
            db.session.commit()
        flash(_("Observations saved."), "success")
    return redirect(url_for("assessments.results", assessment_id=assessment.id))


@bp.route("/assessments/<int:assessment_id>/audit")
def audit(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.assessment_id == assessment.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    return render_template("assessments/audit.html", assessment=assessment, events=list(events))
