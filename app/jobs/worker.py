"""``flask worker``: runs the jobs queued on Redis.

RQ's own worker, forking a child ("work horse") per job so that a render's memory is given
back when it ends, with three things of this app's: each job runs in an application context
of its own; failures are logged through the app's logger with what happens next; and a job
whose worker stops answering (killed, machine gone) is taken back after
``JOB_LEASE_SECONDS`` rather than RQ's fixed minute and a half, by whichever worker next
looks after the queue's registries (every worker does, every lease period).
"""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from rq import Worker
from rq.exceptions import AbandonedJobError
from rq.job import Job

from app.extensions import db
from app.jobs import error_line, log_failure
from app.jobs.redis_queue import RedisQueue
from app.reports.prepare import prepare_after_deploy
from app.reports.render import warm_up_renderer


class AppWorker(Worker):
    def __init__(self, app: Flask, queue: RedisQueue):
        self.app = app
        self.lease = app.config["JOB_LEASE_SECONDS"]
        super().__init__(
            [queue.queue],
            connection=queue.connection,
            # The worker confirms its running job three times per lease.
            job_monitoring_interval=max(1, self.lease // 3),
            maintenance_interval=self.lease,
            exception_handlers=[self._on_failure],
        )

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:  # noqa: ARG002
        """How long a running job stays claimed without news from its worker."""
        return self.lease

    def perform_job(self, job, queue, execution) -> bool:
        """In the work horse: the job in an app context of its own. The horse was forked from
        a process that may hold pooled database connections, which it must not share, and
        it exits right after, so its own are closed here."""
        with self.app.app_context():
            db.engine.dispose(close=False)
            try:
                return super().perform_job(job, queue, execution)
            finally:
                db.session.remove()
                db.engine.dispose()

    def _on_failure(self, job: Job, exc_type, exc_value, _traceback) -> bool:
        if issubclass(exc_type, AbandonedJobError):
            error = "its worker stopped answering"
            # Its one execution died with its worker. RQ lists an execution a minute longer
            # than it keeps its record, and a retry that finishes within that minute fails
            # on the missing record when it deletes the job (result_ttl=0): forget it now.
            job.execution_registry.cleanup(timestamp=float("inf"))
        else:
            error = error_line(exc_value)
        retry_in = job.get_retry_interval() if job.should_retry else None
        log_failure(job.func_name, job.args, job.id, error, retry_in)
        return True

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage) -> None:  # noqa: ARG002
        retry_in = job.get_retry_interval() if job.should_retry else None
        log_failure(
            job.func_name,
            job.args,
            job.id,
            f"its process ended unexpectedly (status {ret_val})",
            retry_in,
        )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs that are due now, then exit.")
def worker_command(burst: bool) -> None:
    """Run background jobs (report renders, e-mail) from the Redis queue."""
    queue = current_app.extensions["jobs"]
    if not isinstance(queue, RedisQueue):
        raise click.ClickException(
            "REDIS_URL is not set: without it, jobs run inside the web process and need no worker."
        )
    # The app's own messages (renders, failures and retries) beside RQ's, on stderr.
    current_app.logger.setLevel(logging.INFO)
    prepare_after_deploy()
    warm_up_renderer()  # once here, rather than in every job's work horse
    worker = AppWorker(current_app._get_current_object(), queue)
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
