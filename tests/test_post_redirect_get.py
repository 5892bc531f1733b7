"""Post/Redirect/Get everywhere: every form post that succeeds answers with a redirect, so
that refreshing the page it lands on never repeats the action. Every POST route of the
app's URL map has a valid submission here (``test_every_post_route_is_covered`` fails
otherwise); each is sent, must redirect, and (where it changes data) must have changed
the database."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pyotp
import pytest
from flask.testing import FlaskClient

from app.assessments import scores
from app.assessments.exchange import template_columns
from app.auth.password_links import make_reset_token
from app.extensions import db
from app.models import PipelineStage, StageKind, User, UserSession, utcnow
from app.reports.actions import action_assignments
from tests import factories

TODAY = date.today().isoformat()


@dataclass
class Setting:
    """What a case may need beside the World."""

    world: factories.World
    assessments: factories.AssessmentWorld
    tracker: factories.TrackerWorld
    reviewed: object  # an assessment in review, with results and an action plan
    library: object  # the assigned consultant's own questionnaire, ready to publish

    @property
    def own(self) -> str:
        return f"/questionnaires/{self.library.id}"

    @property
    def org(self) -> int:
        return self.world.organisation.id

    @property
    def tracker_url(self) -> str:
        return f"/organisations/{self.org}/tracker"


@dataclass(frozen=True)
class Case:
    endpoint: str
    role: str  # who sends it ("anonymous" for nobody)
    path: Callable[[Setting], str]
    data: Callable[[Setting], dict] = lambda _s: {}
    changes_data: bool = True  # False: it only sends an e-mail or changes the session
    files: bool = False
    # What the browser did first, such as the password step before the second one.
    before: Callable[[Setting, FlaskClient], None] = lambda _s, _client: None


def _customer(s: Setting) -> dict:
    return {
        "kind": "person",
        "name": "Kaveh Jafari",
        "email": "kaveh@example.com",
        "source": "",
        "owner": "",
        "stage": str(s.tracker.stage("Lead").id),
    }


def _import_answers(s: Setting) -> dict:
    columns = template_columns(scores.definitions(s.assessments.open))
    row = ["Pari Navabi", "pari@example.com", "manager"] + ["3"] * (len(columns) - 3)
    text = ",".join(columns) + "\n" + ",".join(row) + "\n"
    return {"file": (io.BytesIO(text.encode()), "answers.csv")}


def _first_action(s: Setting) -> dict:
    action = scores.score(s.reviewed).action_plan[0]
    return {
        "questionnaire": action.questionnaire_id,
        "dimension": action.dimension_id,
        "level": action.level,
        "position": "0",
        "owner": "Max Manager",
        "due_date": TODAY,
    }


def _first_item(s: Setting) -> dict:
    (definition,) = scores.definitions(s.reviewed)
    return {
        "questionnaire": definition.id,
        "item": definition.dimensions[0].items[0].id,
        "value": "4",
        "note": "agreed in the workshop",
    }


def _first_page(s: Setting) -> dict:
    (definition,) = scores.definitions(s.assessments.open)
    item = definition.dimensions[0].items[0]
    return {"go": "next", f"v_{item.id}": "4", f"s_{item.id}": "|"}


def _other_session(s: Setting) -> dict:
    """The owner is signed in on a second device too."""
    record = UserSession(user=s.world.owner, token_hash="0" * 64, browser="Firefox", platform="")
    db.session.add(record)
    db.session.commit()
    return {"session_id": str(record.id)}


def _two_factor_code(user: User, *, enabled: bool = True) -> dict:
    """Give ``user`` an authenticator key (turned on, or still being set up) and return a
    current code from it."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_enabled_at = utcnow() if enabled else None
    db.session.commit()
    return {"code": pyotp.TOTP(secret).now()}


def _password_step(s: Setting, client: FlaskClient) -> None:
    client.post("/login", data={"email": s.world.owner.email, "password": factories.PASSWORD})


def _spare_stage(s: Setting) -> str:
    stage = PipelineStage(
        organisation_id=s.org, name_en="Trial", name_fa="", kind=StageKind.OPEN, position=99
    )
    db.session.add(stage)
    db.session.commit()
    return f"{s.tracker_url}/stages/{stage.id}"


