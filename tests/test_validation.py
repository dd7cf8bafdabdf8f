"""Hard errors refuse a value; soft warnings keep it and flag the form for review."""

from __future__ import annotations

import pytest

from survey import InputError, Blank, Counts, Grid, Invalid, Multi, NotApplicable, Severity, Single, Text, check_answer, check_form


def kinds(problems, severity=None):
    return [p.kind for p in problems if severity is None or p.severity is severity]


def q23(**numbers):
    return Counts({"respondents": None, "line": None, "x": None, "facebook": None, "youtube": None} | numbers)


def test_code_outside_options_is_a_hard_error_naming_the_allowed_codes(niiza):
    [problem] = check_answer(niiza, "Q13", Single(7))
    assert problem.severity is Severity.ERROR
    assert problem.message == "7 は選択肢にありません。選べる番号は 1～4 です。"
    [problem] = check_answer(niiza, "Q2", Grid({"line": 1, "x": 6}))
    assert problem.message.startswith("Ｘ（旧Ｔｗｉｔｔｅｒ）: 6 は選択肢にありません")
    assert kinds(check_answer(niiza, "Q7", Multi(frozenset({1, 15})))) == ["code-out-of-range"]


def test_valid_answers_have_no_hard_errors(niiza):
    assert check_answer(niiza, "Q1", Single(1)) == []
    assert check_answer(niiza, "Q3", Multi(frozenset({1, 5}), {5: "健康レシピ動画"})) == []
    assert check_answer(niiza, "Q10", Text("写真を活用")) == []
    assert check_answer(niiza, "Q23", q23(respondents=12, line=12, x=0)) == []
    assert check_answer(niiza, "Q6", NotApplicable()) == []


def test_q23_counts_whole_non_negative_and_within_respondents(niiza):
    assert kinds(check_answer(niiza, "Q23", q23(respondents=-1))) == ["not-whole"]
    with pytest.raises(InputError, match="人数は整数で指定してください"):  # refused before any check
        q23(respondents=1.5)
    [problem] = check_answer(niiza, "Q23", q23(respondents=10, facebook=11))
    assert problem.kind == "over-ceiling"
    assert problem.message == "Ｆａｃｅｂｏｏｋ（11人）が回答者数（10人）を超えています。"
    assert kinds(check_answer(niiza, "Q23", Counts({"staff": 3}))) == ["unknown-item"]


def test_not_applicable_only_where_the_department_may_skip(niiza):
    [problem] = check_answer(niiza, "Q8", NotApplicable())
    assert problem.kind == "not-judgeable"
    assert "Ｑ８は所属の判断で飛ばせる設問ではない" in problem.message


def test_route_choice_only_on_the_routing_question(niiza):
    assert check_answer(niiza, "Q1", Blank(route_as=1)) == []
    assert kinds(check_answer(niiza, "Q1", Blank(route_as=3))) == ["code-out-of-range"]
    assert kinds(check_answer(niiza, "Q5", Blank(route_as=1))) == ["route-choice-not-allowed"]


def test_wrong_kind_and_text_box_on_an_option_without_one(niiza):
    assert kinds(check_answer(niiza, "Q3", Single(1))) == ["wrong-kind"]
    assert kinds(check_answer(niiza, "Q1", Single(1, {1: "メモ"}))) == ["no-text-box"]
    assert kinds(check_answer(niiza, "Q10", Text(""))) == ["empty-text"]
    assert kinds(check_answer(niiza, "Q3", Multi(frozenset()))) == ["empty-multi"]


def complete_not_used(**more):
    answers = {
        "Q1": Single(2), "Q16": Single(5), "Q18": Single(1), "Q19": Single(3), "Q20": Text("窓口で案内"),
        "Q21": Single(1), "Q22": Text("研修"), "Q23": q23(respondents=5, line=2, x=1, facebook=0, youtube=0),
    }
    return answers | more


def test_a_complete_clean_form_has_no_problems(niiza):
    assert check_form(niiza, complete_not_used()) == []


def test_q2_all_unused_while_q1_used_is_a_soft_warning(niiza):
    answers = {"Q1": Single(1), "Q2": Grid({"line": 5, "x": 5, "facebook": 5, "youtube": 5})}
    [problem] = [p for p in check_form(niiza, answers) if p.kind == "check"]
    assert problem.severity is Severity.WARNING
    assert problem.question == "Q2"
    assert "すべての媒体" in problem.message
    partly = {"Q1": Single(1), "Q2": Grid({"line": 5, "x": 5, "facebook": Blank(), "youtube": 5})}
    assert "check" not in kinds(check_form(niiza, partly))  # not settled: not flagged


def test_text_in_the_box_of_an_unchosen_option(niiza):
    problems = check_form(niiza, complete_not_used(Q18=Single(1, {4: "検討中"})))
    [problem] = problems
    assert (problem.kind, problem.severity, problem.question) == ("text-unchosen", Severity.WARNING, "Q18")
    assert problem.message == "選択肢 4 が選ばれていないのに、その記入欄に記入があります。"


def test_required_blank_is_flagged_but_optional_blank_is_not(niiza):
    problems = check_form(niiza, complete_not_used(Q19=Blank(), Q23=Blank()))
    assert [(p.question, p.kind) for p in problems] == [("Q19", "blank")]


def test_invalid_and_route_assumed_are_flagged(niiza):
    problems = check_form(niiza, complete_not_used(Q1=Invalid(raw="1,2", route_as=2), Q21=Invalid(raw="1,3")))
    assert [(p.question, p.kind) for p in problems] == [
        ("Q1", "route-assumed"), ("Q1", "invalid"), ("Q21", "invalid"),
    ]
    assert problems[0].message == "Ｑ１は無効のため、経路を「2 行っていない。」と仮定しています。"


def test_route_undecided_and_not_entered(niiza):
    problems = check_form(niiza, {"Q1": Blank()})
    assert ("Q1", "route-undecided") in [(p.question, p.kind) for p in problems]
    assert ("Q19", "not-entered") in [(p.question, p.kind) for p in problems]


def test_off_route_answer_is_flagged(niiza):
    problems = check_form(niiza, complete_not_used(Q3=Multi(frozenset({1}))))
    assert [(p.question, p.kind) for p in problems] == [("Q3", "off-route")]


def test_hard_errors_appear_in_the_form_check(niiza):
    problems = check_form(niiza, complete_not_used(Q23=q23(respondents=3, line=4)))
    assert [(p.question, p.kind, p.severity) for p in problems] == [("Q23", "over-ceiling", Severity.ERROR)]


def test_counts_with_blank_respondents(niiza):
    problems = check_form(niiza, complete_not_used(Q23=q23(line=4)))
    assert kinds(problems) == ["ceiling-blank"]


def test_second_questionnaire_checks(training):
    answers = {"A1": Single(1), "A2": Multi(frozenset({1})), "A3": Single(2), "B1": Text("Excel"), "B2": Blank()}
    assert [(p.question, p.kind) for p in check_form(training, answers)] == [("A3", "check")]
