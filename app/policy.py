"""Who may see and change what: the one place every view asks.

Each rule is a plain function of the user and (where it concerns one) the organisation,
assessment or respondent,
so the rules read as a table and can be tested without a request. Views call
``authorize``; templates call ``can`` to decide which links to show.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user

from app.extensions import login_manager
from app.models import (
    Assessment,
    AssessmentStatus,
    LibraryQuestionnaire,
    MemberRole,
    Organisation,
    Respondent,
    User,
)


class Action(enum.StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_JOBS = "manage_jobs"  # the background queue: its depth, failed jobs, retries
    CREATE_ORGANISATION = "create_organisation"
    LIST_ORGANISATIONS = "list_organisations"
    LIST_ASSESSMENTS = "list_assessments"  # the work queue of the assessments one runs
    VIEW_ORGANISATION = "view_organisation"
    EDIT_ORGANISATION = "edit_organisation"
    MANAGE_MEMBERS = "manage_members"
    ASSIGN_CONSULTANTS = "assign_consultants"
    CREATE_ASSESSMENT = "create_assessment"  # on an organisation
    MANAGE_ASSESSMENT = "manage_assessment"  # set up, invite, review, publish
    VIEW_RESULTS = "view_results"
    VIEW_REPORT = "view_report"  # the readiness report: preview and PDF
    MANAGE_BRANDING = "manage_branding"  # an organisation's logo and accent colour
    MANAGE_OWN_BRANDING = "manage_own_branding"  # a consultant's workspace logo and colour
    RESPOND = "respond"  # on a respondent: answer from one's own account
    VIEW_TRACKER = "view_tracker"  # on an organisation: its customer-process tracker
    EDIT_TRACKER = "edit_tracker"  # record customers, contacts, feedback; set up stages
    MANAGE_OWN_ACCOUNT = "manage_own_account"  # password, signed-in sessions, two-step sign-in
    KEEP_ACTION_PLAN = "keep_action_plan"  # on an assessment: mark its action items done
    MANAGE_BENCHMARK_CONSENT = "manage_benchmark_consent"  # on an organisation: join the pool
    VIEW_PORTFOLIO = "view_portfolio"  # a consultant's own clients side by side
    USE_LIBRARY = "use_library"  # the questionnaire library: read, clone, start one's own
    EDIT_QUESTIONNAIRE = "edit_questionnaire"  # on a library questionnaire: edit, publish


Target = Organisation | Assessment | Respondent | LibraryQuestionnaire


def member_role(user: User, organisation: Organisation) -> MemberRole | None:
    for membership in user.memberships:
        if membership.organisation_id == organisation.id:
            return membership.role
    return None


def is_assigned(user: User, organisation: Organisation) -> bool:
    return user.is_consultant and any(
        assignment.organisation_id == organisation.id for assignment in user.assignments
    )


def organisation_of(target: Target | None) -> Organisation | None:
    if isinstance(target, Respondent):
        return target.assessment.organisation
    if isinstance(target, Assessment):
        return target.organisation
    return target


def _signed_in(_user: User, _target: Target | None) -> bool:
    return True  # ``can`` has already checked the user is signed in and active


def _admin(user: User, _target: Target | None) -> bool:
    return user.is_admin


def _staff(user: User, _target: Target | None) -> bool:
    return user.is_staff


def _consultant(user: User, _target: Target | None) -> bool:
    """A consultant's own workspace. The admin has none: reports fall back to the branding
    of the consultant who created the assessment, never to an admin's."""
    return user.is_consultant


def _admin_or_assigned(user: User, target: Target | None) -> bool:
    organisation = organisation_of(target)
    return user.is_admin or (organisation is not None and is_assigned(user, organisation))


def _admin_assigned_or_member(user: User, target: Target | None) -> bool:
    organisation = organisation_of(target)
    return _admin_or_assigned(user, organisation) or (
        organisation is not None and member_role(user, organisation) is not None
    )


