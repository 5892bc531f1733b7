"""Background jobs: report renders and e-mail, off the request's path.

With ``REDIS_URL`` set, jobs wait in a Redis queue (RQ) for ``flask worker``, which may run
on this machine or on others beside it (``app/jobs/redis_queue.py``, ``app/jobs/worker.py``).
Without it, as in development, they run on a few threads of the web process itself and
nothing else is needed (``app/jobs/in_process.py``). Both engines answer the same calls
below, so a feature queues a job, reports its steps and shows its progress the same way
on either.

A job is a plain function of plain arguments (ids, strings) that runs in an application
context of its own. It must be safe to run again: a failed job is retried a few times with
growing pauses (``JOB_RETRY_INTERVALS``), and a job whose worker died is run again. A job
given an id is queued once: queuing it again while it waits, runs or lies failed does
nothing, which is how many people asking for one report queue one render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask import Flask, current_app
from flask_babel import force_locale

logger = logging.getLogger(__name__)

# How the admin's panel names one run of a task, by the task's dotted name: a function of
# the job's arguments giving text in the reader's language.
_LABELS: dict[str, Callable[..., str]] = {}


def task(label: Callable[..., str]):
    """Mark a function as a job, with how the admin's panel names one of its runs."""

    def register(function):
        _LABELS[task_name(function)] = label
        return function

    return register


def task_name(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def describe(name: str, args: tuple) -> str:
    label = _LABELS.get(name)
    return str(label(*args)) if label else name


WAITED_STATES = ("queued", "started")  # the states ``wait`` waits through


@dataclass(frozen=True)
class JobProgress:
    """Where one job is: "queued" (with how many jobs wait before it), "scheduled" (waiting
    to try again after a failure, or for a burst of changes to settle), "started" (with the
    last step the task reported) or "failed" (no tries left)."""

    state: str
    step: str = ""
    ahead: int = 0


@dataclass(frozen=True)
class FailedJob:
    id: str
    description: str
    failed_at: datetime | None
    error: str  # the exception's last line


@dataclass(frozen=True)
class QueueOverview:
    engine: str  # "redis" or "in-process"
    waiting: int = 0
    scheduled: int = 0  # waiting to try again, or for a burst of changes to settle
    running: int = 0
    failed_count: int = 0
    failed: list[FailedJob] = field(default_factory=list)  # the latest few
    reachable: bool = True  # False when Redis does not answer


class JobQueue(Protocol):
    engine: str

    def enqueue(
        self,
        function: Callable,
        args: tuple,
        *,
        job_id: str | None,
        at: datetime | None,
        in_front: bool,
    ) -> bool: ...

    def progress(self, job_id: str) -> JobProgress | None: ...

    def wait(self, job_id: str, timeout: float) -> JobProgress | None: ...

    def set_step(self, step: str) -> None: ...

    def current_step(self) -> str: ...

    def overview(self, limit: int) -> QueueOverview: ...

    def retry(self, job_id: str) -> bool: ...


def init_app(app: Flask) -> None:
    """Pick the engine. Nothing connects yet: Redis is reached on the first job."""
    if app.config.get("REDIS_URL"):
        from app.jobs.redis_queue import RedisQueue

        app.extensions["jobs"] = RedisQueue(app.config["REDIS_URL"])
    else:
        from app.jobs.in_process import InProcessQueue

        app.extensions["jobs"] = InProcessQueue(app, app.config["JOB_THREADS"])
    app.add_template_global(overview, "job_queue_overview")


def queue() -> JobQueue:
    return current_app.extensions["jobs"]


def enqueue(
    function: Callable,
    *args,
    job_id: str | None = None,
    at: datetime | None = None,
    in_front: bool = False,
) -> bool:
    """Queue ``function(*args)``, at once or at ``at``. With ``job_id``, nothing happens
    while a job of that id waits, runs or lies failed; returns whether it was queued.

    ``in_front``: someone waits for it (a download, an e-mail), so it goes to the front of
    the line, before the jobs nobody waits for (reports rendered ahead); a job of that id
    already waiting its turn is moved there."""
    return queue().enqueue(function, args, job_id=job_id, at=at, in_front=in_front)


def progress(job_id: str) -> JobProgress | None:
    """None once the job is done (or was never queued)."""
    return queue().progress(job_id)


def wait(job_id: str, timeout: float) -> JobProgress | None:
    """Wait up to ``timeout`` seconds while the job waits its turn or runs; its progress
    then (None once it is done). A job failed, or pausing before another try, is not
    waited for."""
    return queue().wait(job_id, timeout)


def step(name: str) -> None:
    """Record how far the running job has come (shown to whoever waits for it)."""
    queue().set_step(name)


def current_step() -> str:
    """The last step the running job recorded, in this run or a previous one: lets a job
    that is run again skip what it had already done (an e-mail already sent)."""
    return queue().current_step()


def overview(limit: int = 20) -> QueueOverview:
    return queue().overview(limit)


def retry(job_id: str) -> bool:
    """Run a failed job again; False when no failed job has that id."""
    return queue().retry(job_id)


def retry_intervals() -> tuple[int, ...]:
    """Seconds to wait before each new try of a failed job; one try per entry."""
    return tuple(current_app.config["JOB_RETRY_INTERVALS"])


def log_failure(
    name: str,
    args: tuple,
    job_id: str,
    error: str,
    retry_in: int | None,
    exc_info: BaseException | None = None,
) -> None:
    """Log a failed try of a job and what comes next, in English whoever's request (if
    any) is being served."""
    with force_locale("en"):
        description = describe(name, args)
    if retry_in is None:
        logger.error(
            "Job %s (%s) failed for good: %s", job_id, description, error, exc_info=exc_info
        )
    else:
        logger.warning(
            "Job %s (%s) failed: %s; trying again in %s s",
            job_id,
            description,
            error,
            retry_in,
            exc_info=exc_info,
        )


def error_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip().removesuffix(":")


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""
