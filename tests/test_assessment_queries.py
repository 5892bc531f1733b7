"""The pages that read an assessment's answers (the results page, the exports, the report
context) make the same number of SQL statements with many respondents as with a few: the
answers are read in one query, not respondent by respondent, and the results page's at
most ten whether its scores were kept or are worked out afresh. (Their speed with millions
of answers on PostgreSQL is measured by bench/scale_postgres.py.)"""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.assessments import scores, services
from app.assessments.services import Actor
from app.extensions import db
from app.models import AssessmentStatus
from app.reports.context import build_context
from tests import factories
from tests.test_tracker_queries import counted_statements

pytestmark = pytest.mark.usefixtures("app")
# The goal for the results page (issue 14): at most ten, the signed-in session included.
RESULTS_PAGE_STATEMENTS = 10
# The JSON export's: the session, the assessment, the consultant's assignment, the
# questionnaires, the answers, the consensus values and targets.
JSON_EXPORT_STATEMENTS = 6


def assessment_with_previous(world, respondents: int):
    """An organisation of the consultant's with a published assessment and a later one in
    review, both answered by ``respondents`` people."""
    organisation = factories.make_organisation(name=f"Outfitters of {respondents}")
    factories.assign(organisation, world.consultant_assigned)
    db.session.commit()
    answered = [
        factories.answered_assessment(
            organisation,
            world.consultant_assigned,
            respondents=respondents,
            title=title,
            questionnaires=[factories.supporting_conditions()],
        )
        for title in ("Baseline", "Follow-up")
    ]
    services.change_status(
        answered[0], AssessmentStatus.PUBLISHED, Actor.of_user(world.consultant_assigned)
    )
    db.session.commit()
    return answered[1]


def statements_per_reading(app, client, assessment) -> dict[str, int]:
    pages = {
        "results": f"/assessments/{assessment.id}/results",
        "json export": f"/assessments/{assessment.id}/export/assessment.json",
        "answers export": f"/assessments/{assessment.id}/export/answers.csv",
    }
    counts = {}
    for name, url in pages.items():
        client.get(url)  # the first request reads the questionnaires' versions
        with counted_statements() as statements:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(statements)
    # The results are kept from one view to the next, and the answers too; after a step of
    # the review the answers kept are scored again, and afresh, as after new answers or in
    # a new process, both assessments' answers are read, in as many statements.
    scores.forget(assessment.id, answers=False)
    with counted_statements() as statements:
        client.get(pages["results"])
    assert not any("FROM answers" in statement for statement in statements)
    counts["results scored again"] = len(statements)
    scores.forget()
    with counted_statements() as statements:
        client.get(pages["results"])
    counts["results scored afresh"] = len(statements)
    assessment_id = assessment.id
    db.session.expunge_all()
    with app.test_request_context(), force_locale("en"):
        with counted_statements() as statements:
            context = build_context(db.session.get(type(assessment), assessment_id), "en")
        counts["report context"] = len(statements)
    assert context.comparison is not None  # the previous assessment was read and scored
    return counts


def test_reading_the_answers_takes_the_same_statements_for_any_number_of_respondents(
    app, client, auth, world
):
    auth.login(world.consultant_assigned)
    few = statements_per_reading(app, client, assessment_with_previous(world, 3))
    many = statements_per_reading(app, client, assessment_with_previous(world, 100))
    assert few == many
    assert many["results"] <= RESULTS_PAGE_STATEMENTS, many
    assert many["results scored again"] <= RESULTS_PAGE_STATEMENTS, many
    assert many["results scored afresh"] <= RESULTS_PAGE_STATEMENTS, many
    assert many["json export"] <= JSON_EXPORT_STATEMENTS, many
