"""Who may see and change what: the one place every view asks.

Each rule is a plain function of the user and (where it concerns one) the organisation,
so the rules read as a table and can be tested without a request. Views call
``authorize``; templates call ``can`` to decide which links to show.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from flask import abort
from flask_login import current_user

from app.extensions import login_manager
from app.models import MemberRole, Organisation, User


class Action(enum.StrEnum):
    MANAGE_USERS = "manage_users"
    CREATE_ORGANISATION = "create_organisation"
    LIST_ORGANISATIONS = "list_organisations"
    VIEW_ORGANISATION = "view_organisation"
    EDIT_ORGANISATION = "edit_organisation"
    MANAGE_MEMBERS = "manage_members"
    ASSIGN_CONSULTANTS = "assign_consultants"


def member_role(user: User, organisation: Organisation) -> MemberRole | None:
    for membership in user.memberships:
        if membership.organisation_id == organisation.id:
            return membership.role
    return None


def is_assigned(user: User, organisation: Organisation) -> bool:
    return user.is_consultant and any(
        assignment.organisation_id == organisation.id for assignment in user.assignments
    )


def _admin(user: User, _organisation: Organisation | None) -> bool:
    return user.is_admin


def _staff(user: User, _organisation: Organisation | None) -> bool:
    return user.is_staff


def _admin_or_assigned(user: User, organisation: Organisation | None) -> bool:
    return user.is_admin or (organisation is not None and is_assigned(user, organisation))


def _admin_assigned_or_member(user: User, organisation: Organisation | None) -> bool:
    return _admin_or_assigned(user, organisation) or (
        organisation is not None and member_role(user, organisation) is not None
    )


RULES: dict[Action, Callable[[User, Organisation | None], bool]] = {
    Action.MANAGE_USERS: _admin,
    Action.CREATE_ORGANISATION: _staff,
    Action.LIST_ORGANISATIONS: _staff,
    Action.VIEW_ORGANISATION: _admin_assigned_or_member,
    Action.EDIT_ORGANISATION: _admin_or_assigned,
    Action.MANAGE_MEMBERS: _admin_or_assigned,
    Action.ASSIGN_CONSULTANTS: _admin,
}


def can(user: User, action: Action, organisation: Organisation | None = None) -> bool:
    """True when ``user`` (possibly anonymous) may do ``action``."""
    if not user.is_authenticated or not user.is_active:
        return False
    return RULES[action](user, organisation)


def authorize(action: Action, organisation: Organisation | None = None) -> None:
    """Stop the request unless the current user may do ``action``: anonymous users
    are sent to log in, signed-in users without the right get 403."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    if not can(current_user, action, organisation):
        abort(403)
