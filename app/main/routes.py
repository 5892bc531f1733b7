from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import refresh
from flask_login import current_user, login_required
from sqlalchemy import text

from app.assessments.forms import StatusForm
from app.extensions import db
from app.forms import ConfirmForm
from app.i18n import SESSION_KEY, current_language
from app.main import admin_home, member_home, work_queue
from app.main.forms import LanguageForm
from app.organisations.queries import visible_organisations_query
from app.policy import Action, authorize
from app.redirects import redirect_back
from app.reports.forms import ActionDoneForm
from app.tracker.forms import DoneForm, today

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@login_required
def dashboard():
    """Each role's home page is its work queue: every entry links to where the work is
    done, overdue first."""
    if current_user.is_admin:
        return _admin_home()
    if current_user.is_consultant:
        return _queue_page("main/dashboard_consultant.html", "main.dashboard")
    return _member_home()


@bp.route("/assessments")
def assessments():
    """The queue of every assessment a member of staff runs, by state and organisation
    (the admin's totals link here)."""
    authorize(Action.LIST_ASSESSMENTS)
    return _queue_page("main/assessments.html", "main.assessments")


def _queue_page(template: str, endpoint: str):
    form = work_queue.filter_form(current_user, request.args)
    page, entries = work_queue.queue(
        current_user,
        form,
        today(),
        request.args.get("page", 1, type=int),
        current_app.config["ITEMS_PER_PAGE"],
    )
    return render_template(
        template,
        form=form,
        page=page,
        entries=entries,
        endpoint=endpoint,
        filters={name: value for name, value in request.args.items() if name != "page"},
        totals=work_queue.totals(current_user, today()),
        unstarted=work_queue.organisations_without_assessment(current_user)
        if current_user.is_consultant
        else [],
        status_form=StatusForm(),
        confirm_form=ConfirmForm(),
        here=request.full_path,
    )


def _admin_home():
    organisations = db.paginate(
        visible_organisations_query(current_user),
        per_page=current_app.config["ITEMS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "main/dashboard_admin.html",
        accounts=admin_home.account_counts(),
        totals=work_queue.totals(current_user, today()),
        organisations=organisations,
        events=admin_home.recent_events(current_language()),
        health=admin_home.database_health(),
    )


def _member_home():
    roles = member_home.Roles.of(current_user)
    language, day = current_language(), today()
    actions, action_total = member_home.open_action_items(language, day, roles.owner_of)
    # An owner sees every open item of their organisations, theirs among them.
    managed_only = [o for o in roles.member_of if o not in roles.owner_of]
    own_actions, own_action_total = member_home.open_action_items(
        language, day, managed_only, owner_id=current_user.id
    )
    follow_ups, follow_up_total = member_home.follow_ups_due(current_user, roles, day)
    return render_template(
        "main/dashboard_member.html",
        roles=roles,
        to_answer=member_home.questionnaires_to_answer(current_user, day),
        published=member_home.published_results(roles.owner_of, language),
        actions=actions,
        action_total=action_total,
        own_actions=own_actions,
        own_action_total=own_action_total,
        follow_ups=follow_ups,
        follow_up_total=follow_up_total,
        action_done_form=ActionDoneForm(),
        done_form=DoneForm(),
        here=request.full_path,
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
