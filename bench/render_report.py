"""Benchmark: the readiness report of a realistic assessment (the three shipped
questionnaires, 30 respondents in three groups, with comments), in a temporary SQLite
database.

Goals (issue 5): a cold render in 2 s or less and 150 ms or less per page; a cached
download in 20 ms or less. The machine is shared and noisy, so the same run also times two
baselines: a one-page WeasyPrint document in the report's font (what any PDF costs), and
GET /healthz through the same test client (what any request that reads the database
costs).

    .venv/bin/python bench/render_report.py [--respondents 30] [--cold 3] [--cached 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_babel import force_locale
from sqlalchemy import delete
from weasyprint import HTML

from app import PROJECT_ROOT, create_app
from app.extensions import db
from app.models import ReportCache
from app.reports.branding import report_branding
from app.reports.context import build_context
from app.reports.pdf import report_pdf
from app.reports.render import ASSET_ORIGIN, ReportFetcher, render_pdf
from config import TestConfig
from tests import factories


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return (time.perf_counter() - start) * 1000, value


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

    with tempfile.TemporaryDirectory() as folder:

        class BenchConfig(TestConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(folder) / 'bench.sqlite'}"

        app = create_app(BenchConfig)
        with app.app_context():
            db.create_all()
            world = factories.build_world()
            factories.brand(world.organisation, logo=factories.png_logo())
            assessment = factories.answered_assessment(
                world.organisation, world.consultant_assigned, respondents=args.respondents
            )
            questionnaires = [loaded.definition for loaded in factories.all_questionnaires()]
            items = sum(len(d.items) for q in questionnaires for d in q.dimensions)
            print(
                f"{len(factories.all_questionnaires())} questionnaires, {items} items, "
                f"{args.respondents} respondents; SQLite in a temporary folder"
            )
            run(app, assessment, world, args)


def run(app, assessment, world, args) -> None:
    one_page_pdf()  # warm up: fonts, WeasyPrint's own start
    baseline_pdf = [timed(one_page_pdf)[0] for _ in range(5)]

    rows = []
    for language in ("fa", "en"):
        contexts, renders, totals, pages = [], [], [], 0
        for _ in range(args.cold):
            db.session.execute(delete(ReportCache))
            db.session.commit()
            with force_locale(language):
                ms, context = timed(lambda lang=language: build_context(assessment, lang))
                contexts.append(ms)
                logo = report_branding(assessment).logo()
                ms, _pdf = timed(lambda c=context, lg=logo: render_pdf(c, lg))
                renders.append(ms)
            db.session.execute(delete(ReportCache))
            db.session.commit()
            ms, report = timed(lambda lang=language: report_pdf(assessment, lang))
            assert not report.from_cache
            totals.append(ms)
            pages = report.pages
        rows.append((language, pages, median(contexts), median(renders), median(totals)))

    client = app.test_client()
    client.post(
        "/login", data={"email": world.consultant_assigned.email, "password": factories.PASSWORD}
    )
    url = f"/assessments/{assessment.id}/report.pdf?lang=fa"
    # Not ready yet: the "being prepared" page queues the render (in-process here).
    assert client.get(url).status_code == 202
    app.extensions["jobs"].join()
    cached, health = [], []
    for _ in range(args.cached):  # interleaved, so both see the same machine load
        cached.append(timed(lambda: client.get(url))[0])
        health.append(timed(lambda: client.get("/healthz"))[0])
    response = client.get(url)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")

    print()
    print(f"{'':34}{'median ms':>12}")
    print(f"{'baseline: one-page PDF':34}{median(baseline_pdf):12.1f}")
    for language, pages, context_ms, render_ms, total_ms in rows:
        print(f"report ({language}), {pages} pages")
        print(f"{'  build the context':34}{context_ms:12.1f}")
        print(f"{'  HTML to PDF (WeasyPrint)':34}{render_ms:12.1f}")
        print(f"{'  cold download, all in':34}{total_ms:12.1f}   goal <= 2000")
        print(f"{'  per page':34}{total_ms / pages:12.1f}   goal <= 150")
    print(f"{'baseline: GET /healthz':34}{median(health):12.1f}")
    print(f"{'cached download (fa)':34}{median(cached):12.1f}   goal <= 20")
    ratio = median(cached) / median(health)
    print(f"cached download / healthz: {ratio:.1f}x; min cached {min(cached):.1f} ms")


if __name__ == "__main__":
    main()