OPEN = "/assessments/{}"
CASES = [
    # Accounts and sign-in
    Case("auth.login", "anonymous", lambda _s: "/login",
         lambda s: {"email": s.world.owner.email, "password": factories.PASSWORD}),
    Case("auth.logout", "owner", lambda _s: "/logout", changes_data=False),
    Case("auth.change_password", "owner", lambda _s: "/account/password",
         lambda _s: {"current_password": factories.PASSWORD, "password": "a new long password",
                    "confirm": "a new long password"}),
    Case("auth.forgot_password", "anonymous", lambda _s: "/password/forgot",
         lambda s: {"email": s.world.owner.email}, changes_data=False),
    Case("auth.reset_password", "anonymous",
         lambda s: f"/password/reset/{make_reset_token(s.world.owner)}",
         lambda _s: {"password": "a new long password", "confirm": "a new long password"}),
    Case("auth.login_two_factor", "anonymous", lambda _s: "/login/two-factor",
         lambda s: _two_factor_code(s.world.owner), before=_password_step),
    Case("auth.end_session", "owner", lambda _s: "/account/sessions/end", _other_session),
    Case("auth.end_other_sessions", "owner", lambda _s: "/account/sessions/end-others",
         _other_session),
    Case("auth.two_factor_setup", "owner", lambda _s: "/account/two-factor/setup",
         lambda s: _two_factor_code(s.world.owner, enabled=False)),
    Case("auth.regenerate_recovery_codes", "owner",
         lambda _s: "/account/two-factor/recovery-codes",
         lambda s: _two_factor_code(s.world.owner)),
    Case("auth.disable_two_factor", "owner", lambda _s: "/account/two-factor/disable",
         lambda s: _two_factor_code(s.world.owner) | {"password": factories.PASSWORD}),
    Case("admin.reset_two_factor", "admin",
         lambda s: f"/admin/users/{s.world.manager.id}/two-factor/reset",
         lambda s: _two_factor_code(s.world.manager)),
    Case("jobs.retry", "admin", lambda _s: "/admin/jobs/no-such-job/retry", changes_data=False),
    Case("main.set_language", "owner", lambda _s: "/language",
         lambda _s: {"language": "fa", "next": "/dashboard"}),
    Case("admin.create_user", "admin", lambda _s: "/admin/users/new",
         lambda _s: {"name": "Nima Nouri", "email": "nima@example.com", "staff_role": "consultant",
                    "locale": "fa", "active": "y"}),
    Case("admin.edit_user", "admin", lambda s: f"/admin/users/{s.world.manager.id}/edit",
         lambda s: {"name": "Max M. Manager", "email": s.world.manager.email,
                    "staff_role": "", "locale": "en", "active": "y"}),
    Case("admin.send_user_password_link", "admin",
         lambda s: f"/admin/users/{s.world.manager.id}/password-link", changes_data=False),
    # Organisations
    Case("organisations.create", "consultant_assigned", lambda _s: "/organisations/new",
         lambda _s: {"name": "Pars Logistics", "sector": "Logistics", "size": "medium",
                    "default_locale": "fa"}),
    Case("organisations.edit", "consultant_assigned", lambda s: f"/organisations/{s.org}/edit",
         lambda _s: {"name": "Acme Trading Group", "sector": "Retail", "size": "small",
                    "default_locale": "en"}),
    Case("organisations.add_member", "consultant_assigned",
         lambda s: f"/organisations/{s.org}/members/new",
         lambda _s: {"name": "Shirin Ebadi", "email": "shirin@example.com", "role": "manager",
                    "locale": "fa"}),
    Case("organisations.change_member_role", "consultant_assigned",
         lambda s: f"/organisations/{s.org}/members/{s.world.manager_membership.id}/role",
         lambda _s: {"role": "owner"}),
    Case("organisations.remove_member", "consultant_assigned",
         lambda s: f"/organisations/{s.org}/members/{s.world.manager_membership.id}/remove"),
    Case("organisations.send_member_password_link", "consultant_assigned",
         lambda s: f"/organisations/{s.org}/members/{s.world.manager_membership.id}/password-link",
         changes_data=False),
    Case("organisations.assign_consultant", "admin",
         lambda s: f"/organisations/{s.org}/consultants",
         lambda s: {"consultant": str(s.world.consultant_unassigned.id)}),
    Case("organisations.unassign_consultant", "admin",
         lambda s: f"/organisations/{s.org}/consultants/{s.world.assignment.id}/remove"),
    # Assessments
    Case("assessments.create", "consultant_assigned",
         lambda s: f"/organisations/{s.org}/assessments/new",
         lambda _s: {"title": "Readiness 2027", "questionnaires": ["supporting-conditions"],
                    "groups": ["manager"], "respondents": "Ali, ali@example.com, manager",
                    "locale": "fa", "open_now": "y"}),
    Case("assessments.add_respondent", "consultant_assigned",
         lambda s: f"/assessments/{s.assessments.open.id}/respondents",
         lambda _s: {"name": "Reza", "email": "reza@example.com", "group": "manager",
                    "locale": "fa"}),
    Case("assessments.paste_respondents", "consultant_assigned",
         lambda s: f"/assessments/{s.assessments.open.id}/respondents/paste",
         lambda _s: {"lines": "Ali, ali@example.com, manager", "locale": "fa"}),
    Case("assessments.reissue_link", "consultant_assigned",
         lambda s: f"/assessments/{s.assessments.open.id}/respondents/"
                   f"{s.assessments.respondent.id}/link"),
    Case("assessments.revoke_link", "consultant_assigned",
         lambda s: f"/assessments/{s.assessments.open.id}/respondents/"
                   f"{s.assessments.respondent.id}/revoke"),
    Case("assessments.unlock", "consultant_assigned",
         lambda s: f"/assessments/{s.reviewed.id}/respondents/"
                   f"{s.reviewed.respondents[0].id}/unlock"),
    Case("assessments.remind", "consultant_assigned",
         lambda s: f"/assessments/{s.assessments.open.id}/remind"),
    Case("assessments.change_status", "consultant_assigned",
         lambda s: f"/assessments/{s.assessments.open.id}/status",
         lambda _s: {"to": "in_review"}),
    Case("assessments.targets", "consultant_assigned",
         lambda s: f"/assessments/{s.assessments.open.id}/targets",
         lambda _s: {"t_supporting-conditions__leadership": "established"}),
    Case("assessments.import_answers", "consultant_assigned",
         lambda s: f"/assessments/{s.assessments.open.id}/import", _import_answers, files=True),
    Case("assessments.set_consensus", "consultant_assigned",
         lambda s: f"/assessments/{s.reviewed.id}/consensus", _first_item),
    Case("assessments.save_observations", "consultant_assigned",
         lambda s: f"/assessments/{s.reviewed.id}/observations",
         lambda _s: {"observations": "Leadership is missing."}),
    # Reports
    Case("reports.set_action_owner", "consultant_assigned",
         lambda s: f"/assessments/{s.reviewed.id}/actions", _first_action),
    Case("reports.mark_action_done", "manager",
         lambda s: f"/assessments/{s.assessments.published.id}/actions/"
                   f"{s.assessments.action.id}/done",
         lambda _s: {"done": "1", "next": "/dashboard"}),
    Case("reports.branding", "consultant_assigned", lambda s: f"/organisations/{s.org}/branding",
         lambda _s: {"accent_colour": "#123456"}),
    Case("reports.clear_branding", "consultant_assigned",
         lambda s: f"/organisations/{s.org}/branding/clear"),
    Case("reports.workspace_branding", "consultant_assigned", lambda _s: "/account/branding",
         lambda _s: {"accent_colour": "#654321"}),
    # Benchmarks
    Case("benchmarks.consent", "owner", lambda s: f"/organisations/{s.org}/benchmarks",
         lambda _s: {"consent": "y"}),
    # Answering, by private link and from one's account
    Case("respond.page", "anonymous", lambda s: f"/r/{s.assessments.token}/1", _first_page),
    Case("respond.page", "manager", lambda s: f"/answer/{s.assessments.respondent.id}/1",
         _first_page),
    Case("respond.review", "anonymous", lambda s: f"/r/{s.assessments.token}/review"),
    Case("respond.review", "manager", lambda s: f"/answer/{s.assessments.respondent.id}/review"),
    # The customer tracker
    Case("tracker.new_customer", "owner", lambda s: f"{s.tracker_url}/customers/new", _customer),
    Case("tracker.edit_customer", "owner",
         lambda s: f"{s.tracker_url}/customers/{s.tracker.customer.id}/edit",
         lambda s: _customer(s) | {"name": "Roya Tehrani-Nik", "email": "roya@example.com"}),
    Case("tracker.move", "owner",
         lambda s: f"{s.tracker_url}/customers/{s.tracker.customer.id}/move",
         lambda s: {"move-stage": str(s.tracker.stage("Opportunity").id)}),
    Case("tracker.add_interaction", "owner",
         lambda s: f"{s.tracker_url}/customers/{s.tracker.customer.id}/contacts",
         lambda _s: {"contact-channel": "phone", "contact-direction": "outbound",
                    "contact-occurred_on": TODAY, "contact-outcome": "positive"}),
    Case("tracker.delete_interaction", "owner",
         lambda s: f"{s.tracker_url}/customers/{s.tracker.customer.id}/contacts/"
                   f"{s.tracker.interaction.id}/delete"),
    Case("tracker.add_follow_up", "owner",
         lambda s: f"{s.tracker_url}/customers/{s.tracker.customer.id}/follow-ups",
         lambda s: {"task-title": "Visit the warehouse", "task-due_on": TODAY,
                    "task-assignee": str(s.world.owner.id)}),
    Case("tracker.complete_follow_up", "owner",
         lambda s: f"{s.tracker_url}/follow-ups/{s.tracker.follow_up.id}/done"),
    Case("tracker.add_feedback", "owner",
         lambda s: f"{s.tracker_url}/customers/{s.tracker.customer.id}/feedback",
         lambda _s: {"feedback-kind": "nps", "feedback-score": "9",
                    "feedback-received_on": TODAY}),
    Case("tracker.stages", "owner", lambda s: f"{s.tracker_url}/stages",
         lambda _s: {"name_en": "Trial", "kind": "open"}),
    Case("tracker.edit_stage", "owner",
         lambda s: f"{s.tracker_url}/stages/{s.tracker.stage('Lead').id}/edit",
         lambda _s: {"name_fa": "سرنخ گرم", "name_en": "Warm lead", "kind": "open"}),
    Case("tracker.shift_stage", "owner",
         lambda s: f"{s.tracker_url}/stages/{s.tracker.stage('Lead').id}/shift",
         lambda _s: {"step": "-1"}),
    Case("tracker.retire_stage", "owner",
         lambda s: f"{s.tracker_url}/stages/{s.tracker.stage('Prospect').id}/retire"),
    Case("tracker.delete_stage", "owner", lambda s: f"{_spare_stage(s)}/delete"),
    Case("tracker.import_upload", "owner", lambda s: f"{s.tracker_url}/import",
         lambda _s: {"file": (io.BytesIO(b"name,email\nNasrin,nasrin@example.com\n"), "c.csv")},
         files=True),
    Case("tracker.import_mapping", "owner",
         lambda s: f"{s.tracker_url}/import/{s.tracker.upload.id}/mapping",
         lambda _s: {"name": "0", "email": "1", "phone": ""}),
    Case("tracker.import_preview", "owner",
         lambda s: f"{s.tracker_url}/import/{s.tracker.upload.id}/preview",
         lambda _s: {"on_duplicate": "skip"}),
    Case("library.new", "consultant_assigned", lambda _s: "/questionnaires/new"),
    Case("library.clone", "consultant_assigned",
         lambda _s: "/questionnaires/shipped/gartner-building-blocks/clone"),
    Case("library.import_yaml", "consultant_assigned", lambda _s: "/questionnaires/import",
         lambda _s: {"file": (io.BytesIO(factories.ASSESSMENTS.joinpath(
             "crm-process-cycle.yaml").read_bytes()), "crm-process-cycle.yaml")},
         files=True),
    Case("library.publish", "consultant_assigned", lambda s: f"{s.own}/publish"),
    Case("library.edit_questionnaire", "consultant_assigned", lambda s: f"{s.own}/edit",
         lambda _s: {"id": "our-conditions", "title_en": "Ours", "title_fa": "از آنِ ما",
                     "description_en": "Ours.", "description_fa": "از آنِ ما.", "weight": "1"}),
    Case("library.edit_dimension", "consultant_assigned", lambda s: f"{s.own}/dimensions/0",
         lambda _s: {"id": "leadership", "title_en": "Leaders", "title_fa": "رهبران",
                     "description_en": "Who leads.", "description_fa": "چه کسی رهبری می‌کند.",
                     "weight": "2", "critical": "y", "critical_threshold": "40",
                     "source": ["001_8b80b79e88590196.txt"]}),
    Case("library.edit_item", "consultant_assigned", lambda s: f"{s.own}/dimensions/0/items/0",
         lambda _s: {"id": "lead-goals", "statement_en": "Goals are set.",
                     "statement_fa": "هدف‌ها تعیین شده است.", "help_en": "Written down.",
                     "help_fa": "مکتوب.", "scale": "agreement5", "weight": "1",
                     "allow_na": "y", "source": ["001_8b80b79e88590196.txt"]}),
    Case("library.edit_levels", "consultant_assigned", lambda s: f"{s.own}/levels",
         lambda _s: {"rows-0-id": "low", "rows-0-min": "0", "rows-0-name_en": "Low",
                     "rows-0-name_fa": "کم", "rows-0-description_en": "Low.",
                     "rows-0-description_fa": "کم."}),
    Case("library.edit_recommendations", "consultant_assigned",
         lambda s: f"{s.own}/dimensions/0/recommendations",
         lambda _s: {"rows-0-level": "initial", "rows-0-text_en": "Start.",
                     "rows-0-text_fa": "آغاز کنید.", "rows-0-source": "001_8b80b79e88590196.txt"}),
    Case("library.add_dimension", "consultant_assigned", lambda s: f"{s.own}/dimensions/add"),
    Case("library.move_dimension", "consultant_assigned", lambda s: f"{s.own}/dimensions/0/down"),
    Case("library.remove_dimension", "consultant_assigned",
         lambda s: f"{s.own}/dimensions/0/remove"),
    Case("library.add_item", "consultant_assigned", lambda s: f"{s.own}/dimensions/0/items/add"),
    Case("library.move_item", "consultant_assigned",
         lambda s: f"{s.own}/dimensions/0/items/0/down"),
    Case("library.remove_item", "consultant_assigned",
         lambda s: f"{s.own}/dimensions/0/items/0/remove"),
]  # fmt: skip


