"""A consultant's clients side by side: each client's published assessments over time,
with their index and level, read and scored in a fixed number of queries however many
clients and assessments there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.assessments import scores
from app.benchmarks.pool import CONTRIBUTING
from app.extensions import db
from app.models import Assessment, ConsultantAssignment, Organisation


@dataclass(frozen=True)
class PortfolioPoint:
    assessment_id: int
    title: str
    published_at: datetime
    index: float | None
    level: str  # the level's name in the page's language; empty without one
    change: float | None  # since the client's previous published assessment


@dataclass(frozen=True)
class PortfolioClient:
    organisation_id: int
    name: str
    points: tuple[PortfolioPoint, ...]  # oldest first

    @property
    def latest(self) -> PortfolioPoint | None:
        return self.points[-1] if self.points else None


def portfolio_of(consultant_id: int, language: str) -> list[PortfolioClient]:
    clients = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(ConsultantAssignment, ConsultantAssignment.organisation_id == Organisation.id)
        .where(ConsultantAssignment.consultant_id == consultant_id)
        .order_by(Organisation.name, Organisation.id)
    ).all()
    assessments = db.session.scalars(
        select(Assessment)
        .where(
            Assessment.organisation_id.in_([id_ for id_, _name in clients]),
            Assessment.status.in_(CONTRIBUTING),
            Assessment.published_at.is_not(None),
        )
        .order_by(Assessment.published_at, Assessment.id)
    ).all()
    definitions = scores.definitions_of([assessment.id for assessment in assessments])
    scored = scores.score_many(assessments, questionnaires=definitions)
    points: dict[int, list[PortfolioPoint]] = {id_: [] for id_, _name in clients}
    for assessment in assessments:
        result = scored[assessment.id]
        levels = {
            band.id: band.name.in_language(language)
            for band in definitions[assessment.id][0].levels
        }
        earlier = points[assessment.organisation_id]
        before = earlier[-1].index if earlier else None
        earlier.append(
            PortfolioPoint(
                assessment_id=assessment.id,
                title=assessment.title,
                published_at=assessment.published_at,
                index=result.index,
                level=levels.get(result.level, ""),
                change=result.index - before
                if result.index is not None and before is not None
                else None,
            )
        )
    return [PortfolioClient(id_, name, tuple(points[id_])) for id_, name in clients]
