from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.benchmarks.consent import consent_history, set_consent
from app.benchmarks.forms import ConsentForm
from app.benchmarks.portfolio import portfolio_of
from app.extensions import db
from app.i18n import current_language
from app.instrument.benchmarks import MIN_OTHERS
from app.models import Organisation
from app.policy import Action, authorize

bp = Blueprint("benchmarks", __name__)


@bp.route("/organisations/<int:organisation_id>/benchmarks", methods=["GET", "POST"])
def consent(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.MANAGE_BENCHMARK_CONSENT, organisation)
    form = ConsentForm()
    if not form.is_submitted():
        form.consent.data = organisation.benchmark_consent
    if form.validate_on_submit():
        if set_consent(organisation, bool(form.consent.data), current_user):
            db.session.commit()
        flash(
            _("Your published results now join the benchmarks.")
            if organisation.benchmark_consent
            else _("Your results are not in the benchmarks."),
            "success",
        )
        return redirect(url_for("benchmarks.consent", organisation_id=organisation.id))
    return render_template(
        "benchmarks/consent.html",
        organisation=organisation,
        form=form,
        history=consent_history(organisation),
        min_others=MIN_OTHERS,
    )


@bp.route("/portfolio")
def portfolio():
    authorize(Action.VIEW_PORTFOLIO)
    return render_template(
        "benchmarks/portfolio.html", clients=portfolio_of(current_user.id, current_language())
    )
