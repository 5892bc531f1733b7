"""Benchmark: POST /password/forgot for an address with an account and for one without,
with a real SMTP server on loopback that takes 50 ms over each reply (issue 12, F5: the
time of the page must not tell which addresses have an account). The mail is queued
(in-process here, as without REDIS_URL) and sent after the page has answered; the run
checks every message arrived, and times sending one message directly (what the page
used to wait for) as the baseline.

    .venv/bin/python bench/password_mail.py [--requests 15] [--smtp-delay 0.05]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.mail import deliver_mail
from bench.apps import app_on_scratch_sqlite
from tests import factories
from tests.jobs import SmtpServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=15, help="per address")
    parser.add_argument("--smtp-delay", type=float, default=0.05, help="seconds per reply")
    args = parser.parse_args()

    with (
        SmtpServer(delay=args.smtp_delay) as smtp,
        app_on_scratch_sqlite(
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=smtp.port,
            MAIL_USE_TLS=False,
            PASSWORD_MAIL_RATE_LIMIT="10000 per minute",
        ) as app,
        app.app_context(),
    ):
        factories.make_user(email="known@example.com")
        client = app.test_client()
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for _ in range(args.requests):  # interleaved: both see the same machine load
            for kind in timings:
                started = time.perf_counter()
                response = client.post("/password/forgot", data={"email": f"{kind}@example.com"})
                timings[kind].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 302
        delivered = len(smtp.wait_for_messages(args.requests))
        app.extensions["jobs"].join()
        # The baseline: one message handed to this server, which the page used to wait
        # for on known addresses only.
        sending = []
        for _ in range(5):
            started = time.perf_counter()
            deliver_mail("known@example.com", "Baseline", "One message.")
            sending.append((time.perf_counter() - started) * 1000)

    known, unknown = (statistics.median(timings[kind]) for kind in ("known", "unknown"))
    print(f"SMTP server on loopback, {args.smtp_delay * 1000:.0f} ms per reply")
    print(f"{'':38}{'median ms':>10}")
    print(f"{'POST /password/forgot, unknown address':38}{unknown:10.1f}")
    print(f"{'POST /password/forgot, known address':38}{known:10.1f}")
    print(f"{'baseline: one message sent over SMTP':38}{statistics.median(sending):10.1f}")
    print(f"known / unknown: {known / unknown:.2f}x; {delivered} messages delivered")


if __name__ == "__main__":
    main()
