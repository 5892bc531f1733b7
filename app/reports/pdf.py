"""The report PDF of an assessment: from the cache when nothing it depends on has
changed, else rendered and kept for next time."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale

from app.models import Assessment
from app.reports.branding import report_branding
from app.reports.cache import cache_key, cached_pdf, store_pdf
from app.reports.context import build_context
from app.reports.render import render_pdf


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
    started = time.perf_counter()
    with force_locale(language):
        rendered = render_pdf(
            build_context(assessment, language), report_branding(assessment).logo()
        )
    current_app.logger.info(
        "Report of assessment %s (%s): %s pages rendered in %.2f s",
        assessment.id,
        language,
        rendered.pages,
        time.perf_counter() - started,
    )
    store_pdf(assessment.id, language, key, rendered.data, rendered.pages)
    return ReportPdf(rendered.data, rendered.pages, from_cache=False)
