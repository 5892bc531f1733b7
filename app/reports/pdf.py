"""The report PDF of an assessment: from the cache when nothing it depends on has
changed, else rendered and kept for next time."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from app.extensions import db
from app.models import Assessment
from app.reports.branding import report_branding
from app.reports.cache import cache_key, cached_pdf, store_pdf
from app.reports.context import build_context
from app.reports.render import RenderedPdf, render_pdf


@dataclass(frozen=True)
class ReportPdf:
    data: bytes
    pages: int
    from_cache: bool


def report_pdf(assessment: Assessment, language: str) -> ReportPdf:
    key = cache_key(assessment, language)
    cached = cached_pdf(key)
    if cached is not None:
        return ReportPdf(cached.data, cached.pages, from_cache=True)
    rendered, _current_key = render_and_keep(assessment, language, key)
    return ReportPdf(rendered.data, rendered.pages, from_cache=False)


def render_and_keep(
    assessment: Assessment,
    language: str,
    key: str,
    on_step: Callable[[str], None] = lambda _step: None,
) -> tuple[RenderedPdf, str]:
    """Render the report whose inputs hash to ``key`` and keep it, unless they changed
    while it was being rendered: a PDF of inputs that are no longer current is not kept,
    as it would replace a newer one. Returns the PDF and the key its inputs hash to now.

    The PDF and its row are written in one transaction, so a process killed at any moment
    leaves the cache with the whole PDF or without it."""
    started = time.perf_counter()
    with force_locale(language):
        on_step("scoring")
        context = build_context(assessment, language)
        rendered = render_pdf(context, report_branding(assessment).logo(), on_step)
    current_app.logger.info(
        "Report of assessment %s (%s): %s pages rendered in %.2f s",
        assessment.id,
        language,
        rendered.pages,
        time.perf_counter() - started,
    )
    on_step("saving")
    # End the read transaction: SQLite reads one snapshot per transaction, and the second
    # look must see what was committed during the render.
    db.session.commit()
    current_key = cache_key(assessment, language)
    if current_key == key:
        store_pdf(assessment.id, language, key, rendered.data, rendered.pages)
    return rendered, current_key
