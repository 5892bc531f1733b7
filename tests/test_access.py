"""Who may open what: every route against every kind of visitor, in one table.

Outcomes: OK (200), LOGIN (sent to the login page), DENIED (403), REDIRECT (302 somewhere
other than the login page, which is how a permitted form action answers). A new route
fails ``test_every_route_is_in_the_grid`` until it has a row here.
"""

from __future__ import annotations

import pytest

from app.models import LibraryQuestionnaire
from tests.factories import AssessmentWorld, TrackerWorld, World

OK, LOGIN, DENIED, REDIRECT, NOT_FOUND = "ok", "login", "denied", "redirect", "not found"
# A report's PDF that is not ready yet: the "being prepared" page (HTTP 202).
ACCEPTED = "accepted"
# A permitted request whose (empty) form the view refuses as malformed.
BAD_REQUEST = "bad request"
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
ORGANISATION_EDITOR_BAD = outcomes(LOGIN, BAD_REQUEST, BAD_REQUEST, DENIED, DENIED, DENIED, DENIED)
RESULTS_BEFORE_PUBLISHING = ORGANISATION_EDITORS
RESULTS_PUBLISHED = outcomes(LOGIN, OK, OK, DENIED, OK, DENIED, DENIED)
ONLY_THE_RESPONDENT = outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED)
ONLY_THE_RESPONDENT_REDIRECT = outcomes(LOGIN, DENIED, DENIED, DENIED, DENIED, REDIRECT, DENIED)
ANYONE_WITH_THE_LINK = outcomes(*[OK] * 7)
# A consultant's own workspace: every consultant has one; the admin and members do not.
CONSULTANTS_ONLY = outcomes(LOGIN, DENIED, OK, OK, DENIED, DENIED, DENIED)
# The tracker: its organisation's members keep it; the admin and assigned consultants read it.
TRACKER_READERS = ORGANISATION_READERS
TRACKER_EDITORS = outcomes(LOGIN, DENIED, DENIED, DENIED, OK, OK, DENIED)
TRACKER_EDITOR_ACTION = outcomes(LOGIN, DENIED, DENIED, DENIED, REDIRECT, REDIRECT, DENIED)
# Joining the benchmark pool is the organisation's own decision: its owners' alone.
OWNERS_ONLY = outcomes(LOGIN, DENIED, DENIED, DENIED, OK, DENIED, DENIED)
# The questionnaire library: staff read it and start their own; a consultant's own
# questionnaire (the assigned consultant's, here) is theirs and the admin's.
STAFF_ACTION = outcomes(LOGIN, REDIRECT, REDIRECT, REDIRECT, DENIED, DENIED, DENIED)
AUTHOR_ONLY = outcomes(LOGIN, OK, OK, DENIED, DENIED, DENIED, DENIED)
AUTHOR_ACTION = outcomes(LOGIN, REDIRECT, REDIRECT, DENIED, DENIED, DENIED, DENIED)
SHIPPED = "/questionnaires/shipped/supporting-conditions"
OWN = "/questionnaires/{questionnaire_id}"

