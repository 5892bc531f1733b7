"""Each role's home page is a work queue: every entry links to where the work is done,
overdue first, and the page runs the same number of SQL statements with many
organisations and assessments as with a few."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from app.assessments import scores, services
from app.assessments.services import Actor
from app.extensions import db
from app.models import (
    ActionAssignment,
    AssessmentStatus,
    AuditEvent,
    MemberRole,
    Respondent,
    utcnow,
)
from app.reports.actions import set_action_owner
from app.tracker import services as tracker_services
from tests import factories
from tests.test_tracker_queries import counted_statements

TODAY = date.today()


def text_of(html: str) -> str:
    """The page's words, without markup, on one line."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def new_assessment(
    world, title, *, status=AssessmentStatus.DRAFT, deadline=None, organisation=None
):
    actor = Actor.of_user(world.consultant_assigned)
    assessment = services.create_assessment(
        organisation or world.organisation,
        title=title,
        questionnaires=[factories.supporting_conditions()],
        groups=["manager"],
        deadline=deadline,
        actor=actor,
    )
    for step in (AssessmentStatus.OPEN, AssessmentStatus.IN_REVIEW, AssessmentStatus.PUBLISHED):
        if status is AssessmentStatus.DRAFT:
            break
        services.change_status(assessment, step, actor)
        if step is status:
            break
    db.session.commit()
    return assessment


def invite(assessment, name, email="", submitted=False, user=None):
    respondent = Respondent(
        assessment=assessment, name=name, email=email, group="manager", user=user
    )
    if submitted:
        respondent.submitted_at = utcnow()
    db.session.add(respondent)
    db.session.commit()
    return respondent


# --- The consultant --------------------------------------------------------------------


def test_consultant_home_lists_every_assessment_with_its_next_step(client, auth, world):
    late = new_assessment(
        world, "Late one", status=AssessmentStatus.OPEN, deadline=TODAY - timedelta(days=2)
    )
    invite(late, "Ali", "ali@example.com", submitted=True)
    invite(late, "Sara", "sara@example.com")
    empty = new_assessment(world, "Fresh draft", deadline=TODAY + timedelta(days=20))
    reviewing = new_assessment(world, "Under review", status=AssessmentStatus.IN_REVIEW)
    published = new_assessment(world, "Published one", status=AssessmentStatus.PUBLISHED)
    new_assessment(world, "Someone else's", organisation=world.other_organisation)
    auth.login(world.consultant_assigned)
    page = client.get("/dashboard").get_data(as_text=True)
    words = text_of(page)
    # Overdue first, then by stage; another consultant's organisation is not here.
    order = [
        words.index(title) for title in ("Late one", "Fresh draft", "Under review", "Published one")
    ]
    assert order == sorted(order)
    assert "Someone else's" not in words
    row = page[page.index("Late one") : page.index("Fresh draft")]
    assert "1 of 2" in text_of(row)  # responses submitted of invited
    assert "overdue" in row
    assert "Close answering and review" in row  # past the deadline with answers in: close
    assert f'action="/assessments/{late.id}/status"' in row
    assert f'href="/assessments/{empty.id}#add-respondent"' in page  # no respondents yet
    assert f'href="/assessments/{reviewing.id}/results"' in page  # review them
    assert f'href="/assessments/{published.id}/report.pdf?lang=en"' in page  # the report
    assert "1 overdue" in words


def test_consultant_home_filters_by_organisation_and_state(client, auth, world):
    factories.assign(world.other_organisation, world.consultant_assigned)
    new_assessment(world, "Acme draft")
    new_assessment(world, "Acme open", status=AssessmentStatus.OPEN)
    new_assessment(
        world, "Globex open", status=AssessmentStatus.OPEN, organisation=world.other_organisation
    )
    auth.login(world.consultant_assigned)
    html = client.get(f"/dashboard?organisation={world.other_organisation.id}").get_data(
        as_text=True
    )
    # The filter shows the organisation chosen, and only that one.
    assert re.findall(r'<option value="(\d+)" selected>', html) == [
        str(world.other_organisation.id)
    ]
    page = text_of(html)
    assert "Globex open" in page
    assert "Acme open" not in page
    page = text_of(client.get("/dashboard?state=open").get_data(as_text=True))
    assert "Globex open" in page
    assert "Acme open" in page
    assert "Acme draft" not in page


def test_consultant_home_offers_a_first_assessment_to_new_organisations(client, auth, world):
    auth.login(world.consultant_assigned)
    page = client.get("/dashboard").get_data(as_text=True)
    section = page[page.index("Organisations without an assessment") :]
    assert "Acme Trading" in section
    assert f'href="/organisations/{world.organisation.id}/assessments/new"' in section
    new_assessment(world, "First")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Organisations without an assessment" not in page


