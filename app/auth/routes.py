"""Signing in (in one or two steps) and out, changing and resetting passwords."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from app.auth import sessions, two_factor
from app.auth.forms import (
    WRONG_CODE,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ResetPasswordForm,
    TwoFactorLoginForm,
)
from app.auth.password_links import send_password_link, user_for_reset_token
from app.extensions import db, limiter, login_manager
from app.i18n import localize_digits
from app.models import User, utcnow
from app.passwords import hash_password, needs_rehash, verify_password
from app.policy import Action, authorize
from app.redirects import is_safe_local_path, redirect_back

bp = Blueprint("auth", __name__)

# A sign-in waiting for its second step, kept in the signed session cookie: whose, for
# which password, since when. It lapses after a few minutes or when the password changes.
PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 300


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The user of a live signed-in session: the one place every request is checked."""
    return sessions.user_for_token(session_token)


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _password_mail_rate_limit() -> str:
    return current_app.config["PASSWORD_MAIL_RATE_LIMIT"]


def _pending_account_key() -> str:
    """Counts second-step attempts per account too, whoever's address they come from."""
    pending = session.get(PENDING_KEY)
    return f"two-factor:{pending.get('user') if isinstance(pending, dict) else None}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect_back(request.args.get("next"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data))
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        if user is not None and password_ok and user.active:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            if user.two_factor_enabled:
                db.session.commit()
                _await_second_step(user, form.remember.data, request.args.get("next"))
                return redirect(url_for("auth.login_two_factor"))
            user.last_login_at = utcnow()
            sessions.sign_in(user, remember=form.remember.data)
            return redirect_back(request.args.get("next"))
        # One message for every failure, so the page never tells whether an account exists.
        flash(_("The e-mail or password is not correct."), "error")
    return render_template("auth/login.html", form=form)


def _await_second_step(user: User, remember: bool, next_url: str | None) -> None:
    sessions.fresh_cookie_session()
    session[PENDING_KEY] = {
        "user": user.id,
        "fingerprint": user.credential_fingerprint,
        "remember": bool(remember),
        "next": next_url if is_safe_local_path(next_url) else None,
        "since": int(time.time()),
    }


def _pending_sign_in() -> tuple[User, dict] | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if (
        user is None
        or not user.active
        or not user.two_factor_enabled
        or user.credential_fingerprint != pending.get("fingerprint")
    ):
        return None
    return user, pending


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
@limiter.limit(_login_rate_limit, methods=["POST"], key_func=_pending_account_key)
def login_two_factor():
    if current_user.is_authenticated:
        return redirect_back(None)
    pending = _pending_sign_in()
    if pending is None:
        if session.pop(PENDING_KEY, None) is not None:
            flash(_("The sign-in took too long. Log in again."), "info")
        return redirect(url_for("auth.login"))
    user, state = pending
    form = TwoFactorLoginForm()
    if form.validate_on_submit():
        if two_factor.use_totp_code(user, form.code.data):
            used_recovery_code = False
        elif two_factor.use_recovery_code(user, form.code.data):
            used_recovery_code = True
        else:
            form.code.errors.append(WRONG_CODE)
            return render_template("auth/login_two_factor.html", form=form)
        user.last_login_at = utcnow()
        sessions.sign_in(user, remember=state["remember"])
        if used_recovery_code:
            left = two_factor.unused_recovery_codes(user)
            flash(
                _(
                    "You signed in with a recovery code. Recovery codes left: %(count)s.",
                    count=localize_digits(left),
                ),
                "info",
            )
        return redirect_back(state.get("next"))
    return render_template("auth/login_two_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated and current_user.signed_in_session is not None:
        sessions.end_session(current_user.signed_in_session)
    logout_user()
    session.pop(PENDING_KEY, None)
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    authorize(Action.MANAGE_OWN_ACCOUNT)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            user = current_user._get_current_object()
            user.password_hash = hash_password(form.password.data)
            ended = sessions.end_all_sessions(user, keep=user.signed_in_session)
            db.session.commit()
            sessions.renew(user)  # this browser stays signed in, under a new secret
            flash(_("Your password has been changed."), "success")
            if ended:
                flash(
                    _("Other sessions signed out: %(count)s.", count=localize_digits(ended)),
                    "info",
                )
            return redirect(url_for("main.dashboard"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_password_mail_rate_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data))
        if user is not None and user.active:
            send_password_link(user)
        # The same answer whether or not the account exists.
        flash(
            _(
                "If an account uses that address, a link to reset the password has been sent "
                "to it. The link works once and expires in %(minutes)s minutes.",
                minutes=localize_digits(current_app.config["PASSWORD_RESET_MAX_AGE"] // 60),
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = user_for_reset_token(token)
    if user is None:
        flash(_("This link is invalid, expired or already used. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.password_hash = hash_password(form.password.data)
        # Whoever may have known the old password is signed out everywhere.
        sessions.end_all_sessions(user)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        flash(_("Your password has been set. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, user=user)
