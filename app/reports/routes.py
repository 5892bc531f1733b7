from __future__ import annotations

from collections.abc import Callable
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
from flask_login import current_user

from app import CONTENT_SECURITY_POLICY, jobs
from app.assessments.results import render_results
from app.assessments.routes import assessment_or_404, current_actor
from app.assessments.scores import score
from app.extensions import db
from app.forms import ConfirmForm
from app.guards import accepts_upload
from app.i18n import current_language
from app.labels import LANGUAGE_NAMES
from app.models import (
    ActionAssignment,
    Assessment,
    BrandingMixin,
    ConsultantBranding,
    Organisation,
    OrganisationBranding,
)
from app.models.reports import DEFAULT_ACCENT
from app.policy import Action, authorize
from app.redirects import is_safe_local_path
from app.reports import actions
from app.reports.branding import (
    Logo,
    branding_of,
    logo_of,
    report_branding,
    workspace_branding_of,
)
from app.reports.cache import cache_key, cached_pdf
from app.reports.context import build_context
from app.reports.forms import MAX_LOGO_BYTES, ActionDoneForm, ActionOwnerForm, BrandingForm
from app.reports.pdf import report_pdf
from app.reports.prepare import PREPARING_REFRESH_SECONDS, preparing_steps, queue_report
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
                "reports.report_logo", assessment_id=assessment.id, v=context.logo_hash
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
    """The PDF when it is ready; else its render is queued (once, however many ask) and
    waited for a moment (``REPORT_DOWNLOAD_WAIT``), and if it is not done by then a page
    that reloads itself shows how far it is, until the reload gets the PDF."""
    assessment = assessment_or_404(assessment_id, Action.VIEW_REPORT)
    language = _language()
    key = cache_key(assessment, language)
    cached = cached_pdf(key)
    if cached is not None:
        return _pdf_response(cached.data, assessment.id, language)
    job_id = queue_report(assessment.id, language, key, asked=True)
    # End the read transaction before waiting: the render writes the PDF meanwhile, and
    # SQLite reads one snapshot per transaction (and, journalling by rollback, keeps a
    # writer waiting while one is open).
    db.session.commit()
    progress = jobs.wait(job_id, current_app.config["REPORT_DOWNLOAD_WAIT"])
    if progress is None:  # rendered by now
        cached = cached_pdf(key)
        if cached is not None:
            return _pdf_response(cached.data, assessment.id, language)
        # Else its inputs changed during the render, which kept nothing: the reload
        # queues the render of the new ones.
    progress = progress or jobs.JobProgress("queued")
    if progress.state == "failed" and request.args.get("retry"):
        jobs.retry(job_id)
        return redirect(url_for("reports.download", assessment_id=assessment.id, lang=language))
    page = render_template(
        "reports/preparing.html",
        assessment=assessment,
        language=language,
        language_name=LANGUAGE_NAMES[language],
        progress=progress,
        steps=preparing_steps(progress),
        refresh_seconds=PREPARING_REFRESH_SECONDS,
    )
    return page, 202, {"Retry-After": str(PREPARING_REFRESH_SECONDS)}


def _pdf_response(data: bytes, assessment_id: int, language: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    filename = f"crm-readiness-report-{assessment_id}-{language}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/assessments/<int:assessment_id>/report/logo")
def report_logo(assessment_id: int):
    """The logo the report shows, whichever branding it comes from, to whoever may read
    the report."""
    assessment = assessment_or_404(assessment_id, Action.VIEW_REPORT)
    return _logo_response(report_branding(assessment).logo())


@bp.route("/organisations/<int:organisation_id>/logo")
def logo(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.VIEW_ORGANISATION, organisation)
    return _logo_response(logo_of(branding_of(organisation.id)))


@bp.route("/account/branding/logo")
def workspace_logo():
    authorize(Action.MANAGE_OWN_BRANDING)
    return _logo_response(logo_of(workspace_branding_of(current_user.id)))


