"""Benchmark: the readiness report of a realistic assessment (the three shipped
questionnaires, 30 respondents in three groups, with comments), in a temporary SQLite
database.

Goals (issues 5 and 14): a cold render in 2 s or less and 150 ms or less per page; a cached
download in 20 ms or less. The machine is shared and noisy, so the same run also times two
baselines: a one-page WeasyPrint document in the report's font (what any PDF costs), and
GET /healthz through the same test client (what any request that reads the database
costs). Each figure is printed in ms, as a multiple of its baseline, and (for the render in
one process) in CPU time, which other processes on the machine disturb less than the clock.

    .venv/bin/python bench/render_report.py [--respondents 30] [--cold 3] [--cached 30]

Where a cold render's time goes (cProfile and WeasyPrint's own steps, Persian, 36 pages;
issue 14 and this bench's "steps" lines):
- Python's cyclic garbage collector: 27 to 34 % of the wall time. WeasyPrint makes
  millions of short-lived objects; every few hundred thousand of them a collection walks
  the whole heap, the app's included. ``render_pdf`` now turns the collector off for the
  render (``collector_paused``): 0.70x the CPU time, about 55 MB more at the peak.
- Layout (step 5): about two thirds. Tables with their text are most of it (the
  per-question appendix alone is 13 pages and about 58 % of the render): line breaking
  with Pango (``split_first_line``), percentages resolved for every box. The tables are
  already laid out with fixed widths (``report.css``).
- Cascade and box building (steps 1 to 4): about a sixth; writing the PDF (steps 6 and 7):
  about a sixth. The context and the cache key: under 5 %.
- In Persian, WeasyPrint laid out every line twice, a third of the render's CPU time:
  ``app/reports/rtl_lines.py`` corrects the check that made it do so.
- Drawing made every text's Pango layout again after layout had dropped it, about a sixth
  of the "Creating PDF" step: ``app/reports/kept_layouts.py`` keeps them until drawn (the
  same PDF byte for byte, about 2 % fewer instructions in all).
Built on that (docs/report.md, "Speed"): the appendix and the rest are laid out at once in
two forked processes and joined (``app/reports/parts.py``). This bench times, in the same
run, the whole report as it was rendered before issue 14 (one process, the collector on,
WeasyPrint's own line layout), the whole in one process as it is now, and ``render_pdf``
(the two parts), and checks that the whole and the parts give the same text on every page.
Two parts can at best halve the time on two cores, and only when nothing else runs on
them. The parts are about even: in single Persian renders on 2026-11-28 the body (23 pages)
and the appendix (17, with its two lead-in pages) were paginated 1.25 to 1.63 s after the
start and written by 1.91 to 2.39 s; joining them took 16 to 19 ms. After pagination,
drawing the pages' text is most of what is left (``draw_text``).
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import delete
from weasyprint import HTML
from weasyprint.layout import inline
from weasyprint.text.line_break import Layout

from app import PROJECT_ROOT
from app.extensions import db
from app.models import ReportCache
from app.reports.branding import report_branding
from app.reports.context import build_context
from app.reports.pdf import report_pdf
from app.reports.render import (
    ASSET_ORIGIN,
    ReportFetcher,
    collector_paused,
    correct_text_layout,
    lay_out,
    render_pdf,
)
from bench.apps import app_on_scratch_sqlite, report_to_render
from tests import factories

# WeasyPrint's own line layout and text layouts' methods, kept before the first render puts
# the corrected ones in their place (app/reports/rtl_lines.py and kept_layouts.py), for
# the render as it was before issue 14.
WEASYPRINTS_OWN_LINE_LAYOUT = inline.get_next_linebox
WEASYPRINTS_OWN_LAYOUT_METHODS = Layout.deactivate, Layout.reactivate


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return (time.perf_counter() - start) * 1000, value


def cpu_timed(function) -> tuple[float, float]:
    """Wall and CPU milliseconds of a call."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


