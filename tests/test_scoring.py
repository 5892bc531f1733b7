"""The scoring engine, checked against examples worked out by hand.

The fixture ``mini`` has two dimensions on a five-point scale (1 -> 0, 2 -> 25, 3 -> 50,
4 -> 75, 5 -> 100):
  lead (weight 2, critical below 40): a (weight 1), b (weight 1, reverse), c (weight 2)
  ops  (weight 1):                    d (weight 1), e (weight 1)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app import PROJECT_ROOT
from app.instrument.definitions import Questionnaire
from app.instrument.loader import load_questionnaire, parse_definition
from app.instrument.results import Consensus, Response
from app.instrument.scoring import score_assessment

FIXTURES = Path(__file__).parent / "fixtures" / "questionnaires"


@pytest.fixture(scope="module")
def mini():
    return load_questionnaire(FIXTURES / "mini.yaml").definition


def answers(**values):
    return {("mini", item): value for item, value in values.items()}


def test_single_respondent_worked_example(mini):
    # lead: a=4 -> 75; b=2 -> 25, reversed -> 75; c=5 -> 100
    #       (75*1 + 75*1 + 100*2) / (1 + 1 + 2) = 350 / 4 = 87.5, coverage 4/4 = 1
    # ops:  d=3 -> 50; e N/A -> left out; coverage 1/2 = 0.5 (just enough): score 50
    # index = (87.5*2 + 50*1) / (2 + 1) = 225 / 3 = 75 -> "established" (60 <= 75 < 80)
    result = score_assessment(
        [mini], [Response("r1", "manager", answers(a=4, b=2, c=5, d=3, e=None))]
    )
    questionnaire = result.questionnaire("mini")
    lead, ops = questionnaire.dimensions
    assert lead.score == 87.5
    assert lead.coverage == 1
    assert lead.level == "leading"
    assert ops.score == 50
    assert ops.coverage == 0.5
    assert ops.items[1].not_applicable == 1
    assert questionnaire.index == 75
    assert questionnaire.level == "established"
    assert result.index == 75
    assert result.level == "established"
    assert result.caps == ()


def test_critical_dimension_caps_the_level_and_says_why(mini):
    # lead: a=1 -> 0; b=5 -> 100, reversed -> 0; c=2 -> 25
    #       (0 + 0 + 25*2) / 4 = 12.5, under the threshold 40 -> band "initial"
    # ops:  d=5, e=5 -> 100
    # index = (12.5*2 + 100) / 3 = 41.67 -> "developing", capped by lead to "initial"
    result = score_assessment([mini], [Response("r1", "manager", answers(a=1, b=5, c=2, d=5, e=5))])
    assert result.index == pytest.approx(125 / 3)
    assert result.uncapped_level == "developing"
    assert result.level == "initial"
    (cap,) = result.caps
    assert (cap.dimension_id, cap.score, cap.threshold, cap.capped_at) == (
        "lead",
        12.5,
        40,
        "initial",
    )
    assert result.questionnaire("mini").dimension("lead").critical_breach


def test_too_few_answers_is_insufficient_data_not_a_low_score(mini):
    # lead: only a answered -> coverage 1/4 = 0.25 < 0.5 -> insufficient
    # ops:  d=4, e=4 -> 75; the index rests on ops alone: 75
    result = score_assessment([mini], [Response("r1", "staff", answers(a=5, d=4, e=4))])
    lead = result.questionnaire("mini").dimension("lead")
    assert lead.score is None
    assert lead.sufficient is False
    assert lead.coverage == 0.25
    assert lead.level is None
    assert result.index == 75


def test_several_respondents_statistics_groups_and_disagreement(mini):
    responses = [
        Response("r1", "executive", answers(a=5, b=1, c=5, d=5, e=3)),
        Response("r2", "staff", answers(a=3, b=3, c=3, d=1, e=3)),
        Response("r3", "staff", answers(a=4, b=2, c=4, d=1, e=None)),
    ]
    result = score_assessment([mini], responses, min_group_size=1)
    ops = result.questionnaire("mini").dimension("ops")
    d = ops.items[0]
    # d: 100, 0, 0 -> n 3, mean 33.33, median 0, sd sqrt(((66.67)^2 + 2*(33.33)^2)/3) = 47.14
    assert d.answers.n == 3
    assert d.answers.mean == pytest.approx(100 / 3)
    assert d.answers.median == 0
    assert d.answers.sd == pytest.approx(47.1405, abs=1e-4)
    assert (d.answers.min, d.answers.max) == (0, 100)
    assert d.disagreement  # 47.14 > 25
    e = ops.items[1]
    assert (e.answers.n, e.not_applicable, e.disagreement) == (2, 1, False)
    # ops = (33.33 + 50) / 2 = 41.67
    assert ops.score == pytest.approx(125 / 3)
    # Respondents' own ops scores: r1 (100+50)/2=75, r2 (0+50)/2=25, r3 d only: coverage 0.5, 0
    assert ops.respondents.n == 3
    assert ops.respondents.mean == pytest.approx(100 / 3)
    # Groups: executive ops 75; staff d mean 0, e mean 50 -> 25; gap 50
    assert ops.by_group == {"executive": 75, "staff": 25}
    assert ops.group_gap == 50
    assert result.groups == ("executive", "staff")
    assert result.respondents == 3


def test_consensus_replaces_only_its_item_and_is_marked(mini):
    responses = [
        Response("r1", "executive", answers(a=5, b=1, c=5, d=5, e=3)),
        Response("r2", "staff", answers(a=3, b=3, c=3, d=1, e=3)),
    ]
    plain = score_assessment([mini], responses)
    agreed = score_assessment(
        [mini], responses, consensus={("mini", "d"): Consensus(4, "Workshop, 12 May")}
    )
    d_plain = plain.questionnaire("mini").dimension("ops").items[0]
    d_agreed = agreed.questionnaire("mini").dimension("ops").items[0]
    assert d_plain.score == 50
    assert d_plain.consensus is None
    assert d_agreed.score == 75
    assert d_agreed.consensus.note == "Workshop, 12 May"
    assert d_agreed.answers == d_plain.answers  # the raw answers are still reported
    # ops was (50 + 50) / 2 = 50; with d agreed at 75 it is (75 + 50) / 2 = 62.5
    assert agreed.questionnaire("mini").dimension("ops").score == 62.5
    assert agreed.questionnaire("mini").dimension("lead") == plain.questionnaire("mini").dimension(
        "lead"
    )


def test_targets_gaps_priorities_and_action_plan(mini):
    # index 75 ("established"): the assessment's target is the next band up, "leading" (80).
    # lead 87.5, its own target "leading": no gap.
    # ops 50 ("developing"), the assessment's target: gap 80 - 50 = 30, priority 30 x
    # weight 1 = 30; recommendations are those of ops at "developing".
    result = score_assessment(
        [mini],
        [Response("r1", "manager", answers(a=4, b=2, c=5, d=3, e=3))],
        targets={("mini", "lead"): "leading"},
    )
    assert (result.target_level, result.target_is_default) == ("leading", True)
    lead = result.questionnaire("mini").dimension("lead")
    ops = result.questionnaire("mini").dimension("ops")
    assert (lead.target_level, lead.gap, lead.priority) == ("leading", 0, 0)
    assert (ops.target_level, ops.target_score, ops.gap, ops.priority) == ("leading", 80, 30, 30)
    (action,) = result.action_plan
    assert (action.dimension_id, action.level, action.gap) == ("ops", "developing", 30)
    assert action.recommendations[0].text.en == "Act at developing"


def test_one_target_for_the_assessment_never_makes_the_strongest_the_largest_gap(mini):
    # lead 62.5 ("established"), ops 37.5 ("emerging"); index (62.5*2 + 37.5) / 3 = 54.17,
    # "developing": the target is "established" (60) for both. The stronger lead has the
    # smaller gap (0), where "one band above each dimension's own" gave it 80 - 62.5 = 17.5
    # and ops 40 - 37.5 = 2.5.
    result = score_assessment([mini], [Response("r1", "staff", answers(a=5, b=3, c=3, d=2, e=3))])
    lead = result.questionnaire("mini").dimension("lead")
    ops = result.questionnaire("mini").dimension("ops")
    assert (lead.score, ops.score) == (62.5, 37.5)
    assert result.level == "developing"
    assert (lead.target_level, lead.gap) == ("established", 0)
    assert (ops.target_level, ops.gap) == ("established", 22.5)
    assert [a.dimension_id for a in result.action_plan] == ["ops"]


def test_the_consultant_sets_the_assessment_target_and_dimensions_may_differ(mini):
    result = score_assessment(
        [mini],
        [Response("r1", "staff", answers(a=5, b=3, c=3, d=2, e=3))],
        targets={("mini", "ops"): "emerging"},
        target_level="leading",
    )
    assert (result.target_level, result.target_is_default) == ("leading", False)
    lead = result.questionnaire("mini").dimension("lead")
    ops = result.questionnaire("mini").dimension("ops")
    assert (lead.target_level, lead.gap) == ("leading", 17.5)
    assert (ops.target_level, ops.gap) == ("emerging", 0)  # its own target, already met
    with pytest.raises(ValueError, match="unknown target level"):
        score_assessment([mini], [], target_level="heroic")


def test_an_assessment_in_the_top_band_aims_to_stay_there(mini):
    # lead 100, ops 50: index (200 + 50) / 3 = 83.33, "leading", the top band: the target
    # stays "leading", so ops, at 50, still has a gap of 30.
    result = score_assessment([mini], [Response("r1", "staff", answers(a=5, b=1, c=5, d=5, e=1))])
    assert result.level == "leading"
    assert result.target_level == "leading"
    assert result.questionnaire("mini").dimension("ops").gap == 30


def test_critical_dimensions_come_first_in_the_action_plan(mini):
    # lead 37.5 (critical), ops 0: index 25 ("emerging"), capped by lead at "emerging";
    # the target is "developing" (40). lead: gap 2.5, priority 2.5 x 2 = 5; ops: gap 40,
    # priority 40: larger, but lead is critical.
    result = score_assessment([mini], [Response("r1", "staff", answers(a=3, b=3, c=2, d=1, e=1))])
    assert [a.dimension_id for a in result.action_plan] == ["lead", "ops"]
    assert [a.priority for a in result.action_plan] == [5, 40]


def test_agreement_is_judged_only_from_three_answers(mini):
    # d: 100 and 0 from two people spread 50 points, but two answers say nothing of
    # agreement; a third makes the spread a disagreement.
    two = [
        Response("r1", "staff", answers(a=3, b=3, c=3, d=5, e=3)),
        Response("r2", "staff", answers(a=3, b=3, c=3, d=1, e=3)),
    ]
    d = score_assessment([mini], two).questionnaire("mini").dimension("ops").items[0]
    assert (d.answers.n, d.answers.sd, d.disagreement) == (2, 50, False)
    three = [*two, Response("r3", "staff", answers(d=1))]
    d = score_assessment([mini], three).questionnaire("mini").dimension("ops").items[0]
    assert (d.answers.n, d.disagreement) == (3, True)


def test_groups_smaller_than_the_minimum_are_not_scored_on_their_own(mini):
    responses = [
        Response("r1", "executive", answers(a=5, b=1, c=5, d=5, e=5)),
        *(Response(f"s{n}", "staff", answers(a=3, b=3, c=3, d=3, e=3)) for n in range(3)),
    ]
    result = score_assessment([mini], responses)  # the minimum is 3 unless told otherwise
    assert result.groups == ("staff",)
    assert result.small_groups == ("executive",)
    ops = result.questionnaire("mini").dimension("ops")
    assert ops.by_group == {"staff": 50}
    assert ops.group_gap is None  # one group shown: nothing to compare
    # The executive's answers still count in the aggregate: d (100+50*3)/4, e likewise.
    assert ops.score == 62.5
    wider = score_assessment([mini], responses, min_group_size=1)
    assert wider.questionnaire("mini").dimension("ops").by_group == {"executive": 100, "staff": 50}


def test_answers_off_the_scale_are_refused(mini):
    with pytest.raises(ValueError, match="not on the scale"):
        score_assessment([mini], [Response("r1", "staff", answers(a=9))])


def test_unknown_target_level_is_refused(mini):
    with pytest.raises(ValueError, match="unknown target level"):
        score_assessment([mini], [], targets={("mini", "ops"): "heroic"})


def test_no_answers_at_all(mini):
    result = score_assessment([mini], [])
    assert result.index is None
    assert result.level is None
    assert result.action_plan == ()


def test_benchmark_script_runs():
    """The benchmark prints its figures (its timings are read by people, not asserted)."""
    result = subprocess.run(
        [sys.executable, "bench/score_assessment.py", "--respondents", "6", "--repeat", "2"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    assert "6 respondents" in result.stdout
    assert "score_assessment:" in result.stdout
    assert "baseline" in result.stdout


# --- Exact comparisons ----------------------------------------------------------------


def variant(change) -> Questionnaire:
    """The mini questionnaire with ``change`` applied to its data."""
    data = yaml.safe_load((FIXTURES / "mini.yaml").read_text(encoding="utf-8"))
    change(data)
    return parse_definition(data, "variant")


def test_coverage_of_exactly_the_minimum_is_enough_whatever_the_weights():
    # ops holds five items of weights 0.1, 0.7, 0.1, 0.2 and 0.5 (1.6 in all). Answering
    # the first two covers 0.8 of 1.6: exactly half, the minimum. In floating point
    # 0.1 + 0.7 is 0.7999999999999999, which once gave 0.49999999999999994: "insufficient".
    def five_weights(data):
        ops = data["dimensions"][1]
        template = ops["items"][0]
        ops["items"] = [
            dict(template, id=f"w{n}", weight=weight)
            for n, weight in enumerate((0.1, 0.7, 0.1, 0.2, 0.5))
        ]

    definition = variant(five_weights)
    result = score_assessment(
        [definition], [Response("r1", "staff", {("mini", "w0"): 5, ("mini", "w1"): 4})]
    )
    ops = result.questionnaire("mini").dimension("ops")
    assert ops.coverage == 0.5
    assert ops.sufficient
    # (100 x 0.1 + 75 x 0.7) / 0.8 = 62.5 / 0.8 = 78.125
    assert ops.score == 78.125
    assert ops.level == "established"


def test_a_score_exactly_on_a_band_edge_or_threshold_is_in_that_band():
    # lead holds a (weight 0.2) and c (weight 0.3), critical below 60. Three respondents:
    # a 2, 2, 2 -> 25; c 4, 4, 5 -> (75 + 75 + 100) / 3 = 250/3. lead = (25 x 0.2 +
    # 250/3 x 0.3) / 0.5 = (5 + 25) / 0.5 = 60 exactly; in floating point 59.99999999999999,
    # which once put it under the "established" band and under its own threshold.
    def two_items(data):
        lead = data["dimensions"][0]
        a, _b, c = lead["items"]
        lead["items"] = [dict(a, weight=0.2), dict(c, weight=0.3)]
        lead["critical_threshold"] = 60

    definition = variant(two_items)
    responses = [
        Response(f"r{n}", "staff", answers(a=2, c=value)) for n, value in enumerate((4, 4, 5))
    ]
    result = score_assessment([definition], responses, targets={("mini", "lead"): "established"})
    lead = result.questionnaire("mini").dimension("lead")
    assert lead.score == 60
    assert lead.level == "established"
    assert not lead.critical_breach
    assert result.caps == ()
    assert result.level == "established"
    assert lead.gap == 0  # on its target, so not in the action plan
    assert result.action_plan == ()


# --- A critical dimension without enough answers --------------------------------------


def test_a_critical_dimension_too_thin_to_score_makes_the_level_provisional(mini):
    # lead: only a answered, coverage 1/4 < 0.5: no score, so it cannot be checked against
    # its threshold. ops 75 gives the index and the level, which is only provisional.
    result = score_assessment([mini], [Response("r1", "staff", answers(a=1, d=4, e=4))])
    assert result.index == 75
    assert result.level == "established"
    assert result.caps == ()
    assert result.provisional
    (entry,) = result.unscored_critical
    assert (entry.questionnaire_id, entry.dimension_id) == ("mini", "lead")
    assert (entry.coverage, entry.min_coverage, entry.threshold) == (0.25, 0.5, 40)
    assert result.questionnaire("mini").provisional


def test_a_level_is_final_once_the_critical_dimension_is_scored(mini):
    result = score_assessment([mini], [Response("r1", "staff", answers(a=4, b=2, c=5, d=4))])
    assert not result.provisional
    assert result.unscored_critical == ()


def test_without_any_level_nothing_is_provisional(mini):
    # Nothing scored: no level at all, so none to call provisional, though lead is unscored.
    result = score_assessment([mini], [Response("r1", "staff", answers(a=3))])
    assert result.level is None
    assert not result.provisional
    assert [entry.dimension_id for entry in result.unscored_critical] == ["lead"]


# --- Groups -------------------------------------------------------------------------------


def test_groups_follow_the_assessments_order_then_the_alphabet(mini):
    responses = [
        Response("r1", "staff", answers(d=5, e=5)),
        Response("r2", "board", answers(d=1, e=1)),
        Response("r3", "executive", answers(d=3, e=3)),
    ]
    result = score_assessment(
        [mini], responses, group_order=["staff", "manager", "executive", "staff"], min_group_size=1
    )
    # "manager" has no submitted response: not listed. "board" is not in the order: last.
    assert result.groups == ("staff", "executive", "board")
    ops = result.questionnaire("mini").dimension("ops")
    assert list(ops.by_group) == ["staff", "executive", "board"]
    assert ops.by_group == {"staff": 100, "executive": 50, "board": 0}
    assert ops.group_gap == 100


def test_one_scored_group_has_no_group_gap(mini):
    result = score_assessment(
        [mini],
        [Response("r1", "staff", answers(d=5, e=5)), Response("r2", "board", answers(a=1))],
        min_group_size=1,
    )
    ops = result.questionnaire("mini").dimension("ops")
    assert ops.by_group == {"board": None, "staff": 100}
    assert ops.group_gap is None


def test_a_consensus_goes_through_the_mirror_and_counts_for_coverage(mini):
    # Nobody answered b (reverse) or c; a = 5 -> 100. Alone, a covers 1/4: insufficient.
    # A consensus of 2 on b scores 100 - 25 = 75 and makes b answered: coverage 2/4.
    # lead = (100 + 75) / 2 = 87.5. The respondent's own lead score and the group's stay
    # without it: their coverage is still 1/4.
    responses = [Response("r1", "staff", answers(a=5, d=3, e=3))]
    result = score_assessment(
        [mini], responses, consensus={("mini", "b"): Consensus(2)}, min_group_size=1
    )
    lead = result.questionnaire("mini").dimension("lead")
    assert lead.items[1].score == 75
    assert (lead.coverage, lead.score) == (0.5, 87.5)
    assert lead.respondents is None
    assert lead.by_group == {"staff": None}
    assert lead.items[1].answers is None  # nobody's answer: no statistics


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(mini):
    responses = [
        Response(f"r{n}", "staff", answers(d=value)) for n, value in enumerate((1, 2, 4, 5))
    ]
    d = score_assessment([mini], responses).questionnaire("mini").dimension("ops").items[0]
    # Item scores 0, 25, 75, 100: the middle two are 25 and 75.
    assert (d.answers.n, d.answers.median, d.answers.mean) == (4, 50, 50)


def test_an_unscored_dimension_has_the_assessments_target_but_no_gap(mini):
    # lead has only a (1/4 of its weight): unscored. ops 75 makes the overall level
    # "established", so the assessment aims at "leading", lead included, without a gap.
    responses = [Response("r1", "staff", answers(a=1, d=4, e=4))]
    plain = score_assessment([mini], responses).questionnaire("mini").dimension("lead")
    assert (plain.target_level, plain.gap) == ("leading", None)
    chosen = score_assessment([mini], responses, targets={("mini", "lead"): "developing"})
    lead = chosen.questionnaire("mini").dimension("lead")
    assert (lead.target_level, lead.target_score, lead.gap) == ("developing", 40, None)
    assert [action.dimension_id for action in chosen.action_plan] == ["ops"]


def test_critical_first_means_every_critical_dimension_with_a_gap(mini):
    # The assessment aims at "leading" (80). lead 75 is well above its threshold (40): gap
    # 5, priority 5 x 2 = 10. ops 0: gap 80, priority 80. lead still comes first: critical.
    result = score_assessment(
        [mini], [Response("r1", "staff", answers(a=4, b=2, c=4, d=1, e=1))], target_level="leading"
    )
    assert result.caps == ()
    assert [(a.dimension_id, a.priority) for a in result.action_plan] == [
        ("lead", 10),
        ("ops", 80),
    ]
