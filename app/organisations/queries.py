"""Which organisations a user can see, as one query each."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.models import ConsultantAssignment, Membership, Organisation, User


def organisations_of(user: User) -> Select[tuple[Organisation]]:
    """The organisations the user can see, by name."""
    query = select(Organisation).order_by(Organisation.name)
    if user.is_admin:
        return query
    if user.is_consultant:
        return query.join(ConsultantAssignment).where(ConsultantAssignment.consultant_id == user.id)
    return query.join(Membership).where(Membership.user_id == user.id)


def visible_organisations_query(user: User) -> Select[tuple[Organisation]]:
    """``organisations_of`` with their memberships, for lists that count members."""
    return organisations_of(user).options(selectinload(Organisation.memberships))
