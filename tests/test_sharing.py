"""Questions shared between questionnaires: asked once, shown once, counted once.

``mini`` (tests/fixtures) and ``twin``, a copy whose ops item d declares ``same_as``
mini's d: used together, twin's d is left out and mini's d is the one answered and
counted; twin used alone keeps it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.instrument.loader import DefinitionError, load_directory, parse_definition
from app.instrument.results import Response
from app.instrument.scoring import score_assessment
from app.instrument.sharing import used_together

MINI = Path(__file__).parent / "fixtures" / "questionnaires" / "mini.yaml"


def mini_data() -> dict:
    return yaml.safe_load(MINI.read_text(encoding="utf-8"))


def twin_data() -> dict:
    data = mini_data()
    data["id"] = "twin"
    data["dimensions"][1]["items"][0]["same_as"] = {"questionnaire": "mini", "item": "d"}
    return data


@pytest.fixture(scope="module")
def mini():
    return parse_definition(mini_data(), "mini.yaml")


@pytest.fixture(scope="module")
def twin():
    return parse_definition(twin_data(), "twin.yaml")


def items_of(definition) -> dict[str, list[str]]:
    return {d.id: [item.id for item in d.items] for d in definition.dimensions}


def test_used_together_the_copy_that_gives_way_is_left_out(mini, twin):
    both = used_together([mini, twin])
    assert items_of(both[0]) == {"lead": ["a", "b", "c"], "ops": ["d", "e"]}
    assert items_of(both[1]) == {"lead": ["a", "b", "c"], "ops": ["e"]}
    assert used_together(both) == both  # once is enough


def test_used_alone_a_questionnaire_keeps_every_item(twin):
    (alone,) = used_together([twin])
    assert items_of(alone) == {"lead": ["a", "b", "c"], "ops": ["d", "e"]}


def test_a_shared_answer_counts_once_in_the_overall_index(mini, twin):
    # One answer to mini's d (5 -> 100) and to each e (twin's e: 1 -> 0).
    response = Response(
        "r1", "staff", {("mini", "d"): 5, ("mini", "e"): 3, ("twin", "e"): 1, ("twin", "d"): 1}
    )
    result = score_assessment([mini, twin], [response])
    # mini ops = (100 + 50) / 2 = 75. twin ops has only e: 0, coverage 1/1; twin's own
    # copy of d (answered 1 here, as an old import might have it) is not counted.
    assert result.questionnaire("mini").dimension("ops").score == 75
    twin_ops = result.questionnaire("twin").dimension("ops")
    assert (twin_ops.score, twin_ops.coverage) == (0, 1)
    assert [item.item_id for item in twin_ops.items] == ["e"]
    # The index: (75 + 0) / 2; d counts once, through mini.
    assert result.index == 37.5
    # Alone, twin asks and counts its own d: (0 + 0) / 2.
    alone = score_assessment([twin], [response])
    assert alone.questionnaire("twin").dimension("ops").score == 0


def test_a_copy_that_differs_from_its_original_is_not_shared(mini):
    data = twin_data()
    data["dimensions"][1]["items"][0]["statement"]["en"] = "Something else"
    other = parse_definition(data, "twin.yaml")
    assert items_of(used_together([mini, other])[1])["ops"] == ["d", "e"]


def write(folder: Path, data: dict, name: str) -> None:
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["dimensions"][1]["items"][0]["help"].update(fa="راهنمای دیگر"),
            "twin.yaml: dimensions[1].items[0].same_as: the statement, help, scale, reverse and "
            "allow_na must be those of mini's d: it is answered once for both",
        ),
        (
            lambda d: d["dimensions"][1]["items"][0].update(reverse=True),
            "twin.yaml: dimensions[1].items[0].same_as: the statement, help, scale, reverse and "
            "allow_na must be those of mini's d: it is answered once for both",
        ),
        (
            lambda d: d["dimensions"][1]["items"][0]["same_as"].update(item="z"),
            "twin.yaml: dimensions[1].items[0].same_as: mini has no item 'z'",
        ),
    ],
)
def test_a_folder_explains_a_shared_item_that_does_not_match(tmp_path, change, expected):
    write(tmp_path, mini_data(), "mini.yaml")
    twin = twin_data()
    change(twin)
    write(tmp_path, twin, "twin.yaml")
    with pytest.raises(DefinitionError) as caught:
        load_directory(tmp_path)
    assert caught.value.problems == [expected]


def test_an_original_cannot_itself_give_way(tmp_path):
    mini = mini_data()
    mini["id"] = "mini"
    mini["dimensions"][1]["items"][0]["same_as"] = {"questionnaire": "third", "item": "d"}
    write(tmp_path, mini, "mini.yaml")
    write(tmp_path, twin_data(), "twin.yaml")
    with pytest.raises(DefinitionError) as caught:
        load_directory(tmp_path)
    assert caught.value.problems == [
        "twin.yaml: dimensions[1].items[0].same_as: mini's d is itself the same as another item"
    ]


def test_a_copy_of_a_questionnaire_not_in_the_folder_is_fine(tmp_path):
    write(tmp_path, twin_data(), "twin.yaml")
    (loaded,) = load_directory(tmp_path)
    assert loaded.definition.dimensions[1].items[0].same_as.item == "d"


def test_the_cli_checks_shared_items_against_the_assessments_folder(
    runner, app, tmp_path, monkeypatch
):
    folder, elsewhere = tmp_path / "assessments", tmp_path / "drafts"
    folder.mkdir()
    elsewhere.mkdir()
    write(folder, mini_data(), "mini.yaml")
    twin = twin_data()
    twin["dimensions"][1]["items"][0]["statement"]["en"] = "Reworded"
    write(elsewhere, twin, "twin.yaml")
    monkeypatch.setitem(app.config, "ASSESSMENTS_DIR", str(folder))
    result = runner.invoke(args=["questionnaires", "validate", str(elsewhere / "twin.yaml")])
    assert result.exit_code == 1
    assert (
        "twin.yaml: dimensions[1].items[0].same_as: the statement, help, scale, reverse and "
        "allow_na must be those of mini's d: it is answered once for both"
    ) in result.output
