"""Rendering the report: one Jinja template, shown in the browser as an HTML preview and
turned into a PDF by WeasyPrint.

WeasyPrint fetches the stylesheet, fonts and logo through ``ReportFetcher``, which serves
the app's own static files and the report's logo and refuses everything else, so
nothing in a report can read a local file or reach the network.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import mimetypes
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app import PROJECT_ROOT
from app.models.reports import ACCENT_PATTERN, DEFAULT_ACCENT
from app.reports.branding import Logo
from app.reports.context import ReportContext
from app.reports.kept_layouts import keep_text_layouts_for_drawing
from app.reports.parts import one_render_at_a_time, render_in_parts
from app.reports.rtl_lines import lay_out_right_to_left_lines_once

# Part of every cache key, with ``renderer_fingerprint``: bump it when something outside
# the fingerprinted files changes the PDF (WeasyPrint's version, say), so old PDFs are
# rendered anew.
TEMPLATE_VERSION = "2"  # 2: one target level per assessment, groups of 3 or more
# The files that shape a PDF besides its data: a deploy that changes one of them changes
# every cache key. The report's template and every template it imports or includes come
# first (tests/test_reports.py checks that none is missing).
RENDERER_FILES = (
    "templates/reports/report.html",
    "templates/benchmarks/_standing.html",
    "templates/tracker/_evidence.html",
    "static/css/report.css",
    "app/bidi.py",
    "app/charts.py",
    "app/formatting.py",
    "app/i18n.py",
    "app/labels.py",
    "app/assessments/services.py",  # which answers are scored, and how they are read
    "app/assessments/scores.py",
    "app/benchmarks/pool.py",  # the benchmarks' pools and figures
    "app/instrument/benchmarks.py",
    "app/instrument/definitions.py",  # the scoring, down to its arithmetic
    "app/instrument/exact.py",
    "app/instrument/highlights.py",
    "app/instrument/results.py",
    "app/instrument/scoring.py",
    "app/instrument/sharing.py",
    "app/instrument/statistics.py",
    "app/reports/actions.py",
    "app/reports/appendix.py",
    "app/reports/branding.py",
    "app/reports/context.py",
    "app/reports/figures.py",
    "app/reports/kept_layouts.py",
    "app/reports/parts.py",
    "app/reports/render.py",
    "app/reports/rtl_lines.py",
    "app/tracker/kept_figures.py",  # the tracker's evidence: its period, figures and steps
    "app/tracker/metrics.py",
    "app/translations/fa/LC_MESSAGES/messages.po",
    "app/translations/en/LC_MESSAGES/messages.po",
)
# The origin the PDF's own assets are addressed under. It is never contacted: the fetcher
# answers for it from the static folder and the database (".invalid" cannot resolve).
ASSET_ORIGIN = "https://report.invalid"
LOGO_PATH = "/logos/{logo_hash}"


@cache
def renderer_fingerprint() -> str:
    """A hash of the template, stylesheet, translations and code the PDF is made with,
    read once per process."""
    digest = hashlib.sha256(TEMPLATE_VERSION.encode())
    for name in RENDERER_FILES:
        digest.update((PROJECT_ROOT / name).read_bytes())
    return digest.hexdigest()


class AssetRefused(ValueError):
    """The report asked for something other than its own static files and logo."""


class ReportFetcher(URLFetcher):
    """Answers WeasyPrint's requests from the static folder and the logo, and nothing else:
    no ``file://``, no ``data:``, no network, no path outside the static folder."""

    def __init__(self, static_folder: Path, logos: dict[str, Logo]):
        super().__init__()
        self._static = static_folder.resolve()
        self._logos = logos

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:  # noqa: ARG002 - WeasyPrint's
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != ASSET_ORIGIN:
            raise AssetRefused(f"not one of the report's own assets: {url}")
        path = unquote(parts.path)
        if path in self._logos:
            logo = self._logos[path]
            return URLFetcherResponse(url, logo.data, {"Content-Type": logo.mimetype})
        if path.startswith("/static/"):
            target = (self._static / path.removeprefix("/static/")).resolve()
            if target.is_relative_to(self._static) and target.is_file():
                mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": mimetype})
        raise AssetRefused(f"no such report asset: {url}")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def render_pdf(
    context: ReportContext, logo: Logo | None, on_step: Callable[[str], None] = lambda _step: None
) -> RenderedPdf:
    """The report as a PDF; call inside ``force_locale(context.language)``. ``on_step`` hears
    of each stage ("layout", "writing"), for whoever waits for the PDF.

    The body and the appendix are laid out at once in two processes (``render_in_parts``);
    where that cannot be done, the whole in this one."""
    with collector_paused():
        on_step("layout")
        source = _PdfSource(context, logo)

        def whole() -> tuple[bytes, int]:
            document = source.lay_out()
            on_step("writing")
            return document.write_pdf(), len(document.pages)

        data, pages = render_in_parts(
            source.html(part="body"),
            source.html(part="appendix"),
            f"{ASSET_ORIGIN}/",
            source.fetcher,
            whole=whole,
            on_paginated=lambda: on_step("writing"),
        )
        return RenderedPdf(data=data, pages=pages)


