"""Which organisations a user can see, as one query each."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ConsultantAssignment, Membership, Organisation, User


def organisations_of(user: User) -> Select[tuple[Organisation]]:
    """The organisations the user can see, by name."""
    return _visible_to(user, select(Organisation).order_by(Organisation.name))


def visible_organisations_query(user: User) -> Select[tuple[Organisation]]:
    """``organisations_of`` with their memberships, for lists that count members."""
    return organisations_of(user).options(selectinload(Organisation.memberships))


def name_taken(user: User, name: str) -> bool:
    """Whether an organisation ``user`` can see has this name. Names are unique only
    within what each person sees: refusing a name held by a client they cannot see would
    tell them that the client exists."""
    query = _visible_to(user, select(Organisation.id)).where(Organisation.name == name)
    return db.session.scalar(query.limit(1)) is not None


def _visible_to(user: User, query: Select) -> Select:
    """``query`` (over organisations) narrowed to the ones ``user`` can see."""
    if user.is_admin:
        return query
    if user.is_consultant:
        return query.join(ConsultantAssignment).where(ConsultantAssignment.consultant_id == user.id)
    return query.join(Membership).where(Membership.user_id == user.id)
