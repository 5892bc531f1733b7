"""An organisation's consent to the benchmark pool: turned on and off by its owner, every
change kept with who made it and when."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import BenchmarkConsentChange, Organisation, User

HISTORY_SHOWN = 20


def set_consent(organisation: Organisation, consented: bool, actor: User) -> bool:
    """Record the owner's choice; False when it is already so (nothing is recorded). The
    caller commits. Withdrawing takes effect at once: the pool is read from the consent
    on every page, so no figure made afterwards includes the organisation."""
    if organisation.benchmark_consent == consented:
        return False
    organisation.benchmark_consent = consented
    db.session.add(
        BenchmarkConsentChange(
            organisation_id=organisation.id,
            consented=consented,
            actor_id=actor.id,
            actor_label=actor.name,
        )
    )
    return True


def consent_history(organisation: Organisation) -> list[BenchmarkConsentChange]:
    """The latest changes, newest first."""
    return list(
        db.session.scalars(
            select(BenchmarkConsentChange)
            .where(BenchmarkConsentChange.organisation_id == organisation.id)
            .order_by(BenchmarkConsentChange.created_at.desc(), BenchmarkConsentChange.id.desc())
            .limit(HISTORY_SHOWN)
        )
    )
