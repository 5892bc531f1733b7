"""Checks made before anything reads a request.

The host check is the app's own rather than Flask's TRUSTED_HOSTS: Flask refuses an
untrusted host before the request has a URL adapter, so the 400 page, which links to the
stylesheet and the language switch, cannot be drawn and the visitor gets a 500 instead.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.sansio.utils import host_is_trusted


def init_app(app: Flask) -> None:
    """Register the checks; called before any extension adds its own request hooks (the
    CSRF check reads the form), so they run first."""

    @app.before_request
    def check_request() -> None:
        if not host_is_trusted(request.host, app.config["ALLOWED_HOSTS"]):
            abort(400)
