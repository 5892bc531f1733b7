"""Shared pieces of the browser tests: Debian's Chromium driven by Playwright (never a
browser that Playwright downloads), and a page-level log-in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Werkzeug's test server leaves a static file open when the browser drops a connection
# it no longer needs (a font already loaded); that is the server's, not the app's.
SERVER_WARNINGS = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def require_chromium() -> None:
    """Skip without Chromium on a developer's machine; in CI its absence is a failure."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("CI needs Debian's chromium for the browser tests", pytrace=False)
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


def log_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", user.email)
    page.fill("#password", factories.PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/dashboard")
