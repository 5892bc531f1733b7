"""Links that leave the app: in e-mails, and on the page that shows respondents' links
once. They are built from the configured BASE_URL, never from the request: a request's
Host header is whatever the client chose, and a link built from it could send a password
token to someone else's server."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` under BASE_URL (its path prefix included)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
