"""The app's addresses: the ids its paths and query strings carry, and the absolute links
that leave it.

Ids are bounded so that a number no id column can hold is simply not found (404) rather
than a 500, for anonymous visitors too: past 2**63 - 1 the SQLite driver raises
OverflowError, and past 2**31 - 1 PostgreSQL refuses to compare it with an integer
column ("integer out of range").

Links that leave the app (in e-mails, and on the page that shows respondents' links
once) are built from the configured BASE_URL, never from the request: a request's Host
header is whatever the client chose, and a link built from it could send a password
token to someone else's server.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the ids are Integer columns: 32 bits on PostgreSQL


class IdConverter(IntegerConverter):
    """``<int:...>`` for the whole app: a whole number from 0 to MAX_ID, else no match."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def row_id(text: str) -> int:
    """An id from a query string, for ``request.args.get(name, type=row_id)``: a value out
    of range raises ValueError, which ``get`` turns into its default."""
    value = int(text)
    if not 0 <= value <= MAX_ID:
        raise ValueError(f"{text} is not an id")
    return value


def init_app(app: Flask) -> None:
    """Before any blueprint adds its rules, which take their converters when added."""
    app.url_map.converters["int"] = IdConverter


def external_url(endpoint: str, **values) -> str:
    """The absolute address of ``endpoint`` under BASE_URL (its path prefix included)."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
