"""New versions of the shipped questionnaires: assessments made before keep the version
they froze and its results; new ones ask each shared question once."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sqlalchemy import func, select

from app.assessments import scores
from app.extensions import db
from app.instrument.loader import load_directory
from app.models import Answer, Assessment, QuestionnaireVersion
from tests.factories import all_questionnaires, answered_assessment

OLDER = Path(__file__).parent / "fixtures" / "questionnaires" / "shipped-1.0.0"
ALL_THREE = ["gartner-building-blocks", "supporting-conditions", "crm-process-cycle"]


def item_ids(definitions, questionnaire: str, dimension: str) -> list[str]:
    found = next(q for q in definitions if q.id == questionnaire)
    return [item.id for item in next(d for d in found.dimensions if d.id == dimension).items]


def test_an_assessment_made_before_keeps_its_version_and_its_results(client, auth, world):
    older = load_directory(OLDER)
    before = answered_assessment(
        world.organisation, world.consultant_assigned, respondents=6, questionnaires=older
    )
    results_before = scores.score(before)
    auth.login(world.consultant_assigned)
    page_before = results_page(client, before)

    newer = answered_assessment(
        world.organisation, world.consultant_assigned, respondents=6, title="Readiness 2027"
    )
    db.session.expire_all()

    assert {link.version.version for link in before.questionnaires} == {"1.0.0"}
    assert {link.version.version for link in newer.questionnaires} == {"1.1.0"}
    assert db.session.scalar(select(func.count(QuestionnaireVersion.id))) == 6
    # The older assessment still asks and counts what 1.0.0 held: the item 1.1.0 split,
    # and both copies of what 1.1.0 shares (1.0.0 declares nothing shared).
    old = scores.definitions(before)
    assert "proc-effectiveness" in item_ids(old, "supporting-conditions", "processes")
    assert "cult-appraisal" in item_ids(old, "supporting-conditions", "culture")
    assert scores.score(before) == results_before
    assert results_page(client, before) == page_before
    # The new one counts a shared question once: the culture condition leaves its copy
    # of Gartner's appraisal question out.
    new = scores.definitions(newer)
    assert "cult-appraisal" not in item_ids(new, "supporting-conditions", "culture")
    assert "proc-effectiveness-targets" in item_ids(new, "supporting-conditions", "processes")


def results_page(client, assessment: Assessment) -> str:
    """The results page, without what changes from one request to the next."""
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert "Overall readiness" in page
    return re.sub(r'name="csrf_token"[^>]*>', "", page)


def start(client, auth, world, questionnaires: list[str]) -> str:
    """A new open assessment of ``questionnaires`` with one respondent; their link."""
    auth.login(world.consultant_assigned)
    client.post(
        f"/organisations/{world.organisation.id}/assessments/new",
        data={"title": "Readiness", "questionnaires": questionnaires, "groups": ["manager"]},
    )
    assessment = db.session.scalar(select(Assessment).order_by(Assessment.id.desc()))
    page = client.post(
        f"/assessments/{assessment.id}/respondents",
        data={"name": "Reza", "email": "reza@example.com", "group": "manager", "locale": "en"},
        follow_redirects=True,  # the new link is shown on the page the post redirects to
    ).get_data(as_text=True)
    client.post(f"/assessments/{assessment.id}/status", data={"to": "open"})
    auth.logout()
    return re.search(r'value="http://localhost(/r/[^"]+)"', page).group(1)


def test_used_together_each_shared_question_is_asked_once(client, auth, world):
    link = start(client, auth, world, ALL_THREE)
    review = client.get(f"{link}/review").get_data(as_text=True)
    # 49 + 32 + 38 questions, less the 7 that two questionnaires share.
    assert "112 questions are still unanswered" in review
    # Pages: Gartner's eight blocks (1-8), the five conditions (9-13), the cycle (14-20).
    collaboration = client.get(f"{link}/4").get_data(as_text=True)
    culture = client.get(f"{link}/10").get_data(as_text=True)
    assert 'name="v_col-incentives"' in collaboration
    assert 'name="v_col-leaders"' not in collaboration  # asked under culture
    assert 'name="v_cult-leaders"' in culture
    assert 'name="v_cult-appraisal"' not in culture  # asked under collaboration
    response = client.post(f"{link}/10", data={"go": "next", "v_cult-leaders": "4"})
    assert response.status_code == 302

    alone = start(client, auth, world, ["supporting-conditions"])
    assert "32 questions are still unanswered" in client.get(f"{alone}/review").get_data(
        as_text=True
    )
    culture_alone = client.get(f"{alone}/2").get_data(as_text=True)
    assert 'name="v_cult-appraisal"' in culture_alone
    response = client.post(
        f"{alone}/2", data={"go": "next", "v_cult-appraisal": "2", "s_cult-appraisal": "|"}
    )
    assert response.status_code == 302
    saved = db.session.execute(select(Answer.item_id, Answer.value)).all()
    assert sorted(saved) == [("cult-appraisal", 2), ("cult-leaders", 4)]


def test_used_together_exports_and_the_import_template_hold_each_question_once(client, auth, world):
    together = answered_assessment(
        world.organisation, world.consultant_assigned, respondents=3, questionnaires=None
    )
    assert [link.version.questionnaire_key for link in together.questionnaires] == [
        loaded.definition.id for loaded in all_questionnaires()
    ]
    auth.login(world.consultant_assigned)
    base = f"/assessments/{together.id}"
    template = client.get(f"{base}/import/template.csv").get_data(as_text=True)
    columns = next(csv.reader(io.StringIO(template.lstrip("\ufeff"))))
    assert "gartner-building-blocks:col-incentives" in columns
    assert "supporting-conditions:cult-appraisal" not in columns
    assert len(columns) == 3 + 112
    answers = client.get(f"{base}/export/answers.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(answers.lstrip("\ufeff"))))
    assert not [row for row in rows if "cult-appraisal" in row]
    assert len(rows) == 1 + 3 * 112
