"""A page save, an import and a change of state are each one transaction with their audit
rows, on SQLite as on PostgreSQL: rolled back, they leave nothing behind.
(bench/crash_saves.py checks the same with gunicorn workers killed during a burst.)"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.assessments import scores, services
from app.assessments.exchange import ImportedRespondent
from app.assessments.services import Actor, SubmittedAnswer
from app.extensions import db
from app.models import Answer, AssessmentStatus, AuditEvent, Respondent
from app.respond.pages import pages_of


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def first_page_answers(assessment, value: int = 3) -> list[SubmittedAnswer]:
    page = pages_of(scores.definitions(assessment))[0]
    return [
        SubmittedAnswer(page.questionnaire.id, item.id, value, False, "")
        for item in page.dimension.items
    ]


def test_a_page_save_rolled_back_leaves_no_answer_and_no_audit_row(app, assessments):
    """Each new answer is inserted in a savepoint; on SQLite the driver used to commit the
    first one on the spot, with no audit row, when its savepoint was released."""
    respondent = assessments.respondent
    audit_rows = count(AuditEvent)
    answers = first_page_answers(respondent.assessment)[:2]
    assert services.save_answers(respondent, answers, Actor.of_respondent(respondent)) == 2
    db.session.rollback()
    assert count(Answer, Answer.respondent_id == respondent.id) == 0
    assert count(AuditEvent) == audit_rows


def test_a_page_save_commits_every_answer_with_its_audit_row(app, assessments):
    respondent = assessments.respondent
    answers = first_page_answers(respondent.assessment)
    services.save_answers(respondent, answers, Actor.of_respondent(respondent))
    db.session.commit()
    assert count(Answer, Answer.respondent_id == respondent.id) == len(answers)
    assert count(AuditEvent, AuditEvent.action == "answer") == len(answers)


def test_a_save_that_meets_a_concurrent_insert_stays_one_transaction(app, assessments):
    """When another request has saved the same item first, the savepoint rolls back alone
    and the save updates that row instead; the rest still waits for the commit."""
    respondent = assessments.respondent
    first, second, *_ = first_page_answers(respondent.assessment)
    other = Answer(
        respondent_id=respondent.id,
        questionnaire_key=first.questionnaire_key,
        item_id=first.item_id,
        value=1,
    )

    def save_elsewhere():
        with app.app_context():
            db.session.add(other)
            db.session.commit()

    # Read the page's stored answers first, as a request does, then let the other one in.
    assert services.stored_answers(respondent, {(first.questionnaire_key, first.item_id)}) == {}
    thread = threading.Thread(target=save_elsewhere)
    thread.start()
    thread.join()
    services.save_answers(respondent, [first, second], Actor.of_respondent(respondent))
    db.session.rollback()
    stored = db.session.scalars(select(Answer).where(Answer.respondent_id == respondent.id)).all()
    assert [(a.item_id, a.value) for a in stored] == [(first.item_id, 1)]  # the other's only
    assert count(AuditEvent, AuditEvent.action == "answer") == 0


def test_an_import_rolled_back_leaves_no_respondent_and_no_audit_row(app, world, assessments):
    assessment = assessments.open
    respondents, audit_rows = count(Respondent), count(AuditEvent)
    rows = [
        ImportedRespondent(line, f"Paper {line}", "", "manager", first_page_answers(assessment))
        for line in (2, 3)
    ]
    services.import_responses(
        assessment, rows, "paper.csv", Actor.of_user(world.consultant_assigned)
    )
    db.session.rollback()
    assert (count(Respondent), count(AuditEvent)) == (respondents, audit_rows)


def test_a_change_of_state_rolled_back_leaves_no_audit_row(app, world, assessments):
    assessment = assessments.open
    audit_rows = count(AuditEvent)
    actor = Actor.of_user(world.consultant_assigned)
    services.change_status(assessment, AssessmentStatus.IN_REVIEW, actor)
    db.session.flush()
    db.session.rollback()
    assert assessment.status is AssessmentStatus.OPEN
    assert count(AuditEvent) == audit_rows
