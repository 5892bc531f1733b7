"""Redirects to a place the user asked for, but only within this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, url_for
from werkzeug.wrappers import Response


def is_safe_local_path(target: str | None) -> bool:
    """Accept only a path on this site: no scheme, no host, no protocol-relative
    ('//evil') or backslash tricks that browsers treat as another host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def redirect_back(target: str | None, fallback_endpoint: str = "main.dashboard") -> Response:
    return redirect(target if is_safe_local_path(target) else url_for(fallback_endpoint))
