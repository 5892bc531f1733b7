"""Outgoing e-mail. With MAIL_SERVER set, ``send_mail`` queues the message and a background
job hands it to the SMTP server, so a request never waits for it (and a password page
answers as fast for an address that has an account as for one that has none). Without
MAIL_SERVER the message goes to the log at once, so a developer can follow links such as
password resets.

A message is sent at least once: a delivery that fails is tried again (``app/jobs``), and
one whose worker dies just after the server accepted it is sent twice. A delivery that got
as far as the server's acceptance records it, so a job run again after that skips it.
"""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _

from app import jobs

_SENT = "sent"  # the step a delivery records once the server has accepted it


def mail_configured() -> bool:
    """Whether messages leave this server at all: pages that tell someone an e-mail was
    sent ask here, so that without a mail server they say it was not."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> str | None:
    """Queue the message, in front of the jobs nobody waits for (reports rendered ahead of
    time, which take seconds each, where a message takes a moment): someone waits for a
    password link or an invitation. Returns its job's id; None when it went to the log."""
    if not mail_configured():
        current_app.logger.warning(
            "No MAIL_SERVER configured; e-mail not sent.\nTo: %s\nSubject: %s\n\n%s",
            to,
            subject,
            body,
        )
        return None
    job_id = f"mail-{uuid.uuid4().hex}"
    jobs.enqueue(deliver_mail, to, subject, body, job_id=job_id, in_front=True)
    return job_id


@jobs.task(
    label=lambda to, subject, _body: _(
        "E-mail to %(address)s: %(subject)s", address=to, subject=subject
    )
)
def deliver_mail(to: str, subject: str, body: str) -> None:
    if jobs.current_step() == _SENT:
        return
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
        jobs.step(_SENT)
