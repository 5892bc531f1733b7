"""Benchmarks across organisations: consent, the pool's figures worked by hand, the
"not enough organisations" message, withdrawal, the report's PDF and anonymity.

Every organisation answers the small questionnaire of tests/fixtures with one value on
every question (the reversed one mirrored), so its index and both dimension scores are
all (value - 1) x 25: values 1 to 5 give 0, 25, 50, 75 and 100.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import select

from app.assessments import services
from app.assessments.services import Actor, SubmittedAnswer
from app.extensions import db
from app.instrument.benchmarks import (
    INDEX,
    Contribution,
    Quartiles,
    Scope,
    benchmark,
    choose_pool,
    percentile,
    quartiles,
)
from app.instrument.loader import LoadedQuestionnaire, load_questionnaire
from app.models import (
    AssessmentStatus,
    BenchmarkConsentChange,
    MemberRole,
    Organisation,
    OrganisationSize,
    Respondent,
)
from tests import factories
from tests.jobs import download_report
from tests.test_reports import pdf_text
from tests.test_tracker_queries import counted_statements

MINI = Path(__file__).parent / "fixtures" / "questionnaires" / "mini.yaml"


@cache
def mini() -> LoadedQuestionnaire:
    return load_questionnaire(MINI)


def answered_mini(organisation, consultant, value: int, *, publish: bool = True):
    """An assessment of the small questionnaire, one respondent answering ``value``."""
    actor = Actor.of_user(consultant)
    assessment = services.create_assessment(
        organisation,
        title=f"Mini {value}",
        questionnaires=[mini()],
        groups=["manager"],
        deadline=None,
        actor=actor,
    )
    services.change_status(assessment, AssessmentStatus.OPEN, actor)
    respondent = Respondent(assessment=assessment, name="Respondent", group="manager")
    db.session.add(respondent)
    db.session.flush()
    answers = [
        SubmittedAnswer("mini", item, 6 - value if item == "b" else value, False, "")
        for item in "abcde"
    ]
    services.save_answers(respondent, answers, Actor.of_respondent(respondent))
    services.submit_response(respondent, Actor.of_respondent(respondent))
    services.change_status(assessment, AssessmentStatus.IN_REVIEW, actor)
    if publish:
        services.change_status(assessment, AssessmentStatus.PUBLISHED, actor)
    db.session.commit()
    return assessment


def other_organisations(world, values, *, consent=True, sector="Retail", size="small"):
    """One organisation per value, each with a published assessment scoring it."""
    made = []
    for value in values:
        organisation = factories.make_organisation(name=f"Peer {sector} {size} {value}")
        organisation.sector, organisation.size = sector, OrganisationSize(size)
        organisation.benchmark_consent = consent
        answered_mini(organisation, world.consultant_unassigned, value)
        made.append(organisation)
    return made


def page_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def benchmark_section(html: str) -> str:
    start = html.index('id="benchmarks"')
    return page_text(html[start : html.index("</section>", start)])


@pytest.fixture
def own(world):
    """The world's organisation (Retail, small), in review at 75 on every figure."""
    return answered_mini(world.organisation, world.consultant_assigned, 4, publish=False)


# --- The statistics, by hand ---------------------------------------------------------------


def test_quartiles_are_the_medians_of_the_halves():
    assert quartiles([100, 0, 75, 25, 50]) == Quartiles(q1=12.5, median=50, q3=87.5)
    # Even: the halves are the three lowest and the three highest.
    assert quartiles([10, 20, 30, 40, 50, 60]) == Quartiles(q1=20, median=35, q3=50)


def test_percentile_counts_the_others_below_and_half_of_the_ties():
    assert percentile(75, [0, 25, 50, 75, 100]) == 70
    assert percentile(101, [0, 25, 50, 75, 100]) == 100
    assert percentile(0, [10, 20, 30, 40, 50]) == 0


def test_the_pool_widens_from_the_cell_to_the_sector_to_everyone():
    def others(n, sector, size):
        return [Contribution(sector, size, {INDEX: 50.0})] * n

    cell = others(5, "Retail", "small")
    assert choose_pool("retail ", "small", cell + others(3, "Banking", "small"))[0] is (
        Scope.SECTOR_AND_SIZE
    )
    sector = others(4, "Retail", "small") + others(1, "Retail", "large")
    assert choose_pool("Retail", "small", sector)[0] is Scope.SECTOR
    mixed = others(4, "Retail", "small") + others(1, "Banking", "large")
    assert choose_pool("Retail", "small", mixed)[0] is Scope.ALL
    assert choose_pool("Retail", "small", others(4, "Retail", "small")) == (
        None,
        others(4, "Retail", "small"),
    )