def test_a_next_step_pressed_on_the_home_page_comes_back_to_it(client, auth, world):
    draft = new_assessment(world, "Ready to open")
    invite(draft, "Ali", "ali@example.com")
    auth.login(world.consultant_assigned)
    response = client.post(
        f"/assessments/{draft.id}/status", data={"to": "open", "next": "/dashboard?"}
    )
    assert response.headers["Location"].rstrip("?") == "/dashboard"
    assert "Open for answers" in client.get("/dashboard").get_data(as_text=True)
    assert db.session.get(type(draft), draft.id).status is AssessmentStatus.OPEN


# --- The owner and the manager ---------------------------------------------------------


@pytest.fixture
def published_pair(world):
    """Two published assessments of the organisation, the later one scoring higher, and an
    action plan with owned items on the later one."""
    earlier = factories.reviewed(world, "Baseline", seed=1)
    later = factories.reviewed(world, "Follow-up", seed=7)
    actor = Actor.of_user(world.consultant_assigned)
    for number, assessment in enumerate((earlier, later)):
        services.change_status(assessment, AssessmentStatus.PUBLISHED, actor)
        assessment.published_at = utcnow() - timedelta(days=100 - 90 * number)
    plan = scores.score(later).action_plan
    first, second = plan[0], plan[1]
    set_action_owner(
        later,
        (first.questionnaire_id, first.dimension_id, first.level, 0),
        world.manager.name,
        TODAY - timedelta(days=3),
        actor,
    )
    set_action_owner(
        later,
        (second.questionnaire_id, second.dimension_id, second.level, 0),
        "Someone outside",
        TODAY + timedelta(days=30),
        actor,
    )
    db.session.commit()
    return earlier, later


def test_owner_home_shows_published_results_reports_actions_and_follow_ups(
    client, auth, world, published_pair, tracker
):
    earlier, later = published_pair
    results = scores.score_many([earlier, later])
    auth.login(world.owner)
    page = client.get("/dashboard").get_data(as_text=True)
    words = text_of(page)
    published = page[page.index("Published assessments") : page.index("open items")]
    assert published.index("Follow-up") < published.index("Baseline")  # newest first
    change = results[later.id].index - results[earlier.id].index
    assert f"{change:+.1f}" in text_of(published)  # the change since the one before
    assert f"{results[later.id].index:.1f}" in published
    for language in ("fa", "en"):
        assert f'href="/assessments/{later.id}/report.pdf?lang={language}"' in published
    actions = page[page.index("open items") : page.index("Follow-ups due")]
    assert actions.index(world.manager.name) < actions.index("Someone outside")  # overdue first
    assert "overdue" in actions
    follow_ups = page[page.index("Follow-ups due") :]
    assert "Send the price list" in follow_ups  # the manager's, due yesterday: the owner sees it
    assert f'/tracker/customers/{tracker.customer.id}"' in follow_ups
    assert "No assessment is published yet" not in words


def test_manager_home_shows_what_to_answer_their_items_and_their_follow_ups(
    client, auth, world, published_pair, tracker
):
    _earlier, later = published_pair
    current = new_assessment(
        world, "Progress check", status=AssessmentStatus.OPEN, deadline=TODAY + timedelta(days=5)
    )
    respondent = invite(current, world.manager.name, world.manager.email, user=world.manager)
    definition = factories.supporting_conditions().definition
    items = [item for dimension in definition.dimensions for item in dimension.items]
    services.save_answers(
        respondent,
        [services.SubmittedAnswer(definition.id, item.id, 3, False, "") for item in items[:10]],
        Actor.of_respondent(respondent),
    )
    tomorrow = tracker_services.add_follow_up(
        tracker.customer,
        title="Not yet due",
        due_on=TODAY + timedelta(days=1),
        assignee_id=world.manager.id,
        by=world.manager,
    )
    someone_else = tracker_services.add_follow_up(
        tracker.customer,
        title="The owner's task",
        due_on=TODAY,
        assignee_id=world.owner.id,
        by=world.owner,
    )
    db.session.commit()
    auth.login(world.manager)
    page = client.get("/dashboard").get_data(as_text=True)
    to_answer = page[page.index("Questionnaires to answer") : page.index("Your action-plan items")]
    assert "Progress check" in to_answer
    assert f"10 of {len(items)} questions answered" in text_of(to_answer)
    assert f'href="/answer/{respondent.id}"' in to_answer  # resume
    assert "Continue" in to_answer
    own = page[page.index("Your action-plan items") : page.index("Follow-ups due")]
    assert "Someone outside" not in own
    assert "overdue" in own
    assert f'action="/assessments/{later.id}/actions/' in own
    follow_ups = page[page.index("Follow-ups due") :]
    assert "Send the price list" in follow_ups  # due yesterday
    assert tomorrow.title not in follow_ups
    assert someone_else.title not in follow_ups
    assert "Published assessments" not in page  # managers do not read results