# (endpoint, method, path with {placeholders} filled from the World, expected outcomes)
GRID = [
    ("main.index", "GET", "/", outcomes(LOGIN, *[REDIRECT] * 6)),
    ("main.dashboard", "GET", "/dashboard", EVERYONE_SIGNED_IN_OK),
    ("main.assessments", "GET", "/assessments", STAFF_ONLY),
    ("main.set_language", "POST", "/language", outcomes(*[REDIRECT] * 7)),
    ("main.healthz", "GET", "/healthz", outcomes(*[OK] * 7)),
    ("auth.login", "GET", "/login", outcomes(OK, *[REDIRECT] * 6)),
    ("auth.logout", "POST", "/logout", outcomes(*[LOGIN] * 7)),
    ("auth.change_password", "GET", "/account/password", EVERYONE_SIGNED_IN_OK),
    # The second step of a sign-in opens only during a sign-in: otherwise back to log in.
    ("auth.login_two_factor", "GET", "/login/two-factor", outcomes(LOGIN, *[REDIRECT] * 6)),
    ("auth.signed_in_sessions", "GET", "/account/sessions", EVERYONE_SIGNED_IN_OK),
    ("auth.end_session", "POST", "/account/sessions/end", outcomes(LOGIN, *[REDIRECT] * 6)),
    (
        "auth.end_other_sessions",
        "POST",
        "/account/sessions/end-others",
        outcomes(LOGIN, *[REDIRECT] * 6),
    ),
    ("auth.two_factor_status", "GET", "/account/two-factor", EVERYONE_SIGNED_IN_OK),
    ("auth.two_factor_setup", "GET", "/account/two-factor/setup", EVERYONE_SIGNED_IN_OK),
    # Without two-step sign-in turned on, these send the user back to its page.
    (
        "auth.regenerate_recovery_codes",
        "POST",
        "/account/two-factor/recovery-codes",
        outcomes(LOGIN, *[REDIRECT] * 6),
    ),
    # New codes are shown once, just after they are made; else back to two-step sign-in.
    (
        "auth.new_recovery_codes",
        "GET",
        "/account/two-factor/recovery-codes/new",
        outcomes(LOGIN, *[REDIRECT] * 6),
    ),
    (
        "auth.disable_two_factor",
        "GET",
        "/account/two-factor/disable",
        outcomes(LOGIN, *[REDIRECT] * 6),
    ),
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
    (
        "admin.reset_two_factor",
        "POST",
        "/admin/users/{manager_id}/two-factor/reset",
        ADMIN_ONLY_ACTION,
    ),
    ("jobs.retry", "POST", "/admin/jobs/no-such-job/retry", ADMIN_ONLY_ACTION),
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
    (
        "assessments.create",
        "GET",
        "/organisations/{org_id}/assessments/new",
        ORGANISATION_EDITORS,
    ),
    ("assessments.show", "GET", "/assessments/{open_id}", ORGANISATION_EDITORS),
    (
        "assessments.change_status",
        "POST",
        "/assessments/{open_id}/status",
        ORGANISATION_EDITOR_ACTION,
    ),
    (
        "assessments.add_respondent",
        "POST",
        "/assessments/{open_id}/respondents",
        ORGANISATION_EDITORS,
    ),
    (
        "assessments.paste_respondents",
        "GET",
        "/assessments/{open_id}/respondents/paste",
        ORGANISATION_EDITORS,
    ),
    (
        "assessments.reissue_link",
        "POST",
        "/assessments/{open_id}/respondents/{respondent_id}/link",
        ORGANISATION_EDITOR_ACTION,
    ),
    (
        "assessments.revoke_link",
        "POST",
        "/assessments/{open_id}/respondents/{respondent_id}/revoke",
        ORGANISATION_EDITOR_ACTION,
    ),
    (
        "assessments.unlock",
        "POST",
        "/assessments/{open_id}/respondents/{respondent_id}/unlock",
        ORGANISATION_EDITOR_ACTION,
    ),
    ("assessments.results", "GET", "/assessments/{open_id}/results", RESULTS_BEFORE_PUBLISHING),
    ("assessments.results", "GET", "/assessments/{published_id}/results", RESULTS_PUBLISHED),
    (
        "assessments.set_consensus",
        "POST",
        "/assessments/{open_id}/consensus",
        ORGANISATION_EDITOR_BAD,
    ),
    (
        "assessments.save_observations",
        "POST",
        "/assessments/{open_id}/observations",
        ORGANISATION_EDITOR_ACTION,
    ),
    ("assessments.audit", "GET", "/assessments/{open_id}/audit", ORGANISATION_EDITORS),
    ("assessments.audit_export", "GET", "/assessments/{open_id}/audit.csv", ORGANISATION_EDITORS),
    ("assessments.targets", "GET", "/assessments/{open_id}/targets", ORGANISATION_EDITORS),
    (
        "assessments.export",
        "GET",
        "/assessments/{open_id}/export/assessment.xlsx",
        ORGANISATION_EDITORS,
    ),
    (
        "assessments.import_template",
        "GET",
        "/assessments/{open_id}/import/template.xlsx",
        ORGANISATION_EDITORS,
    ),
    ("assessments.import_answers", "GET", "/assessments/{open_id}/import", ORGANISATION_EDITORS),
    ("assessments.remind", "POST", "/assessments/{open_id}/remind", ORGANISATION_EDITOR_ACTION),
    # The readiness report: staff of the organisation at any time, its owners once published.
    ("reports.preview", "GET", "/assessments/{open_id}/report", RESULTS_BEFORE_PUBLISHING),
    ("reports.preview", "GET", "/assessments/{published_id}/report", RESULTS_PUBLISHED),
    (
        "reports.download",
        "GET",
        "/assessments/{open_id}/report.pdf",
        outcomes(LOGIN, ACCEPTED, ACCEPTED, DENIED, DENIED, DENIED, DENIED),
    ),
    (
        "reports.download",
        "GET",
        "/assessments/{published_id}/report.pdf",
        outcomes(LOGIN, ACCEPTED, ACCEPTED, DENIED, ACCEPTED, DENIED, DENIED),
    ),
    (
        "reports.set_action_owner",
        "POST",
        "/assessments/{open_id}/actions",
        ORGANISATION_EDITOR_BAD,
    ),
    # A published action plan's items are marked done by staff and by the organisation's
    # members who carry them out.
    (
        "reports.mark_action_done",
        "POST",
        "/assessments/{published_id}/actions/{action_id}/done",
        outcomes(LOGIN, REDIRECT, REDIRECT, DENIED, REDIRECT, REDIRECT, DENIED),
    ),
    ("reports.branding", "GET", "/organisations/{org_id}/branding", ORGANISATION_EDITORS),
    ("reports.logo", "GET", "/organisations/{org_id}/logo", ORGANISATION_READERS),
    (
        "reports.clear_branding",
        "POST",
        "/organisations/{org_id}/branding/clear",
        ORGANISATION_EDITOR_ACTION,
    ),
    # The logo a report shows, whoever's branding it is: to whoever may read the report.
    ("reports.report_logo", "GET", "/assessments/{open_id}/report/logo", RESULTS_BEFORE_PUBLISHING),
    ("reports.report_logo", "GET", "/assessments/{published_id}/report/logo", RESULTS_PUBLISHED),
    ("reports.workspace_branding", "GET", "/account/branding", CONSULTANTS_ONLY),
    ("benchmarks.consent", "GET", "/organisations/{org_id}/benchmarks", OWNERS_ONLY),
    # A consultant's own clients; the admin has none.
    ("benchmarks.portfolio", "GET", "/portfolio", CONSULTANTS_ONLY),
    ("reports.workspace_logo", "GET", "/account/branding/logo", CONSULTANTS_ONLY),
    ("respond.start", "GET", "/answer/{respondent_id}", ONLY_THE_RESPONDENT_REDIRECT),
    ("respond.page", "GET", "/answer/{respondent_id}/1", ONLY_THE_RESPONDENT),
    ("respond.review", "GET", "/answer/{respondent_id}/review", ONLY_THE_RESPONDENT),
    ("respond.closed", "GET", "/answer/{respondent_id}/done", ONLY_THE_RESPONDENT),
    # The private link opens that response, whoever holds it, and nothing else.
    ("respond.start", "GET", "/r/{token}", outcomes(*[REDIRECT] * 7)),
    ("respond.page", "GET", "/r/{token}/1", ANYONE_WITH_THE_LINK),
    ("respond.review", "GET", "/r/{token}/review", ANYONE_WITH_THE_LINK),
    ("respond.closed", "GET", "/r/{token}/done", ANYONE_WITH_THE_LINK),
    ("respond.page", "GET", "/r/not-the-token/1", outcomes(*[NOT_FOUND] * 7)),
    ("tracker.customers", "GET", "/organisations/{org_id}/tracker/", TRACKER_READERS),
    ("tracker.export", "GET", "/organisations/{org_id}/tracker/customers.csv", TRACKER_READERS),
    ("tracker.board", "GET", "/organisations/{org_id}/tracker/board", TRACKER_READERS),
    (
        "tracker.customer",
        "GET",
        "/organisations/{org_id}/tracker/customers/{customer_id}",
        TRACKER_READERS,
    ),
    ("tracker.tasks", "GET", "/organisations/{org_id}/tracker/tasks", TRACKER_READERS),
    ("tracker.metrics", "GET", "/organisations/{org_id}/tracker/metrics", TRACKER_READERS),
    (
        "tracker.new_customer",
        "GET",
        "/organisations/{org_id}/tracker/customers/new",
        TRACKER_EDITORS,
    ),
    (
        "tracker.edit_customer",
        "GET",
        "/organisations/{org_id}/tracker/customers/{customer_id}/edit",
        TRACKER_EDITORS,
    ),
    (
        "tracker.move",
        "GET",
        "/organisations/{org_id}/tracker/customers/{customer_id}/move",
        TRACKER_EDITORS,
    ),
    # A permitted POST of an empty form comes back as the page with its errors.
    (
        "tracker.add_interaction",
        "POST",
        "/organisations/{org_id}/tracker/customers/{customer_id}/contacts",
        TRACKER_EDITORS,
    ),
    (
        "tracker.delete_interaction",
        "POST",
        "/organisations/{org_id}/tracker/customers/{customer_id}/contacts/{interaction_id}/delete",
        TRACKER_EDITOR_ACTION,
    ),
    (
        "tracker.add_follow_up",
        "POST",
        "/organisations/{org_id}/tracker/customers/{customer_id}/follow-ups",
        TRACKER_EDITORS,
    ),
    (
        "tracker.complete_follow_up",
        "POST",
        "/organisations/{org_id}/tracker/follow-ups/{follow_up_id}/done",
        TRACKER_EDITOR_ACTION,
    ),
    (
        "tracker.add_feedback",
        "POST",
        "/organisations/{org_id}/tracker/customers/{customer_id}/feedback",
        TRACKER_EDITORS,
    ),
    ("tracker.stages", "GET", "/organisations/{org_id}/tracker/stages", TRACKER_EDITORS),
    (
        "tracker.edit_stage",
        "GET",
        "/organisations/{org_id}/tracker/stages/{stage_id}/edit",
        TRACKER_EDITORS,
    ),
    (
        "tracker.shift_stage",
        "POST",
        "/organisations/{org_id}/tracker/stages/{stage_id}/shift",
        TRACKER_EDITOR_ACTION,
    ),
    (
        "tracker.retire_stage",
        "POST",
        "/organisations/{org_id}/tracker/stages/{stage_id}/retire",
        TRACKER_EDITOR_ACTION,
    ),
    (
        "tracker.delete_stage",
        "POST",
        "/organisations/{org_id}/tracker/stages/{stage_id}/delete",
        TRACKER_EDITOR_ACTION,
    ),
    (
        "tracker.import_template",
        "GET",
        "/organisations/{org_id}/tracker/import/template.csv",
        TRACKER_EDITORS,
    ),
    ("tracker.import_upload", "GET", "/organisations/{org_id}/tracker/import", TRACKER_EDITORS),
    (
        "tracker.import_mapping",
        "GET",
        "/organisations/{org_id}/tracker/import/{upload_id}/mapping",
        TRACKER_EDITORS,
    ),
    (
        "tracker.import_preview",
        "GET",
        "/organisations/{org_id}/tracker/import/{upload_id}/preview",
        TRACKER_EDITORS,
    ),
    ("library.index", "GET", "/questionnaires/", STAFF_ONLY),
    ("library.new", "POST", "/questionnaires/new", STAFF_ACTION),
    ("library.import_yaml", "GET", "/questionnaires/import", STAFF_ONLY),
    ("library.clone", "POST", f"{SHIPPED}/clone", STAFF_ACTION),
    ("library.export_shipped", "GET", f"{SHIPPED}.yaml", STAFF_ONLY),
    ("library.preview_shipped", "GET", f"{SHIPPED}/preview", STAFF_ONLY),
    ("library.show", "GET", OWN, AUTHOR_ONLY),
    ("library.export", "GET", f"{OWN}/export.yaml", AUTHOR_ONLY),
    ("library.preview", "GET", f"{OWN}/preview", AUTHOR_ONLY),
    ("library.compare_versions", "GET", f"{OWN}/compare", AUTHOR_ONLY),
    ("library.publish", "POST", f"{OWN}/publish", AUTHOR_ACTION),
    ("library.edit_questionnaire", "GET", f"{OWN}/edit", AUTHOR_ONLY),
    ("library.edit_levels", "GET", f"{OWN}/levels", AUTHOR_ONLY),
    ("library.edit_dimension", "GET", f"{OWN}/dimensions/0", AUTHOR_ONLY),
    ("library.edit_recommendations", "GET", f"{OWN}/dimensions/0/recommendations", AUTHOR_ONLY),
    ("library.edit_item", "GET", f"{OWN}/dimensions/0/items/0", AUTHOR_ONLY),
    ("library.add_dimension", "POST", f"{OWN}/dimensions/add", AUTHOR_ACTION),
    ("library.move_dimension", "POST", f"{OWN}/dimensions/0/down", AUTHOR_ACTION),
    ("library.remove_dimension", "POST", f"{OWN}/dimensions/0/remove", AUTHOR_ACTION),
    ("library.add_item", "POST", f"{OWN}/dimensions/0/items/add", AUTHOR_ACTION),
    ("library.move_item", "POST", f"{OWN}/dimensions/0/items/0/down", AUTHOR_ACTION),
    ("library.remove_item", "POST", f"{OWN}/dimensions/0/items/0/remove", AUTHOR_ACTION),
]

