"""Benchmark: a report job in a work horse forked from a worker that has warmed up the
renderer (``warm_up_renderer``, as ``flask worker`` does before it takes jobs), against one
forked from a worker that has not, as before.

RQ forks a work horse for every job, a copy of the worker as it is: whatever the worker
has not done, each job does afresh (compile the report's template, read the translations,
correct WeasyPrint's text layout, WeasyPrint's, Pango's and fontconfig's first use). The
job is timed as it runs in the horse, from the fork to the PDF: the report's context
(the three shipped questionnaires, 30 respondents) and its render, in both languages,
alternately. The same run times a one-page PDF in a horse of the warmed worker, as the
baseline.

    .venv/bin/python bench/warm_worker.py [--jobs 5]

The horses of the worker that has not warmed up are forked first, before it warms up;
the machine is shared and noisy, so compare each line with the baseline of the same run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_babel import force_locale

from app.extensions import db
from app.models import Assessment
from app.reports.branding import report_branding
from app.reports.context import build_context
from app.reports.render import render_pdf, warm_up_renderer
from bench.apps import app_on_scratch_sqlite, report_to_render
from bench.render_report import one_page_pdf


class Times(NamedTuple):
    wall_ms: float
    cpu_ms: float  # the horse's and its render's processes'


def in_a_work_horse(work: Callable[[], object]) -> Times:
    """How long ``work`` takes in a forked child, from the fork to its end."""
    start = time.perf_counter()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the work horse
        os.close(read)
        try:
            work()
        except BaseException:  # noqa: BLE001 - shown, and the parent stops on no answer
            traceback.print_exc()
            os._exit(1)
        wall = (time.perf_counter() - start) * 1000
        cpu = sum(
            usage.ru_utime + usage.ru_stime
            for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        )
        os.write(write, f"{wall} {cpu * 1000}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        told = answer.read().split()
    os.waitpid(pid, 0)
    if not told:
        raise RuntimeError("the work horse failed")
    return Times(*map(float, told))


def warmed_worker(jobs: dict[str, Callable[[], object]], orders: Connection) -> None:
    """A worker that warms up, says how long it took, then runs each job it is sent in a
    work horse of its own and answers with its times."""
    start = time.perf_counter()
    warm_up_renderer()
    orders.send((time.perf_counter() - start) * 1000)
    while (name := orders.recv()) is not None:
        orders.send(in_a_work_horse(jobs[name]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5, help="jobs per language and worker")
    args = parser.parse_args()

    with app_on_scratch_sqlite() as app, app.app_context():
        assessment_id = report_to_render(30)[1].id
        db.session.remove()

        def job(language: str) -> Callable[[], object]:
            def render() -> None:
                db.engine.dispose(close=False)  # as AppWorker.perform_job
                with force_locale(language):
                    assessment = db.session.get(Assessment, assessment_id)
                    context = build_context(assessment, language)
                    render_pdf(context, report_branding(assessment).logo())

            return render

        jobs = {language: job(language) for language in ("fa", "en")}
        jobs["baseline"] = one_page_pdf
        # Forked before anything here is warmed up: this process stays as cold as a
        # worker that does not warm up, and forks that one's horses.
        ours, theirs = multiprocessing.Pipe()
        warm = multiprocessing.get_context("fork").Process(
            target=warmed_worker, args=(jobs, theirs)
        )  # not a daemon: its work horses' renders fork processes of their own
        warm.start()
        warm_up_ms = ours.recv()

        def warmed(name: str) -> Times:
            ours.send(name)
            return ours.recv()

        def cold(name: str) -> Times:
            return in_a_work_horse(jobs[name])

        runners = {"cold": cold, "warm": warmed}
        times = {(worker, name): [] for worker in runners for name in jobs}
        for round_ in range(args.jobs):  # alternately, so both see the same machine
            order = ("cold", "warm") if round_ % 2 else ("warm", "cold")
            for name in jobs:
                for worker in order:
                    times[worker, name].append(runners[worker](name))
        ours.send(None)
        warm.join()

    def median(worker: str, name: str) -> Times:
        runs = times[worker, name]
        return Times(*(statistics.median(column) for column in zip(*runs, strict=True)))

    baseline = median("warm", "baseline").wall_ms
    print(f"{args.jobs} jobs of each; medians, wall ms (x the baseline) and CPU ms")

    def line(label: str, figures: Times) -> None:
        ratio = figures.wall_ms / baseline
        print(f"{label:50}{figures.wall_ms:9.1f}{ratio:8.1f}x{figures.cpu_ms:10.1f} CPU")

    line("baseline: one-page PDF, warmed worker's horse", median("warm", "baseline"))
    line("  the same, the other worker's horse", median("cold", "baseline"))
    print(f"{'the worker warming up, once':50}{warm_up_ms:9.1f}")
    for language in ("fa", "en"):
        cold, warm = median("cold", language), median("warm", language)
        line(f"report job ({language}), worker as before", cold)
        line(f"report job ({language}), worker warmed up", warm)
        print(
            f"{'  saved per job':50}{cold.wall_ms - warm.wall_ms:9.1f}"
            f"{'':9}{cold.cpu_ms - warm.cpu_ms:10.1f} CPU"
        )


if __name__ == "__main__":
    main()
