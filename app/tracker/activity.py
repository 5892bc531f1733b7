"""What happens with a customer: contacts (interactions), follow-ups and feedback, and
everyone's tasks. The views attach to the tracker blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.bidi import isolate_text
from app.extensions import db
from app.forms import ConfirmForm
from app.models import Channel, Direction, FeedbackKind, FollowUp, Interaction, Outcome
from app.policy import Action
from app.redirects import is_safe_local_path
from app.tracker import queries, services
from app.tracker.forms import DoneForm, moment_on, today
from app.tracker.routes import (
    bp,
    customer_or_404,
    new_feedback_form,
    new_follow_up_form,
    new_interaction_form,
    open_tracker,
    render_customer,
    to_customer,
)


@bp.route("/customers/<int:customer_id>/contacts", methods=["POST"])
def add_interaction(organisation_id: int, customer_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    customer = customer_or_404(tracker, customer_id)
    form = new_interaction_form(request.form)
    if not form.validate_on_submit():
        return render_customer(tracker, customer, interaction_form=form)
    services.record_interaction(
        customer,
        channel=Channel(form.channel.data),
        direction=Direction(form.direction.data),
        occurred_at=moment_on(form.occurred_on.data),
        outcome=Outcome(form.outcome.data),
        notes=form.notes.data or "",
        by=current_user,
    )
    db.session.commit()
    flash(_("Contact recorded."), "success")
    return to_customer(tracker, customer)


@bp.route("/customers/<int:customer_id>/contacts/<int:interaction_id>/delete", methods=["POST"])
def delete_interaction(organisation_id: int, customer_id: int, interaction_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    customer = customer_or_404(tracker, customer_id)
    interaction = db.get_or_404(Interaction, interaction_id)
    if interaction.customer_id != customer.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.delete_interaction(interaction)
        db.session.commit()
        flash(_("Contact deleted."), "success")
    return to_customer(tracker, customer)


@bp.route("/customers/<int:customer_id>/follow-ups", methods=["POST"])
def add_follow_up(organisation_id: int, customer_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    customer = customer_or_404(tracker, customer_id)
    form = new_follow_up_form(tracker, request.form)
    if not form.validate_on_submit():
        return render_customer(tracker, customer, follow_up_form=form)
    services.add_follow_up(
        customer,
        title=form.title.data,
        due_on=form.due_on.data,
        assignee_id=int(form.assignee.data) if form.assignee.data else None,
        by=current_user,
    )
    db.session.commit()
    flash(_("Follow-up added."), "success")
    return to_customer(tracker, customer)


@bp.route("/follow-ups/<int:follow_up_id>/done", methods=["POST"])
def complete_follow_up(organisation_id: int, follow_up_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    follow_up = db.get_or_404(FollowUp, follow_up_id)
    if follow_up.organisation_id != tracker.organisation.id:
        abort(404)
    form = DoneForm()
    if form.validate_on_submit():
        services.complete_follow_up(follow_up)
        db.session.commit()
        flash(_("“%(title)s” is done.", title=isolate_text(follow_up.title)), "success")
    if is_safe_local_path(form.next.data):
        return redirect(form.next.data)
    return to_customer(tracker, follow_up.customer)


@bp.route("/customers/<int:customer_id>/feedback", methods=["POST"])
def add_feedback(organisation_id: int, customer_id: int):
    tracker = open_tracker(organisation_id, Action.EDIT_TRACKER)
    customer = customer_or_404(tracker, customer_id)
    form = new_feedback_form(request.form)
    if not form.validate_on_submit():
        return render_customer(tracker, customer, feedback_form=form)
    services.add_feedback(
        customer,
        kind=FeedbackKind(form.kind.data),
        score=form.score_value(),
        comment=form.comment.data or "",
        received_at=moment_on(form.received_on.data),
        by=current_user,
    )
    db.session.commit()
    flash(_("Feedback recorded."), "success")
    return to_customer(tracker, customer)


@bp.route("/tasks")
def tasks(organisation_id: int):
    """Open follow-ups, overdue first: one's own ("my tasks") or everyone's."""
    tracker = open_tracker(organisation_id)
    mine = request.args.get("who") != "all" and current_user.id in tracker.member_by_id
    day = today()
    follow_ups = queries.tasks(tracker.organisation.id, day, current_user.id if mine else None)
    return render_template(
        "tracker/tasks.html",
        tracker=tracker,
        mine=mine,
        today=day,
        overdue=[f for f in follow_ups if f.due_on < day],
        due=[f for f in follow_ups if f.due_on == day],
        upcoming=[f for f in follow_ups if f.due_on > day],
        done_form=DoneForm(),
        # This list again, after a task is marked done; built from what the page shows, not
        # from the query string, whose keys may clash with the path's (organisation_id).
        here=url_for("tracker.tasks", organisation_id=organisation_id, who=None if mine else "all"),
    )