def test_a_dimension_without_five_scores_is_not_shown():
    pool = [Contribution("Retail", "small", {INDEX: 50.0, "ops": 50.0})] * 4 + [
        Contribution("Retail", "small", {INDEX: 50.0, "ops": None})
    ]
    result = benchmark({INDEX: 60.0, "ops": 60.0}, "Retail", "small", pool)
    assert result.standings[INDEX].percentile == 100
    assert result.standings["ops"].quartiles is None
    assert result.standings["ops"].others == 4


# --- Consent ----------------------------------------------------------------------------------


def test_consent_is_off_by_default_and_such_organisations_are_not_in_the_pool(
    client, auth, world, own
):
    assert world.organisation.benchmark_consent is False
    other_organisations(world, [1, 2, 3, 4, 5], consent=False)
    auth.login(world.consultant_assigned)
    section = benchmark_section(client.get(f"/assessments/{own.id}/results").text)
    assert "Fewer than 5 other organisations" in section
    assert "Percentile" not in section


def test_four_others_are_not_enough(client, auth, world, own):
    other_organisations(world, [1, 2, 3, 5])
    auth.login(world.consultant_assigned)
    section = benchmark_section(client.get(f"/assessments/{own.id}/results").text)
    assert "Fewer than 5 other organisations using these questionnaire versions" in section
    assert "Percentile" not in section


def test_five_others_show_the_percentile_and_quartiles(client, auth, world, own):
    peers = other_organisations(world, [1, 2, 3, 4, 5])
    # Not in the pool: a non-consenting peer, and an older assessment of a consenting one
    # (only its latest, 100, counts).
    other_organisations(world, [5], consent=False)
    answered_mini(peers[-1], world.consultant_unassigned, 1)
    answered_mini(peers[-1], world.consultant_unassigned, 5)
    auth.login(world.consultant_assigned)
    page_html = client.get(f"/assessments/{own.id}/results").text
    section = benchmark_section(page_html)
    assert "Compared with 5 other organisations: organisations of the same sector and size" in (
        section
    )
    # Own 75 against 0, 25, 50, 75, 100: 3 below and one tie of 5 is 70; quartiles 12.5,
    # 50 and 87.5; the same for the index and both dimensions.
    for figure in ("Index", "Leadership", "Operations"):
        assert f"{figure} 75.0 70 12.5 50.0 87.5 5" in section, section
    # The spread: the box from 12.5 to 87.5, the median at 50, the organisation at 75.
    assert '<rect x="12.50" y="2" width="75.00"' in page_html
    assert '<circle cx="75.00"' in page_html
    # Nobody else is named, in the section or anywhere on the page.
    page = client.get(f"/assessments/{own.id}/results").text
    assert not any(peer.name in page for peer in peers)


def test_the_pool_widens_to_the_sector_and_says_so(client, auth, world, own):
    other_organisations(world, [1, 2, 3], size="small")
    other_organisations(world, [4, 5], size="large")
    auth.login(world.consultant_assigned)
    section = benchmark_section(client.get(f"/assessments/{own.id}/results").text)
    assert "organisations of the same sector, of every size" in section
    assert "Index 75.0 70 12.5 50.0 87.5 5" in section


