"""Setting up and running an assessment: creating it, its page (the consultant's cockpit),
targets, changes of state, and respondents with their links. Every form that changes
something answers with a redirect, so a refresh never repeats it."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption
from wtforms import SelectChoice

from app.assessments import respondents, scores, services
from app.assessments.forms import (
    AssessmentForm,
    PastedRespondent,
    PasteRespondentsForm,
    RespondentForm,
    StatusForm,
    targets_form,
)
from app.assessments.links import LinkBatch, take_new_links
from app.assessments.services import INVITING, REVIEWING, UNLOCKING, Actor, AssessmentError
from app.assessments.steps import STAGE_OF, Stage, next_step, progress_of
from app.bidi import isolate_text
from app.extensions import db
from app.forms import ConfirmForm
from app.i18n import current_language, localize_digits
from app.instrument.loader import DefinitionError
from app.instrument.scoring import default_target
from app.labels import group_label, label
from app.library.services import usable_in_assessments
from app.mail import mail_configured
from app.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Organisation,
    Respondent,
)
from app.policy import Action, authorize
from app.redirects import is_safe_local_path
from app.tracker.forms import today

bp = Blueprint("assessments", __name__)


def assessment_or_404(
    assessment_id: int, action: Action = Action.MANAGE_ASSESSMENT, *options: ORMOption
) -> Assessment:
    """The assessment, if the user may do ``action`` on it; ``options``, to read more
    with it."""
    # Every assessment page names the organisation: read with the assessment.
    assessment = db.get_or_404(
        Assessment, assessment_id, options=[joinedload(Assessment.organisation), *options]
    )
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


def back_to_assessment(assessment: Assessment, anchor: str = ""):
    return redirect(url_for("assessments.show", assessment_id=assessment.id) + anchor)


@bp.route("/organisations/<int:organisation_id>/assessments/new", methods=["GET", "POST"])
def create(organisation_id: int):
    """A new assessment; respondents pasted here get their links at once, and it can be
    opened for answers in the same step."""
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.CREATE_ASSESSMENT, organisation)
    # The shipped questionnaires and the library's published ones this user may use.
    available = usable_in_assessments(current_user)
    by_id = {loaded.definition.id: loaded for loaded in available}
    # Respondents answer in the organisation's language unless the form says otherwise.
    form = AssessmentForm(locale=organisation.default_locale)
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
            _add_respondents(assessment, form.parsed, form.locale.data)
            if form.open_now.data:
                services.change_status(assessment, AssessmentStatus.OPEN, current_actor())
            db.session.commit()
            flash(_created_message(assessment, len(form.parsed)), "success")
            return back_to_assessment(assessment)
    return render_template("assessments/new.html", form=form, organisation=organisation)


def _created_message(assessment: Assessment, invited: int) -> str:
    if assessment.status is AssessmentStatus.OPEN:
        return _(
            "Assessment created and open for answers; %(count)s respondents invited.",
            count=localize_digits(invited),
        )
    if invited:
        return _(
            "Assessment created; %(count)s respondents invited. Open it for answers when "
            "you are ready.",
            count=localize_digits(invited),
        )
    return _("Assessment created. Add respondents, then open it for answers.")


def _add_respondents(assessment: Assessment, pasted, locale: str) -> None:
    """Add the respondents and issue their links, kept to be shown on the next page."""
    if not pasted:
        return
    batch = LinkBatch(assessment)
    for person in pasted:
        respondent = respondents.add_respondent(
            assessment,
            name=person.name,
            email=person.email,
            group=person.group,
            locale=locale,
            actor=current_actor(),
        )
        batch.invite(respondent, current_actor())
    batch.keep()


@bp.route("/assessments/<int:assessment_id>")
def show(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    respondent_form = RespondentForm()
    respondent_form.group.choices = _group_choices(assessment)
    respondent_form.locale.data = assessment.organisation.default_locale
    return _render_show(assessment, respondent_form)


def _render_show(assessment: Assessment, respondent_form: RespondentForm) -> str:
    """The cockpit: where the assessment stands, its next step, the report once there are
    results, and its respondents, offering only what still applies."""
    progress = progress_of(assessment)
    answered = dict(
        db.session.execute(
            select(Answer.respondent_id, func.count(Answer.id))
            .join(Respondent)
            .where(Respondent.assessment_id == assessment.id, services.ANSWERED)
            .group_by(Answer.respondent_id)
        ).all()
    )
    definitions = scores.definitions(assessment)
    return render_template(
        "assessments/show.html",
        assessment=assessment,
        definitions=definitions,
        total_items=sum(len(d.items) for q in definitions for d in q.dimensions),
        stages=list(Stage),
        stage=STAGE_OF[assessment.status],
        progress=progress,
        step=next_step(progress, today()),
        overdue=progress.is_overdue(today()),
        transitions=services.TRANSITIONS[assessment.status],
        inviting=assessment.status in INVITING,
        reviewing=assessment.status in REVIEWING,
        unlocking=assessment.status in UNLOCKING,
        new_links=take_new_links(assessment),
        mail_configured=mail_configured(),
        answered=answered,
        respondent_form=respondent_form,
        status_form=StatusForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/assessments/<int:assessment_id>/targets", methods=["GET", "POST"])
def targets(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    if assessment.status not in REVIEWING:
        flash(
            _("Published results do not change: reopen the assessment for review first."), "error"
        )
        return back_to_assessment(assessment)
    definitions = scores.definitions(assessment)
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
    target = default_target(levels, scores.score(assessment).level)
    if target is None:
        return _("The level above the overall level (no score yet)")
    name = next(band.name for band in levels if band.id == target)
    return _(
        "The level above the overall level (now %(level)s)",
        level=name.in_language(current_language()),
    )


@bp.route("/assessments/<int:assessment_id>/status", methods=["POST"])
def change_status(assessment_id: int):
    """Move the assessment on. Closing answering lands on the results, to review them;
    other moves come back to where the button was (the home page's queue, say)."""
    assessment = assessment_or_404(assessment_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return back_to_assessment(assessment)
    try:
        services.change_status(assessment, AssessmentStatus(form.to.data), current_actor())
    except (ValueError, AssessmentError):
        flash(_("That change of state is not possible now."), "error")
        return back_to_assessment(assessment)
    db.session.commit()
    flash(_("The assessment is now: %(status)s.", status=label(assessment.status)), "success")
    if assessment.status is AssessmentStatus.IN_REVIEW:
        return redirect(url_for("assessments.results", assessment_id=assessment.id))
    if is_safe_local_path(form.next.data):
        return redirect(form.next.data)
    return back_to_assessment(assessment)


@bp.route("/assessments/<int:assessment_id>/remind", methods=["POST"])
def remind(assessment_id: int):
    """Give everyone who has not submitted a fresh link (it replaces their old one), by
    e-mail where mail is set up, else shown on the next page to pass on."""
    assessment = assessment_or_404(assessment_id)
    if not ConfirmForm().validate_on_submit():
        return back_to_assessment(assessment)
    if assessment.status is not AssessmentStatus.OPEN:
        flash(_("Reminders go out only while the assessment is open for answers."), "error")
        return back_to_assessment(assessment)
    waiting = [
        r
        for r in assessment.respondents
        if r.submitted_at is None and r.revoked_at is None and r.email
    ]
    batch = LinkBatch(assessment)
    for respondent in waiting:
        batch.invite(respondent, current_actor(), reminder=True)
    batch.keep()
    db.session.commit()
    count = localize_digits(len(waiting))
    if mail_configured():
        flash(
            _("A reminder with a new link was sent to %(count)s respondents.", count=count),
            "success",
        )
    else:
        flash(_("%(count)s respondents have a new link; pass each one on.", count=count), "success")
    return back_to_assessment(assessment)


@bp.route("/assessments/<int:assessment_id>/respondents", methods=["POST"])
def add_respondent(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    form = RespondentForm(taken=respondents.invited_emails(assessment))
    form.group.choices = _group_choices(assessment)
    if form.validate_on_submit():
        try:
            services.check_inviting(assessment)
        except AssessmentError:
            flash(_("Respondents can no longer be added to this assessment."), "error")
            return back_to_assessment(assessment)
        person = PastedRespondent(form.name.data, form.email.data, form.group.data)
        _add_respondents(assessment, [person], form.locale.data)
        db.session.commit()
        flash(_("%(name)s was added.", name=form.name.data), "success")
        return back_to_assessment(assessment)
    return _render_show(assessment, form)


@bp.route("/assessments/<int:assessment_id>/respondents/paste", methods=["GET", "POST"])
def paste_respondents(assessment_id: int):
    assessment = assessment_or_404(assessment_id)
    if assessment.status not in INVITING:
        flash(_("Respondents can no longer be added to this assessment."), "error")
        return back_to_assessment(assessment)
    form = PasteRespondentsForm(
        groups=assessment.groups, taken=respondents.invited_emails(assessment)
    )
    if not form.is_submitted():
        form.locale.data = assessment.organisation.default_locale
    if form.validate_on_submit():
        _add_respondents(assessment, form.parsed, form.locale.data)
        db.session.commit()
        flash(_("%(count)s respondents added.", count=localize_digits(len(form.parsed))), "success")
        return back_to_assessment(assessment)
    return render_template("assessments/paste.html", form=form, assessment=assessment)


def _respondent_action(assessment_id: int, respondent_id: int, act, done_message: str):
    """A one-button action on a respondent, refused with a message once it no longer
    applies (the assessment was published meanwhile, say)."""
    assessment = assessment_or_404(assessment_id)
    respondent = _respondent(assessment, respondent_id)
    if ConfirmForm().validate_on_submit():
        try:
            act(assessment, respondent)
        except AssessmentError:
            db.session.rollback()
            flash(_("That is no longer possible for this assessment."), "error")
        else:
            db.session.commit()
            flash(done_message % {"name": isolate_text(respondent.name)}, "success")
    return back_to_assessment(assessment, "#respondents")


@bp.route("/assessments/<int:assessment_id>/respondents/<int:respondent_id>/link", methods=["POST"])
def reissue_link(assessment_id: int, respondent_id: int):
    def reissue(assessment, respondent):
        batch = LinkBatch(assessment)
        batch.invite(respondent, current_actor())
        batch.keep()

    return _respondent_action(
        assessment_id,
        respondent_id,
        reissue,
        _("%(name)s has a new link; the old one no longer works."),
    )


@bp.route(
    "/assessments/<int:assessment_id>/respondents/<int:respondent_id>/revoke", methods=["POST"]
)
def revoke_link(assessment_id: int, respondent_id: int):
    return _respondent_action(
        assessment_id,
        respondent_id,
        lambda _assessment, respondent: respondents.revoke_link(respondent, current_actor()),
        _("The link of %(name)s no longer works."),
    )


@bp.route(
    "/assessments/<int:assessment_id>/respondents/<int:respondent_id>/unlock", methods=["POST"]
)
def unlock(assessment_id: int, respondent_id: int):
    return _respondent_action(
        assessment_id,
        respondent_id,
        lambda _assessment, respondent: services.unlock_response(respondent, current_actor()),
        _("%(name)s can change their answers again."),
    )
