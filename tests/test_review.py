"""Before submitting, the respondent reads every answer and comment, page by page, each
with a link back to where it can be changed."""

from __future__ import annotations

from app.assessments import services
from app.assessments.services import Actor, SubmittedAnswer
from app.extensions import db
from tests import factories
from tests.test_home import text_of


def test_the_review_page_shows_every_answer_and_comment_by_dimension(client, world, assessments):
    respondent = assessments.respondent
    services.save_answers(
        respondent,
        [
            SubmittedAnswer("supporting-conditions", "lead-goals", 4, False, "Only on paper"),
            SubmittedAnswer("supporting-conditions", "lead-priority", None, True, ""),
        ],
        Actor.of_respondent(respondent),
    )
    db.session.commit()
    link = f"/r/{assessments.token}"
    page = client.get(f"{link}/review").get_data(as_text=True)
    words = text_of(page)
    definition = factories.supporting_conditions().definition
    for number, dimension in enumerate(definition.dimensions, start=1):
        assert f'<h2 id="page-{number}-title">{dimension.title.en}' in page.replace("&#39;", "'")
        assert f'href="{link}/{number}"' in page  # "Change" goes back to the page
    assert "Agree Your comment: Only on paper" in words
    assert "Don't know / not applicable" in words
    items = sum(len(d.items) for d in definition.dimensions)
    assert f"{items - 2} questions are still unanswered" in words
    assert words.count("not answered") == items - 2
    assert f'href="{link}/1#item-lead-goals"' in page
    assert "Submit my answers" in words
