"""Two-step sign-in: time-based one-time codes (TOTP, RFC 6238) from an authenticator
app, and one-time recovery codes for when the app is lost.

A code is accepted for the current 30-second step and the one on either side (clocks
drift), and never twice: the step of the last code accepted is stored, and a code must be
of a later step. Both checks are single conditional UPDATEs, so two requests racing with
the same code cannot both pass.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from flask import session
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete, or_, update

from app.extensions import db
from app.i18n import to_latin_digits
from app.mail import send_mail
from app.models import RecoveryCode, User, utcnow

ISSUER = "CRM Readiness"
RECOVERY_CODE_COUNT = 10
# 16 characters of a 31-letter alphabet: 79 random bits, far beyond guessing, so the
# stored SHA-256 cannot be reversed by trying every code. No 0/O or 1/I/L to confuse.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16
_NEW_CODES_KEY = "new_recovery_codes"


def normalise_code(text: str | None) -> str:
    """What the person typed, without spaces or dashes, in Latin digits and lower case."""
    return "".join(to_latin_digits(text or "").lower().replace("-", "").split())


def start_enrolment(user: User) -> None:
    """Give ``user`` a new key to add to their app; it counts once confirmed."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = None
    user.totp_last_step = None


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(user: User) -> Markup:
    """The key as a QR code, drawn as inline SVG: the page's CSP allows no data: images.
    Safe markup: segno writes only paths and numbers, nothing of the account's text."""
    qr = segno.make(provisioning_uri(user), error="m")
    return Markup(qr.svg_inline(scale=4, dark="#000", light="#fff", border=4))


def grouped_key(user: User) -> str:
    """The key in groups of four letters, for typing into an app by hand."""
    key = user.totp_secret or ""
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (of now and one either side) whose code is ``code``, if any."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = int(time.time()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        expected = totp.generate_otp(candidate)
        if secrets.compare_digest(expected, code):
            return candidate
    return None


def use_totp_code(user: User, typed: str | None) -> bool:
    """Accept a code from the app once: True, and the step is recorded (uncommitted)."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, normalise_code(typed))
    if step is None:
        return False
    accepted = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if accepted:
        user.totp_last_step = step
    return bool(accepted)


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def use_recovery_code(user: User, typed: str | None) -> bool:
    """Accept an unused recovery code once: True, and it is marked used (uncommitted)."""
    code = normalise_code(typed)
    if len(code) != _RECOVERY_LENGTH:
        return False
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(used)


def use_second_factor(user: User, typed: str | None) -> bool:
    """A code from the app or a recovery code, each accepted once."""
    return use_totp_code(user, typed) or use_recovery_code(user, typed)


def recovery_codes_from(seed: bytes) -> list[str]:
    """The codes of one issue, derived from its random seed (HMAC-SHA256 of each code's
    position, written in the alphabet's 31 letters), grouped by four for reading."""
    codes = []
    for position in range(RECOVERY_CODE_COUNT):
        number = int.from_bytes(hmac.new(seed, bytes([position]), hashlib.sha256).digest())
        letters = []
        for _letter in range(_RECOVERY_LENGTH):
            number, index = divmod(number, len(_RECOVERY_ALPHABET))
            letters.append(_RECOVERY_ALPHABET[index])
        code = "".join(letters)
        codes.append("-".join(code[i : i + 4] for i in range(0, len(code), 4)))
    return codes


def replace_recovery_codes(user: User) -> bytes:
    """New recovery codes for ``user``, the old ones void; the caller commits. Only their
    hashes are stored; the seed they derive from is returned for ``show_once``."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    seed = secrets.token_bytes(32)
    db.session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code))
        for code in recovery_codes_from(seed)
    )
    return seed


def show_once(user: User, seed: bytes, sessions_ended: int = 0) -> None:
    """Leave new codes for the page the form redirects to (``auth.new_recovery_codes``,
    Post/Redirect/Get). The session, a signed cookie, keeps only the seed they derive
    from, never the codes; the page takes it out as it shows them."""
    session[_NEW_CODES_KEY] = {
        "user": user.id,
        "seed": base64.b64encode(seed).decode(),
        "sessions_ended": sessions_ended,
    }


def take_new_recovery_codes(user: User) -> tuple[list[str], int]:
    """The codes left by ``show_once`` and how many other sessions ended then, once, while
    the codes are still the user's unused ones (not replaced since); else no codes."""
    issued = session.pop(_NEW_CODES_KEY, None)
    if issued is None or issued.get("user") != user.id:
        return [], 0
    codes = recovery_codes_from(base64.b64decode(issued["seed"]))
    unused = {code.code_hash for code in user.recovery_codes if code.used_at is None}
    if not {_hash_recovery_code(code) for code in codes} <= unused:
        return [], 0
    return codes, issued.get("sessions_ended", 0)


def unused_recovery_codes(user: User) -> int:
    return sum(1 for code in user.recovery_codes if code.used_at is None)


def turn_on(user: User) -> bytes:
    """Confirm enrolment (the caller has checked a code) and issue recovery codes; returns
    their seed, for ``show_once``."""
    user.totp_enabled_at = utcnow()
    return replace_recovery_codes(user)


def turn_off(user: User) -> None:
    """Forget the key and the recovery codes; the caller commits."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def send_reset_notice(user: User) -> None:
    """Tell ``user`` that an admin turned their two-step sign-in off, so a reset they did
    not ask for does not go unnoticed."""
    with force_locale(user.locale):
        subject = _("Your two-step sign-in was reset")
        body = _(
            "Hello %(name)s,\n\nAn administrator has turned off two-step sign-in for your "
            "CRM Readiness account and signed you out everywhere. Sign in with your password "
            "and turn it on again from your account.\n\n"
            "If you did not ask for this, tell your administrator at once.",
            name=user.name,
        )
    send_mail(user.email, subject, body)
