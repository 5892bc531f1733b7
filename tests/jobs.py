"""Shared pieces of the tests of background jobs: waiting for the in-process queue, real
``flask worker`` processes on the Redis at 127.0.0.1:6379 (database 5, the tests' own), and
a real SMTP server on loopback that can answer slowly, hold its greeting or refuse."""

from __future__ import annotations

import os
import socketserver
import subprocess
import sys
import threading
import time

import pytest
from flask import Flask
from redis import Redis
from redis.exceptions import RedisError

from app import PROJECT_ROOT, create_app
from config import TestConfig

# Database 5 unless told otherwise: two suites running side by side each take their own.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
WORKER_LEASE_SECONDS = 2


def join_jobs(app: Flask) -> None:
    """Wait for the in-process queue to run everything it holds."""
    app.extensions["jobs"].join()


def download_report(client, assessment, language: str):
    """A report's PDF as a reader gets it: the "being prepared" page (HTTP 202) when it is
    not ready, then, once the render has run, the file."""
    url = f"/assessments/{assessment.id}/report.pdf?lang={language}"
    response = client.get(url)
    if response.status_code == 202:
        join_jobs(client.application)
        response = client.get(url)
    return response


def redis_or_skip() -> Redis:
    """The tests' Redis database, emptied; skipped where no Redis runs, except in CI."""
    connection = Redis.from_url(TEST_REDIS_URL)
    try:
        connection.ping()
    except RedisError:
        if os.environ.get("CI"):
            pytest.fail("CI needs Redis on 127.0.0.1:6379 for the worker tests", pytrace=False)
        pytest.skip("no Redis on 127.0.0.1:6379")
    connection.flushdb()
    return connection


def worker_app() -> Flask:
    """The app a test's worker process runs (``FLASK_APP=tests.jobs:worker_app``): the test
    run's database (TestConfig reads TEST_DATABASE_URL), the tests' Redis, a short lease,
    and the mail server the test gives it. (A job's retry pauses are set where it is
    queued.)"""

    class WorkerConfig(TestConfig):
        REDIS_URL = TEST_REDIS_URL
        JOB_LEASE_SECONDS = WORKER_LEASE_SECONDS
        MAIL_SERVER = os.environ.get("MAIL_SERVER")
        MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        MAIL_USE_TLS = False

    return create_app(WorkerConfig)


def _worker_command(database_url: str, *options: str, **settings) -> dict:
    env = {
        **os.environ,
        "FLASK_APP": "tests.jobs:worker_app",
        "TEST_DATABASE_URL": database_url,
        "PYTHONPATH": str(PROJECT_ROOT),
        **{name: str(value) for name, value in settings.items()},
    }
    return {
        "args": [sys.executable, "-m", "flask", "worker", *options],
        "cwd": PROJECT_ROOT,
        "env": env,
        "stdout": subprocess.PIPE,
        "stderr": subprocess.STDOUT,
        "text": True,
    }


def run_worker(database_url: str, **settings) -> str:
    """``flask worker --burst``: run what is due, exit; returns what it printed."""
    finished = subprocess.run(
        **_worker_command(database_url, "--burst", **settings), timeout=180, check=False
    )
    assert finished.returncode == 0, finished.stdout
    return finished.stdout


def start_worker(database_url: str, **settings) -> subprocess.Popen:
    """A long-running ``flask worker`` in a session of its own (so it can be killed whole)."""
    return subprocess.Popen(**_worker_command(database_url, **settings), start_new_session=True)


def stop_worker(worker: subprocess.Popen) -> str:
    worker.terminate()
    output, _ = worker.communicate(timeout=60)
    return output


def wait_until(condition, timeout: float = 60, message: str = "condition") -> None:
    """Poll ``condition`` (a background process is doing the work) until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(0.05)


class SmtpServer:
    """A real SMTP server on a free loopback port, in threads of the test process.

    ``delay`` seconds pass before each of its replies (a slow server); while ``gate`` is
    clear it holds every new connection before its greeting; the first ``refuse``
    connections are turned away with 421. Every message accepted is kept whole."""

    def __init__(self, delay: float = 0.0, refuse: int = 0):
        self.delay = delay
        self.refuse = refuse
        self.gate = threading.Event()
        self.gate.set()
        self.messages: list[str] = []
        self.connections = 0
        self._changed = threading.Condition()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
        self._server.daemon_threads = True
        self._server.smtp = self
        self.port = self._server.server_address[1]

    def __enter__(self) -> SmtpServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc) -> None:
        self.gate.set()
        self._server.shutdown()
        self._server.server_close()

    def keep(self, message: str) -> None:
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    def wait_for_messages(self, count: int, timeout: float = 60) -> list[str]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"{len(self.messages)} of {count} messages arrived")
            return list(self.messages)

    def turn_away(self) -> bool:
        with self._changed:
            self.connections += 1
            return self.connections <= self.refuse


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        smtp: SmtpServer = self.server.smtp
        smtp.gate.wait(timeout=60)
        if smtp.turn_away():
            self.reply("421 Too busy, try again later")
            return
        self.reply("220 localhost ESMTP")
        lines: list[str] | None = None  # the message's lines, while DATA is being read
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if lines is not None:
                if line == ".":
                    smtp.keep("\n".join(lines))
                    lines = None
                    self.reply("250 Accepted")
                else:
                    lines.append(line[1:] if line.startswith("..") else line)
                continue
            command = line[:4].upper()
            if command in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif command == "DATA":
                lines = []
                self.reply("354 End data with <CR><LF>.<CR><LF>")
            elif command == "QUIT":
                self.reply("221 Bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 OK")

    def reply(self, text: str) -> None:
        time.sleep(self.server.smtp.delay)  # the server's own slowness
        self.wfile.write(f"{text}\r\n".encode())
