"""Every skip rule of the paper, the two routes end to end, and what a changed answer does."""

from __future__ import annotations

from survey import Blank, Grid, Invalid, Multi, NotApplicable, Single, Text

Q = lambda *numbers: tuple(f"Q{n}" for n in numbers)  # noqa: E731

ROUTE_USED = Q(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 22, 23)
ROUTE_NOT_USED = Q(1, 16, 17, 18, 19, 20, 21, 22, 23)


def grid(line, x, facebook, youtube):
    return Grid({"line": line, "x": x, "facebook": facebook, "youtube": youtube})


def used(**more):
    """A department on the Q1 = 1 route using LINE with the CMS link, so nothing is skipped."""
    answers = {"Q1": Single(1), "Q2": grid(1, 2, 2, 5), "Q4": Multi(frozenset({1}))}
    answers.update(more)
    return answers


def test_route_q1_1_end_to_end(router):
    route = router.route(used())
    assert route.order == ROUTE_USED
    assert route.pending == set()
    assert route.off() == Q(16, 17, 18)


def test_route_q1_2_end_to_end(router):
    route = router.route({"Q1": Single(2), "Q16": Single(3)})
    assert route.order == ROUTE_NOT_USED
    assert route.pending == set()


def test_clerk_walks_route_with_next(router):
    """Entering answers in route order, next() always leads to the next question on the paper."""
    answers = {}
    visited = []
    current = router.route(answers).next(None)
    script = {"Q1": Single(2), "Q16": Single(5), "Q18": Single(3)}
    while current is not None:
        visited.append(current)
        answers[current] = script.get(current, Blank())
        current = router.route(answers).next(current)
    assert tuple(visited) == Q(1, 16, 18, 19, 20, 21, 22, 23)


def test_previous_steps_back_along_the_route(router):
    route = router.route({"Q1": Single(2), "Q16": Single(5)})
    assert route.previous("Q18") == "Q16"
    assert route.previous("Q16") == "Q1"
    assert route.previous("Q1") is None
    assert route.next("Q23") is None
    # From a question off the route, next/previous find the nearest on it.
    assert route.next("Q5") == "Q16"
    assert route.previous("Q17") == "Q16"


def test_youtube_only_skips_q3_to_q7(router):
    route = router.route({"Q1": Single(1), "Q2": grid(5, 5, 5, 2)})
    assert route.next("Q2") == "Q8"
    assert not set(Q(3, 4, 5, 6, 7)) & set(route.order)
    assert route.pending == set()


def test_not_youtube_only_when_youtube_unused_too(router):
    # All four 5 is not "YouTube only": Q3–Q5 are asked (a soft check flags it separately).
    route = router.route({"Q1": Single(1), "Q2": grid(5, 5, 5, 5)})
    assert set(Q(3, 4, 5)) <= set(route.order)
    assert not set(Q(6, 7)) & set(route.order)  # LINE unused: no CMS-linked LINE


def test_youtube_with_another_medium_keeps_q3(router):
    route = router.route({"Q1": Single(1), "Q2": grid(5, 1, 5, 1)})
    assert route.next("Q2") == "Q3"


def test_cms_line_skip_derived_from_line_unused(router):
    route = router.route(used(Q2=grid(5, 1, 1, 5)))
    assert route.next("Q5") == "Q8"


def test_cms_line_skip_derived_from_q4_without_cms(router):
    route = router.route(used(Q4=Multi(frozenset({2}))))
    assert route.next("Q5") == "Q8"
    assert route.status("Q6") == route.status("Q7") == "off"


def test_cms_line_questions_asked_with_line_and_cms(router):
    route = router.route(used(Q4=Multi(frozenset({1, 2}))))
    assert route.next("Q5") == "Q6"


def test_clerk_records_q6_q7_as_not_applicable(router, niiza):
    """Beyond the derivable part, the department may skip Q6–Q7 itself: the clerk records 非該当."""
    answers = used(Q6=NotApplicable(), Q7=NotApplicable())
    route = router.route(answers)
    assert route.status("Q6") == "on"  # still on the route, recorded as judged 非該当
    assert niiza.judgeable == {"Q6", "Q7"}


