"""Respondents' private links: issuing and e-mailing them, and showing new ones once to the
consultant on the page a form's redirect lands on (Post/Redirect/Get), then never again.

The database keeps only a hash of each link's token. Between the form and that page the
links wait in the consultant's session, a signed cookie, without the tokens themselves:
the tokens of one batch are derived from a random seed (HMAC-SHA256 of the respondent's
id), and the session keeps the seed and the ids, so a list of a hundred respondents still
fits in a cookie. The page recomputes each token and shows it only while it still matches
the stored hash, that is while the link has not been replaced or revoked since.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app, session
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.assessments import respondents
from app.assessments.services import Actor
from app.extensions import db
from app.mail import mail_configured, send_mail
from app.models import Assessment, Respondent
from app.urls import external_url

SESSION_KEY = "new_links"
KEPT_BATCHES = 5  # batches not yet shown (another tab, say); older ones are dropped


def derive_token(seed: bytes, respondent_id: int) -> str:
    digest = hmac.new(seed, str(respondent_id).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_url(token: str) -> str:
    return external_url("respond.start", token=token)


class LinkBatch:
    """The links issued by one request; ``keep`` leaves them for the next page."""

    def __init__(self, assessment: Assessment):
        self.assessment_id = assessment.id
        self.seed = secrets.token_bytes(32)
        self.respondent_ids: list[int] = []

    def invite(self, respondent: Respondent, actor: Actor, reminder: bool = False) -> None:
        """Issue the respondent a fresh link (the old one stops working) and e-mail it (or,
        without a mail server, log it)."""
        lifetime = respondents.link_lifetime(
            respondent.assessment, current_app.config["RESPONDENT_LINK_DAYS"]
        )
        token = derive_token(self.seed, respondent.id)
        respondents.issue_link(respondent, lifetime, actor, token)
        self.respondent_ids.append(respondent.id)
        if respondent.email:
            send_mail(respondent.email, *_invitation(respondent, link_url(token), reminder))

    def keep(self) -> None:
        batch = {
            "assessment": self.assessment_id,
            "seed": base64.b64encode(self.seed).decode(),
            "respondents": self.respondent_ids,
            "mailed": mail_configured(),
        }
        session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[1 - KEPT_BATCHES :], batch]


def _invitation(respondent: Respondent, link: str, reminder: bool) -> tuple[str, str]:
    """The e-mail's subject and body, in the respondent's language."""
    title = respondent.assessment.title
    with force_locale(respondent.locale):
        subject = (
            _("Reminder: %(title)s", title=title)
            if reminder
            else _("Your questionnaire: %(title)s", title=title)
        )
        body = _(
            "Hello %(name)s,\n\n%(organisation)s asks for your view on its readiness for "
            "customer relationship management. Your answers are saved page by page; you "
            "can stop and come back with the same link:\n%(link)s\n\nThank you.",
            name=respondent.name,
            organisation=respondent.assessment.organisation.name,
            link=link,
        )
    return subject, body


@dataclass(frozen=True)
class NewLink:
    respondent: Respondent
    url: str
    mailed: bool  # handed to the mail server (or its queue) for the respondent's address


def take_new_links(assessment: Assessment) -> list[NewLink]:
    """The links issued for this assessment since the consultant last saw it, once: they
    leave the session as they are read."""
    batches = session.get(SESSION_KEY, [])
    mine = [batch for batch in batches if batch["assessment"] == assessment.id]
    if not mine:
        return []
    session[SESSION_KEY] = [batch for batch in batches if batch["assessment"] != assessment.id]
    wanted = {
        respondent_id: (base64.b64decode(batch["seed"]), batch["mailed"])
        for batch in mine
        for respondent_id in batch["respondents"]
    }
    found = db.session.scalars(
        select(Respondent)
        .where(Respondent.assessment_id == assessment.id, Respondent.id.in_(wanted))
        .order_by(Respondent.id)
    )
    links = []
    for respondent in found:
        seed, mailed = wanted[respondent.id]
        token = derive_token(seed, respondent.id)
        if respondent.revoked_at is None and respondent.token_hash == respondents.hash_token(token):
            links.append(NewLink(respondent, link_url(token), mailed and bool(respondent.email)))
    return links