def _results_reader(user: User, assessment: Assessment) -> bool:
    """Staff of the organisation see results at any stage; its owners once published."""
    return _admin_or_assigned(user, assessment) or (
        assessment.status in (AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED)
        and member_role(user, assessment.organisation) is MemberRole.OWNER
    )


def _action_plan_keeper(user: User, assessment: Assessment) -> bool:
    """Staff of the organisation at any time; once the plan is published, the members who
    carry it out (an item's owner is often a manager who does not read the results)."""
    return _admin_or_assigned(user, assessment) or (
        assessment.status in (AssessmentStatus.PUBLISHED, AssessmentStatus.ARCHIVED)
        and member_role(user, assessment.organisation) is not None
    )


def _tracker_user(user: User, organisation: Organisation) -> bool:
    """The tracker is the organisation's own record of its work with customers: its
    owners and managers keep it. Staff (the admin and assigned consultants) only read
    it, as evidence for the assessment; they support the organisation, not replace it."""
    return member_role(user, organisation) is not None


def _owner(user: User, organisation: Organisation) -> bool:
    """Sharing an organisation's results with others is the organisation's decision, made
    by its owners: not by its consultant, nor by the admin who runs the platform."""
    return member_role(user, organisation) is MemberRole.OWNER


def _the_respondent(user: User, respondent: Respondent) -> bool:
    """Answering from one's account: the person invited, while their invitation stands
    (revoking their link revokes this too) and while they belong to the organisation."""
    return (
        respondent.user_id == user.id
        and respondent.revoked_at is None
        and member_role(user, respondent.assessment.organisation) is not None
    )


def _author(user: User, questionnaire: LibraryQuestionnaire) -> bool:
    """A consultant's questionnaires are their own method: theirs and the admin's."""
    return user.is_admin or (user.is_consultant and questionnaire.owner_id == user.id)


RULES: dict[Action, Callable[[User, Any], bool]] = {
    Action.MANAGE_USERS: _admin,
    Action.MANAGE_JOBS: _admin,
    Action.CREATE_ORGANISATION: _staff,
    Action.LIST_ORGANISATIONS: _staff,
    Action.LIST_ASSESSMENTS: _staff,
    Action.VIEW_ORGANISATION: _admin_assigned_or_member,
    Action.EDIT_ORGANISATION: _admin_or_assigned,
    Action.MANAGE_MEMBERS: _admin_or_assigned,
    Action.ASSIGN_CONSULTANTS: _admin,
    Action.CREATE_ASSESSMENT: _admin_or_assigned,
    Action.MANAGE_ASSESSMENT: _admin_or_assigned,
    Action.VIEW_RESULTS: _results_reader,
    Action.VIEW_REPORT: _results_reader,
    Action.MANAGE_BRANDING: _admin_or_assigned,
    Action.MANAGE_OWN_BRANDING: _consultant,
    Action.RESPOND: _the_respondent,
    Action.VIEW_TRACKER: _admin_assigned_or_member,
    Action.EDIT_TRACKER: _tracker_user,
    Action.MANAGE_OWN_ACCOUNT: _signed_in,
    Action.KEEP_ACTION_PLAN: _action_plan_keeper,
    Action.MANAGE_BENCHMARK_CONSENT: _owner,
    # A consultant's own clients; the admin has none (``_consultant``).
    Action.VIEW_PORTFOLIO: _consultant,
    Action.USE_LIBRARY: _staff,
    Action.EDIT_QUESTIONNAIRE: _author,
}


def can(user: User, action: Action, target: Target | None = None) -> bool:
    """True when ``user`` (possibly anonymous) may do ``action`` on ``target`` (an
    organisation, an assessment or a respondent, depending on the action)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return RULES[action](user, target)


def authorize(action: Action, target: Target | None = None) -> None:
    """Stop the request unless the current user may do ``action``: anonymous users
    are sent to log in, signed-in users without the right get 403."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not can(current_user, action, target):
        abort(403)
