"""Which organisations a user can see, as one query each."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ConsultantAssignment, Membership, Organisation, User


def visible_organisations_query(user: User) -> Select[tuple[Organisation]]:
    query = (
        select(Organisation)
        .order_by(Organisation.name)
        .options(selectinload(Organisation.memberships))  # member counts without N+1
    )
    if user.is_admin:
        return query
    if user.is_consultant:
        return query.join(ConsultantAssignment).where(ConsultantAssignment.consultant_id == user.id)
    return query.join(Membership).where(Membership.user_id == user.id)


def visible_organisations(user: User) -> list[Organisation]:
    return list(db.session.scalars(visible_organisations_query(user)))
