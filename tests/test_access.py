"""Who may open what: every route against every kind of visitor, in one table.

Outcomes: OK (200), LOGIN (sent to the login page), DENIED (403), REDIRECT (302 somewhere
other than the login page, which is how a permitted form action answers). A new route
fails ``test_every_route_is_in_the_grid`` until it has a row here.
"""

from __future__ import annotations

import pytest

from tests.factories import World

OK, LOGIN, DENIED, REDIRECT = "ok", "login", "denied", "redirect"
ROLES = (
    "anonymous",
    "admin",
    "consultant_assigned",
    "consultant_unassigned",
    "owner",
    "manager",
    "other_member",
)


def outcomes(anonymous, admin, consultant_assigned, consultant_unassigned, owner, manager, other):
    return dict(
        zip(
            ROLES,
            (anonymous, admin, consultant_assigned, consultant_unassigned, owner, manager, other),
            strict=True,
        )
    )


EVERYONE_SIGNED_IN_OK = outcomes(LOGIN, OK, OK, OK, OK, OK, OK)
ADMIN_ONLY = outcomes(LOGIN, OK, DENIED, DENIED, DENIED, DENIED, DENIED)
ADMIN_ONLY_ACTION = outcomes(LOGIN, REDIRECT, DENIED, DENIED, DENIED, DENIED, DENIED)
STAFF_ONLY = outcomes(LOGIN, OK, OK, OK, DENIED, DENIED, DENIED)
ORGANISATION_READERS = outcomes(LOGIN, OK, OK, DENIED, OK, OK, DENIED)
ORGANISATION_EDITORS = outcomes(LOGIN, OK, OK, DENIED, DENIED, DENIED, DENIED)
ORGANISATION_EDITOR_ACTION = outcomes(LOGIN, REDIRECT, REDIRECT, DENIED, DENIED, DENIED, DENIED)

# (endpoint, method, path with {placeholders} filled from the World, expected outcomes)
GRID = [
    ("main.index", "GET", "/", outcomes(LOGIN, *[REDIRECT] * 6)),
    ("main.dashboard", "GET", "/dashboard", EVERYONE_SIGNED_IN_OK),
    ("main.set_language", "POST", "/language", outcomes(*[REDIRECT] * 7)),
    ("main.healthz", "GET", "/healthz", outcomes(*[OK] * 7)),
    ("auth.login", "GET", "/login", outcomes(OK, *[REDIRECT] * 6)),
    ("auth.logout", "POST", "/logout", outcomes(*[LOGIN] * 7)),
    ("auth.change_password", "GET", "/account/password", EVERYONE_SIGNED_IN_OK),
    ("auth.forgot_password", "GET", "/password/forgot", outcomes(*[OK] * 7)),
    ("auth.reset_password", "GET", "/password/reset/not-a-token", outcomes(*[REDIRECT] * 7)),
    ("admin.users", "GET", "/admin/users", ADMIN_ONLY),
    ("admin.create_user", "GET", "/admin/users/new", ADMIN_ONLY),
    ("admin.edit_user", "GET", "/admin/users/{manager_id}/edit", ADMIN_ONLY),
    (
        "admin.send_user_password_link",
        "POST",
        "/admin/users/{manager_id}/password-link",
        ADMIN_ONLY_ACTION,
    ),
    ("organisations.index", "GET", "/organisations/", STAFF_ONLY),
    ("organisations.create", "GET", "/organisations/new", STAFF_ONLY),
    ("organisations.show", "GET", "/organisations/{org_id}", ORGANISATION_READERS),
    ("organisations.edit", "GET", "/organisations/{org_id}/edit", ORGANISATION_EDITORS),
    (
        "organisations.add_member",
        "GET",
        "/organisations/{org_id}/members/new",
        ORGANISATION_EDITORS,
    ),
    (
        "organisations.change_member_role",
        "POST",
        "/organisations/{org_id}/members/{membership_id}/role",
        ORGANISATION_EDITOR_ACTION,
    ),
    (
        "organisations.remove_member",
        "POST",
        "/organisations/{org_id}/members/{membership_id}/remove",
        ORGANISATION_EDITOR_ACTION,
    ),
    (
        "organisations.send_member_password_link",
        "POST",
        "/organisations/{org_id}/members/{membership_id}/password-link",
        ORGANISATION_EDITOR_ACTION,
    ),
    (
        "organisations.assign_consultant",
        "POST",
        "/organisations/{org_id}/consultants",
        ADMIN_ONLY_ACTION,
    ),
    (
        "organisations.unassign_consultant",
        "POST",
        "/organisations/{org_id}/consultants/{assignment_id}/remove",
        ADMIN_ONLY_ACTION,
    ),
]

CASES = [
    pytest.param(method, path, role, expected[role], id=f"{endpoint}-{role}")
    for endpoint, method, path, expected in GRID
    for role in ROLES
]


def fill(path: str, world: World) -> str:
    return path.format(
        org_id=world.organisation.id,
        manager_id=world.manager.id,
        membership_id=world.manager_membership.id,
        assignment_id=world.assignment.id,
    )


@pytest.mark.parametrize(("method", "path", "role", "expected"), CASES)
def test_access(client, auth, world, method, path, role, expected):
    user = world.user(role)
    if user is not None:
        assert auth.login(user).status_code == 302
    response = client.open(fill(path, world), method=method)
    location = response.headers.get("Location", "")
    actual = {
        200: OK,
        403: DENIED,
        302: LOGIN if location.startswith("/login") else REDIRECT,
    }.get(response.status_code, str(response.status_code))
    assert actual == expected, f"{role} {method} {path}: {response.status_code} {location}"


def test_every_route_is_in_the_grid(app):
    covered = {(endpoint, method) for endpoint, method, _path, _expected in GRID}
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    # A form page's POST is checked by the same rule as its GET (authorize runs first);
    # the grid lists each route once, by its GET when it has one.
    posts_of_form_pages = {(endpoint, "POST") for endpoint, method in routes if method == "GET"}
    missing = routes - covered - posts_of_form_pages
    assert not missing, f"routes missing from the access grid: {sorted(missing)}"
