"""Adjudication with the built-in questionnaire: resolutions, third values, the route recomputed."""

from __future__ import annotations

import random

import pytest

from exports.synthetic import random_value
from survey import Blank, Grid, Multi, NotApplicable, Single, builtin
from survey.verification import (
    ANSWER, NOT_APPLICABLE, NO_TEXT, Cell, Comparer, VerificationError, adjudicate, take_first, take_second,
    third_value,
)

from .test_verification_compare import COMPARER, USED, full_form

NIIZA = builtin()


def pilot():
    """A keys a form; B keys it blind with a different Q1 (routing) and a different option text."""
    first = full_form(11, **USED, Q19=Single(1, {1: "スマホ教室"}))
    second = {q: v for q, v in first.items() if q in ("Q1", "Q19", "Q20", "Q21", "Q22", "Q23")}
    second["Q1"] = Single(2)
    second["Q19"] = Single(1, {1: "スマホ教室を開催"})
    rng = random.Random(5)
    for qid in ("Q16", "Q17", "Q18"):  # B's route goes through Q16–Q18
        second[qid] = Single(1) if qid == "Q16" else random_value(NIIZA.question(qid), rng)
    return first, second


def test_the_pilot_takes_the_second_then_types_a_third_value_with_a_reason():
    first, second = pilot()
    comparison = COMPARER.compare(first, second)
    assert comparison.differences[0].name == "Q1"

    # Settling Q1 first: Q2–Q15 leave the route (moot), Q16–Q18 and the text stay open.
    step = adjudicate(COMPARER, comparison, [take_second("Q1")])
    assert {d.question for d in step.moot} == {f"Q{n}" for n in range(2, 16)}
    assert {d.question for d in step.unresolved} == {"Q16", "Q17", "Q18", "Q19"}
    assert not step.settled and step.answers["Q1"] == Single(2)

    resolutions = [take_second("Q1")] + [take_second(d.name) for d in step.unresolved if d.question != "Q19"]
    with pytest.raises(VerificationError, match="理由が必要"):
        adjudicate(COMPARER, comparison, resolutions + [third_value("Q19_1_text", Cell(ANSWER, "スマホ教室（年２回）"))])
    final = adjudicate(
        COMPARER, comparison,
        resolutions + [third_value("Q19_1_text", Cell(ANSWER, "スマホ教室（年２回）"), "用紙の欄外に追記あり")],
    )
    assert final.settled, (final.unresolved, final.problems, final.missing)
    assert final.answers["Q19"] == Single(1, {1: "スマホ教室（年２回）"})
    expected = dict(second, Q19=Single(1, {1: "スマホ教室（年２回）"}))
    assert COMPARER.compare(expected, final.answers).identical
    assert "Q2" not in final.answers and "Q16" in final.answers


def test_a_third_value_equal_to_one_keying_needs_no_reason():
    first, second = pilot()
    comparison = COMPARER.compare(first, second)
    outcome = adjudicate(COMPARER, comparison, [third_value("Q1", Cell(ANSWER, 1))])
    assert outcome.answers["Q1"] == Single(1) and not [d for d in outcome.unresolved if d.name == "Q1"]


def test_resolutions_that_cannot_be_taken_are_refused_together_in_japanese():
    first, second = pilot()
    comparison = COMPARER.compare(first, second)
    with pytest.raises(VerificationError) as refused:
        adjudicate(COMPARER, comparison, [
            take_first("Q20"),  # both keyings agree
            take_first("Q99"),
            take_first("Q1"), take_second("Q1"),
            third_value("Q19_1_text", Cell(ANSWER, 9), "理由"),  # not a text
            third_value("Q1", Cell(ANSWER, 7), "理由"),  # not an option
            third_value("Q16", Cell(NOT_APPLICABLE), "理由"),  # Q16 cannot be 非該当
        ])
    lines = str(refused.value).splitlines()
    assert len(lines) == 6
    assert "一致しています" in lines[0] and "Q99" in lines[1] and "解決が二つ" in lines[2]
    assert "記入欄" in lines[3] and "7 は選択肢にありません" in lines[4] and "非該当にできません" in lines[5]


