from flask import Blueprint, jsonify, redirect, render_template, session, url_for
from flask_babel import refresh
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from app.extensions import db
from app.i18n import SESSION_KEY
from app.main.forms import LanguageForm
from app.models import Assessment, AssessmentStatus, Organisation, Respondent, User
from app.organisations.queries import visible_organisations
from app.redirects import redirect_back

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@login_required
def dashboard():
    organisations = visible_organisations(current_user)
    if current_user.is_admin:
        totals = {
            "users": db.session.scalar(select(func.count(User.id))),
            "organisations": db.session.scalar(select(func.count(Organisation.id))),
        }
        return render_template(
            "main/dashboard_admin.html", organisations=organisations, totals=totals
        )
    if current_user.is_consultant:
        return render_template("main/dashboard_consultant.html", organisations=organisations)
    to_answer = db.session.scalars(
        select(Respondent)
        .join(Assessment)
        .where(
            Respondent.user_id == current_user.id,
            Assessment.status == AssessmentStatus.OPEN,
            Respondent.revoked_at.is_(None),
            # as policy.RESPOND: only while they belong to the organisation
            Assessment.organisation_id.in_([m.organisation_id for m in current_user.memberships]),
        )
        .order_by(Assessment.created_at.desc())
    ).all()
    return render_template(
        "main/dashboard_member.html", memberships=current_user.memberships, to_answer=to_answer
    )


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session[SESSION_KEY] = form.language.data
        if current_user.is_authenticated:
            current_user.locale = form.language.data
            db.session.commit()
        refresh()
    return redirect_back(form.next.data, "main.index")


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means the database is not usable
        db.session.rollback()
        return jsonify(status="error", database="unreachable", detail=type(error).__name__), 503
    return jsonify(status="ok", database="ok", dialect=db.engine.dialect.name)