# Endpoints that answer with a file to save rather than a page to read.
DOWNLOADS = frozenset(
    {
        "assessments.audit_export",
        "assessments.export",
        "assessments.import_template",
        "library.export",
        "library.export_shipped",
        "reports.download",
        "reports.logo",
        "reports.report_logo",
        "reports.workspace_logo",
        "tracker.export",
        "tracker.import_template",
    }
)
# Every page a person can open, for the tests that look at all of them.
PAGES = [
    path
    for endpoint, method, path, _expected in GRID
    if method == "GET" and endpoint not in DOWNLOADS and path != "/healthz"
]

CASES = [
    pytest.param(method, path, role, expected[role], id=f"{endpoint}-{role}")
    for endpoint, method, path, expected in GRID
    for role in ROLES
]


def fill(
    path: str,
    world: World,
    assessments: AssessmentWorld,
    tracker: TrackerWorld,
    library: LibraryQuestionnaire,
) -> str:
    return path.format(
        questionnaire_id=library.id,
        org_id=world.organisation.id,
        manager_id=world.manager.id,
        membership_id=world.manager_membership.id,
        assignment_id=world.assignment.id,
        open_id=assessments.open.id,
        published_id=assessments.published.id,
        respondent_id=assessments.respondent.id,
        action_id=assessments.action.id,
        token=assessments.token,
        customer_id=tracker.customer.id,
        interaction_id=tracker.interaction.id,
        follow_up_id=tracker.follow_up.id,
        stage_id=tracker.stage("Lead").id,
        upload_id=tracker.upload.id,
    )


@pytest.mark.parametrize(("method", "path", "role", "expected"), CASES)
def test_access(client, auth, world, assessments, tracker, library, method, path, role, expected):
    user = world.user(role)
    if user is not None:
        assert auth.login(user).status_code == 302
    response = client.open(fill(path, world, assessments, tracker, library), method=method)
    location = response.headers.get("Location", "")
    actual = {
        200: OK,
        202: ACCEPTED,
        400: BAD_REQUEST,
        403: DENIED,
        404: NOT_FOUND,
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
