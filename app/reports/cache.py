"""Rendered PDFs kept in the database under a key of everything they were made from.

The key is a SHA-256 over the raw inputs, read with a few plain queries and no scoring or
rendering: the template version and a hash of the renderer's files, the language and the
date on the cover, the smallest respondent group shown; the assessment (title, state,
publication, observations, groups, target level), its organisation's name and
consultants; the accent colour and logo the report shows, whichever branding they come
from (``report_branding``); the frozen definitions' content hashes; every submitted
response's answers with their values, N/A flags and comments; consensus values, targets
and the action plan's owners and due dates; the customer tracker's figures; the benchmark
pool's members and their publications; and the same inputs of the previous published
assessment the report compares with. Any change to one of them gives a new key, so a
stale PDF is never served. The answers, thousands of rows, go in as a signature the
database sums up (``_answers_signature``), which keeps a cached download quick.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError

from app.assessments import scores
from app.benchmarks.pool import pool_fingerprint
from app.extensions import db
from app.models import (
    ActionAssignment,
    Answer,
    Assessment,
    AssessmentQuestionnaire,
    ConsensusValue,
    ConsultantAssignment,
    Organisation,
    QuestionnaireVersion,
    ReportCache,
    Respondent,
    Target,
    User,
)
from app.reports.branding import report_branding
from app.reports.context import report_date, tracker_figures
from app.reports.render import renderer_fingerprint


def cache_key(assessment: Assessment, language: str) -> str:
    digest = hashlib.sha256()
    _feed(digest, "report", renderer_fingerprint(), language, report_date(assessment).isoformat())
    _feed(digest, "settings", current_app.config["MIN_GROUP_SIZE"])
    _feed_assessment(digest, assessment.id)
    _feed(
        digest,
        "consultants",
        db.session.execute(
            select(User.name)
            .join(ConsultantAssignment, ConsultantAssignment.consultant_id == User.id)
            .where(ConsultantAssignment.organisation_id == assessment.organisation_id)
            .order_by(User.name)
        ).all(),
    )
    branding = report_branding(assessment)
    _feed(digest, "branding", branding.accent, branding.logo_hash)
    _feed(
        digest,
        "actions",
        db.session.execute(
            select(
                ActionAssignment.questionnaire_key,
                ActionAssignment.dimension_id,
                ActionAssignment.level,
                ActionAssignment.position,
                ActionAssignment.owner,
                ActionAssignment.due_date,
            )
            .where(ActionAssignment.assessment_id == assessment.id)
            .order_by(ActionAssignment.id)
        ).all(),
    )
    _feed(digest, "tracker", tracker_figures(assessment))
    _feed(digest, "benchmarks", pool_fingerprint(assessment))
    previous = scores.previous_published(assessment)
    _feed(digest, "previous", previous.id if previous else None)
    if previous is not None:
        _feed_assessment(digest, previous.id)
    return digest.hexdigest()


def _feed(digest, *values) -> None:
    # repr() of plain values (str, int, bool, None, dates, tuples) is unambiguous.
    digest.update(repr(values).encode())
    digest.update(b"\n")


def _feed_assessment(digest, assessment_id: int) -> None:
    """What scoring an assessment reads, as rows."""
    rows = db.session.execute
    _feed(
        digest,
        "assessment",
        rows(
            select(
                Assessment.title,
                Assessment.status,
                Assessment.published_at,
                Assessment.observations,
                Assessment.groups,
                Assessment.target_level,
                Organisation.name,
            )
            .join(Organisation)
            .where(Assessment.id == assessment_id)
        ).one(),
    )
    _feed(
        digest,
        "definitions",
        rows(
            select(QuestionnaireVersion.content_hash)
            .join(AssessmentQuestionnaire)
            .where(AssessmentQuestionnaire.assessment_id == assessment_id)
            .order_by(AssessmentQuestionnaire.position)
        ).all(),
    )
    _feed(
        digest,
        "respondents",
        rows(
            select(Respondent.id, Respondent.group, Respondent.submitted_at)
            .where(Respondent.assessment_id == assessment_id)
            .order_by(Respondent.id)
        ).all(),
    )
    _feed(digest, "answers", rows(_answers_signature(assessment_id)).one())
    _feed(
        digest,
        "consensus",
        rows(
            select(
                ConsensusValue.questionnaire_key,
                ConsensusValue.item_id,
                ConsensusValue.value,
                ConsensusValue.note,
            )
            .where(ConsensusValue.assessment_id == assessment_id)
            .order_by(ConsensusValue.questionnaire_key, ConsensusValue.item_id)
        ).all(),
    )
    _feed(
        digest,
        "targets",
        rows(
            select(Target.questionnaire_key, Target.dimension_id, Target.level)
            .where(Target.assessment_id == assessment_id)
            .order_by(Target.questionnaire_key, Target.dimension_id)
        ).all(),
    )


def _answers_signature(assessment_id: int):
    """The submitted answers summed up in one row the database computes, instead of the
    thousands of rows themselves: reading and hashing every answer was three quarters of
    the key's time, and the key is computed on every download.

    Every change the app makes to an answer stamps its ``updated_at`` (``onupdate``), so a
    change moves the latest stamp; an answer added or deleted moves the count and the sum
    of ids; and each column is summed weighted by its row's id, so a change also moves a
    sum. Two edits could pass unnoticed only by stamping no later than the latest stamp
    (machines whose clocks disagree) and cancelling out in every sum at once."""
    return (
        select(
            func.count(),
            func.sum(Answer.id),
            func.max(Answer.updated_at),
            func.sum(Answer.id * (func.coalesce(Answer.value, -1) + 2)),
            func.sum(case((Answer.not_applicable, Answer.id), else_=0)),
            func.sum(Answer.id * func.length(Answer.comment)),
        )
        .join(Respondent)
        .where(Respondent.assessment_id == assessment_id, Respondent.submitted_at.is_not(None))
    )


@dataclass(frozen=True)
class CachedPdf:
    data: bytes
    pages: int


def cached_pdf(key: str) -> CachedPdf | None:
    row = db.session.execute(
        select(ReportCache.pdf, ReportCache.pages).where(ReportCache.key == key)
    ).first()
    return CachedPdf(row.pdf, row.pages) if row else None


def is_cached(key: str) -> bool:
    return db.session.scalar(select(ReportCache.id).where(ReportCache.key == key)) is not None


def store_pdf(assessment_id: int, language: str, key: str, data: bytes, pages: int) -> None:
    """Keep the PDF, replacing the assessment's older ones in this language, and commit.
    When another request stored the same key first, its copy is kept."""
    db.session.execute(
        delete(ReportCache).where(
            ReportCache.assessment_id == assessment_id, ReportCache.language == language
        )
    )
    db.session.add(
        ReportCache(
            key=key,
            assessment_id=assessment_id,
            language=language,
            pdf=data,
            size=len(data),
            pages=pages,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