def database_rows() -> dict[str, list[str]]:
    """Every row of every table, to tell whether a request changed anything."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in db.metadata.sorted_tables
        }


@pytest.fixture
def setting(world, assessments, tracker) -> Setting:
    reviewed = factories.reviewed(world, "Reviewed")
    assessments.respondent.email = world.manager.email  # someone to remind
    db.session.commit()
    library = factories.library_questionnaire(world.consultant_assigned)
    return Setting(world, assessments, tracker, reviewed, library)


@pytest.mark.parametrize("case", CASES, ids=[f"{case.endpoint}-{case.role}" for case in CASES])
def test_a_successful_post_answers_with_a_redirect(client, auth, setting, case):
    user = setting.world.user(case.role)
    if user is not None:
        auth.login(user)
    path, data = case.path(setting), case.data(setting)
    case.before(setting, client)
    before = database_rows()
    response = client.post(
        path, data=data, content_type="multipart/form-data" if case.files else None
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[-3000:]
    if case.changes_data:
        assert database_rows() != before, f"{case.endpoint} changed nothing"


def test_every_post_route_is_covered(app):
    covered = {case.endpoint for case in CASES}
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - covered == set(), "POST routes without a case here"


def test_refreshing_the_page_after_adding_a_respondent_adds_nobody(client, auth, setting):
    """The landing page is a GET: loading it again repeats nothing."""
    auth.login(setting.world.consultant_assigned)
    assessment = setting.assessments.open
    response = client.post(
        f"/assessments/{assessment.id}/respondents",
        data={"name": "Reza", "email": "reza@example.com", "group": "manager", "locale": "fa"},
    )
    landing = response.headers["Location"]
    for _refresh in range(3):
        assert client.get(landing).status_code == 200
    db.session.refresh(assessment)
    assert [r.name for r in assessment.respondents] == [setting.world.manager.name, "Reza"]


def test_the_action_owner_resolves_to_the_member(client, auth, setting):
    auth.login(setting.world.consultant_assigned)
    data = _first_action(setting)
    client.post(f"/assessments/{setting.reviewed.id}/actions", data=data | {"owner": "max MANAGER"})
    key = (data["questionnaire"], data["dimension"], data["level"], 0)
    assert action_assignments(setting.reviewed.id)[key].owner_id == setting.world.manager.id
