from __future__ import annotations

from pathlib import Path

import click
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from app import CONTENT_SECURITY_POLICY
from app.assessments.routes import assessment_or_404, current_actor
from app.assessments.services import score
from app.extensions import db
from app.i18n import current_language
from app.labels import LANGUAGE_NAMES
from app.models import Assessment, Organisation, OrganisationBranding
from app.models.reports import DEFAULT_ACCENT
from app.policy import Action, authorize
from app.reports import actions
from app.reports.context import branding_of, build_context
from app.reports.forms import ActionOwnerForm, BrandingForm
from app.reports.pdf import report_pdf
from app.reports.render import page_style, render_report_html, style_hash

bp = Blueprint("reports", __name__, cli_group="reports")


def _language() -> str:
    """The report's language: ?lang=fa|en, else the page's own."""
    language = request.args.get("lang") or current_language()
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    return language


@bp.route("/assessments/<int:assessment_id>/report")
def preview(assessment_id: int):
    """The report as a web page, from the same template as the PDF."""
    assessment = assessment_or_404(assessment_id, Action.VIEW_REPORT)
    language = _language()
    with force_locale(language):
        context = build_context(assessment, language)
        html = render_report_html(
            context,
            stylesheet_url=url_for("static", filename="css/report.css"),
            logo_url=url_for(
                "reports.logo", organisation_id=context.organisation_id, v=context.logo_hash
            )
            if context.logo_hash
            else None,
            preview=True,
            back_url=url_for("assessments.results", assessment_id=assessment.id),
            languages=list(LANGUAGE_NAMES.items()),
        )
        # The page's one <style> block (label positions, accent colour) is allowed by its hash.
        allowed_style = style_hash(page_style(context))
    response = make_response(html)
    response.headers["Content-Security-Policy"] = (
        f"{CONTENT_SECURITY_POLICY}; style-src 'self' {allowed_style}"
    )
    return response


@bp.route("/assessments/<int:assessment_id>/report.pdf")
def download(assessment_id: int):
    assessment = assessment_or_404(assessment_id, Action.VIEW_REPORT)
    language = _language()
    report = report_pdf(assessment, language)
    response = Response(report.data, mimetype="application/pdf")
    filename = f"crm-readiness-report-{assessment.id}-{language}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/organisations/<int:organisation_id>/logo")
def logo(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.VIEW_ORGANISATION, organisation)
    branding = branding_of(organisation.id)
    if branding is None or branding.logo is None:
        abort(404)
    response = Response(branding.logo, mimetype=branding.logo_type)
    # The URL carries the logo's hash (?v=), so a new logo gets a new URL.
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/organisations/<int:organisation_id>/branding", methods=["GET", "POST"])
def branding(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.MANAGE_BRANDING, organisation)
    current = branding_of(organisation.id)
    form = BrandingForm()
    if not form.is_submitted():
        form.accent_colour.data = current.accent_colour if current else DEFAULT_ACCENT
    if form.validate_on_submit():
        if current is None:
            current = OrganisationBranding(organisation_id=organisation.id)
            db.session.add(current)
        current.accent_colour = form.accent_colour.data
        if form.checked_logo is not None:
            current.logo = form.checked_logo.data
            current.logo_type = form.checked_logo.mimetype
            current.logo_hash = form.checked_logo.sha256
        elif form.remove_logo.data:
            current.logo, current.logo_type, current.logo_hash = None, "", ""
        db.session.commit()
        flash(_("Report branding saved."), "success")
        return redirect(url_for("reports.branding", organisation_id=organisation.id))
    return render_template(
        "reports/branding.html", form=form, organisation=organisation, branding=current
    )


@bp.route("/assessments/<int:assessment_id>/actions", methods=["POST"])
def set_action_owner(assessment_id: int):
    """The owner and due date of one recommendation of the action plan."""
    assessment = assessment_or_404(assessment_id)
    form = ActionOwnerForm()
    recommendations = {
        (action.questionnaire_id, action.dimension_id, action.level, position)
        for action in score(assessment).action_plan
        for position in range(len(action.recommendations))
    }
    position = form.position.data or ""
    key = (
        form.questionnaire.data,
        form.dimension.data,
        form.level.data,
        int(position) if position.isdigit() else -1,
    )
    if key not in recommendations:  # not a recommendation of the current plan
        abort(400)
    if form.validate_on_submit():
        actions.set_action_owner(
            assessment, key, form.owner.data or "", form.due_date.data, current_actor()
        )
        db.session.commit()
        flash(_("Owner and due date saved."), "success")
    else:
        flash(_("Give an owner of at most 120 characters and a valid date."), "error")
    return redirect(url_for("assessments.results", assessment_id=assessment.id) + "#action-plan")


@bp.cli.command("render")
@click.argument("assessment_id", type=int)
@click.option("--lang", type=click.Choice(["fa", "en"]), default="fa", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def render_command(assessment_id: int, lang: str, output: Path) -> None:
    """Write an assessment's readiness report as a PDF."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None:
        raise click.ClickException(f"there is no assessment {assessment_id}")
    report = report_pdf(assessment, lang)
    output.write_bytes(report.data)
    source = "from the cache" if report.from_cache else "rendered"
    click.echo(f"{output}: {report.pages} pages, {len(report.data)} bytes ({source}).")
