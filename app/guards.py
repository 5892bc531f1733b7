"""Checks made before anything reads a request: the host it names, how large a body its
view accepts, and text no form takes.

The host check is the app's own rather than Flask's TRUSTED_HOSTS: Flask refuses an
untrusted host before the request has a URL adapter, so the 400 page, which links to the
stylesheet and the language switch, cannot be drawn and the visitor gets a 500 instead.

Bodies are refused by their declared length (HTTP 413) before a byte is parsed or written
to a temporary file: MAX_CONTENT_LENGTH for every view, more for the views that take a
file, which declare their file's cap with ``accepts_upload``.

No one types a NUL character, and PostgreSQL cannot store one in text (the driver raises
DataError, a 500): a query string or form holding one is refused with 400.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, request
from werkzeug.sansio.utils import host_is_trusted

View = TypeVar("View", bound=Callable)
# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD = 64 * 1024


def accepts_upload(max_file_bytes: int) -> Callable[[View], View]:
    """Let the view's requests carry one file of up to ``max_file_bytes``."""

    def mark(view: View) -> View:
        view.max_file_bytes = max_file_bytes
        return view

    return mark


def upload_cap(endpoint: str | None) -> int | None:
    """The largest file the endpoint's view accepts; None for a view without uploads."""
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "max_file_bytes", None)


def init_app(app: Flask) -> None:
    """Register the checks; called before any extension adds its own request hooks (the
    CSRF check reads the form), so they run first."""

    @app.before_request
    def check_request() -> None:
        if not host_is_trusted(request.host, app.config["ALLOWED_HOSTS"]):
            abort(400)
        cap = upload_cap(request.endpoint)
        if cap is not None:
            request.max_content_length = cap + FORM_OVERHEAD
        if any("\x00" in key + value for key, value in request.values.items(multi=True)):
            abort(400)
