"""Consultants create organisations and manage their members; admins assign consultants."""

from __future__ import annotations

from sqlalchemy import select

from app.bidi import isolate_text
from app.extensions import db
from app.models import ConsultantAssignment, MemberRole, Membership, Organisation, User
from tests import factories

NEW_ORGANISATION = {
    "name": "Pars Logistics",
    "sector": "Logistics",
    "size": "medium",
    "default_locale": "fa",
    "notes": "Three depots.",
}


def test_consultant_creates_an_organisation_and_is_assigned_to_it(client, auth, world):
    auth.login(world.consultant_unassigned)
    response = client.post("/organisations/new", data=NEW_ORGANISATION, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Organisation “{isolate_text('Pars Logistics')}” created." in page
    assert "New assessment for Pars Logistics" in page  # its next step
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name == "Pars Logistics")
    )
    assert organisation.size == "medium"
    assert [a.consultant_id for a in organisation.assignments] == [world.consultant_unassigned.id]
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Pars Logistics" in dashboard
    assert "Acme Trading" not in dashboard  # not assigned to that one


def test_invalid_organisation_keeps_what_was_typed(client, auth, world):
    auth.login(world.admin)
    data = dict(NEW_ORGANISATION, name="Acme Trading")  # the world already has it
    page = client.post("/organisations/new", data=data).get_data(as_text=True)
    assert "One of the organisations you can see already has this name." in page
    assert 'value="Logistics"' in page
    assert "Three depots." in page
    assert db.session.scalar(select(Organisation).where(Organisation.sector == "Logistics")) is None

    page = client.post("/organisations/new", data=dict(data, name="  ")).get_data(as_text=True)
    assert "Enter the organisation&#39;s name." in page


def create_named(client, name: str, **options) -> str:
    """The page answering a request to create an organisation called ``name``."""
    data = dict(NEW_ORGANISATION, name=name)
    return client.post("/organisations/new", data=data, **options).get_data(as_text=True)


def organisations_named(name: str) -> list[Organisation]:
    """Oldest first (a row's place on disk is no order: PostgreSQL moves updated rows)."""
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.name == name).order_by(Organisation.id)
        )
    )


def test_a_consultant_learns_nothing_of_clients_they_cannot_see(client, auth, world):
    """Creating an organisation whose name another consultant's client holds answers
    exactly as for a name nobody holds: the organisation is created."""
    auth.login(world.consultant_unassigned)
    answers = []
    for name in ("Acme Trading", "Nobody Holds This"):  # Acme Trading is a hidden client
        page = create_named(client, name, follow_redirects=True)
        answers.append(page.split("<main")[1].replace(name, "NAME"))
        assert f"Organisation “{isolate_text(name)}” created." in page
    assert answers[0].split("<h1")[0] == answers[1].split("<h1")[0]  # the same message
    acme, own = organisations_named("Acme Trading")
    assert [a.consultant_id for a in own.assignments] == [world.consultant_unassigned.id]
    assert world.consultant_unassigned.id not in {a.consultant_id for a in acme.assignments}


def test_a_consultant_cannot_give_two_of_their_organisations_one_name(client, auth, world):
    auth.login(world.consultant_assigned)
    page = create_named(client, "Acme Trading")
    assert "One of the organisations you can see already has this name." in page
    assert len(organisations_named("Acme Trading")) == 1


def test_renaming_checks_only_the_organisations_one_sees(client, auth, world):
    auth.login(world.consultant_unassigned)  # assigned to Globex Foods only
    path = f"/organisations/{world.other_organisation.id}/edit"
    response = client.post(path, data=dict(NEW_ORGANISATION, name="Acme Trading"))
    assert response.status_code == 302
    assert len(organisations_named("Acme Trading")) == 2
    auth.logout()
    auth.login(world.admin)  # who sees both: each keeps its name on other edits
    page = client.post(
        path, data=dict(NEW_ORGANISATION, name="Acme Trading"), follow_redirects=True
    ).get_data(as_text=True)
    assert "Changes saved." in page
    page = create_named(client, "Acme Trading")
    assert "One of the organisations you can see already has this name." in page
    assert len(organisations_named("Acme Trading")) == 2


def test_edit_organisation(client, auth, world):
    auth.login(world.consultant_assigned)
    data = dict(NEW_ORGANISATION, name="Acme Trading Group")
    response = client.post(
        f"/organisations/{world.organisation.id}/edit", data=data, follow_redirects=True
    )
    assert "Changes saved." in response.get_data(as_text=True)
    assert db.session.get(Organisation, world.organisation.id).name == "Acme Trading Group"


def test_organisation_page_lists_members_and_consultants(client, auth, world):
    auth.login(world.owner)
    page = client.get(f"/organisations/{world.organisation.id}").get_data(as_text=True)
    assert "Olga Owner" in page
    assert "Max Manager" in page
    assert "Carl Consultant" in page
    assert "Otto Outsider" not in page
    assert "Add member" not in page  # owners do not manage members


def test_add_member_creates_an_account_and_sends_a_link(client, auth, world, caplog):
    auth.login(world.consultant_assigned)
    response = client.post(
        f"/organisations/{world.organisation.id}/members/new",
        data={
            "name": "Nima Jafari",
            "email": "Nima@Example.com",
            "role": "manager",
            "locale": "fa",
        },
        follow_redirects=True,
    )
    assert "An e-mail with a link to set a password was sent" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "nima@example.com"))
    assert user.password_hash is None
    assert user.locale == "fa"
    assert user.memberships[0].role == MemberRole.MANAGER
    assert "/password/reset/" in caplog.text
    assert "تعیین رمز عبور" in caplog.text  # the e-mail is in the new member's language


