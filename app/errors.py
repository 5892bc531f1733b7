"""Bilingual error pages."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.guards import upload_cap
from app.i18n import localize_digits

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please go back and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or has moved.")),
    413: (
        _l("Too large"),
        _l(
            "What you sent is larger than this page accepts. Nothing was saved; go back and "
            "send less."
        ),
    ),
    429: (
        _l("Too many attempts"),
        _l("You have tried this too often in a short time. Wait a minute, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. It has been logged; please try again later."),
    ),
}


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    title, default_message = MESSAGES[code]
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default_message
    ), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return render_error(
            400,
            _l(
                "This form has expired or was sent from elsewhere. "
                "Go back, reload the page and send it again."
            ),
        )

    for code in (400, 403, 404, 429):

        @app.errorhandler(code)
        def client_error(error: HTTPException):
            return render_error(error.code)

    @app.errorhandler(413)
    def too_large(_error: HTTPException):
        """Refused by its declared length, before anything was read or saved."""
        cap = upload_cap(request.endpoint)
        if cap is None:
            return render_error(413)
        megabytes = localize_digits(cap // (1024 * 1024))
        return render_error(
            413,
            _l(
                "The file is larger than %(size)s MB. Nothing was saved; go back and choose "
                "a smaller file.",
                size=megabytes,
            ),
        )

    @app.errorhandler(500)
    def server_error(_error: Exception):
        db.session.rollback()
        return render_error(500)
