"""The demo consultant's own questionnaire, so the questionnaire library is not empty: a
clone of the supporting conditions in which leadership weighs twice as much, published."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.instrument.authoring import draft_of
from app.instrument.loader import LoadedQuestionnaire
from app.library.services import publish
from app.models import LibraryQuestionnaire, User

DEMO_KEY = "reza-supporting-conditions"
DEMO_AUTHOR = "reza.karimi@demo.example.com"


def load_demo_library(questionnaires: list[LoadedQuestionnaire]) -> list[str]:
    """Create and publish the demo questionnaire if it is missing; return its id."""
    exists = db.session.scalar(
        select(LibraryQuestionnaire.id).where(LibraryQuestionnaire.key == DEMO_KEY)
    )
    shipped = next(
        (q.definition for q in questionnaires if q.definition.id == "supporting-conditions"),
        None,
    )
    if exists is not None or shipped is None:
        return []
    draft = draft_of(shipped)
    draft["id"] = DEMO_KEY
    draft["version"] = "1.0.0"
    draft["title"] = {
        "en": "The five supporting conditions, leadership first",
        "fa": "پنج شرط حمایتی CRM، با رهبری در صدر",
    }
    leadership = next(d for d in draft["dimensions"] if d["id"] == "leadership")
    leadership["weight"] = 2 * leadership.get("weight", 1.0)
    author = db.session.scalar(select(User).where(User.email == DEMO_AUTHOR))
    questionnaire = LibraryQuestionnaire(owner=author, draft=draft)
    db.session.add(questionnaire)
    publish(questionnaire)
    db.session.commit()
    return [DEMO_KEY]