class _CollectorPause:
    """Python's cyclic garbage collector off while a render runs. WeasyPrint makes millions
    of short-lived objects, each batch of which triggers a collection that walks the whole
    heap (the app's as well as the render's): that was 27 to 34 % of a render's time. The
    render's cycles are collected after it, by the next collection; the cost is the
    render's memory held a little longer (about 55 MB more at the peak for 40 pages).

    Counted, because the collector is one per process and renders may overlap on the job
    threads: the last render to end turns it back on, and only if it was on before."""

    def __init__(self):
        self._lock = threading.Lock()
        self._renders = 0
        self._was_enabled = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._renders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._renders += 1
        try:
            yield
        finally:
            with self._lock:
                self._renders -= 1
                if self._renders == 0 and self._was_enabled:
                    gc.enable()


collector_paused = _CollectorPause()


def correct_text_layout() -> None:
    """WeasyPrint's text layout as corrected here, once per process: each right-to-left
    line laid out once (rtl_lines.py), each text's Pango layout kept for drawing
    (kept_layouts.py)."""
    lay_out_right_to_left_lines_once()
    keep_text_layouts_for_drawing()


# A page in the report's stylesheet, fonts and both scripts, laid out once to warm up.
_WARM_UP_PAGE = (
    f'<html lang="fa" dir="rtl"><head><link rel="stylesheet" href="{ASSET_ORIGIN}/static/'
    'css/report.css"></head><body><h1>گزارش آمادگی</h1><p>مدیریت ارتباط با مشتری '
    '<bdi dir="ltr">(CRM)</bdi></p></body></html>'
)


def warm_up_renderer() -> None:
    """What the first render in a process pays for once, paid now, in ``flask worker``
    before it takes jobs: each job runs in a work horse forked from it, which would
    otherwise pay it again every time. WeasyPrint's text layout as corrected here, the
    report's template compiled, every language's translations read, and a one-page PDF in
    the report's stylesheet and fonts (fontconfig's, Pango's and HarfBuzz's first use).

    Not in gunicorn's web workers: it adds most of a second to a worker's start, which a
    server restarting its workers pays; ``bench/crash_saves.py``, killing a worker every
    0.1 s, completed 41 of 120 saves in 291 s with it, 98 in 8 s without."""
    start = time.perf_counter()
    correct_text_layout()
    current_app.jinja_env.get_template("reports/report.html")
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            get_translations()
    fetcher = ReportFetcher(Path(current_app.static_folder), {})
    with one_render_at_a_time:
        HTML(string=_WARM_UP_PAGE, base_url=f"{ASSET_ORIGIN}/", url_fetcher=fetcher).write_pdf()
    current_app.logger.info(
        "The report renderer is warmed up (%d ms).", (time.perf_counter() - start) * 1000
    )


def lay_out(context: ReportContext, logo: Logo | None) -> Document:
    """The whole report laid out in pages in this process, before it is written as a PDF."""
    return _PdfSource(context, logo).lay_out()


