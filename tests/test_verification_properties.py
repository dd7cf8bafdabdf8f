"""Property tests of the comparison and adjudication, for any two keyings of either definition."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey import (
    Blank, Counts, Grid, Invalid, Multi, NotApplicable, Questionnaire, QuestionType, Single, Text, builtin, check_answer,
    load_definition,
)
from survey.verification import Comparer, adjudicate, take_first, take_second

from exports.xlsform import read_definition

from .conftest import FIXTURES

COMPARERS = {
    "niiza": Comparer(builtin()),
    "training": Comparer(load_definition(FIXTURES / "training.toml")),
    "vehicles": Comparer(read_definition(FIXTURES / "vehicles.xlsx")[0]),
}
TEXTS = st.sampled_from(["はがき", "ＨＰ", "=1+1", "複数人で確認\n誤送信が心配", "NA"])


def value_strategy(questionnaire: Questionnaire, qid: str) -> st.SearchStrategy:
    """Any valid value a clerk could record: answers with option texts, and every empty state."""
    question = questionnaire.question(qid)
    codes = st.sampled_from(question.codes) if question.codes else st.nothing()
    route_as = st.none() | codes if question.chooses_route_when_blank else st.none()
    empties = [st.builds(Blank, route_as=route_as), st.builds(Invalid, raw=st.sampled_from(["1,2", ""]), route_as=route_as)]
    if qid in questionnaire.judgeable:
        empties.append(st.just(NotApplicable()))
    boxes = [b.option for b in question.text_boxes]
    texts = st.dictionaries(st.sampled_from(boxes), TEXTS) if boxes else st.just({})
    if question.type is QuestionType.SINGLE:
        answer = st.builds(Single, code=codes, texts=texts)
    elif question.type is QuestionType.MULTI:
        answer = st.builds(Multi, codes=st.frozensets(codes, min_size=1), texts=texts)
    elif question.type is QuestionType.MATRIX:
        cell = codes | st.just(Blank()) | st.just(Invalid(raw="1,3"))
        answer = st.fixed_dictionaries({row.id: cell for row in question.rows}).map(Grid)
    elif question.type is QuestionType.TEXT:
        answer = TEXTS.map(Text)
    else:
        def within_ceilings(values: dict) -> Counts:
            for item in question.items:  # ceilings come first in a definition's item list
                ceiling = values.get(item.at_most) if item.at_most else None
                if values[item.id] is not None and ceiling is not None:
                    values[item.id] = min(values[item.id], ceiling)
            return Counts(values)

        answer = st.fixed_dictionaries({i.id: st.none() | st.integers(0, 30) for i in question.items}).map(within_ceilings)
    return st.one_of(answer, answer, *empties)


@st.composite
def keying(draw, questionnaire: Questionnaire) -> dict:
    chosen = draw(st.lists(st.sampled_from(questionnaire.ids), unique=True))
    return {qid: draw(value_strategy(questionnaire, qid)) for qid in chosen}


@st.composite
def keyings(draw):
    name = draw(st.sampled_from(sorted(COMPARERS)))
    comparer = COMPARERS[name]
    first = draw(keying(comparer.questionnaire))
    # The second keying mostly agrees, as a real one does: a few questions keyed differently.
    second = dict(first)
    for qid in draw(st.lists(st.sampled_from(comparer.questionnaire.ids), max_size=4, unique=True)):
        if draw(st.booleans()):
            second[qid] = draw(value_strategy(comparer.questionnaire, qid))
        else:
            second.pop(qid, None)
    return comparer, first, second


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(keyings())
def test_a_keying_compared_with_itself_has_no_difference(case):
    comparer, first, _ = case
    assert comparer.compare(first, first).differences == ()


@PROPERTY
@given(keyings())
def test_comparison_is_symmetric(case):
    comparer, first, second = case
    forward = comparer.compare(first, second).differences
    backward = comparer.compare(second, first).differences
    assert [(d.name, d.first, d.second) for d in forward] == [(d.name, d.second, d.first) for d in backward]


@PROPERTY
@given(keyings())
def test_routing_differences_come_first_then_form_order(case):
    comparer, first, second = case
    differences = comparer.compare(first, second).differences
    flags = [d.routing for d in differences]
    assert flags == sorted(flags, reverse=True)
    for group in (True, False):
        positions = [comparer.index[d.name] for d in differences if d.routing is group]
        assert positions == sorted(positions)


@PROPERTY
@given(keyings())
def test_taking_one_side_everywhere_gives_that_keying(case):
    comparer, first, second = case
    comparison = comparer.compare(first, second)
    for take, keyed in ((take_first, first), (take_second, second)):
        outcome = adjudicate(comparer, comparison, [take(d.name) for d in comparison.differences])
        assert outcome.unresolved == () and outcome.problems == ()
        assert comparer.compare(keyed, outcome.answers).differences == ()
        # Only answers on the route are kept, as the export keeps them.
        assert set(outcome.answers) == {q for q in keyed if q in outcome.route}


@PROPERTY
@given(keyings())
def test_without_resolutions_every_difference_on_the_route_stays_open(case):
    comparer, first, second = case
    comparison = comparer.compare(first, second)
    outcome = adjudicate(comparer, comparison, [])
    assert set(outcome.unresolved) | set(outcome.moot) == set(comparison.differences)
    # Only questions the two keyings agree on become answers while nothing is resolved.
    differing = {d.question for d in comparison.differences}
    assert differing.isdisjoint(outcome.answers)
    if not comparison.differences:
        assert comparer.compare(first, outcome.answers).differences == ()
    if outcome.unresolved:
        assert not outcome.settled


@PROPERTY
@given(keyings(), st.randoms(use_true_random=False))
def test_any_mixture_of_the_two_keyings_gives_valid_answers_or_says_why(case, rng):
    comparer, first, second = case
    comparison = comparer.compare(first, second)
    chosen = [rng.choice((take_first, take_second))(d.name) for d in comparison.differences]
    outcome = adjudicate(comparer, comparison, chosen)
    assert outcome.unresolved == ()
    for qid, value in outcome.answers.items():
        assert qid in outcome.route and check_answer(comparer.questionnaire, qid, value) == []
    # Every answer is made of what one keying or the other recorded, variable by variable.
    _, final = comparer.cells(outcome.answers, outcome.route)
    for qid in outcome.answers:
        start, end = comparer.by_question[qid]
        for i in range(start, end):
            assert final[i] in (comparison.first_cells[i], comparison.second_cells[i])
