"""Adding people to organisations, kept apart from the request handling."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import ConsultantAssignment, MemberRole, Membership, Organisation, User


class MemberError(ValueError):
    """The member cannot be added; the message is meant for the person adding them."""


@dataclass(frozen=True)
class AddedMember:
    membership: Membership
    new_account: bool


def add_member(
    organisation: Organisation, *, name: str, email: str, role: MemberRole, locale: str
) -> AddedMember:
    """Add the person with ``email`` to ``organisation``, creating their account (with no
    password yet) if they have none. The caller commits."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.is_staff:
        raise MemberError(_l("This address belongs to a staff account, which cannot be a member."))
    if user is not None and any(m.organisation_id == organisation.id for m in user.memberships):
        raise MemberError(_l("This person is already a member of the organisation."))
    new_account = user is None
    if new_account:
        user = User(email=email, name=name, locale=locale, password_hash=None)
        db.session.add(user)
    membership = Membership(organisation=organisation, user=user, role=role)
    db.session.add(membership)
    return AddedMember(membership=membership, new_account=new_account)


def assign_consultant(organisation: Organisation, consultant: User) -> None:
    if any(a.consultant_id == consultant.id for a in organisation.assignments):
        return
    db.session.add(ConsultantAssignment(organisation=organisation, consultant=consultant))