def test_add_existing_account_as_member_of_a_second_organisation(client, auth, world):
    auth.login(world.admin)
    response = client.post(
        f"/organisations/{world.organisation.id}/members/new",
        data={
            "name": "ignored",
            "email": world.other_member.email,
            "role": "owner",
            "locale": "en",
        },
        follow_redirects=True,
    )
    assert "already had an account" in response.get_data(as_text=True)
    assert len(db.session.get(User, world.other_member.id).memberships) == 2


def test_add_member_refuses_staff_and_duplicates(client, auth, world):
    auth.login(world.consultant_assigned)
    url = f"/organisations/{world.organisation.id}/members/new"
    count = db.session.query(Membership).count()
    page = client.post(
        url, data={"name": "X", "email": world.admin.email, "role": "manager", "locale": "en"}
    ).get_data(as_text=True)
    assert "belongs to a staff account" in page
    page = client.post(
        url, data={"name": "X", "email": world.manager.email, "role": "manager", "locale": "en"}
    ).get_data(as_text=True)
    assert "already a member of the organisation" in page
    assert db.session.query(Membership).count() == count


def test_change_role_and_remove_member(client, auth, world):
    auth.login(world.consultant_assigned)
    membership_id = world.manager_membership.id
    base = f"/organisations/{world.organisation.id}/members/{membership_id}"
    client.post(f"{base}/role", data={"role": "owner"})
    assert db.session.get(Membership, membership_id).role == MemberRole.OWNER
    response = client.post(f"{base}/role", data={"role": "emperor"}, follow_redirects=True)
    assert "Choose a valid role." in response.get_data(as_text=True)
    client.post(f"{base}/remove")
    assert db.session.get(Membership, membership_id) is None
    assert db.session.get(User, world.manager.id) is not None  # the account stays


def test_membership_of_another_organisation_is_not_reachable(client, auth, world):
    other = factories.add_member(world.other_organisation, factories.make_user(), MemberRole.OWNER)
    auth.login(world.consultant_assigned)
    url = f"/organisations/{world.organisation.id}/members/{other.id}/remove"
    assert client.post(url).status_code == 404
    assert db.session.get(Membership, other.id) is not None


def test_admin_assigns_and_unassigns_a_consultant(client, auth, world):
    auth.login(world.admin)
    page = client.get(f"/organisations/{world.organisation.id}").get_data(as_text=True)
    assert "Una Consultant" in page  # offered in the assign list
    client.post(
        f"/organisations/{world.organisation.id}/consultants",
        data={"consultant": world.consultant_unassigned.id},
    )
    assigned = db.session.scalars(
        select(ConsultantAssignment.consultant_id).where(
            ConsultantAssignment.organisation_id == world.organisation.id
        )
    ).all()
    assert sorted(assigned) == sorted(
        [world.consultant_assigned.id, world.consultant_unassigned.id]
    )
    assignment_id = world.assignment.id
    client.post(f"/organisations/{world.organisation.id}/consultants/{assignment_id}/remove")
    assert db.session.get(ConsultantAssignment, assignment_id) is None


def test_assigning_someone_who_is_not_a_consultant_is_refused(client, auth, world):
    auth.login(world.admin)
    response = client.post(
        f"/organisations/{world.organisation.id}/consultants",
        data={"consultant": world.owner.id},
        follow_redirects=True,
    )
    assert "Choose a consultant to assign." in response.get_data(as_text=True)
    assert world.owner.staff_role is None
    assert not db.session.get(User, world.owner.id).assignments


def test_organisation_list_is_searchable_and_scoped(client, auth, world):
    auth.login(world.admin)
    page = client.get("/organisations/", query_string={"q": "glob"}).get_data(as_text=True)
    assert "Globex Foods" in page
    assert "Acme Trading" not in page
    auth.logout()
    auth.login(world.consultant_assigned)
    page = client.get("/organisations/").get_data(as_text=True)
    assert "Acme Trading" in page
    assert "Globex Foods" not in page


def test_member_dashboard_shows_their_organisation_and_role(client, auth, world):
    auth.login(world.manager)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Acme Trading" in page
    assert "Manager (respondent)" in page
    assert "Globex Foods" not in page


def test_staff_role_cannot_be_given_to_a_member(client, auth, world):
    auth.login(world.admin)
    page = client.post(
        f"/admin/users/{world.manager.id}/edit",
        data={
            "name": "Max",
            "email": world.manager.email,
            "staff_role": "consultant",
            "locale": "en",
            "active": "y",
        },
    ).get_data(as_text=True)
    assert "Members of an organisation cannot have a staff role." in page
    assert db.session.get(User, world.manager.id).staff_role is None


def test_invited_member_can_be_sent_a_new_link(client, auth, world, caplog):
    invited = factories.add_member(
        world.organisation,
        factories.make_user(name="Ivy Invited", password=None),
        MemberRole.MANAGER,
    )
    auth.login(world.consultant_assigned)
    page = client.get(f"/organisations/{world.organisation.id}").get_data(as_text=True)
    assert page.count("Resend invitation") == 1  # only for the member without a password
    response = client.post(
        f"/organisations/{world.organisation.id}/members/{invited.id}/password-link",
        follow_redirects=True,
    )
    assert "A link to set a password was sent to" in response.get_data(as_text=True)
    assert "/password/reset/" in caplog.text