class StepTimes(logging.Handler):
    """WeasyPrint's own steps ("Step 5 - Creating layout - Page 3"), timed from each
    message to the next."""

    def __init__(self):
        super().__init__()
        self.ms: dict[str, float] = defaultdict(float)
        self._step, self._since = "", 0.0

    def emit(self, record: logging.LogRecord) -> None:
        now = time.perf_counter()
        if self._step:
            self.ms[self._step] += (now - self._since) * 1000
        self._step = " - ".join(record.getMessage().split(" - ")[:2])
        self._since = now

    def finish(self) -> None:
        self.emit(logging.makeLogRecord({"msg": ""}))


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def one_page_pdf() -> bytes:
    html = (
        '<html lang="fa" dir="rtl"><head><link rel="stylesheet" href="static/css/report.css">'
        "</head><body><h1>گزارش آمادگی</h1><p>یک صفحه.</p></body></html>"
    )
    fetcher = ReportFetcher(PROJECT_ROOT / "static", {})
    return HTML(string=html, base_url=f"{ASSET_ORIGIN}/", url_fetcher=fetcher).write_pdf()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=30)
    parser.add_argument("--cold", type=int, default=3, help="cold renders per language")
    parser.add_argument("--cached", type=int, default=30, help="cached downloads")
    args = parser.parse_args()

    with app_on_scratch_sqlite() as app, app.app_context():
        world, assessment = report_to_render(args.respondents)
        questionnaires = [loaded.definition for loaded in factories.all_questionnaires()]
        items = sum(len(d.items) for q in questionnaires for d in q.dimensions)
        print(
            f"{len(factories.all_questionnaires())} questionnaires, {items} items, "
            f"{args.respondents} respondents; SQLite in a temporary folder"
        )
        run(app, assessment, world, args)


def run(app, assessment, world, args) -> None:
    one_page_pdf()  # warm up: fonts, WeasyPrint's own start
    # Timed again before every cold render, so the baseline sees the load the renders do.
    baseline_pdf = [timed(one_page_pdf)[0] for _ in range(3)]

    rows = []
    for language in ("fa", "en"):
        contexts, befores, wholes, wholes_cpu, renders, totals = [], [], [], [], [], []
        for _ in range(args.cold):
            db.session.execute(delete(ReportCache))
            db.session.commit()
            baseline_pdf.append(timed(one_page_pdf)[0])
            with force_locale(language):
                ms, context = timed(lambda lang=language: build_context(assessment, lang))
                contexts.append(ms)
                logo = report_branding(assessment).logo()
                befores.append(timed(lambda c=context, lg=logo: as_before_issue_14(c, lg))[0])
                # The whole report laid out in this one process.
                ms, cpu = cpu_timed(lambda c=context, lg=logo: whole_pdf(c, lg))
                wholes.append(ms)
                wholes_cpu.append(cpu)
                ms, rendered = timed(lambda c=context, lg=logo: render_pdf(c, lg))
                renders.append(ms)
            db.session.execute(delete(ReportCache))
            db.session.commit()
            ms, report = timed(lambda lang=language: report_pdf(assessment, lang))
            assert not report.from_cache
            totals.append(ms)
        with force_locale(language):
            same = same_pages(whole_pdf(context, logo), rendered.data)
        rows.append(
            (
                language,
                rendered.pages,
                same,
                *map(median, (contexts, befores, wholes, wholes_cpu, renders, totals)),
                min(renders),
                min(totals),
            )
        )
    steps = weasyprint_steps(assessment)

    client = app.test_client()
    client.post(
        "/login", data={"email": world.consultant_assigned.email, "password": factories.PASSWORD}
    )
    url = f"/assessments/{assessment.id}/report.pdf?lang=fa"
    # Not ready yet: the "being prepared" page queues the render (in-process here).
    assert client.get(url).status_code == 202
    app.extensions["jobs"].join()
    cached, cached_cpu, health, health_cpu = [], [], [], []
    for _ in range(args.cached):  # interleaved, so both see the same machine load
        ms, cpu = cpu_timed(lambda: client.get(url))
        cached.append(ms)
        cached_cpu.append(cpu)
        ms, cpu = cpu_timed(lambda: client.get("/healthz"))
        health.append(ms)
        health_cpu.append(cpu)
    response = client.get(url)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")

    base = median(baseline_pdf)
    print()
    print(f"{'':36}{'median ms':>10}{'x baseline':>12}")
    line("baseline: one-page PDF", base, base)
    for (
        language,
        pages,
        same,
        context_ms,
        before_ms,
        whole_ms,
        whole_cpu,
        render_ms,
        total_ms,
        fastest_render,
        fastest_total,
    ) in rows:
        print(f"report ({language}), {pages} pages; the same text as the whole on {same}")
        line("  build the context", context_ms, base)
        line("  as before issue 14", before_ms, base)
        line("  whole, in one process", whole_ms, base)
        line("    its CPU time", whole_cpu, base)
        line("  in two parts at once (render_pdf)", render_ms, base, "goal <= 2000")
        line("    the fastest", fastest_render, base)
        line("  cold download, all in", total_ms, base, "goal <= 2000")
        line("    the fastest", fastest_total, base)
        line("  per page", total_ms / pages, base, "goal <= 150")
        print(f"{'  two parts / whole':36}{render_ms / whole_ms:10.2f}")
        print(f"{'  two parts / as before issue 14':36}{render_ms / before_ms:10.2f}")
    print("WeasyPrint's steps, the whole Persian report in one process (ms, share)")
    whole = sum(steps.values())
    for step, ms in steps.items():
        print(f"  {step:34}{ms:10.1f}{ms / whole:11.0%}")
    health = median(health)
    line("baseline: GET /healthz", health, health)
    line("cached download (fa)", median(cached), health, "goal <= 20")
    line("  its CPU time", median(cached_cpu), median(health_cpu))
    print(f"min cached {min(cached):.1f} ms")


