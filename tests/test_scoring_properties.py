"""Properties the scoring must keep for any answers (hypothesis generates them)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.instrument.loader import load_questionnaire
from app.instrument.results import Consensus, Response
from app.instrument.scoring import score_assessment, scores_from_totals

MINI = load_questionnaire(Path(__file__).parent / "fixtures" / "questionnaires" / "mini.yaml")
DEFINITION = MINI.definition
ITEMS = [item.id for dimension in DEFINITION.dimensions for item in dimension.items]
MISSING = object()

answer = st.one_of(st.just(MISSING), st.none(), st.integers(1, 5))
response = st.builds(
    lambda group, values: (group, values),
    st.sampled_from(["executive", "manager", "staff"]),
    st.fixed_dictionaries(dict.fromkeys(ITEMS, answer)),
)
responses = st.lists(response, max_size=6)


def build(raw) -> list[Response]:
    return [
        Response(
            f"r{index}",
            group,
            {("mini", item): value for item, value in values.items() if value is not MISSING},
        )
        for index, (group, values) in enumerate(raw)
    ]


def score(raw, **options):
    return score_assessment([DEFINITION], build(raw), **options)


def all_scores(result):
    questionnaire = result.questionnaire("mini")
    yield result.index
    yield questionnaire.index
    for dimension in questionnaire.dimensions:
        yield dimension.score
        yield from dimension.by_group.values()
        for item in dimension.items:
            yield item.score


@given(responses)
def test_every_score_is_between_0_and_100(raw):
    for value in all_scores(score(raw)):
        assert value is None or 0 <= value <= 100


@given(responses, st.sampled_from(ITEMS), st.integers(0, 5))
def test_not_applicable_on_one_item_never_changes_another_items_score(raw, item, who):
    if not raw:
        return
    who %= len(raw)
    changed = [(group, dict(values)) for group, values in raw]
    changed[who][1][item] = None
    before, after = score(raw), score(changed)
    for dimension_before, dimension_after in zip(
        before.questionnaire("mini").dimensions, after.questionnaire("mini").dimensions, strict=True
    ):
        for item_before, item_after in zip(
            dimension_before.items, dimension_after.items, strict=True
        ):
            if item_before.item_id != item:
                assert item_before.score == item_after.score
                assert item_before.weight * (item_before.score or 0) == item_after.weight * (
                    item_after.score or 0
                )


@given(responses, st.sampled_from(ITEMS), st.integers(0, 5))
def test_raising_one_answer_never_lowers_its_dimension(raw, item, who):
    if not raw:
        return
    who %= len(raw)
    current = raw[who][1][item]
    if current is MISSING or current is None:
        return
    reverse = next(i.reverse for d in DEFINITION.dimensions for i in d.items if i.id == item)
    better = current - 1 if reverse else current + 1  # a higher item score
    if not 1 <= better <= 5:
        return
    changed = [(group, dict(values)) for group, values in raw]
    changed[who][1][item] = better
    dimension = next(d.id for d in DEFINITION.dimensions if any(i.id == item for i in d.items))
    before = score(raw).questionnaire("mini").dimension(dimension).score
    after = score(changed).questionnaire("mini").dimension(dimension).score
    if before is not None:
        assert after >= before


@settings(max_examples=60)
@given(responses, st.randoms(use_true_random=False))
def test_the_order_of_respondents_never_matters(raw, random):
    # Same respondents (ids follow the people, not their position), in another order.
    people = build(raw)
    order = list(range(len(people)))
    random.shuffle(order)
    assert score_assessment([DEFINITION], [people[i] for i in order]) == score_assessment(
        [DEFINITION], people
    )


@given(responses, st.sampled_from(ITEMS), st.integers(1, 5))
def test_consensus_overrides_only_the_item_it_names(raw, item, value):
    plain = score(raw)
    agreed = score(raw, consensus={("mini", item): Consensus(value, "agreed")})
    for dimension_plain, dimension_agreed in zip(
        plain.questionnaire("mini").dimensions, agreed.questionnaire("mini").dimensions, strict=True
    ):
        for item_plain, item_agreed in zip(
            dimension_plain.items, dimension_agreed.items, strict=True
        ):
            if item_plain.item_id == item:
                assert item_agreed.consensus == Consensus(value, "agreed")
                assert item_agreed.answers == item_plain.answers
            else:
                assert item_agreed == item_plain


@given(responses)
def test_without_targets_of_their_own_a_stronger_dimension_never_has_a_larger_gap(raw):
    dimensions = [d for d in score(raw).questionnaire("mini").dimensions if d.score is not None]
    for stronger in dimensions:
        for weaker in dimensions:
            if stronger.score > weaker.score:
                assert stronger.gap <= weaker.gap


@given(responses)
def test_no_group_smaller_than_the_minimum_is_shown(raw):
    result = score(raw)
    sizes = {group: sum(1 for g, _values in raw if g == group) for group, _values in raw}
    assert all(sizes[group] >= 3 for group in result.groups)
    for dimension in result.questionnaire("mini").dimensions:
        assert set(dimension.by_group) <= set(result.groups)


def totals_of(raw) -> dict[tuple[str, str], tuple[int, int]]:
    """Each item's count of values answered and their sum, as the database adds them up."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for _group, values in raw:
        for item, value in values.items():
            if value is not MISSING and value is not None:
                count, total = found.get(("mini", item), (0, 0))
                found[("mini", item)] = (count + 1, total + value)
    return found


@given(responses, st.dictionaries(st.sampled_from(ITEMS), st.integers(1, 5), max_size=3))
def test_scores_from_the_answers_totals_are_those_of_the_answers(raw, agreed):
    consensus = {("mini", item): Consensus(value) for item, value in agreed.items()}
    whole = score(raw, consensus=consensus)
    alone = scores_from_totals([DEFINITION], totals_of(raw), consensus)
    assert alone.index == whole.index
    assert alone.dimensions == {
        ("mini", dimension.dimension_id): dimension.score
        for dimension in whole.questionnaire("mini").dimensions
    }
