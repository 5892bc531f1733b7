"""Questionnaire definitions: the shipped ones are complete, broken ones are explained."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from app import PROJECT_ROOT
from app.extensions import db
from app.instrument.loader import (
    DefinitionError,
    content_hash,
    load_directory,
    load_questionnaire,
)
from app.instrument.sharing import used_together
from app.instrument.versions import VersionConflict, freeze, thaw
from app.models import QuestionnaireVersion

ASSESSMENTS = PROJECT_ROOT / "assessments"
MINI = Path(__file__).parent / "fixtures" / "questionnaires" / "mini.yaml"
# The near-duplicates of the 1.0.0 questionnaires, one wording each from 1.1.0:
# (questionnaire, item) where it is asked and counted <- the copy that gives way.
SHARED = {
    ("gartner-building-blocks", "cx-ask"): ("crm-process-cycle", "mkt-customer-value"),
    ("gartner-building-blocks", "col-incentives"): ("supporting-conditions", "cult-appraisal"),
    ("supporting-conditions", "cult-leaders"): ("gartner-building-blocks", "col-leaders"),
    ("supporting-conditions", "proc-customer-check"): ("gartner-building-blocks", "cx-balance"),
    ("supporting-conditions", "lead-review"): ("gartner-building-blocks", "met-review"),
    ("crm-process-cycle", "strat-segment-offers"): ("gartner-building-blocks", "cx-tailored"),
    ("gartner-building-blocks", "cx-repeat"): ("supporting-conditions", "proc-repeat-contact"),
}


@pytest.fixture(scope="module")
def shipped():
    return {loaded.definition.id: loaded.definition for loaded in load_directory(ASSESSMENTS)}


def test_the_three_questionnaires_are_shipped_and_valid(shipped):
    assert set(shipped) == {"gartner-building-blocks", "supporting-conditions", "crm-process-cycle"}


def test_gartner_building_blocks_has_the_eight_blocks(shipped):
    blocks = shipped["gartner-building-blocks"].dimensions
    assert [d.id for d in blocks] == [
        "vision",
        "strategy",
        "customer-experience",
        "collaboration",
        "processes",
        "information",
        "technology",
        "metrics",
    ]
    assert all(5 <= len(block.items) <= 7 for block in blocks)


def test_supporting_conditions_has_the_five_and_leadership_is_critical(shipped):
    conditions = {d.id: d for d in shipped["supporting-conditions"].dimensions}
    assert list(conditions) == ["leadership", "culture", "data-it", "people", "processes"]
    assert conditions["leadership"].critical
    assert conditions["leadership"].critical_threshold is not None
    # Every bullet of seed 001 on people (eight of them) has at least one item.
    assert len(conditions["people"].items) >= 8


def test_process_cycle_has_the_four_steps_and_three_processes(shipped):
    steps = [d.id for d in shipped["crm-process-cycle"].dimensions]
    assert steps == [
        "gather-information",
        "marketing-strategies",
        "customer-contacts",
        "customer-responses",
        "marketing",
        "sales",
        "service",
    ]


def test_shipped_questionnaires_share_their_scale_and_levels(shipped):
    definitions = list(shipped.values())
    for definition in definitions[1:]:
        assert definition.scales == definitions[0].scales
        assert definition.levels == definitions[0].levels
    scale = definitions[0].scales["agreement5"]
    assert len(scale.points) == 5
    assert scale.not_applicable.en == "Don't know / not applicable"


PERSIAN_LETTER = re.compile(r"[\u0600-\u06ff]")


def bilingual_texts(definition):
    yield "title", definition.title
    yield "description", definition.description
    for dimension in definition.dimensions:
        yield dimension.id, dimension.title
        yield dimension.id, dimension.description
        for item in dimension.items:
            yield item.id, item.statement
            yield item.id, item.help
        for level, recommendations in dimension.recommendations.items():
            for recommendation in recommendations:
                yield f"{dimension.id}/{level}", recommendation.text


def test_every_text_is_really_in_both_languages(shipped):
    for definition in shipped.values():
        for where, text in bilingual_texts(definition):
            assert PERSIAN_LETTER.search(text.fa), f"{definition.id} {where}: Persian missing"
            assert not PERSIAN_LETTER.search(text.en), f"{definition.id} {where}: English text"
            assert not re.search(r"[0-9]", text.fa), f"{definition.id} {where}: Latin digits"


def test_the_supporting_conditions_are_named_as_the_seed_names_them(shipped):
    # Seed 001 calls them «شرایط حمایتی» («شروط حمایتی»): one term, in title and text.
    conditions = shipped["supporting-conditions"]
    assert "شرط حمایتی" in conditions.title.fa
    assert "شرط حمایتی" in conditions.description.fa
    for definition in shipped.values():
        for where, text in bilingual_texts(definition):
            assert "شرط پشتیبان" not in text.fa, f"{definition.id} {where}"


def test_the_process_cycle_says_it_is_the_cycle_and_the_customer_facing_processes(shipped):
    questionnaire = shipped["crm-process-cycle"]
    assert questionnaire.title.en == "The CRM process cycle and customer-facing processes"
    assert questionnaire.title.fa == "چرخهٔ فرایند CRM و فرایندهای تعامل با مشتری"
    descriptions = [d.description for d in questionnaire.dimensions]
    steps = ("نخست", "دوم", "سوم", "چهارم")
    for number, (text, step) in enumerate(zip(descriptions[:4], steps, strict=True), start=1):
        assert text.en.startswith(f"Step {number} of the four-step CRM cycle.")
        assert text.fa.startswith(f"گام {step} از چرخهٔ چهارگامی CRM.")
    for text in descriptions[4:]:
        assert text.en.startswith("One of the three customer-facing processes.")
        assert text.fa.startswith("یکی از سه فرایند تعامل با مشتری.")
    # Each part traces to its seed: the cycle to seed 002, the processes to seed 003.
    for dimension in questionnaire.dimensions[:4]:
        assert "002_4debe54ca2c9cbfd.txt" in dimension.source
    for dimension in questionnaire.dimensions[4:]:
        assert "003_60f8fe543899ab3c.txt" in dimension.source


def test_items_that_asked_several_things_are_split(shipped):
    def items(questionnaire, dimension):
        found = next(d for d in shipped[questionnaire].dimensions if d.id == dimension)
        return {item.id: item for item in found.items}

    processes = items("supporting-conditions", "processes")
    assert "proc-effectiveness" not in processes
    # The two halves of effectiveness keep the weight of the one item they replace.
    halves = [processes["proc-effectiveness-targets"], processes["proc-effectiveness-review"]]
    assert [item.weight for item in halves] == [0.5, 0.5]
    service = items("crm-process-cycle", "service")
    assert "svc-written-standards" not in service
    assert {"svc-written-steps", "svc-response-times", "svc-responsibilities"} <= set(service)


def test_definitions_frozen_before_shared_items_keep_their_content_hash():
    # The 1.0.0 questionnaires as assessments made before 1.1.0 froze them, and the
    # hashes stored with them: a new optional field must not change them, or those
    # assessments could no longer be thawed.
    older = load_directory(Path(__file__).parent / "fixtures" / "questionnaires" / "shipped-1.0.0")
    assert {loaded.definition.id: loaded.content_hash for loaded in older} == {
        "crm-process-cycle": "05bf9636c1abf5352f1f9655f43b4c4673861f386e0c905d7d11522c5fa66235",
        "gartner-building-blocks": (
            "bec4fc82538efe47b281e046925ef81b1df35671d6dfda56947c14650b7469bf"
        ),
        "supporting-conditions": "a617c26f40b627317fa86b74ad2701803733edab8668981daf3704c1484500c7",
    }


def test_the_seven_near_duplicates_are_each_one_shared_question(shipped):
    declared = {
        (item.same_as.questionnaire, item.same_as.item): (definition.id, item.id)
        for definition in shipped.values()
        for dimension in definition.dimensions
        for item in dimension.items
        if item.same_as
    }
    assert declared == SHARED


def test_used_together_no_question_is_asked_twice(shipped):
    together = used_together(list(shipped.values()))
    statements = [
        item.statement.en
        for q in together
        for dimension in q.dimensions
        for item in dimension.items
    ]
    assert len(statements) == len(set(statements))
    alone = sum(len(d.items) for q in shipped.values() for d in q.dimensions)
    assert len(statements) == alone - len(SHARED)


def test_every_item_and_recommendation_cites_a_source(shipped):
    for definition in shipped.values():
        for dimension in definition.dimensions:
            assert all(item.source for item in dimension.items)
            assert all(r.source for rs in dimension.recommendations.values() for r in rs)


def test_item_ids_are_unique_across_each_questionnaire(shipped):
    for definition in shipped.values():
        ids = [item.id for dimension in definition.dimensions for item in dimension.items]
        assert len(ids) == len(set(ids)), definition.id


# --- Broken definitions -----------------------------------------------------------------


def mini_data() -> dict:
    return yaml.safe_load(MINI.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict, name: str) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_questionnaire(path)
    return caught.value.problems


def test_unknown_scale_names_file_path_and_problem(tmp_path):
    data = mini_data()
    data["id"] = "supporting-conditions"
    third = copy.deepcopy(data["dimensions"][1])
    third["id"] = "people"
    third["items"] = [dict(third["items"][0], id=f"p{n}") for n in range(5)]
    third["items"][4]["scale"] = "likert7"
    data["dimensions"].append(third)
    path = write(tmp_path, data, "supporting-conditions.yaml")
    assert problems_of(path) == [
        "supporting-conditions.yaml: dimensions[2].items[4].scale: unknown scale 'likert7'"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["dimensions"][0]["items"][0]["statement"].pop("fa"),
            "mini.yaml: dimensions[0].items[0].statement.fa: required field is missing",
        ),
        (
            lambda d: d["dimensions"][0]["items"][1]["help"].update(fa="   "),
            "mini.yaml: dimensions[0].items[1].help.fa: String should have at least 1 character",
        ),
        (
            lambda d: d["dimensions"][1]["items"][0].update(source=["wikipedia"]),
            "mini.yaml: dimensions[1].items[0].source: unknown source 'wikipedia': use a file "
            "name from shared/seeds or 'Gartner eight building blocks'",
        ),
        (
            lambda d: d["dimensions"][1]["items"][0].update(wieght=2),
            "mini.yaml: dimensions[1].items[0].wieght: unknown field (check its spelling)",
        ),
        (
            lambda d: d.update(version="1.0"),
            "mini.yaml: version: version '1.0' is not a semantic version such as 1.0.0",
        ),
        (
            lambda d: d["dimensions"][1]["recommendations"].pop("leading"),
            "mini.yaml: dimensions[1].recommendations: no recommendation for level 'leading'",
        ),
        (
            lambda d: d["dimensions"][0].pop("critical_threshold"),
            "mini.yaml: dimensions[0].critical_threshold: a critical dimension needs a threshold",
        ),
        (
            lambda d: d["levels"][0].update(min=5),
            "mini.yaml: levels[0].min: the first level band must start at 0",
        ),
        (
            lambda d: d["dimensions"][1]["items"][1].update(id="a"),
            "mini.yaml: dimensions[1].items[1].id: duplicate id 'a' "
            "(item ids are unique in a questionnaire)",
        ),
        (
            lambda d: d["dimensions"][1].update(weight=0),
            "mini.yaml: dimensions[1].weight: Input should be greater than 0",
        ),
        (
            lambda d: d.update(id="other"),
            "mini.yaml: id: the id 'other' must match the file name",
        ),
        (
            lambda d: d["dimensions"][1]["items"][0].update(
                same_as={"questionnaire": "mini", "item": "a"}
            ),
            "mini.yaml: dimensions[1].items[0].same_as.questionnaire: an item can only be the "
            "same as another questionnaire's item",
        ),
        (
            lambda d: [
                item.update(same_as={"questionnaire": "other", "item": item["id"]})
                for item in d["dimensions"][1]["items"]
            ],
            "mini.yaml: dimensions[1].items: a dimension needs at least one item that is not "
            "same_as another",
        ),
    ],
)
def test_each_kind_of_mistake_is_explained(tmp_path, change, expected):
    data = mini_data()
    change(data)
    assert expected in problems_of(write(tmp_path, data, "mini.yaml"))


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text("id: mini\nversion: 1.0.0\ntitle: {en: x, fa: y\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith("mini.yaml: line 4, column 1: ")


def test_all_problems_of_a_folder_are_reported_together(tmp_path):
    broken = mini_data()
    broken["version"] = "one"
    write(tmp_path, broken, "mini.yaml")
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_directory(tmp_path)
    assert len(caught.value.problems) == 2
    assert "empty.yaml: the file must hold a mapping" in caught.value.problems[0]


# --- Content hash and frozen versions ---------------------------------------------------


def test_content_hash_ignores_layout_but_not_content(tmp_path):
    original = load_questionnaire(MINI)
    relaid = tmp_path / "mini.yaml"
    relaid.write_text(
        "# reordered and reformatted\n" + yaml.safe_dump(mini_data(), sort_keys=True, width=40),
        encoding="utf-8",
    )
    assert load_questionnaire(relaid).content_hash == original.content_hash
    changed = mini_data()
    changed["dimensions"][0]["items"][0]["statement"]["en"] = "Reworded"
    assert load_questionnaire(write(tmp_path, changed, "mini.yaml")).content_hash != (
        original.content_hash
    )


def test_freezing_keeps_one_copy_per_version(app):
    definition = load_questionnaire(MINI).definition
    first = freeze(db.session, definition)
    db.session.commit()
    again = freeze(db.session, definition)
    assert again.id == first.id
    assert db.session.query(QuestionnaireVersion).count() == 1
    assert thaw(first) == definition
    assert first.content_hash == content_hash(definition)


def test_same_version_with_other_content_is_refused(app, tmp_path):
    freeze(db.session, load_questionnaire(MINI).definition)
    db.session.commit()
    edited = mini_data()
    edited["dimensions"][1]["items"][0]["statement"]["en"] = "Edited after use"
    definition = load_questionnaire(write(tmp_path, edited, "mini.yaml")).definition
    with pytest.raises(VersionConflict) as caught:
        freeze(db.session, definition)
    (message,) = caught.value.problems
    assert message.startswith("mini 1.0.0: this version is already in use with different content")
    assert "(for example 1.0.1)" in message
    # The stored copy is untouched: past results still score against it.
    stored = db.session.query(QuestionnaireVersion).one()
    assert thaw(stored).dimensions[1].items[0].statement.en == "Statement d"
    edited["version"] = "1.0.1"
    newer = load_questionnaire(write(tmp_path, edited, "mini.yaml")).definition
    freeze(db.session, newer)
    db.session.commit()
    assert db.session.query(QuestionnaireVersion).count() == 2


# --- Command line -----------------------------------------------------------------------


def test_cli_lists_the_questionnaires(runner, app):
    result = runner.invoke(args=["questionnaires", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == [
        "crm-process-cycle",
        "gartner-building-blocks",
        "supporting-conditions",
    ]
    assert "8 dimensions" in lines[1]


def test_cli_validate_reports_errors_and_fails(runner, app, tmp_path):
    good = runner.invoke(args=["questionnaires", "validate", str(MINI)])
    assert good.exit_code == 0
    assert "mini.yaml: ok (mini 1.0.0)" in good.output
    broken = mini_data()
    broken["dimensions"][0]["items"][0]["scale"] = "likert7"
    result = runner.invoke(
        args=["questionnaires", "validate", str(write(tmp_path, broken, "mini.yaml"))]
    )
    assert result.exit_code == 1
    assert "mini.yaml: dimensions[0].items[0].scale: unknown scale 'likert7'" in result.output
    assert "Traceback" not in result.output


def test_cli_validate_checks_the_frozen_copies(runner, app, tmp_path):
    freeze(db.session, load_questionnaire(MINI).definition)
    db.session.commit()
    edited = mini_data()
    edited["title"]["en"] = "Mini, renamed"
    result = runner.invoke(
        args=["questionnaires", "validate", str(write(tmp_path, edited, "mini.yaml"))]
    )
    assert result.exit_code == 1
    assert "mini 1.0.0: this version is already in use with different content" in result.output


def test_cli_validate_checks_every_shipped_file_by_default(runner, app):
    result = runner.invoke(args=["questionnaires", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok (") == 3