def as_before_issue_14(context, logo) -> bytes:
    """Today's report rendered as reports were before issue 14: whole, in one process,
    with the collector on, each line of a right-to-left block laid out twice and each
    text's Pango layout made again to draw it."""
    correct_text_layout()  # so that the corrected ones are those put back
    corrected = inline.get_next_linebox, (Layout.deactivate, Layout.reactivate)
    inline.get_next_linebox = WEASYPRINTS_OWN_LINE_LAYOUT
    Layout.deactivate, Layout.reactivate = WEASYPRINTS_OWN_LAYOUT_METHODS
    try:
        return lay_out(context, logo).write_pdf()
    finally:
        inline.get_next_linebox, (Layout.deactivate, Layout.reactivate) = corrected


def whole_pdf(context, logo) -> bytes:
    with collector_paused():
        return lay_out(context, logo).write_pdf()


def same_pages(whole: bytes, parts: bytes) -> str:
    """On how many pages two PDFs have the same text, as "n of m pages"."""
    ours, theirs = (PdfReader(io.BytesIO(data)).pages for data in (parts, whole))
    same = sum(a.extract_text() == b.extract_text() for a, b in zip(ours, theirs, strict=False))
    return f"{same} of {max(len(ours), len(theirs))} pages"


def line(label: str, ms: float, baseline: float, goal: str = "") -> None:
    print(f"{label:36}{ms:10.1f}{ms / baseline:12.1f}   {goal}".rstrip())


def weasyprint_steps(assessment) -> dict[str, float]:
    handler = StepTimes()
    progress = logging.getLogger("weasyprint.progress")
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    try:
        with force_locale("fa"):
            whole_pdf(build_context(assessment, "fa"), report_branding(assessment).logo())
        handler.finish()
    finally:
        progress.removeHandler(handler)
    return dict(handler.ms)


if __name__ == "__main__":
    main()
