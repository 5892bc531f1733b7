"""Signed, expiring links to set or reset a password.

The token carries a fingerprint of the current password hash, so it stops working
as soon as the password changes: each link can be used once.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import db
from app.i18n import localize_digits
from app.mail import send_mail
from app.models import User
from app.urls import external_url

_SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fingerprint": user.credential_fingerprint})


def user_for_reset_token(token: str) -> User | None:
    """The user the token was made for, or None when it is forged, expired or used."""
    try:
        payload = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    user = db.session.get(User, payload.get("user"))
    if user is None or not user.active or payload.get("fingerprint") != user.credential_fingerprint:
        return None
    return user


def send_password_link(user: User) -> None:
    """E-mail ``user`` a link to set a new password (or a first one, when invited)."""
    link = external_url("auth.reset_password", token=make_reset_token(user))
    with force_locale(user.locale):
        subject = _("Set your password for CRM Readiness")
        body = _(
            "Hello %(name)s,\n\nOpen this link to set your password:\n%(link)s\n\n"
            "The link works once and expires in %(minutes)s minutes. "
            "If you did not ask for it, ignore this message.",
            name=user.name,
            link=link,
            minutes=localize_digits(current_app.config["PASSWORD_RESET_MAX_AGE"] // 60),
        )
    send_mail(user.email, subject, body)
