"""The tracker's figures, recomputed by hand from a small, known history, and the
evidence they give beside an assessment's results."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AcquisitionSource,
    Channel,
    Customer,
    CustomerKind,
    Direction,
    FeedbackKind,
    Outcome,
    utcnow,
)
from app.tracker import services
from app.tracker.metrics import Period, evidence_for
from tests.test_tracker_queries import counted_statements

pytestmark = pytest.mark.usefixtures("app")


def ago(days: float):
    return utcnow() - timedelta(days=days)


@pytest.fixture
def history(world):
    """Four customers over the last hundred days (see the expected figures below)."""
    organisation = world.organisation
    stages = {s.name_en: s for s in services.create_default_stages(organisation.id)}

    def add(name, stage, days, **details):
        return services.add_customer(
            organisation.id,
            services.CustomerDetails(kind=CustomerKind.PERSON, name=name, **details),
            stages[stage],
            world.manager,
            at=ago(days),
        )

    def move(customer, stage, days, reason=""):
        services.move_customer(customer, stages[stage], world.manager, reason, at=ago(days))

    def contact(customer, channel, direction, outcome, days):
        services.record_interaction(
            customer,
            channel=channel,
            direction=direction,
            occurred_at=ago(days),
            outcome=outcome,
            notes="",
            by=world.manager,
        )

    def feedback(customer, kind, score, days, comment=""):
        services.add_feedback(
            customer, kind=kind, score=score, comment=comment, received_at=ago(days), by=None
        )

    won = add("Arash", "Prospect", 60, segment="retail", source=AcquisitionSource.REFERRAL)
    move(won, "Lead", 20)
    move(won, "Opportunity", 10)
    move(won, "Customer", 5)
    lost = add("Bahar", "Lead", 20, segment="retail")
    move(lost, "Lost", 8, "Too expensive")
    churned = add("Cyrus", "Customer", 100, segment="wholesale")
    move(churned, "Churned", 3, "Moved abroad")
    add("Dara", "Customer", 100)
    contact(won, Channel.PHONE, Direction.OUTBOUND, Outcome.POSITIVE, 12)
    contact(won, Channel.EMAIL, Direction.OUTBOUND, Outcome.NO_RESPONSE, 11)
    contact(won, Channel.EMAIL, Direction.INBOUND, Outcome.NEUTRAL, 6)
    contact(lost, Channel.IN_PERSON, Direction.INBOUND, Outcome.NEGATIVE, 9)
    contact(lost, Channel.SMS_MESSENGER, Direction.OUTBOUND, Outcome.POSITIVE, 45)  # before
    for score in (10, 9, 3):
        feedback(won, FeedbackKind.NPS, score, 4)
    feedback(won, FeedbackKind.NPS, 0, 40)  # before the period
    feedback(won, FeedbackKind.CSAT, 4, 4)
    feedback(churned, FeedbackKind.CSAT, 2, 4)
    feedback(churned, FeedbackKind.COMPLAINT, None, 4, "Late delivery")
    services.add_follow_up(
        won, title="Call back", due_on=ago(1).date(), assignee_id=None, by=world.manager
    )
    done = services.add_follow_up(
        lost, title="Send offer", due_on=ago(2).date(), assignee_id=None, by=world.manager
    )
    services.complete_follow_up(done)
    db.session.commit()
    return stages


def test_figures_of_a_known_history(world, history):
    evidence = evidence_for(world.organisation.id, Period.last_days(30))
    stages = {figures.name_en: figures for figures in evidence.stages}
    assert [(s.entered, s.moved_on) for s in evidence.stages] == [
        (0, 0),  # Prospect
        (2, 1),  # Lead: Arash went on, Bahar was lost
        (1, 1),  # Opportunity
        (1, 0),  # Customer
        (0, 0),  # Loyal customer
        (1, 0),  # Lost
        (1, 0),  # Churned
    ]
    assert stages["Lead"].conversion == pytest.approx(0.5)
    assert stages["Customer"].conversion is None  # conversion is for stages in progress
    # Stays that ended in the period: Prospect 60→20 days ago, Lead 20→10 and 20→8, ...
    assert stages["Prospect"].mean_days == pytest.approx(40, abs=0.01)
    assert stages["Lead"].mean_days == pytest.approx(11, abs=0.01)
    assert stages["Opportunity"].mean_days == pytest.approx(5, abs=0.01)
    assert stages["Customer"].mean_days == pytest.approx(97, abs=0.01)
    assert (evidence.wins, evidence.losses, evidence.win_rate) == (1, 1, 0.5)
    # Cyrus and Dara were customers when the period began, Arash became one: 1 of 3 left.
    assert (evidence.churned, evidence.churn_base) == (1, 3)
    assert evidence.churn_rate == pytest.approx(1 / 3)
    assert evidence.customers == 4
    assert evidence.new_customers == 1  # Bahar; the others were added before the period


def test_contacts_by_channel_and_response_rate(world, history):
    evidence = evidence_for(world.organisation.id, Period.last_days(30))
    channels = {c.channel: c for c in evidence.channels}
    assert (channels["phone"].outbound, channels["phone"].responded) == (1, 1)
    assert (channels["email"].inbound, channels["email"].outbound) == (1, 1)
    assert channels["email"].response_rate == 0
    assert channels["in_person"].inbound == 1
    assert channels["sms_messenger"].outbound == 0  # 45 days ago
    assert channels["postal_mail"].response_rate is None
    assert (evidence.interactions, evidence.outbound, evidence.response_rate) == (4, 2, 0.5)
    assert (evidence.sources_used, evidence.contacted_customers) == (3, 2)
    assert evidence.contacts_per_customer == 2
    assert evidence.quiet_customers == 1  # Dara, a customer nobody has contacted


def test_feedback_and_follow_ups(world, history):
    evidence = evidence_for(world.organisation.id, Period.last_days(30))
    assert evidence.nps_responses == 3
    assert evidence.nps == pytest.approx(100 / 3)  # 2 promoters, 1 detractor of 3
    assert (evidence.csat_responses, evidence.csat_mean, evidence.csat_satisfied) == (2, 3, 0.5)
    assert (evidence.complaints, evidence.returns) == (1, 0)
    assert (evidence.follow_ups_planned, evidence.follow_ups_open) == (2, 1)
    assert evidence.follow_ups_overdue == 1


def test_which_crm_process_steps_the_data_shows(world, history):
    evidence = evidence_for(world.organisation.id, Period.last_days(30))
    assert {step.key: step.level for step in evidence.steps} == {
        # three channels used, but the source is known for only 1 customer of 4
        "gather_information": 1,
        "marketing_strategies": 2,  # two segments, 3 of 4 customers in one
        "manage_contacts": 2,  # follow-ups planned, outbound contacts made
        "evaluate_responses": 2,  # explicit feedback, and the responses to contacts
    }


def test_evidence_is_plain_values(world, history):
    """The PDF report gets the same figures: nothing in them needs a request or a session."""
    evidence = evidence_for(world.organisation.id, Period.last_days(30))
    db.session.expunge_all()
    document = json.dumps(dataclasses.asdict(evidence), default=str)
    assert '"gather_information"' in document


def test_an_empty_tracker_has_no_figures_to_divide(world):
    services.create_default_stages(world.organisation.id)
    evidence = evidence_for(world.organisation.id, Period.last_days(30))
    assert evidence.customers == 0
    assert evidence.win_rate is None
    assert evidence.nps is None
    assert {step.level for step in evidence.steps} == {0}


def test_metrics_page_in_persian(client, auth, world, history):
    auth.login(world.owner)
    client.post("/language", data={"language": "fa", "next": "/"})
    page = client.get(
        f"/organisations/{world.organisation.id}/tracker/metrics", query_string={"period": "30"}
    ).get_data(as_text=True)
    assert "نرخ موفقیت" in page
    assert "۵۰٪" in page  # the win rate
    assert "سرنخ" in page
    assert "۱۱٫۰" in page  # mean days in Lead
    assert "۱. جمع‌آوری اطلاعات" in page


def test_metrics_for_days_typed_in_solar_hijri(client, auth, world, history):
    auth.login(world.owner)
    url = f"/organisations/{world.organisation.id}/tracker/metrics"
    page = client.get(
        url, query_string={"period": "custom", "start": "1405/09/04", "end": "1405/09/01"}
    ).get_data(as_text=True)
    assert "The period must end on or after its first day." in page
    start, end = ago(25).date(), ago(0).date()
    page = client.get(
        url, query_string={"period": "custom", "start": start.isoformat(), "end": end.isoformat()}
    ).get_data(as_text=True)
    assert "win rate (1 won, 1 lost)" in page  # Arash won 5 days ago, Bahar lost 8 days ago
    page = client.get(
        url, query_string={"period": "custom", "start": ago(7).date(), "end": end.isoformat()}
    ).get_data(as_text=True)
    assert "win rate (1 won, 0 lost)" in page


def test_results_page_shows_tracker_evidence(client, auth, world, assessments, history):
    auth.login(world.owner)
    page = client.get(f"/assessments/{assessments.published.id}/results").get_data(as_text=True)
    assert "Tracker evidence" in page
    assert "2. Develop marketing strategies" in page
    assert f"/organisations/{world.organisation.id}/tracker/metrics?period=365" in page


def test_results_page_without_tracker_data_has_no_evidence(client, auth, world, assessments):
    auth.login(world.owner)
    page = client.get(f"/assessments/{assessments.published.id}/results").get_data(as_text=True)
    assert "Tracker evidence" not in page


def test_customer_page_shows_implicit_signals(client, auth, world, history):
    auth.login(world.owner)
    dara = db.session.scalar(select(Customer.id).where(Customer.name == "Dara"))
    page = client.get(f"/organisations/{world.organisation.id}/tracker/customers/{dara}").get_data(
        as_text=True
    )
    assert "No contact for 90 days or more" in page
    assert '<span class="stat-value">100</span>days in this stage' in page


def test_the_metrics_page_keeps_its_figures_until_the_tracker_changes(client, auth, world, history):
    auth.login(world.owner)
    url = f"/organisations/{world.organisation.id}/tracker/metrics?period=30"
    with counted_statements() as first:
        assert "win rate (1 won, 1 lost)" in client.get(url).get_data(as_text=True)
    with counted_statements() as again:
        assert "win rate (1 won, 1 lost)" in client.get(url).get_data(as_text=True)
    assert len(again) < len(first) - 10  # the figures were kept, not counted again
    customer = services.add_customer(
        world.organisation.id,
        services.CustomerDetails(kind=CustomerKind.PERSON, name="Ehsan"),
        history["Lead"],
        world.manager,
    )
    services.move_customer(customer, history["Lost"], world.manager, "No budget")
    db.session.commit()
    assert "win rate (1 won, 2 lost)" in client.get(url).get_data(as_text=True)