def test_withdrawing_consent_removes_the_contribution(client, auth, world, own):
    peers = other_organisations(world, [1, 2, 3, 4, 5])
    owner = factories.make_user(name="Peer Owner")
    factories.add_member(peers[0], owner, MemberRole.OWNER)
    auth.login(owner)
    response = client.post(f"/organisations/{peers[0].id}/benchmarks", data={"submit": "Save"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{peers[0].id}/benchmarks")
    page = client.get(response.headers["Location"]).text
    assert "Now: your results are not in the benchmarks." in page
    assert "Peer Owner" in page
    assert "withdrew from the benchmarks" in page
    change = db.session.scalars(select(BenchmarkConsentChange)).one()
    assert (change.organisation_id, change.consented, change.actor_id) == (
        peers[0].id,
        False,
        owner.id,
    )
    assert change.created_at is not None
    auth.logout()
    auth.login(world.consultant_assigned)
    section = benchmark_section(client.get(f"/assessments/{own.id}/results").text)
    assert "Fewer than 5 other organisations" in section


def test_the_owner_turns_consent_on_and_the_change_is_recorded(client, auth, world):
    auth.login(world.owner)
    page = client.get(f"/organisations/{world.organisation.id}").text
    assert f"/organisations/{world.organisation.id}/benchmarks" in page
    form = client.get(f"/organisations/{world.organisation.id}/benchmarks").text
    assert "Now: your results are not in the benchmarks." in form
    assert 'name="consent"' in form
    assert not re.search(r"<input[^>]*name=\"consent\"[^>]*checked", form)
    client.post(
        f"/organisations/{world.organisation.id}/benchmarks",
        data={"consent": "y", "submit": "Save"},
    )
    assert db.session.get(Organisation, world.organisation.id).benchmark_consent is True
    page = client.get(f"/organisations/{world.organisation.id}/benchmarks").text
    assert "Now: your results are in the benchmarks." in page
    assert "Olga Owner" in page
    assert "joined the benchmarks" in page


def test_the_report_pdf_shows_the_benchmark(client, auth, world, own):
    other_organisations(world, [1, 2, 3, 4, 5])
    auth.login(world.consultant_assigned)
    everything = "\n".join(pdf_text(download_report(client, own, "en").data))
    assert "Compared with 5 other organisations" in everything
    assert "87.5" in everything
    assert "12.5" in everything
    assert "Peer" not in everything


def test_the_report_pdf_says_when_there_are_too_few(client, auth, world, own):
    auth.login(world.consultant_assigned)
    everything = " ".join(pdf_text(download_report(client, own, "en").data).__iter__())
    assert "Fewer than 5 other organisations" in re.sub(r"\s+", " ", everything)


# --- The consultant's portfolio ---------------------------------------------------------------


def portfolio_rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [page_text(row).strip() for row in body.split("<tr>")[1:]]


def test_the_portfolio_shows_each_client_over_time(client, auth, world):
    answered_mini(world.organisation, world.consultant_assigned, 2)
    answered_mini(world.organisation, world.consultant_assigned, 4)
    second = factories.make_organisation(name="Beta Stores")
    factories.assign(second, world.consultant_assigned)
    answered_mini(second, world.consultant_assigned, 5)
    answered_mini(second, world.consultant_assigned, 3, publish=False)  # not published
    other_organisations(world, [1])  # someone else's client
    auth.login(world.consultant_assigned)
    page = client.get("/dashboard").text
    assert 'href="/portfolio"' in page
    rows = portfolio_rows(client.get("/portfolio").text)
    assert len(rows) == 2
    acme, beta = rows
    # Latest index, level, change since the one before, then each publication.
    assert acme.startswith("Acme Trading 75.0 Established +50.0")
    assert "Mini 2 25.0 · Emerging" in acme
    assert "Mini 4 75.0 · Established (+50.0)" in acme
    assert beta.startswith("Beta Stores 100.0 Leading —")
    assert "Mini 3" not in beta


def test_the_portfolio_reads_the_same_number_of_queries_for_many_clients(client, auth, world):
    def clients(n):
        for number in range(n):
            organisation = factories.make_organisation(name=f"Client {len(made)}")
            factories.assign(organisation, world.consultant_assigned)
            answered_mini(organisation, world.consultant_assigned, 1 + number % 5)
            answered_mini(organisation, world.consultant_assigned, 1 + (number + 2) % 5)
            made.append(organisation)

    made: list[Organisation] = []
    auth.login(world.consultant_assigned)
    clients(2)
    client.get("/portfolio")  # warm the parsed definitions
    with counted_statements() as few:
        client.get("/portfolio")
    clients(10)
    client.get("/portfolio")  # the new clients' published results are scored once, then kept
    with counted_statements() as many:
        page = client.get("/portfolio").text
    assert len(portfolio_rows(page)) == 13
    assert len(many) == len(few)


def test_the_benchmark_reads_the_same_number_of_queries_for_a_larger_pool(client, auth, world, own):
    auth.login(world.consultant_assigned)
    other_organisations(world, [1, 2, 3, 4, 5])
    # Warmed twice: the parsed definitions, and the pool's published results, kept once
    # scored, so that both counts are of a visit like every later one.
    for _ in range(2):
        client.get(f"/assessments/{own.id}/results")
    with counted_statements() as few:
        client.get(f"/assessments/{own.id}/results")
    other_organisations(world, [1, 2, 3, 4, 5, 1, 2, 3, 4, 5], sector="Banking")
    for _ in range(2):  # the new peers are scored once, then kept
        client.get(f"/assessments/{own.id}/results")
    with counted_statements() as many:
        section = benchmark_section(client.get(f"/assessments/{own.id}/results").text)
    assert "Compared with 5 other organisations" in section
    assert len(many) == len(few)