def _logo_response(logo: Logo | None) -> Response:
    if logo is None:
        abort(404)
    response = Response(logo.data, mimetype=logo.mimetype)
    # The URL carries the logo's hash (?v=), so a new logo gets a new URL.
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/organisations/<int:organisation_id>/branding", methods=["GET", "POST"])
@accepts_upload(MAX_LOGO_BYTES)
def branding(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.MANAGE_BRANDING, organisation)
    current = branding_of(organisation.id)
    return _branding_page(
        current,
        lambda: OrganisationBranding(organisation_id=organisation.id),
        "reports/branding.html",
        organisation=organisation,
        confirm_form=ConfirmForm(),
        logo_url=url_for("reports.logo", organisation_id=organisation.id, v=current.logo_hash)
        if current and current.logo_hash
        else None,
    )


@bp.route("/organisations/<int:organisation_id>/branding/clear", methods=["POST"])
def clear_branding(organisation_id: int):
    """Drop the organisation's own branding, so its reports go back to the consultant's
    (or the app's default)."""
    organisation = db.get_or_404(Organisation, organisation_id)
    authorize(Action.MANAGE_BRANDING, organisation)
    current = branding_of(organisation.id)
    if ConfirmForm().validate_on_submit() and current is not None:
        db.session.delete(current)
        db.session.commit()
        flash(_("This organisation's own branding is removed."), "success")
    return redirect(url_for("reports.branding", organisation_id=organisation.id))


@bp.route("/account/branding", methods=["GET", "POST"])
@accepts_upload(MAX_LOGO_BYTES)
def workspace_branding():
    """A consultant's own branding, on the reports of the assessments they create."""
    authorize(Action.MANAGE_OWN_BRANDING)
    current = workspace_branding_of(current_user.id)
    return _branding_page(
        current,
        lambda: ConsultantBranding(user_id=current_user.id),
        "reports/workspace_branding.html",
        logo_url=url_for("reports.workspace_logo", v=current.logo_hash)
        if current and current.logo_hash
        else None,
    )


def _branding_page(
    current: BrandingMixin | None,
    create: Callable[[], BrandingMixin],
    template: str,
    **page,
):
    """The branding form of an organisation or a workspace: saved into ``current``, or into
    a new branding from ``create`` when there is none yet."""
    form = BrandingForm()
    if not form.is_submitted():
        form.accent_colour.data = current.accent_colour if current else DEFAULT_ACCENT
    if form.validate_on_submit():
        if current is None:
            current = create()
            db.session.add(current)
        form.apply_to(current)
        db.session.commit()
        flash(_("Report branding saved."), "success")
        return redirect(url_for(request.endpoint, **request.view_args))
    return render_template(template, form=form, branding=current, **page)


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
    key = form.key()
    if key not in recommendations:  # not a recommendation of the current plan
        abort(400)
    if not form.validate_on_submit():
        return render_results(assessment, failed_owner_form=form)
    actions.set_action_owner(
        assessment, key, form.owner.data or "", form.due_date.data, current_actor()
    )
    db.session.commit()
    flash(_("Owner and due date saved."), "success")
    return redirect(url_for("assessments.results", assessment_id=assessment.id) + "#action-plan")


@bp.route("/assessments/<int:assessment_id>/actions/<int:assignment_id>/done", methods=["POST"])
def mark_action_done(assessment_id: int, assignment_id: int):
    """Mark an action item done (or open again), from the results or a home page."""
    assessment = assessment_or_404(assessment_id, Action.KEEP_ACTION_PLAN)
    assignment = db.get_or_404(ActionAssignment, assignment_id)
    if assignment.assessment_id != assessment.id:
        abort(404)
    form = ActionDoneForm()
    if form.validate_on_submit():
        done = form.done.data == "1"
        actions.set_done(assessment, assignment, done, current_actor())
        db.session.commit()
        flash(_("Marked done.") if done else _("Open again."), "success")
    if is_safe_local_path(form.next.data):
        return redirect(form.next.data)
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
