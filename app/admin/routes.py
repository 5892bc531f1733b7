from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from app.admin.forms import NO_STAFF_ROLE, UserForm
from app.auth import sessions, two_factor
from app.auth.password_links import send_password_link
from app.bidi import isolate_text
from app.extensions import db
from app.forms import ConfirmForm
from app.models import StaffRole, User
from app.policy import Action, authorize

bp = Blueprint("admin", __name__)


@bp.route("/users")
def users():
    authorize(Action.MANAGE_USERS)
    search = request.args.get("q", "").strip()
    query = select(User).order_by(User.name)
    if search:
        pattern = f"%{search}%"
        query = query.where(or_(User.name.ilike(pattern), User.email.ilike(pattern)))
    page = db.paginate(query, per_page=current_app.config["ITEMS_PER_PAGE"], error_out=False)
    return render_template("admin/users.html", page=page, search=search, confirm_form=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
def create_user():
    authorize(Action.MANAGE_USERS)
    form = UserForm()
    if request.method == "GET":
        form.staff_role.data = StaffRole.CONSULTANT.value
        form.locale.data = current_user.locale
    if form.validate_on_submit():
        user = User(
            name=form.name.data,
            email=form.email.data,
            staff_role=form.chosen_staff_role(),
            locale=form.locale.data,
            active=form.active.data,
            password_hash=None,
        )
        db.session.add(user)
        db.session.commit()
        send_password_link(user)
        flash(
            _(
                "Account for %(name)s created. A link to set a password was sent to %(email)s.",
                name=isolate_text(user.name),
                email=isolate_text(user.email),
            ),
            "success",
        )
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int):
    authorize(Action.MANAGE_USERS)
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, user_id=user.id)
    if request.method == "GET":
        form.staff_role.data = user.staff_role.value if user.staff_role else NO_STAFF_ROLE
    if form.validate_on_submit():
        if user.id == current_user.id and (
            not form.active.data or form.chosen_staff_role() is not StaffRole.ADMIN
        ):
            form.staff_role.errors.append(
                _("You cannot remove your own administrator role or deactivate yourself.")
            )
        elif user.memberships and form.chosen_staff_role() is not None:
            form.staff_role.errors.append(
                _("Members of an organisation cannot have a staff role. Remove them first.")
            )
        else:
            user.name = form.name.data
            user.email = form.email.data
            user.staff_role = form.chosen_staff_role()
            user.locale = form.locale.data
            user.active = form.active.data
            if not user.active:
                sessions.end_all_sessions(user)  # a deactivated account is signed out at once
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/password-link", methods=["POST"])
def send_user_password_link(user_id: int):
    authorize(Action.MANAGE_USERS)
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        send_password_link(user)
        flash(
            _("A link to set a password was sent to %(email)s.", email=isolate_text(user.email)),
            "success",
        )
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
def reset_two_factor(user_id: int):
    """For a user who lost their authenticator app and recovery codes: two-step sign-in
    is turned off and every session of theirs ends; they sign in with their password
    (and enrol again where it is required)."""
    authorize(Action.MANAGE_USERS)
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.users"))
    if user.id == current_user.id:
        flash(_("Turn off your own two-step sign-in from your account page."), "error")
        return redirect(url_for("admin.users"))
    if user.two_factor_enabled:
        two_factor.turn_off(user)
        sessions.end_all_sessions(user)
        db.session.commit()
        # Account changes have no audit trail of their own: the log records who did it.
        current_app.logger.warning(
            "Two-step sign-in of user %s (%s) reset by admin %s (%s)",
            user.id,
            user.email,
            current_user.id,
            current_user.email,
        )
        two_factor.send_reset_notice(user)
        flash(_("Two-step sign-in of %(name)s has been reset.", name=user.name), "success")
    return redirect(url_for("admin.users"))