def test_q15_goes_to_q19_on_the_q1_1_route(router):
    assert router.route(used()).next("Q15") == "Q19"


def test_q16_5_skips_q17(router):
    route = router.route({"Q1": Single(2), "Q16": Single(5)})
    assert route.next("Q16") == "Q18"
    assert route.status("Q17") == "off"
    for code in (1, 2, 3, 4):
        assert router.route({"Q1": Single(2), "Q16": Single(code)}).next("Q16") == "Q17"


def test_q16_blank_leaves_q17_pending(router):
    route = router.route({"Q1": Single(2), "Q16": Blank()})
    assert route.status("Q17") == "pending"
    assert route.next("Q16") == "Q17"
    assert route.undecided_by == ("Q16",)
    assert route.awaiting_choice == ()  # Q16 is not a route-choosing question


def test_q1_blank_asks_for_a_route_and_keeps_the_common_part(router):
    for empty in (Blank(), Invalid(raw="1,2")):
        route = router.route({"Q1": empty})
        assert route.awaiting_choice == ("Q1",)
        assert route.status("Q19") == route.status("Q23") == "on"
        assert all(route.status(q) == "pending" for q in Q(*range(2, 19)))


def test_q1_blank_with_route_chosen_by_the_clerk(router):
    assert router.route({"Q1": Blank(route_as=2)}).order == ROUTE_NOT_USED
    route = router.route({"Q1": Invalid(raw="1,2", route_as=1), "Q2": grid(1, 1, 1, 1), "Q4": Multi(frozenset({1}))})
    assert route.order == ROUTE_USED
    assert route.awaiting_choice == ()


def test_nothing_entered_yet(router):
    route = router.route({})
    assert route.order == Q(*range(1, 24))
    assert route.next(None) == "Q1"
    assert route.awaiting_choice == ()  # not blank, only not yet entered
    assert {q for q in Q(19, 20, 21, 22, 23)} & route.pending == set()


def test_blank_matrix_row_leaves_the_youtube_skip_open(router):
    route = router.route({"Q1": Single(1), "Q2": grid(5, 5, Blank(), 1)})
    assert route.status("Q3") == "pending"
    assert route.undecided_by == ("Q2",)  # LINE = 5 settles the CMS skip without Q4


def test_changing_q1_lists_exactly_the_answers_that_leave(router):
    answers = used(Q3=Multi(frozenset({1})), Q9=Single(1), Q10=Text("写真を使う"), Q19=Single(3))
    change = router.change(answers, "Q1", Single(2))
    assert change.leaving == Q(2, 3, 4, 9, 10)
    assert change.entering == Q(16, 17, 18)
    assert "Q19" not in change.leaving


def test_changing_q2_to_youtube_only(router):
    answers = used(Q3=Multi(frozenset({2})), Q5=Single(1), Q6=Single(1), Q8=Multi(frozenset({1})))
    change = router.change(answers, "Q2", grid(5, 5, 5, 3))
    assert change.leaving == Q(3, 4, 5, 6)
    assert change.entering == ()


def test_erasing_an_answer(router):
    answers = {"Q1": Single(2), "Q16": Single(2), "Q17": Multi(frozenset({1}))}
    change = router.change(answers, "Q16", Single(5))
    assert change.leaving == ("Q17",)
    change = router.change(answers, "Q1", None)
    assert change.leaving == ()  # pending is still on the route: nothing is dropped
    assert change.after.status("Q17") == "pending"


def test_off_route_answers(router):
    answers = {"Q1": Single(2), "Q3": Multi(frozenset({1})), "Q16": Single(1)}
    assert router.off_route(answers) == ("Q3",)


def test_second_questionnaire_routes(training):
    from survey import Router

    router = Router(training)
    assert router.route({"A1": Single(1), "A2": Multi(frozenset({1, 9}))}).order == ("A1", "A2", "A3", "B1", "B2")
    assert router.route({"A1": Single(1), "A2": Multi(frozenset({2}))}).order == ("A1", "A2", "B1", "B2")
    blank = router.route({"A1": Blank()})
    assert blank.awaiting_choice == ("A1",)
    assert blank.pending == {"A2", "A3"}
    assert router.route({"A1": Blank(route_as=0)}).order == ("A1", "B1", "B2")