def test_a_mixture_of_the_two_keyings_in_one_question_is_a_problem_not_an_answer():
    first, second = pilot()
    comparison = COMPARER.compare(first, second)
    q3 = [d.name for d in comparison.differences if d.question == "Q3"]
    # Q1 = 1 keeps Q3 on the route; one tick from B (off its route) and the rest from A.
    outcome = adjudicate(COMPARER, comparison, [take_first("Q1"), take_second(q3[0])] + [take_first(n) for n in q3[1:]])
    assert [p.question for p in outcome.problems] == ["Q3"] and "Q3" not in outcome.answers
    assert not outcome.settled
    # Every Q3 variable from B: nothing keyed for a question on the final route.
    outcome = adjudicate(COMPARER, comparison, [take_first("Q1")] + [take_second(n) for n in q3])
    assert "Q3" in outcome.missing and "Q3" not in outcome.answers


def test_settling_routing_answers_can_put_on_the_route_a_question_neither_keyer_keyed():
    # A: LINE unused (Q5 skips to Q8); B: CMS link unused (skips too). Together: Q6 and Q7 are asked.
    a = full_form(21, **dict(USED, Q2=Grid({"line": 5, "x": 1, "facebook": 1, "youtube": 5})))
    b = dict(a, Q2=Grid({"line": 1, "x": 1, "facebook": 1, "youtube": 5}), Q4=Multi(frozenset({2})))
    assert "Q6" not in COMPARER.router.route(a) and "Q6" not in COMPARER.router.route(b)
    comparison = COMPARER.compare(a, b)
    names = {d.name for d in comparison.differences}
    assert {"Q2_line", "Q4_1", "Q4_2"} <= names
    settle = [take_second("Q2_line"), take_first("Q4_1"), take_first("Q4_2")]
    settle += [take_first(n) for n in names - {"Q2_line", "Q4_1", "Q4_2"}]
    outcome = adjudicate(COMPARER, comparison, settle)
    assert outcome.missing == ("Q6", "Q7") and not outcome.unresolved and not outcome.settled
    q7 = [v.name for v in COMPARER.variables if v.question == "Q7"]
    third = [third_value("Q6", Cell(ANSWER, 2), "用紙を再確認")] + [
        third_value(n, Cell(NOT_APPLICABLE), "所属の判断で空欄") for n in q7
    ]
    outcome = adjudicate(COMPARER, comparison, settle + third)
    assert outcome.settled and outcome.answers["Q6"] == Single(2) and outcome.answers["Q7"] == NotApplicable()


def test_an_unresolved_routing_answer_leaves_the_route_pending():
    first, second = pilot()
    outcome = adjudicate(COMPARER, COMPARER.compare(first, second), [])
    assert "Q1" not in outcome.answers and outcome.route.status("Q2") == "pending"
    assert {d.question for d in outcome.unresolved} >= {"Q1", "Q2", "Q16", "Q19"}
    assert outcome.answers["Q20"] == first["Q20"]  # agreed, on every branch


def test_a_blank_routing_question_may_be_settled_with_the_route_the_adjudicator_chose():
    comparison = COMPARER.compare({"Q1": Blank(route_as=1)}, {"Q1": Blank(route_as=2)})
    outcome = adjudicate(COMPARER, comparison, [third_value("Q1", Cell("blank", None, 2), "")])
    assert outcome.answers["Q1"] == Blank(route_as=2)
    with pytest.raises(VerificationError, match="経路を選べません"):
        adjudicate(COMPARER, COMPARER.compare({"Q1": Single(1), "Q19": Blank()}, {"Q1": Single(1), "Q19": Single(3)}),
                   [third_value("Q19", Cell("blank", None, 2), "理由")])


def test_a_text_box_may_be_settled_as_empty():
    first, second = pilot()
    comparison = COMPARER.compare(first, second)
    outcome = adjudicate(COMPARER, comparison, [take_first("Q1"), third_value("Q19_1_text", Cell(NO_TEXT), "記入なし")])
    assert outcome.answers["Q19"] == Single(1)