def test_a_manager_marks_their_action_item_done_from_home(client, auth, world, published_pair):
    _earlier, later = published_pair
    item = db.session.scalar(
        select(ActionAssignment).where(ActionAssignment.owner_id == world.manager.id)
    )
    auth.login(world.manager)
    response = client.post(
        f"/assessments/{later.id}/actions/{item.id}/done", data={"done": "1", "next": "/dashboard?"}
    )
    assert response.headers["Location"].rstrip("?") == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Marked done." in page
    assert "Your action-plan items" not in page  # nothing open is left for them
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action done"))
    assert event.actor_label == world.manager.name


def test_members_of_another_organisation_cannot_mark_items_done(
    client, auth, world, published_pair
):
    _earlier, later = published_pair
    item = db.session.scalar(select(ActionAssignment))
    auth.login(world.other_member)
    assert (
        client.post(
            f"/assessments/{later.id}/actions/{item.id}/done", data={"done": "1"}
        ).status_code
        == 403
    )


# --- The admin -------------------------------------------------------------------------


def test_admin_home_counts_accounts_and_states_and_shows_events_and_health(
    client, auth, world, app, monkeypatch
):
    monkeypatch.setitem(app.config, "ITEMS_PER_PAGE", 1)
    assessment = new_assessment(world, "Readiness", status=AssessmentStatus.OPEN)
    actor = Actor.of_user(world.consultant_assigned)
    services.set_target(assessment, "supporting-conditions", "leadership", "established", actor)
    db.session.commit()
    auth.login(world.admin)
    page = client.get("/dashboard").get_data(as_text=True)
    words = text_of(page)
    for count, kind in ((1, "administrators"), (2, "consultants"), (3, "organisations' members")):
        assert f"{count} {kind}" in words
    assert 'href="/assessments?state=open"' in page
    events = page[page.index("Recent audit events") : page.index("Database")]
    assert "Leadership and management" in events  # the dimension's name, not its key
    assert "supporting-conditions/leadership" not in events
    health = page[page.index("Database") :]
    assert "healthy" in health or "needs attention" in health
    assert db.engine.dialect.name in health
    # The organisations page, one at a time here.
    assert "Page 1 of 2" in words
    assert "Page 2 of 2" in text_of(client.get("/dashboard?page=2").get_data(as_text=True))


def test_staff_see_the_assessments_queue_members_do_not(client, auth, world):
    new_assessment(world, "Readiness", status=AssessmentStatus.OPEN)
    auth.login(world.admin)
    assert "Readiness" in client.get("/assessments?state=open").get_data(as_text=True)
    auth.logout()
    auth.login(world.owner)
    assert client.get("/assessments").status_code == 403


# --- A bounded number of queries -------------------------------------------------------


def fill(world, organisations: int, batch: str) -> None:
    """``organisations`` more organisations with the consultant and the owner and manager,
    each with an assessment in every state, respondents and a published action plan."""
    actor = Actor.of_user(world.consultant_assigned)
    for number in range(organisations):
        organisation = factories.make_organisation(name=f"Client {batch}{number:03d}")
        factories.assign(organisation, world.consultant_assigned)
        factories.add_member(organisation, world.owner, MemberRole.OWNER)
        factories.add_member(organisation, world.manager, MemberRole.MANAGER)
        for state in AssessmentStatus:
            assessment = new_assessment(
                world,
                f"{state} {number}",
                status=state
                if state is not AssessmentStatus.ARCHIVED
                else AssessmentStatus.PUBLISHED,
                organisation=organisation,
                deadline=TODAY - timedelta(days=number % 3),
            )
            invite(assessment, "Ali", "ali@example.com", submitted=True)
            invite(assessment, world.manager.name, world.manager.email, user=world.manager)
            if assessment.status is AssessmentStatus.PUBLISHED:
                assessment.published_at = utcnow() - timedelta(days=number)
                factories.owned_action(assessment, world.manager, TODAY)
        tracker_services.create_default_stages(organisation.id)
        db.session.commit()
    services.record(assessment, actor, "status", "", "draft", "open")
    db.session.commit()


def statements_per_home(client, auth, world) -> dict[str, int]:
    counts = {}
    for role in ("admin", "consultant_assigned", "owner", "manager"):
        auth.login(world.user(role))
        client.get("/dashboard")  # the first request reads the questionnaires' versions
        with counted_statements() as statements:
            response = client.get("/dashboard")
        assert response.status_code == 200
        counts[role] = len(statements)
        auth.logout()
    return counts


def test_home_pages_make_the_same_queries_with_many_organisations_and_assessments(
    client, auth, world
):
    fill(world, 2, "a")
    few = statements_per_home(client, auth, world)
    fill(world, 12, "b")
    many = statements_per_home(client, auth, world)
    assert few == many
    assert max(many.values()) <= 25, many
