"""The admin's hand on the background queue: a failed job run again."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _

from app import jobs
from app.forms import ConfirmForm
from app.policy import Action, authorize

bp = Blueprint("jobs", __name__)


@bp.route("/<job_id>/retry", methods=["POST"])
def retry(job_id: str):
    authorize(Action.MANAGE_JOBS)
    if ConfirmForm().validate_on_submit():
        if jobs.retry(job_id):
            flash(_("The job is queued again."), "success")
        else:
            flash(_("That job is no longer among the failed ones."), "info")
    return redirect(url_for("main.dashboard") + "#jobs")
