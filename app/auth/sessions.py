"""Signed-in sessions kept on the server, so that signing out, a new password or an
admin's decision ends them wherever their cookies are.

Each sign-in creates a ``UserSession`` with a random secret; Flask's signed session
cookie and Flask-Login's remember-me cookie carry the secret, the database only its
SHA-256. Every request that presents one is checked in ``user_for_token`` (the user
loader): the record must exist, not be revoked, not have idled past its role's limit nor
outlived the absolute lifetime, and its user must be active. The check is the one query
the loader always made; "last seen" is written at most once a minute.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import delete, or_, select, update
from ua_parser import parse as parse_user_agent

from app.extensions import db
from app.i18n import SESSION_KEY as LOCALE_KEY
from app.models import User, UserSession, utcnow

# How stale "last seen" may get before a request writes it again.
TOUCH_INTERVAL = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit(user: User) -> timedelta:
    config = current_app.config
    hours = config["SESSION_IDLE_HOURS_STAFF" if user.is_staff else "SESSION_IDLE_HOURS_MEMBERS"]
    return timedelta(hours=hours)


def max_age() -> timedelta | None:
    days = current_app.config["SESSION_MAX_AGE_DAYS"]
    return timedelta(days=days) if days else None


def is_live(record: UserSession, user: User, now: datetime) -> bool:
    limit = max_age()
    return (
        record.revoked_at is None
        and now - record.last_seen_at <= idle_limit(user)
        and (limit is None or now - record.created_at <= limit)
    )


def user_for_token(token: str) -> User | None:
    """The user whose live session ``token`` is the secret of, else None."""
    row = db.session.execute(
        select(UserSession, User)
        .join(User, UserSession.user_id == User.id)
        .where(UserSession.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    record, user = row
    now = utcnow()
    if not user.active or not is_live(record, user, now):
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        _touch(record, now)
    user.session_token, user.signed_in_session = token, record
    return user


def _touch(record: UserSession, now: datetime) -> None:
    """Write "last seen" and commit it at once. The loader runs before the view does
    anything (``check_session_first`` in app/auth/account.py), so nothing else is pending
    here, and the view's own transaction starts after this write rather than beside it
    (on SQLite, a read begun before another connection's write could not become a write)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == record.id)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def fresh_cookie_session() -> None:
    """Empty Flask's session cookie but for the language choice, so nothing planted in it
    before signing in (such as a CSRF token an attacker knows) survives."""
    locale = session.get(LOCALE_KEY)
    session.clear()
    if locale is not None:
        session[LOCALE_KEY] = locale


def sign_in(user: User, *, remember: bool) -> None:
    """Start a new server-side session for ``user`` in this browser, with a fresh session
    cookie and CSRF token, and forget the user's sessions that have ended."""
    _prune_ended_sessions(user)
    token = secrets.token_urlsafe(32)
    browser, platform = describe_user_agent(request.user_agent.string)
    record = UserSession(
        user=user,
        token_hash=hash_token(token),
        remember=remember,
        browser=browser,
        platform=platform,
        ip_address=(request.remote_addr or "")[:45],
    )
    db.session.add(record)
    db.session.commit()
    user.session_token, user.signed_in_session = token, record
    fresh_cookie_session()
    login_user(user, remember=remember)


def renew(user: User) -> None:
    """Carry this browser's session on under a new secret (after a credential changed),
    ending the old one, so a copy of its cookies taken before the change opens nothing."""
    current = user.signed_in_session
    remember = current.remember if current is not None else False
    if current is not None:
        end_session(current)
    sign_in(user, remember=remember)


def end_session(record: UserSession) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == record.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.commit()


def end_all_sessions(user: User, *, keep: UserSession | None = None) -> int:
    """End every session of ``user`` but ``keep``; the caller commits. Returns how many."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.session.execute(query.values(revoked_at=utcnow())).rowcount


def live_sessions(user: User) -> list[UserSession]:
    """The user's sessions that still open pages, most recently used first."""
    now = utcnow()
    records = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [record for record in records if is_live(record, user, now)]


def _prune_ended_sessions(user: User) -> None:
    """Delete the user's records that can never open a page again, so the table holds
    about one row per signed-in browser."""
    now = utcnow()
    ended = [UserSession.revoked_at.is_not(None), UserSession.last_seen_at < now - idle_limit(user)]
    if (limit := max_age()) is not None:
        ended.append(UserSession.created_at < now - limit)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id, or_(*ended)))


# Names the user-agent rules give that people would not use.
_PLATFORM_NAMES = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}
_DEVICES_NAMED_FOR_THEMSELVES = frozenset({"iPhone", "iPad"})


def describe_user_agent(user_agent: str) -> tuple[str, str]:
    """The browser and the device or system it runs on, as people name them ("Firefox",
    "Windows"; "Mobile Safari", "iPhone"); empty strings where the header says nothing."""
    parsed = parse_user_agent(user_agent or "")
    browser = parsed.user_agent.family if parsed.user_agent else ""
    if parsed.device and parsed.device.family in _DEVICES_NAMED_FOR_THEMSELVES:
        platform = parsed.device.family
    else:
        platform = parsed.os.family if parsed.os else ""
    browser = "" if browser == "Other" else browser
    platform = "" if platform == "Other" else _PLATFORM_NAMES.get(platform, platform)
    return browser[:60], platform[:60]


def device_label(record: UserSession) -> str:
    """The device in a sentence of the reader's language."""
    if record.browser and record.platform:
        return _("%(browser)s on %(platform)s", browser=record.browser, platform=record.platform)
    return record.browser or record.platform or _("An unknown browser")
