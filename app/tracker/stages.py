"""Setting up an organisation's pipeline: rename, reorder, add, retire and delete stages.
A stage anyone has been in is never deleted, only retired, so the history keeps it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.bidi import isolate_text
from app.extensions import db
from app.forms import ConfirmForm
from app.i18n import current_language
from app.models import PipelineStage, StageKind
from app.policy import Action
from app.tracker import services
from app.tracker.forms import StageForm, StageShiftForm
from app.tracker.routes import Tracker, bp, open_tracker


def _stage_or_404(tracker: Tracker, stage_id: int) -> PipelineStage:
    stage = tracker.stage_by_id.get(stage_id)
    if stage is None:
        abort(404)
    return stage


def _to_stages(tracker: Tracker):
    return redirect(url_for("tracker.stages", organisation_id=tracker.organisation.id))


@bp.route("/stages", methods=["GET", "POST"])
def stages(organisation_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    form = StageForm()
    if form.validate_on_submit():
        services.add_stage(
            tracker.organisation.id,
            name_fa=form.name_fa.data or "",
            name_en=form.name_en.data or "",
            kind=StageKind(form.kind.data),
        )
        db.session.commit()
        flash(_("Stage added."), "success")
        return _to_stages(tracker)
    in_use = {stage.id for stage in tracker.stages if services.stage_in_use(stage)}
    return render_template(
        "tracker/stages.html",
        tracker=tracker,
        form=form,
        in_use=in_use,
        shift_form=StageShiftForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/stages/<int:stage_id>/edit", methods=["GET", "POST"])
def edit_stage(organisation_id: int, stage_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    stage = _stage_or_404(tracker, stage_id)
    in_use = services.stage_in_use(stage)
    form = StageForm(obj=stage)
    if request.method == "GET":
        form.kind.data = stage.kind.value
    if in_use:
        # What a stage means for the figures (won, lost...) is fixed once it has history.
        del form.kind
    if form.validate_on_submit() and _kind_change_allowed(stage, form):
        stage.name_fa = form.name_fa.data or ""
        stage.name_en = form.name_en.data or ""
        if not in_use:
            stage.kind = StageKind(form.kind.data)
        db.session.commit()
        flash(_("Changes saved."), "success")
        return _to_stages(tracker)
    return render_template("tracker/stage_form.html", tracker=tracker, form=form, stage=stage)


def _kind_change_allowed(stage: PipelineStage, form: StageForm) -> bool:
    if form.kind is None or form.kind.data == stage.kind.value:
        return True
    if services.leaves_an_open_stage(stage):
        return True
    form.kind.errors.append(_("Keep at least one stage in progress for new customers."))
    return False


@bp.route("/stages/<int:stage_id>/shift", methods=["POST"])
def shift_stage(organisation_id: int, stage_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    stage = _stage_or_404(tracker, stage_id)
    form = StageShiftForm()
    if form.validate_on_submit() and form.step.data in ("-1", "1"):
        services.shift_stage(tracker.stages, stage, int(form.step.data))
        db.session.commit()
    return _to_stages(tracker)


@bp.route("/stages/<int:stage_id>/retire", methods=["POST"])
def retire_stage(organisation_id: int, stage_id: int):
    """Retire a stage (it takes no new customers), or bring a retired one back."""
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    stage = _stage_or_404(tracker, stage_id)
    if ConfirmForm().validate_on_submit():
        name = stage.name(current_language())
        try:
            services.set_retired(stage, stage.retired_at is None)
        except services.TrackerError:
            flash(_("Keep at least one stage in progress for new customers."), "error")
        else:
            db.session.commit()
            if stage.retired_at:
                flash(_("Stage %(name)s retired.", name=isolate_text(name)), "success")
            else:
                flash(_("Stage %(name)s is in use again.", name=isolate_text(name)), "success")
    return _to_stages(tracker)


@bp.route("/stages/<int:stage_id>/delete", methods=["POST"])
def delete_stage(organisation_id: int, stage_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    stage = _stage_or_404(tracker, stage_id)
    if ConfirmForm().validate_on_submit():
        name = stage.name(current_language())
        if services.stage_in_use(stage):
            flash(
                _(
                    "Stage %(name)s has customers in its history: retire it instead.",
                    name=isolate_text(name),
                ),
                "error",
            )
        elif not services.leaves_an_open_stage(stage):
            flash(_("Keep at least one stage in progress for new customers."), "error")
        else:
            services.delete_stage(stage)
            db.session.commit()
            flash(_("Stage %(name)s deleted.", name=isolate_text(name)), "success")
    return _to_stages(tracker)
