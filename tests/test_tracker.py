"""The customer tracker as its users meet it: customers, the list and the board, moves
between stages with their history, contacts, follow-ups, feedback and stage setup."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.bidi import isolate_text
from app.demo import load_demo_data, load_demo_tracker
from app.extensions import db
from app.models import (
    Channel,
    Customer,
    Direction,
    FollowUp,
    Interaction,
    Organisation,
    Outcome,
    PipelineStage,
    StageChange,
    utcnow,
)
from app.tracker import services
from app.tracker.queries import PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.usefixtures("app")


def base(world) -> str:
    return f"/organisations/{world.organisation.id}/tracker"


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_first_visit_sets_up_the_customer_life_cycle(client, auth, world):
    auth.login(world.owner)
    page = page_of(client.get(f"{base(world)}/board"))
    for stage in ("Prospect", "Lead", "Opportunity", "Customer", "Loyal customer", "Lost"):
        assert stage in page
    client.get(f"{base(world)}/board")  # a second visit adds nothing
    stages = db.session.scalar(
        select(func.count()).where(PipelineStage.organisation_id == world.organisation.id)
    )
    assert stages == 7


def test_manager_adds_a_person_at_a_company(client, auth, world, tracker):
    auth.login(world.manager)
    response = client.post(
        f"{base(world)}/customers/new",
        data={
            "kind": "person",
            "name": "Kaveh Jafari",
            "company": "darius trading",  # any case
            "email": "Kaveh@Example.com",
            "phone": "۰۹۱۲ ۱۱۱ ۲۲۳۳",
            "segment": "retail",
            "source": "referral",
            "owner": str(world.owner.id),
            "stage": str(tracker.stage("Prospect").id),
        },
    )
    assert response.status_code == 302
    customer = db.session.scalar(select(Customer).where(Customer.name == "Kaveh Jafari"))
    assert customer.company_id == tracker.company.id
    assert customer.email == "kaveh@example.com"
    assert customer.phone_key == "9121112233"
    page = page_of(client.get(response.headers["Location"]))
    assert "Darius Trading" in page
    assert "Added in Prospect" in page  # the history starts with entering the stage


def test_bad_customer_input_is_refused_and_kept(client, auth, world, tracker):
    auth.login(world.owner)
    page = page_of(
        client.post(
            f"{base(world)}/customers/new",
            data={
                "kind": "person",
                "name": "Leila Samadi",
                "company": "Nowhere Ltd",
                "email": "roya@example.com",  # Roya Tehrani has it
                "phone": "+98 912 345 6789",  # the same number as Roya's, written another way
                "stage": str(tracker.stage("Lead").id),
            },
        )
    )
    assert "There is no company named “Nowhere Ltd”; add it first." in page
    assert page.count("Roya Tehrani already has this in the tracker.") == 2
    assert 'value="Leila Samadi"' in page
    assert db.session.scalar(select(Customer).where(Customer.name == "Leila Samadi")) is None


def test_editing_keeps_the_stage_and_its_history(client, auth, world, tracker):
    auth.login(world.manager)
    url = f"{base(world)}/customers/{tracker.customer.id}/edit"
    page = page_of(client.get(url))
    assert 'value="Darius Trading"' in page
    assert 'name="stage"' not in page  # stages change only by recorded moves
    response = client.post(
        url,
        data={
            "kind": "person",
            "name": "Roya Tehrani-Nik",
            "email": "roya@example.com",
            "source": "",
            "owner": "",
        },
    )
    assert response.status_code == 302
    customer = db.session.get(Customer, tracker.customer.id)
    assert customer.name == "Roya Tehrani-Nik"
    assert customer.company_id is None  # the company field was cleared
    assert customer.stage_id == tracker.stage("Lead").id


def test_list_searches_by_name_email_and_phone(client, auth, world, tracker):
    auth.login(world.owner)
    for query in ("roya", "ROYA@EXAMPLE", "۰۹۱۲۳۴۵", "345 6789"):
        page = page_of(client.get(f"{base(world)}/", query_string={"q": query}))
        assert "Roya Tehrani" in page, query
        assert "Darius Trading</a>" not in page, query
    page = page_of(client.get(f"{base(world)}/", query_string={"q": "100%"}))
    assert "No customers match." in page


def test_list_filters_combine(client, auth, world, tracker):
    prospect = tracker.stage("Prospect")
    factories.add_customer(world.organisation, "Parisa Ahmadi", prospect, segment="retail")
    auth.login(world.owner)
    page = page_of(client.get(f"{base(world)}/", query_string={"segment": "wholesale"}))
    assert "Roya Tehrani" in page
    assert "Darius Trading" in page
    assert "Parisa Ahmadi" not in page
    page = page_of(
        client.get(f"{base(world)}/", query_string={"owner": world.manager.id, "overdue": "y"})
    )
    assert "Roya Tehrani" in page
    assert "overdue follow-up" in page
    assert "Darius Trading</a>" not in page
    page = page_of(client.get(f"{base(world)}/", query_string={"channel": "phone"}))
    assert "1 customers" in page
    page = page_of(client.get(f"{base(world)}/", query_string={"stage": prospect.id}))
    assert "Parisa Ahmadi" in page
    assert "Roya Tehrani" not in page
    page = page_of(client.get(f"{base(world)}/", query_string={"owner": "none"}))
    assert "Parisa Ahmadi" in page
    assert "Roya Tehrani" not in page
    # A value that is not a choice filters nothing rather than failing.
    page = page_of(client.get(f"{base(world)}/", query_string={"stage": "x", "source": "y"}))
    assert "3 customers" in page


def test_list_pages_forwards_and_back_in_name_order(client, auth, world, tracker):
    stage = tracker.stage("Prospect")
    for number in range(PAGE_SIZE + 5):
        factories.add_customer(world.organisation, f"Zed {number:02d}", stage, segment="bulk")
    auth.login(world.owner)
    first = page_of(client.get(f"{base(world)}/", query_string={"segment": "bulk"}))
    assert "Zed 00" in first
    assert f"Zed {PAGE_SIZE - 1:02d}" in first
    assert f"Zed {PAGE_SIZE:02d}" not in first
    assert 'rel="prev"' not in first
    next_link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "segment=bulk" in next_link  # the filters stay with the pages
    second = page_of(client.get(next_link.replace("&amp;", "&")))
    assert f"Zed {PAGE_SIZE:02d}" in second
    assert f"Zed {PAGE_SIZE + 4:02d}" in second
    assert 'rel="next"' not in second
    prev_link = second.split('rel="prev"')[0].rsplit('href="', 1)[1].split('"')[0]
    again = page_of(client.get(prev_link.replace("&amp;", "&")))
    assert "Zed 00" in again
    assert f"Zed {PAGE_SIZE - 1:02d}" in again


def test_board_moves_a_card_with_a_plain_form(client, auth, world, tracker):
    auth.login(world.manager)
    board = page_of(client.get(f"{base(world)}/board"))
    assert f"/customers/{tracker.customer.id}/move" in board
    opportunity = tracker.stage("Opportunity")
    response = client.post(
        f"{base(world)}/customers/{tracker.customer.id}/move",
        data={"move-stage": opportunity.id, "move-next": f"{base(world)}/board?"},
    )
    assert response.headers["Location"].startswith(f"{base(world)}/board")
    page = page_of(client.get(response.headers["Location"]))
    assert f"{isolate_text('Roya Tehrani')} moved to {isolate_text('Opportunity')}." in page
    change = db.session.scalars(
        select(StageChange)
        .where(StageChange.customer_id == tracker.customer.id)
        .order_by(StageChange.id.desc())
    ).first()
    assert (change.from_stage_id, change.to_stage_id) == (tracker.stage("Lead").id, opportunity.id)
    assert change.changed_by_id == world.manager.id
    assert change.changed_at is not None


def test_moving_to_lost_needs_a_reason(client, auth, world, tracker):
    auth.login(world.owner)
    url = f"{base(world)}/customers/{tracker.customer.id}/move"
    lost = tracker.stage("Lost")
    page = page_of(client.post(url, data={"move-stage": lost.id, "move-reason": " "}))
    assert "a reason is required for this stage" in page
    assert db.session.get(Customer, tracker.customer.id).stage_id == tracker.stage("Lead").id
    response = client.post(url, data={"move-stage": lost.id, "move-reason": "Chose a rival"})
    assert response.status_code == 302
    page = page_of(client.get(f"{base(world)}/customers/{tracker.customer.id}"))
    assert "Moved from Lead to Lost" in page
    assert "Chose a rival" in page


def test_board_keeps_columns_short(client, auth, world, tracker):
    stage = tracker.stage("Prospect")
    for number in range(15):
        factories.add_customer(world.organisation, f"Walk-in {number}", stage)
    auth.login(world.owner)
    page = page_of(client.get(f"{base(world)}/board"))
    assert page.count('class="card"') == 12 + 2  # 12 of 15 prospects, Roya, Darius
    assert "All 15 in this stage" in page
    assert f"stage={stage.id}" in page


def test_contacts_update_the_list_and_can_be_deleted(client, auth, world, tracker):
    auth.login(world.manager)
    url = f"{base(world)}/customers/{tracker.customer.id}"
    response = client.post(
        f"{url}/contacts",
        data={
            "contact-channel": "website_visit",
            "contact-direction": "inbound",
            "contact-occurred_on": date.today().isoformat(),
            "contact-outcome": "neutral",
            "contact-notes": "Looked at the catalogue",
        },
    )
    assert response.status_code == 302
    customer = db.session.get(Customer, tracker.customer.id)
    assert customer.interaction_count == 2
    assert customer.last_channel.value == "website_visit"
    page = page_of(client.get(url))
    assert "Looked at the catalogue" in page
    assert "Website visit" in page
    newest = db.session.scalar(select(func.max(Interaction.id)))
    client.post(f"{url}/contacts/{newest}/delete")
    customer = db.session.get(Customer, tracker.customer.id)
    assert customer.interaction_count == 1
    assert customer.last_channel.value == "phone"  # back to the earlier contact


def test_a_contact_form_with_mistakes_keeps_what_was_typed(client, auth, world, tracker):
    auth.login(world.manager)
    page = page_of(
        client.post(
            f"{base(world)}/customers/{tracker.customer.id}/contacts",
            data={
                "contact-channel": "email",
                "contact-direction": "outbound",
                "contact-occurred_on": "1405/13/40",
                "contact-outcome": "no_response",
                "contact-notes": "Sent the offer",
            },
        )
    )
    assert "There is no month 13: months run from 1 to 12." in page
    assert "Sent the offer" in page
    assert 'value="1405/13/40"' in page
    assert db.session.get(Customer, tracker.customer.id).interaction_count == 1


def test_follow_ups_and_my_tasks(client, auth, world, tracker):
    auth.login(world.owner)
    client.post(
        f"{base(world)}/customers/{tracker.customer.id}/follow-ups",
        data={
            "task-title": "Visit the warehouse",
            "task-due_on": date.today().isoformat(),
            "task-assignee": str(world.owner.id),
        },
    )
    mine = page_of(client.get(f"{base(world)}/tasks"))
    assert "Visit the warehouse" in mine  # assigned to the owner by default
    assert "Send the price list" not in mine  # the manager's
    everyone = page_of(client.get(f"{base(world)}/tasks", query_string={"who": "all"}))
    overdue, due_today = everyone.split("Due today</h2>")[0], everyone.split("Due today")[1]
    assert "Send the price list" in overdue
    assert "Visit the warehouse" in due_today
    response = client.post(
        f"{base(world)}/follow-ups/{tracker.follow_up.id}/done",
        data={"next": f"{base(world)}/tasks?who=all"},
    )
    assert response.headers["Location"] == f"{base(world)}/tasks?who=all"
    assert db.session.get(FollowUp, tracker.follow_up.id).done_at is not None
    page = page_of(client.get(response.headers["Location"]))
    assert f"“{isolate_text('Send the price list')}” is done." in page
    assert "Nothing overdue." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"feedback-kind": "nps", "feedback-score": "11"}, "Enter a whole number from 0 to 10."),
        ({"feedback-kind": "csat", "feedback-score": ""}, "Enter a whole number from 1 to 5."),
        ({"feedback-kind": "complaint", "feedback-score": "3"}, "Complaints and returns have no"),
        ({"feedback-kind": "product_return"}, "Describe the complaint or the return."),
    ],
)
def test_feedback_is_checked(client, auth, world, tracker, data, message):
    auth.login(world.owner)
    page = page_of(
        client.post(
            f"{base(world)}/customers/{tracker.customer.id}/feedback",
            data={"feedback-received_on": date.today().isoformat(), **data},
        )
    )
    assert message in page


def test_feedback_in_persian_digits(client, auth, world, tracker):
    auth.login(world.owner)
    response = client.post(
        f"{base(world)}/customers/{tracker.customer.id}/feedback",
        data={
            "feedback-kind": "nps",
            "feedback-score": "۹",
            "feedback-received_on": "۱۴۰۵/۰۹/۰۴",
            "feedback-comment": "Very helpful",
        },
    )
    assert response.status_code == 302
    page = page_of(client.get(f"{base(world)}/customers/{tracker.customer.id}"))
    assert "score 9" in page
    assert "Nov 25, 2026" in page  # 4 Azar 1405


def test_consultant_reads_but_cannot_change(client, auth, world, tracker):
    auth.login(world.consultant_assigned)
    page = page_of(client.get(f"{base(world)}/customers/{tracker.customer.id}"))
    assert "Roya Tehrani" in page
    assert "Asked for a price list" in page
    assert "Record a contact" not in page
    assert "/move" not in page
    board = page_of(client.get(f"{base(world)}/board"))
    assert "<select" in board  # the filters
    assert 'name="move-stage"' not in board
    assert client.post(f"{base(world)}/customers/{tracker.customer.id}/move").status_code == 403


def test_stages_can_be_renamed_reordered_added_and_retired(client, auth, world, tracker):
    auth.login(world.owner)
    lead = tracker.stage("Lead")
    client.post(
        f"{base(world)}/stages/{lead.id}/edit",
        data={"name_fa": "سرنخ گرم", "name_en": "Warm lead"},
    )
    client.post(f"{base(world)}/stages/{lead.id}/shift", data={"step": "-1"})
    client.post(f"{base(world)}/stages", data={"name_en": "Trial", "kind": "open"})
    order = db.session.scalars(
        select(PipelineStage.name_en)
        .where(PipelineStage.organisation_id == world.organisation.id)
        .order_by(PipelineStage.position, PipelineStage.id)
    ).all()
    assert order[:2] == ["Warm lead", "Prospect"]
    assert order[-1] == "Trial"
    # A stage in use cannot be deleted, only retired; its customers stay in it.
    page = page_of(client.post(f"{base(world)}/stages/{lead.id}/delete", follow_redirects=True))
    assert (
        f"Stage {isolate_text('Warm lead')} has customers in its history: retire it instead."
        in page
    )
    client.post(f"{base(world)}/stages/{lead.id}/retire")
    assert db.session.get(PipelineStage, lead.id).retired_at is not None
    form = page_of(client.get(f"{base(world)}/customers/new"))
    assert ">Warm lead</option>" not in form  # takes no new customers
    board = page_of(client.get(f"{base(world)}/board"))
    assert "Warm lead" in board  # but Roya is still there
    trial = db.session.scalar(select(PipelineStage.id).where(PipelineStage.name_en == "Trial"))
    client.post(f"{base(world)}/stages/{trial}/delete")
    assert db.session.scalar(select(PipelineStage.id).where(PipelineStage.id == trial)) is None


def test_a_stage_needs_a_name(client, auth, world, tracker):
    auth.login(world.owner)
    page = page_of(client.post(f"{base(world)}/stages", data={"kind": "open"}))
    assert "Give the stage a name in at least one language." in page


def test_the_last_stage_in_progress_stays(client, auth, world, tracker):
    auth.login(world.owner)
    for name in ("Prospect", "Opportunity"):
        client.post(f"{base(world)}/stages/{tracker.stage(name).id}/retire")
    page = page_of(
        client.post(
            f"{base(world)}/stages/{tracker.stage('Lead').id}/retire", follow_redirects=True
        )
    )
    assert "Keep at least one stage in progress for new customers." in page


def test_persian_pages_show_persian_stage_names_and_digits(client, auth, world, tracker):
    auth.login(world.owner)
    client.post("/language", data={"language": "fa", "next": "/"})
    board = page_of(client.get(f"{base(world)}/board"))
    assert "فرصت فروش" in board
    assert "Opportunity" not in board
    page = page_of(client.get(f"{base(world)}/customers/{tracker.customer.id}"))
    assert "۰۹۱۲ ۳۴۵ ۶۷۸۹" not in page  # what people typed stays as typed
    assert "0912 345 6789" in page
    assert 'value="۱۴۰۵/' in page  # the contact date starts as today, in Solar Hijri


def test_an_other_organisations_customer_is_not_found(client, auth, world, tracker):
    other = factories.customer_in(world.other_organisation)
    auth.login(world.owner)
    assert client.get(f"{base(world)}/customers/{other.id}").status_code == 404
    assert client.post(f"{base(world)}/customers/{other.id}/move").status_code == 404


def test_timeline_shows_older_entries_on_request(client, auth, world, tracker):
    customer = db.session.get(Customer, tracker.customer.id)
    for number in range(40):
        services.record_interaction(
            customer,
            channel=Channel.EMAIL,
            direction=Direction.OUTBOUND,
            occurred_at=utcnow() - timedelta(days=100 + number),
            outcome=Outcome.NO_RESPONSE,
            notes=f"Mailing {number:02d}",
            by=None,
        )
    db.session.commit()
    auth.login(world.owner)
    page = page_of(client.get(f"{base(world)}/customers/{customer.id}"))
    assert "Mailing 00" in page
    assert "Mailing 39" not in page
    assert "Show older entries" in page
    page = page_of(client.get(f"{base(world)}/customers/{customer.id}", query_string={"limit": 60}))
    assert "Mailing 39" in page


def test_demo_trackers_are_full_consistent_and_loaded_once(app):
    load_demo_data(db.session, "not-a-real-hash")
    assert sorted(load_demo_tracker()) == ["Northwind Outfitters", "شرکت پخش سپیدار"]
    per_organisation = dict(
        db.session.execute(
            select(Organisation.name, func.count(Customer.id))
            .join(Customer, Customer.organisation_id == Organisation.id)
            .group_by(Organisation.name)
        ).all()
    )
    assert per_organisation == {"شرکت پخش سپیدار": 320, "Northwind Outfitters": 260}
    assert load_demo_tracker() == []  # a second run adds nothing
    # What the list shows about contacts matches the contacts themselves.
    counted = (
        select(
            Interaction.customer_id,
            func.count(Interaction.id).label("n"),
            func.max(Interaction.occurred_at).label("last"),
        )
        .group_by(Interaction.customer_id)
        .subquery()
    )
    mismatches = db.session.scalar(
        select(func.count(Customer.id))
        .outerjoin(counted, counted.c.customer_id == Customer.id)
        .where(Customer.interaction_count != func.coalesce(counted.c.n, 0))
    )
    assert mismatches == 0
    persian = db.session.scalar(
        select(Customer).join(Organisation).where(Organisation.default_locale == "fa").limit(1)
    )
    assert re.search("[\u0600-\u06ff]", persian.name)
    today = date.today()
    overdue = db.session.scalar(
        select(func.count(FollowUp.id)).where(FollowUp.done_at.is_(None), FollowUp.due_on < today)
    )
    assert overdue > 10
    reasons = db.session.scalars(select(StageChange.reason).where(StageChange.reason != "")).all()
    assert len(reasons) > 20  # every move to lost or churned has its reason


def test_each_move_records_where_the_customer_came_from(world, tracker):
    customer = db.session.get(Customer, tracker.customer.id)
    for name in ("Opportunity", "Customer"):  # two moves before anything is flushed
        services.move_customer(customer, tracker.stage(name), world.owner)
    db.session.commit()
    moves = db.session.execute(
        select(StageChange.from_stage_id, StageChange.to_stage_id)
        .where(StageChange.customer_id == customer.id)
        .order_by(StageChange.id)
    ).all()
    lead, opportunity, won = (tracker.stage(n).id for n in ("Lead", "Opportunity", "Customer"))
    assert moves == [(None, lead), (lead, opportunity), (opportunity, won)]
