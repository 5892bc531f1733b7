"""E-mail off the request's path (issue 12, F5): with a real SMTP server on loopback, the
password page answers before the server is even spoken to, and as fast for an address
with an account as for one without. Invitations are queued the same way. On the
in-process queue; the same on a real worker is in ``tests/test_jobs.py``."""

from __future__ import annotations

import email
import statistics
import time
from email.policy import default as default_policy

from tests import factories
from tests.jobs import join_jobs


def body_of(message: str) -> str:
    return email.message_from_string(message, policy=default_policy).get_content()


def test_the_password_link_is_sent_after_the_page_has_answered(client, app, smtp):
    factories.make_user(email="real@example.com", name="Rita Real")
    smtp.gate.clear()  # the server does not even greet anyone yet
    response = client.post("/password/forgot", data={"email": "real@example.com"})
    assert response.status_code == 302  # answered while the mail waits
    assert smtp.messages == []

    smtp.gate.set()
    [message] = smtp.wait_for_messages(1)
    assert "To: real@example.com" in message
    assert "/password/reset/" in body_of(message)
    assert "Rita Real" in body_of(message)


def test_the_password_page_takes_as_long_for_known_and_unknown_addresses(client, app, smtp):
    """Sent in the request, each message would cost the server's six replies (0.3 s here)
    on known addresses only: the timing would tell which addresses have an account."""
    factories.make_user(email="real@example.com")
    smtp.delay = 0.05
    timings = {"real@example.com": [], "ghost@example.com": []}
    for _ in range(9):
        for address, samples in timings.items():
            started = time.perf_counter()
            assert client.post("/password/forgot", data={"email": address}).status_code == 302
            samples.append(time.perf_counter() - started)
    known = statistics.median(timings["real@example.com"])
    unknown = statistics.median(timings["ghost@example.com"])
    assert known < 3 * unknown, f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms"
    assert len(smtp.wait_for_messages(9)) == 9  # every link was sent all the same


def test_an_invitation_is_queued_and_reaches_the_respondent(client, auth, world, smtp):
    assessments = factories.build_assessments(world)
    auth.login(world.consultant_assigned)
    smtp.gate.clear()
    response = client.post(
        f"/assessments/{assessments.open.id}/respondents",
        data={
            "name": "Reza Karimi",
            "email": "reza@example.com",
            "group": "manager",
            "locale": "en",
        },
        follow_redirects=True,
    )
    assert "/r/" in response.get_data(as_text=True)  # the link, shown once, at once
    assert smtp.messages == []

    smtp.gate.set()
    [message] = smtp.wait_for_messages(1)
    assert "To: reza@example.com" in message
    assert "/r/" in body_of(message)


def test_a_delivery_refused_at_first_is_tried_again_and_logged(client, app, smtp, caplog):
    factories.make_user(email="real@example.com")
    smtp.refuse = 2  # the server turns away the first two connections
    client.post("/password/forgot", data={"email": "real@example.com"})
    join_jobs(app)
    assert len(smtp.messages) == 1
    assert smtp.connections == 3
    assert caplog.text.count("failed: SMTPConnectError") == 2
    assert "trying again in 0 s" in caplog.text
