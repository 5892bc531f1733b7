"""Outgoing e-mail over SMTP; with no MAIL_SERVER configured the message goes to the
log, so a developer can follow links such as password resets."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def mail_configured() -> bool:
    """Whether messages leave this server at all: pages that tell someone an e-mail was
    sent ask here, so that without a mail server they say it was not."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    if not mail_configured():
        current_app.logger.warning(
            "No MAIL_SERVER configured; e-mail not sent.\nTo: %s\nSubject: %s\n\n%s",
            to,
            subject,
            body,
        )
        return
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
