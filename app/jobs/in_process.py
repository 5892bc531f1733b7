"""Jobs run on a few threads of the web process, for running without Redis (``make run``).

A thread is started when a job is queued and none is free, and ends when nothing is left
to do, so an idle process keeps no thread. Waiting, running and failed jobs live in this
process's memory only: with several web processes and no Redis, each has its own queue (a
render asked for twice may then run twice; its result is the same, see
``app/reports/prepare.py``). A deployment with several processes sets ``REDIS_URL``.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import uuid4

from flask import Flask

from app.jobs import (
    WAITED_STATES,
    FailedJob,
    JobProgress,
    QueueOverview,
    describe,
    error_line,
    log_failure,
    retry_intervals,
    task_name,
)
from app.models.base import utcnow

FAILED_KEPT = 100  # the oldest failed jobs beyond this many are forgotten
_order = itertools.count()


@dataclass
class _Job:
    id: str
    function: Callable
    args: tuple
    run_at: float  # time.monotonic()
    state: str = "queued"  # queued, scheduled, started, failed
    step: str = ""
    tries: int = 0
    failed_at: datetime | None = None
    error: str = ""  # the exception's type and message
    order: int = field(default_factory=lambda: next(_order))
    # Below 0 once put in front of the line (``in_front``), the latest put there first.
    front: int = 0

    @property
    def description(self) -> str:
        return describe(task_name(self.function), self.args)


class InProcessQueue:
    engine = "in-process"

    def __init__(self, app: Flask, threads: int):
        self._app = app
        self._max_threads = max(1, threads)
        self._threads = 0
        self._busy = 0
        self._changed = threading.Condition()
        self._jobs: dict[str, _Job] = {}  # waiting, running and failed, by id
        self._running = threading.local()

    def enqueue(
        self,
        function: Callable,
        args: tuple,
        *,
        job_id: str | None,
        at: datetime | None,
        in_front: bool,
    ) -> bool:
        delay = max(0.0, (at - utcnow()).total_seconds()) if at else 0.0
        with self._changed:
            job_id = job_id or uuid4().hex
            job = self._jobs.get(job_id)
            queued = job is None
            if queued:
                job = self._jobs[job_id] = _Job(
                    job_id,
                    function,
                    args,
                    time.monotonic() + delay,
                    state="scheduled" if delay else "queued",
                )
            elif not (in_front and job.state == "queued"):
                return False
            if in_front:
                job.front = -next(_order)
            self._wake()
        return queued

    def _wake(self) -> None:
        """Tell the threads there is work; start one if all are busy. Hold the lock."""
        if self._threads - self._busy == 0 and self._threads < self._max_threads:
            self._threads += 1
            threading.Thread(target=self._work, name="job-runner", daemon=True).start()
        self._changed.notify_all()

    def _work(self) -> None:
        while (job := self._next_job()) is not None:
            self._run(job)

    def _next_job(self) -> _Job | None:
        """The next job due, once it is due; None (and the thread ends) when none waits."""
        with self._changed:
            while True:
                waiting = self._waiting()
                if not waiting:
                    self._threads -= 1
                    self._changed.notify_all()
                    return None
                job = waiting[0]
                pause = job.run_at - time.monotonic()
                if pause <= 0:
                    job.state = "started"
                    self._busy += 1
                    return job
                self._changed.wait(pause)

    def _waiting(self) -> list[_Job]:
        jobs = [job for job in self._jobs.values() if job.state in ("queued", "scheduled")]
        return sorted(jobs, key=lambda job: (job.front, job.run_at, job.order))

    def _run(self, job: _Job) -> None:
        self._running.job = job
        try:
            with self._app.app_context():
                job.function(*job.args)
        except Exception as error:  # noqa: BLE001 - a job's failure is logged and retried
            self._failed(job, error)
        else:
            with self._changed:
                del self._jobs[job.id]
        finally:
            self._running.job = None
            with self._changed:
                self._busy -= 1
                self._changed.notify_all()

    def _failed(self, job: _Job, error: Exception) -> None:
        with self._app.app_context():
            intervals = retry_intervals()
            retry_in = intervals[job.tries] if job.tries < len(intervals) else None
            log_failure(
                task_name(job.function), job.args, job.id, error_line(error), retry_in, error
            )
        with self._changed:
            job.error = error_line(error)
            if retry_in is None:
                job.state, job.failed_at = "failed", utcnow()
                self._forget_old_failures()
            else:
                job.tries += 1
                job.state, job.run_at = "scheduled", time.monotonic() + retry_in

    def _forget_old_failures(self) -> None:
        failed = sorted(
            (job for job in self._jobs.values() if job.state == "failed"),
            key=lambda job: job.failed_at,
        )
        for job in failed[:-FAILED_KEPT]:
            del self._jobs[job.id]

    def progress(self, job_id: str) -> JobProgress | None:
        with self._changed:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            ahead = 0
            if job.state == "queued":
                ahead = self._waiting().index(job)
            return JobProgress(job.state, job.step, ahead)

    def wait(self, job_id: str, timeout: float) -> JobProgress | None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while (job := self._jobs.get(job_id)) is not None and job.state in WAITED_STATES:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
        return self.progress(job_id)

    def set_step(self, step: str) -> None:
        job = getattr(self._running, "job", None)
        if job is not None:
            job.step = step

    def current_step(self) -> str:
        job = getattr(self._running, "job", None)
        return job.step if job is not None else ""

    def overview(self, limit: int) -> QueueOverview:
        with self._changed:
            jobs = list(self._jobs.values())
        failed = sorted(
            (job for job in jobs if job.state == "failed"),
            key=lambda job: job.failed_at,
            reverse=True,
        )
        return QueueOverview(
            engine=self.engine,
            waiting=sum(job.state == "queued" for job in jobs),
            scheduled=sum(job.state == "scheduled" for job in jobs),
            running=sum(job.state == "started" for job in jobs),
            failed_count=len(failed),
            failed=[
                FailedJob(job.id, job.description, job.failed_at, job.error)
                for job in failed[:limit]
            ],
        )

    def retry(self, job_id: str) -> bool:
        with self._changed:
            job = self._jobs.get(job_id)
            if job is None or job.state != "failed":
                return False
            job.state, job.run_at, job.tries = "queued", time.monotonic(), 0
            self._wake()
        return True

    def join(self, timeout: float = 120) -> None:
        """Wait until no job waits or runs (failed ones stay): what a test does before it
        looks at a job's result."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while any(job.state != "failed" for job in self._jobs.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("background jobs still running")
                self._changed.wait(left)
