"""One's own account: the signed-in sessions and two-step sign-in."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.auth import sessions, two_factor
from app.auth.forms import (
    WRONG_CODE,
    DisableTwoFactorForm,
    EnableTwoFactorForm,
    EndSessionForm,
    RecoveryCodesForm,
)
from app.auth.routes import bp
from app.extensions import db
from app.forms import ConfirmForm
from app.i18n import localize_digits
from app.models import UserSession
from app.passwords import verify_password
from app.policy import Action, authorize

# What a staff member who must enrol in two-step sign-in may still open.
ENDPOINTS_BEFORE_ENROLMENT = frozenset(
    {"auth.two_factor_setup", "auth.logout", "main.set_language", "main.healthz"}
)


@bp.before_app_request
def check_session_first():
    """Check the signed-in session before any view runs, so that its occasional "last
    seen" write commits on its own. Then, with REQUIRE_2FA_FOR_STAFF, send an admin or
    consultant without two-step sign-in to turn it on before any other page opens."""
    if request.endpoint == "static":
        return None
    signed_in = current_user.is_authenticated
    if (
        signed_in
        and current_app.config["REQUIRE_2FA_FOR_STAFF"]
        and request.endpoint not in ENDPOINTS_BEFORE_ENROLMENT
        and current_user.is_staff
        and not current_user.two_factor_enabled
    ):
        flash(_("Turn on two-step sign-in to continue: it is required for staff."), "info")
        return redirect(url_for("auth.two_factor_setup"))
    return None


@bp.route("/account/sessions")
def signed_in_sessions():
    authorize(Action.MANAGE_OWN_ACCOUNT)
    return render_template(
        "auth/sessions.html",
        records=sessions.live_sessions(current_user),
        current=current_user.signed_in_session,
        device_label=sessions.device_label,
        idle_hours=round(sessions.idle_limit(current_user).total_seconds() / 3600),
        max_age_days=round(current_app.config["SESSION_MAX_AGE_DAYS"]),
        end_form=EndSessionForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/account/sessions/end", methods=["POST"])
def end_session():
    authorize(Action.MANAGE_OWN_ACCOUNT)
    form = EndSessionForm()
    if form.validate_on_submit():
        record = db.session.get(UserSession, form.session_id.data)
        if record is None or record.user_id != current_user.id:
            abort(404)
        sessions.end_session(record)
        if record.id == current_user.signed_in_session.id:
            logout_user()
            flash(_("You have logged out."), "info")
            return redirect(url_for("auth.login"))
        flash(_("That session has been signed out."), "success")
    return redirect(url_for("auth.signed_in_sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
def end_other_sessions():
    authorize(Action.MANAGE_OWN_ACCOUNT)
    if ConfirmForm().validate_on_submit():
        ended = sessions.end_all_sessions(current_user, keep=current_user.signed_in_session)
        db.session.commit()
        flash(
            _("Other sessions signed out: %(count)s.", count=localize_digits(ended))
            if ended
            else _("There were no other sessions."),
            "success",
        )
    return redirect(url_for("auth.signed_in_sessions"))


@bp.route("/account/two-factor")
def two_factor_status():
    authorize(Action.MANAGE_OWN_ACCOUNT)
    return render_template(
        "auth/two_factor.html",
        codes_left=two_factor.unused_recovery_codes(current_user),
        codes_form=RecoveryCodesForm(),
    )


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
def two_factor_setup():
    authorize(Action.MANAGE_OWN_ACCOUNT)
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        return redirect(url_for("auth.two_factor_status"))
    if user.totp_secret is None:
        # The key is made on the first visit and kept until confirmed, so reloading the
        # page (or scanning it from a second device) shows the same code.
        two_factor.start_enrolment(user)
        db.session.commit()
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        if two_factor.use_totp_code(user, form.code.data):
            seed = two_factor.turn_on(user)
            ended = sessions.end_all_sessions(user, keep=user.signed_in_session)
            db.session.commit()
            sessions.renew(user)  # a fresh session cookie: the codes' seed goes in after
            two_factor.show_once(user, seed, ended)
            flash(_("Two-step sign-in is on."), "success")
            return redirect(url_for("auth.new_recovery_codes"))
        form.code.errors.append(WRONG_CODE)
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr_code=two_factor.qr_code_svg(user),
        key=two_factor.grouped_key(user),
    )


@bp.route("/account/two-factor/recovery-codes/new")
def new_recovery_codes():
    """The one time new recovery codes are shown: never cached, never shown again."""
    authorize(Action.MANAGE_OWN_ACCOUNT)
    codes, sessions_ended = two_factor.take_new_recovery_codes(current_user)
    if not codes:
        flash(_("New recovery codes are shown only once, just after they are made."), "info")
        return redirect(url_for("auth.two_factor_status"))
    return render_template("auth/recovery_codes.html", codes=codes, sessions_ended=sessions_ended)


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
def regenerate_recovery_codes():
    authorize(Action.MANAGE_OWN_ACCOUNT)
    user = current_user._get_current_object()
    if not user.two_factor_enabled:
        return redirect(url_for("auth.two_factor_status"))
    form = RecoveryCodesForm()
    if form.validate_on_submit():
        if two_factor.use_totp_code(user, form.code.data):
            seed = two_factor.replace_recovery_codes(user)
            db.session.commit()
            two_factor.show_once(user, seed)
            flash(_("New recovery codes are ready; the old ones no longer work."), "success")
            return redirect(url_for("auth.new_recovery_codes"))
        form.code.errors.append(WRONG_CODE)
    return render_template(
        "auth/two_factor.html",
        codes_left=two_factor.unused_recovery_codes(user),
        codes_form=form,
    )


@bp.route("/account/two-factor/disable", methods=["GET", "POST"])
def disable_two_factor():
    authorize(Action.MANAGE_OWN_ACCOUNT)
    user = current_user._get_current_object()
    if not user.two_factor_enabled:
        return redirect(url_for("auth.two_factor_status"))
    if current_app.config["REQUIRE_2FA_FOR_STAFF"] and user.is_staff:
        flash(_("Two-step sign-in is required for staff and cannot be turned off."), "error")
        return redirect(url_for("auth.two_factor_status"))
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.password.data):
            form.password.errors.append(_("This is not your current password."))
        elif not two_factor.use_second_factor(user, form.code.data):
            form.code.errors.append(WRONG_CODE)
        else:
            two_factor.turn_off(user)
            db.session.commit()
            flash(_("Two-step sign-in is off."), "success")
            return redirect(url_for("auth.two_factor_status"))
    return render_template("auth/two_factor_disable.html", form=form)