class _PdfSource:
    """The report's HTML for the PDF, whole or in part, and the fetcher of its assets."""

    def __init__(self, context: ReportContext, logo: Logo | None):
        correct_text_layout()  # before the parts' processes fork
        self._context = context
        self._logo_path = LOGO_PATH.format(logo_hash=context.logo_hash)
        self._has_logo = logo is not None
        logos = {self._logo_path: logo} if logo else {}
        self.fetcher = ReportFetcher(Path(current_app.static_folder), logos)

    def html(self, part: str | None = None) -> str:
        return render_report_html(
            self._context,
            stylesheet_url=f"{ASSET_ORIGIN}/static/css/report.css",
            logo_url=f"{ASSET_ORIGIN}{self._logo_path}" if self._has_logo else None,
            preview=False,
            part=part,
        )

    def lay_out(self) -> Document:
        with one_render_at_a_time:
            return HTML(
                string=self.html(), base_url=f"{ASSET_ORIGIN}/", url_fetcher=self.fetcher
            ).render()


def render_report_html(
    context: ReportContext,
    *,
    stylesheet_url: str,
    logo_url: str | None,
    preview: bool,
    **extra,
) -> str:
    return render_template(
        "reports/report.html",
        report=context,
        stylesheet_url=stylesheet_url,
        logo_url=logo_url,
        page_style=page_style(context),
        preview=preview,
        # A variable, not a literal: Jinja folds a filter on a constant when it compiles the
        # template, and would keep the digits of whichever language rendered it first.
        full_score=100,
        **extra,
    )


def page_style(context: ReportContext) -> Markup:
    """The report's own CSS: the accent colour, page margins and running footer mirrored
    for the text direction, and the charts' label positions. Built here rather than in the
    template so the preview can allow exactly this block (``style_hash``).

    It is markup that needs no escaping: the colour is checked to be #rrggbb, the figures'
    rules hold only numbers and generated ids, and text goes through ``css_string``."""
    rtl = context.direction == "rtl"
    counter_style = "persian" if rtl else "decimal"
    inner, outer = ("margin-right", "margin-left") if rtl else ("margin-left", "margin-right")
    # Page numbers on the outer edge: the right of a right-hand page in LTR, mirrored in RTL.
    right_side, left_side = (
        ("bottom-left", "bottom-right") if rtl else ("bottom-right", "bottom-left")
    )
    page_of = _page_of_pages(counter_style)
    accent = context.accent if ACCENT_PATTERN.match(context.accent) else DEFAULT_ACCENT
    rules = [
        f":root{{--accent:{accent}}}",
        f"@page :right{{{inner}:24mm;{outer}:16mm;@{right_side}{{content:{page_of}}}}}",
        f"@page :left{{{outer}:24mm;{inner}:16mm;@{left_side}{{content:{page_of}}}}}",
        _running_heads(rtl),
        f"ol{{list-style-type:{counter_style}}}",
        f".toc a::after{{content:leader('.') target-counter(attr(href),page,{counter_style})}}",
        context.figures_css,
    ]
    return Markup("\n".join(rules))


def _running_heads(rtl: bool) -> str:
    """The organisation at the top of each page on the side the text starts from, the
    assessment's title on the other. Each is a first-strong isolate in a margin box of its
    own: one line holding both would let a name in the other script swap them round, and
    WeasyPrint lays out two isolates in one line in the wrong order."""
    start, end = ("top-right", "top-left") if rtl else ("top-left", "top-right")
    align = {"top-left": "left", "top-right": "right"}

    def head(box: str, string: str) -> str:
        return f'@{box}{{content:"\\2068" string({string}) "\\2069";text-align:{align[box]}}}'

    return f"@page{{{head(start, 'report-organisation')}{head(end, 'report-title')}}}"


def _page_of_pages(counter_style: str) -> str:
    """'Page 3 of 12' in the report's language, as CSS content with live counters."""
    marker_page, marker_pages = "\x00page\x00", "\x00pages\x00"
    text = _("Page %(page)s of %(pages)s", page=marker_page, pages=marker_pages)
    parts = []
    for piece in text.split("\x00"):
        if piece == "page":
            parts.append(f"counter(page,{counter_style})")
        elif piece == "pages":
            parts.append(f"counter(pages,{counter_style})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def css_string(text: str) -> str:
    """A quoted CSS string: letters, digits and spaces as they are, anything else
    escaped, so no text can end the string or the style block."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def style_hash(style: str) -> str:
    """The CSP source that allows exactly this ``<style>`` block."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
