"""Jobs on Redis with RQ, run by ``flask worker`` on any number of machines.

RQ hands each job to one worker. A job given an id is enqueued with ``unique=True``, which
Redis checks and records in one step, so two web processes queuing the same render at the
same moment queue one job. Finished jobs are deleted at once (``result_ttl=0``): their id
is free again for the next time. Failed ones stay a week for the admin's panel.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, get_current_job
from rq.exceptions import DuplicateJobError, InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from app.jobs import (
    WAITED_STATES,
    FailedJob,
    JobProgress,
    QueueOverview,
    describe,
    last_line,
    retry_intervals,
)

QUEUE_NAME = "crm-readiness"
FAILED_KEPT_SECONDS = 7 * 24 * 3600
WAIT_POLL_SECONDS = 0.1
_STATES = {
    JobStatus.QUEUED: "queued",
    JobStatus.DEFERRED: "queued",
    JobStatus.CREATED: "queued",
    JobStatus.SCHEDULED: "scheduled",
    JobStatus.STARTED: "started",
    JobStatus.FAILED: "failed",
    JobStatus.STOPPED: "failed",
    JobStatus.CANCELED: "failed",
}


class RedisQueue:
    engine = "redis"

    def __init__(self, url: str):
        self.connection = Redis.from_url(url)
        self.queue = Queue(QUEUE_NAME, connection=self.connection)

    def enqueue(
        self,
        function: Callable,
        args: tuple,
        *,
        job_id: str | None,
        at: datetime | None,
        in_front: bool,
    ) -> bool:
        intervals = retry_intervals()
        options = {
            "args": args,
            "job_id": job_id,
            "unique": job_id is not None,
            "result_ttl": 0,
            "failure_ttl": FAILED_KEPT_SECONDS,
            "retry": Retry(max=len(intervals), interval=list(intervals)) if intervals else None,
        }
        try:
            if at is None:
                self.queue.enqueue(function, at_front=in_front, **options)
            else:
                self.queue.enqueue_at(at, function, **options)
        except DuplicateJobError:
            if in_front:
                self._to_the_front(job_id)
            return False
        return True

    def _to_the_front(self, job_id: str) -> None:
        """The job out of its place in the line and in at the front, if it still waits
        there: taken out by one call, so a worker that takes it meanwhile runs it once."""
        if self.connection.lrem(self.queue.key, 1, job_id):
            self.queue.push_job_id(job_id, at_front=True)

    def progress(self, job_id: str) -> JobProgress | None:
        try:
            job = Job.fetch(job_id, connection=self.connection)
        except NoSuchJobError:
            return None
        state = _STATES.get(job.get_status(refresh=False))
        if state is None:  # finished
            return None
        ahead = (job.get_position() or 0) if state == "queued" else 0
        return JobProgress(state, job.meta.get("step", ""), ahead)

    def wait(self, job_id: str, timeout: float) -> JobProgress | None:
        """Polled: RQ announces no job's end, and a few looks a second cost Redis little."""
        deadline = time.monotonic() + timeout
        while (progress := self.progress(job_id)) is not None and progress.state in WAITED_STATES:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(WAIT_POLL_SECONDS, left))
        return progress

    def set_step(self, step: str) -> None:
        job = get_current_job()
        if job is not None:
            job.meta["step"] = step
            job.save_meta()

    def current_step(self) -> str:
        job = get_current_job()
        return job.get_meta().get("step", "") if job is not None else ""

    def overview(self, limit: int) -> QueueOverview:
        # Looking after the registries (taking back jobs whose worker died) is the
        # workers' part, with their handlers: read them as they are.
        failed = self.queue.failed_job_registry
        try:
            ids = failed.get_job_ids(0, limit - 1, desc=True, cleanup=False)
            jobs = [job for job in Job.fetch_many(ids, connection=self.connection) if job]
            return QueueOverview(
                engine=self.engine,
                waiting=self.queue.count,
                scheduled=self.queue.scheduled_job_registry.get_job_count(cleanup=False),
                running=self.queue.started_job_registry.get_job_count(cleanup=False),
                failed_count=failed.get_job_count(cleanup=False),
                failed=[_failed(job) for job in jobs],
            )
        except RedisError:
            return QueueOverview(engine=self.engine, reachable=False)

    def retry(self, job_id: str) -> bool:
        """Back in the queue, with its tries renewed."""
        try:
            job = Job.fetch(job_id, connection=self.connection)
            job.retries_left = len(retry_intervals()) or None
            job.save()
            self.queue.failed_job_registry.requeue(job)
        except (NoSuchJobError, InvalidJobOperation):
            return False
        return True


def _failed(job: Job) -> FailedJob:
    result = job.latest_result()
    error = result.exc_string if result is not None and result.exc_string else ""
    ended = job.ended_at.replace(tzinfo=UTC) if job.ended_at else None
    return FailedJob(job.id, describe(job.func_name, job.args), ended, last_line(error))
