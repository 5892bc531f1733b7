"""The results page keeps an assessment's scores from one view to the next, by its latest
audit event, and its answers by its latest event that may have changed them
(app/assessments/scores.py): the next view after any change that can move a figure shows
it, exactly as a page scored afresh would; a view with nothing changed reads no answers,
nor does the next view after a step of the review."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from app.assessments import scores, services
from app.assessments.services import Actor, SubmittedAnswer
from app.extensions import db
from app.models import Assessment, AssessmentStatus
from tests import factories
from tests.test_tracker_queries import counted_statements

pytestmark = pytest.mark.usefixtures("app")
QUESTIONNAIRE = "supporting-conditions"
ITEM = "lead-goals"


def results_page(client, assessment: Assessment) -> str:
    response = client.get(f"/assessments/{assessment.id}/results")
    assert response.status_code == 200
    # The CSRF token is signed with the time: the same page a second later differs there.
    return re.sub(r'name="csrf_token" value="[^"]*"', "", response.get_data(as_text=True))


def resubmitted_with_another_answer(world, assessment: Assessment) -> None:
    """The assessment is reopened, a respondent's response unlocked, one answer changed
    and the response submitted again."""
    consultant = Actor.of_user(world.consultant_assigned)
    respondent = assessment.respondents[0]
    current = next(a for a in respondent.answers if a.item_id == ITEM)
    services.change_status(assessment, AssessmentStatus.OPEN, consultant)
    services.unlock_response(respondent, consultant)
    services.save_answers(
        respondent,
        [SubmittedAnswer(QUESTIONNAIRE, ITEM, 1 if current.value > 1 else 5, False, "")],
        Actor.of_respondent(respondent),
    )
    services.submit_response(respondent, Actor.of_respondent(respondent))


def unlocked(world, assessment: Assessment) -> None:
    services.unlock_response(assessment.respondents[0], Actor.of_user(world.consultant_assigned))


def consensus_set(world, assessment: Assessment) -> None:
    services.set_consensus(
        assessment, QUESTIONNAIRE, ITEM, 1, "Agreed", Actor.of_user(world.consultant_assigned)
    )


def dimension_target_set(world, assessment: Assessment) -> None:
    definition = scores.definitions(assessment)[0]
    services.set_target(
        assessment,
        definition.id,
        definition.dimensions[0].id,
        definition.levels[-1].id,
        Actor.of_user(world.consultant_assigned),
    )


def assessment_target_set(world, assessment: Assessment) -> None:
    top = scores.definitions(assessment)[0].levels[-1].id
    services.set_assessment_target(assessment, top, Actor.of_user(world.consultant_assigned))


@pytest.mark.parametrize(
    "change",
    [
        resubmitted_with_another_answer,
        unlocked,
        consensus_set,
        dimension_target_set,
        assessment_target_set,
    ],
)
def test_the_next_view_after_a_change_shows_it_as_scored_afresh(
    client, auth, world, change: Callable
):
    assessment = factories.reviewed(world, "Kept scores")
    auth.login(world.consultant_assigned)
    before = results_page(client, assessment)
    assert results_page(client, assessment) == before  # kept, and shown alike
    change(world, assessment)
    db.session.commit()
    after = results_page(client, assessment)
    assert after != before
    assert results_page(client, assessment) == after
    scores.forget()  # as a new web process would see it
    assert results_page(client, assessment) == after


def test_a_view_with_nothing_changed_reads_no_answers(client, auth, world):
    assessment = factories.reviewed(world, "Kept scores")
    auth.login(world.consultant_assigned)
    with counted_statements() as first:
        results_page(client, assessment)
    with counted_statements() as next_view:
        results_page(client, assessment)
    assert any("FROM answers" in statement for statement in first)
    assert not any("FROM answers" in statement for statement in next_view)


@pytest.mark.parametrize(
    ("change", "answers_read"),
    [
        (consensus_set, False),
        (dimension_target_set, False),
        (assessment_target_set, False),
        (resubmitted_with_another_answer, True),
        (unlocked, True),
    ],
)
def test_only_a_change_to_the_answers_has_them_read_again(
    client, auth, world, change: Callable, answers_read: bool
):
    assessment = factories.reviewed(world, "Kept answers")
    auth.login(world.consultant_assigned)
    results_page(client, assessment)
    change(world, assessment)
    db.session.commit()
    with counted_statements() as next_view:
        after = results_page(client, assessment)
    assert any("FROM answers" in statement for statement in next_view) is answers_read
    scores.forget()
    assert results_page(client, assessment) == after


def test_an_earlier_assessment_is_compared_by_the_scores_its_answers_give(world):
    """Its scores come from its answers' totals (and its consensus values), added up by
    the database: the same as its answers read and scored one by one."""
    earlier = factories.reviewed(world, "Earlier")
    consensus_set(world, earlier)
    services.change_status(
        earlier, AssessmentStatus.PUBLISHED, Actor.of_user(world.consultant_assigned)
    )
    later = factories.answered_assessment(
        earlier.organisation, world.consultant_assigned, respondents=5, title="Later"
    )
    db.session.commit()
    scores.forget()
    _result, compared = scores.score_compared(
        later, earlier, scores.definitions_of([later.id, earlier.id])
    )
    scores.forget()
    whole = scores.score(earlier)
    assert compared.index == whole.index is not None
    assert compared.dimensions == {
        (questionnaire.questionnaire_id, dimension.dimension_id): dimension.score
        for questionnaire in whole.questionnaires
        for dimension in questionnaire.dimensions
    }
    assert any(
        item.consensus for q in whole.questionnaires for d in q.dimensions for item in d.items
    )
