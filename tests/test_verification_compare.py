"""The comparison with the built-in questionnaire: names, order, route, texts, empty states."""

from __future__ import annotations

import random

import pytest

from exports.xlsform import read_definition

from exports.layout import variables as layout_variables
from exports.synthetic import random_value
from survey import Blank, Counts, Grid, Invalid, Multi, NotApplicable, Single, Text, builtin, load_definition
from survey.verification import (
    ANSWER, BLANK, INVALID, NOT_APPLICABLE, NOT_ENTERED, OFF_ROUTE, Cell, Comparer, VerificationError, variables,
)

from .conftest import FIXTURES

NIIZA = builtin()
COMPARER = Comparer(NIIZA)


def full_form(seed: int, **fixed) -> dict:
    """A department's whole form keyed along its route; ``fixed`` answers chosen by the test."""
    rng = random.Random(seed)
    answers: dict = {}
    for question in NIIZA.questions:
        if COMPARER.router.route(answers).status(question.id) == "off":
            continue
        answers[question.id] = fixed.get(question.id) or random_value(question, rng)
    return answers


USED = dict(
    Q1=Single(1),
    Q2=Grid({"line": 1, "x": 2, "facebook": 3, "youtube": 5}),
    Q3=Multi(frozenset({1, 5}), {5: "はがき"}),
    Q4=Multi(frozenset({1})),
)


@pytest.mark.parametrize(
    "definition",
    [NIIZA, load_definition(FIXTURES / "training.toml"), read_definition(FIXTURES / "vehicles.xlsx")[0]],
    ids=["niiza", "training", "vehicles"],
)
def test_variable_names_are_those_of_the_answer_list(definition):
    ours = [(v.name, v.question, v.kind, v.key, v.label) for v in variables(definition)]
    theirs = [(v.name, v.question.id, v.kind, v.key, v.label) for v in layout_variables(definition)]
    assert ours == theirs
    if definition is NIIZA:
        assert {"Q1", "Q2_line", "Q3_1", "Q3_5_text", "Q23_respondents"} <= {name for name, *_ in ours}


def test_routing_variables_are_what_the_skips_read():
    assert COMPARER.routing == {"Q1", "Q2_line", "Q2_x", "Q2_facebook", "Q2_youtube", "Q4_1", "Q16"}


def test_a_difference_in_q1_comes_first_and_changes_the_route():
    first = full_form(1, **USED)
    second = dict(first, Q1=Single(2))  # the verifier's route skips to Q16 and keys Q16–Q18
    for qid in ("Q16", "Q17", "Q18"):
        second[qid] = random_value(NIIZA.question(qid), random.Random(qid))
    comparison = COMPARER.compare(first, second)
    head = comparison.differences[0]
    assert (head.name, head.first, head.second, head.routing) == ("Q1", Cell(ANSWER, 1), Cell(ANSWER, 2), True)
    assert set(comparison.route_differs) == {f"Q{n}" for n in range(2, 19)}
    q3 = comparison.difference("Q3_1")
    assert (q3.first, q3.second, q3.routing) == (Cell(ANSWER, 1), Cell(OFF_ROUTE), False)
    q16 = comparison.difference("Q16")
    assert q16.first == Cell(OFF_ROUTE) and q16.second.state == ANSWER and q16.routing
    # The routing block comes before every other difference.
    routing = [d.name for d in comparison.differences if d.routing]
    assert [d.name for d in comparison.differences[: len(routing)]] == routing
    assert routing[:5] == ["Q1", "Q2_line", "Q2_x", "Q2_facebook", "Q2_youtube"]


def test_an_option_text_differs_alone():
    first = full_form(2, **USED)
    second = dict(first, Q3=Multi(frozenset({1, 5}), {5: "葉書"}))
    [difference] = COMPARER.compare(first, second).differences
    assert difference.name == "Q3_5_text"
    assert (difference.first, difference.second) == (Cell(ANSWER, "はがき"), Cell(ANSWER, "葉書"))
    assert "はがき" in str(difference) and "葉書" in str(difference)
    [gone] = COMPARER.compare(first, dict(first, Q3=Multi(frozenset({1, 5})))).differences
    assert gone.second.describe() == "（記入なし）"


def test_blank_not_entered_invalid_and_the_two_kinds_of_not_applicable_are_all_different():
    first = full_form(3, **USED)
    cases = {
        "Q10": (Blank(), None, BLANK, NOT_ENTERED),
        "Q9": (Invalid("1,2"), Blank(), INVALID, BLANK),
    }
    for qid, (a, b, state_a, state_b) in cases.items():
        one, two = dict(first, **{qid: a}), dict(first)
        if b is None:
            two.pop(qid)
        else:
            two[qid] = b
        [difference] = COMPARER.compare(one, two).differences
        assert (difference.name, difference.first.state, difference.second.state) == (qid, state_a, state_b)
    one = dict(first, Q9=Invalid("1,2"))
    [difference] = COMPARER.compare(one, dict(first, Q9=Invalid("1,3"))).differences
    assert difference.first.describe() == "無効（1,2）"
    # Q6 非該当 judged by the clerk, against Q6 off the verifier's route (Q4 without option 1).
    one = dict(first, Q5=Single(1), Q6=NotApplicable())
    two = dict(one, Q4=Multi(frozenset({2})))
    differences = {d.name: d for d in COMPARER.compare(one, two).differences}
    assert differences["Q6"].first.state == NOT_APPLICABLE and differences["Q6"].second.state == OFF_ROUTE
    assert differences["Q4_1"].routing and not differences["Q4_2"].routing


def test_the_route_chosen_for_a_blank_q1_is_part_of_the_record():
    assert COMPARER.compare({"Q1": Blank(route_as=1)}, {"Q1": Blank(route_as=1)}).identical
    comparison = COMPARER.compare({"Q1": Blank(route_as=1)}, {"Q1": Blank(route_as=2)})
    assert comparison.differences[0].name == "Q1"
    assert comparison.differences[0].first.describe() == "無回答［経路は 1 と仮定］"


def test_counts_and_matrix_rows_are_compared_one_by_one():
    items = {"respondents": 12, "line": 5, "x": 3, "facebook": 0, "youtube": None}
    first = full_form(4, **USED, Q23=Counts(items))
    second = dict(first, Q23=Counts(dict(items, line=6)))
    [difference] = COMPARER.compare(first, second).differences
    assert (difference.name, difference.first, difference.second) == ("Q23_line", Cell(ANSWER, 5), Cell(ANSWER, 6))
    # An item left blank is 無回答, never 0.
    [difference] = COMPARER.compare(first, dict(first, Q23=Counts(dict(items, youtube=0)))).differences
    assert (difference.name, difference.first.state) == ("Q23_youtube", BLANK)
    # Every item blank is the same record as the question blank (as the answer list shows it).
    assert COMPARER.compare(dict(first, Q23=Counts(dict.fromkeys(items))), dict(first, Q23=Blank())).identical
    grid = Grid({"line": 1, "x": 2, "facebook": 3, "youtube": Invalid("1,2")})
    [difference] = COMPARER.compare(dict(first, Q2=grid), first).differences
    assert (difference.name, difference.first.describe(), difference.routing) == ("Q2_youtube", "無効（1,2）", True)


def test_a_value_of_the_wrong_kind_is_refused_in_japanese():
    with pytest.raises(VerificationError, match="単一回答の設問"):
        COMPARER.compare({"Q1": Text("1")}, {})
