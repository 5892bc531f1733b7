"""Respondents and their private links: inviting someone, issuing, revoking and checking a
link. Every change is written to the audit trail; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.assessments.services import Actor, AssessmentError, check_inviting, record
from app.extensions import db
from app.models import Assessment, Membership, Organisation, Respondent, User, utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invited_emails(assessment: Assessment) -> set[str]:
    """The addresses already invited to the assessment, in lower case: one person is
    asked once."""
    return set(
        db.session.scalars(
            select(func.lower(Respondent.email)).where(
                Respondent.assessment_id == assessment.id, Respondent.email != ""
            )
        )
    )


def add_respondent(
    assessment: Assessment, *, name: str, email: str, group: str, locale: str, actor: Actor
) -> Respondent:
    """A new respondent; a member of the organisation with this address can also answer
    from their own dashboard. The forms say so first; this refuses an address already
    invited to the assessment, whatever its case."""
    check_inviting(assessment)
    if email and email.lower() in invited_emails(assessment):
        raise AssessmentError(f"{email} is already invited")
    respondent = Respondent(
        assessment=assessment,
        name=name,
        email=email,
        group=group,
        locale=locale,
        user=member_with_email(assessment.organisation, email) if email else None,
    )
    db.session.add(respondent)
    db.session.flush()
    record(assessment, actor, "respondent added", respondent.name)
    return respondent


def member_with_email(organisation: Organisation, email: str) -> User | None:
    """The organisation's member with this address: they can also answer from their
    own dashboard."""
    return db.session.scalar(
        select(User)
        .join(Membership)
        .where(User.email == email, Membership.organisation_id == organisation.id)
    )


def issue_link(
    respondent: Respondent, valid_for: timedelta, actor: Actor, token: str | None = None
) -> str:
    """A new private token for the respondent (any earlier one stops working): ``token``,
    or a random one. Only its hash is stored: the token itself is returned once, to be
    sent or copied."""
    check_inviting(respondent.assessment)
    token = token or secrets.token_urlsafe(32)
    respondent.token_hash = hash_token(token)
    respondent.token_expires_at = utcnow() + valid_for
    respondent.revoked_at = None
    respondent.invited_at = utcnow()
    record(respondent.assessment, actor, "link issued", respondent.name)
    return token


def revoke_link(respondent: Respondent, actor: Actor) -> None:
    check_inviting(respondent.assessment)
    respondent.revoked_at = utcnow()
    record(respondent.assessment, actor, "link revoked", respondent.name)


# What every page of a response reads about the respondent, in the same query: its
# assessment and organisation. The answers are read apart, only the page's own
# (``stored_answers``) with a count of the rest (``answered_count``), or as plain rows
# where every one is needed (``answer_rows``): a respondent near the end holds a hundred of
# them, and loading them all as objects cost more than the rest of the page.
RESPONDING = (joinedload(Respondent.assessment).joinedload(Assessment.organisation),)


def respondent_for_token(token: str) -> Respondent | None:
    """The respondent a link belongs to, unless it is unknown, revoked or expired."""
    respondent = db.session.scalar(
        select(Respondent).where(Respondent.token_hash == hash_token(token)).options(*RESPONDING)
    )
    if respondent is None or respondent.revoked_at is not None:
        return None
    if respondent.token_expires_at is not None and respondent.token_expires_at < utcnow():
        return None
    return respondent


def link_lifetime(assessment: Assessment, default_days: int) -> timedelta:
    """Links last until a day after the deadline, or ``default_days`` without one."""
    if assessment.deadline is None:
        return timedelta(days=default_days)
    end = datetime.combine(assessment.deadline + timedelta(days=1), datetime.min.time())
    return max(end.replace(tzinfo=utcnow().tzinfo) - utcnow(), timedelta(days=1))
