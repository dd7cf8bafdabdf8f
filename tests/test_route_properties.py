"""Property-based tests: for any answers, in any order, the route stays consistent."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey import (
    Blank,
    Counts,
    Grid,
    Invalid,
    Multi,
    NotApplicable,
    Questionnaire,
    QuestionType,
    Router,
    Single,
    Text,
    builtin,
    check_answer,
    load_definition,
)

from .conftest import FIXTURES

QUESTIONNAIRES = {
    "niiza": builtin(),
    "training": load_definition(FIXTURES / "training.toml"),
    # Authored as an XLSForm: its skips are read from relevant, which routing must honour.
    "vehicles": __import__("exports.xlsform", fromlist=["read_definition"]).read_definition(FIXTURES / "vehicles.xlsx")[0],
}


def value_strategy(questionnaire: Questionnaire, qid: str) -> st.SearchStrategy:
    """Any value a clerk could record for the question: answers and every empty state."""
    question = questionnaire.question(qid)
    codes = st.sampled_from(question.codes) if question.codes else st.nothing()
    route_as = st.none() | codes if question.chooses_route_when_blank else st.none()
    empties = [st.builds(Blank, route_as=route_as), st.builds(Invalid, raw=st.just("1,2"), route_as=route_as)]
    if qid in questionnaire.judgeable:
        empties.append(st.just(NotApplicable()))
    if question.type is QuestionType.SINGLE:
        answer = st.builds(Single, code=codes)
    elif question.type is QuestionType.MULTI:
        answer = st.builds(Multi, codes=st.frozensets(codes, min_size=1))
    elif question.type is QuestionType.MATRIX:
        cell = codes | st.just(Blank()) | st.just(Invalid(raw="1,2"))
        answer = st.fixed_dictionaries({row.id: cell for row in question.rows}).map(Grid)
    elif question.type is QuestionType.TEXT:
        answer = st.just(Text("記入あり"))
    else:
        answer = st.fixed_dictionaries({i.id: st.none() | st.integers(0, 0) for i in question.items}).map(Counts)
    # Answers are drawn more often than empty states, as on real forms.
    return st.one_of(answer, answer, *empties)


@st.composite
def answer_sets(draw, questionnaire: Questionnaire) -> dict:
    chosen = draw(st.lists(st.sampled_from(questionnaire.ids), unique=True))
    return {qid: draw(value_strategy(questionnaire, qid)) for qid in chosen}


@st.composite
def edit_sequences(draw, questionnaire: Questionnaire) -> list:
    """What a clerk does: set or erase answers, in any order, going back and forth."""
    steps = []
    for _ in range(draw(st.integers(1, 25))):
        qid = draw(st.sampled_from(questionnaire.ids))
        value = draw(st.none() | value_strategy(questionnaire, qid))
        steps.append((qid, value))
    return steps


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOTH = pytest.mark.parametrize("name", QUESTIONNAIRES)


@BOTH
@FAST
@given(data=st.data())
def test_generated_values_are_valid(name, data):
    questionnaire = QUESTIONNAIRES[name]
    for qid, value in data.draw(answer_sets(questionnaire)).items():
        assert check_answer(questionnaire, qid, value) == []


@BOTH
@FAST
@given(data=st.data())
def test_no_question_depends_on_a_later_one(name, data):
    """A question's place on the route is decided by the answers before it, never after."""
    questionnaire = QUESTIONNAIRES[name]
    router = Router(questionnaire)
    answers = data.draw(answer_sets(questionnaire))
    route = router.route(answers)
    for position, qid in enumerate(questionnaire.ids):
        earlier = {q: v for q, v in answers.items() if questionnaire.position(q) < position}
        assert router.route(earlier).status(qid) == route.status(qid), qid


@BOTH
@FAST
@given(data=st.data())
def test_route_shape(name, data):
    questionnaire = QUESTIONNAIRES[name]
    router = Router(questionnaire)
    answers = data.draw(answer_sets(questionnaire))
    route = router.route(answers)
    ids = questionnaire.ids
    assert route.order[0] == ids[0]
    assert list(route.order) == [q for q in ids if q in route.order]  # form order
    assert route.pending <= set(route.order)
    assert set(route.undecided_by) <= set(ids)
    # Following next() from the start visits exactly the route.
    walked, current = [], route.next(None)
    while current is not None:
        walked.append(current)
        current = route.next(current)
    assert tuple(walked) == route.order
    # Off-route answers never influence the route.
    kept = {q: v for q, v in answers.items() if q in route}
    assert router.route(kept) == route


@BOTH
@FAST
@given(data=st.data())
def test_leaving_answers_are_exactly_those_no_longer_on_the_route(name, data):
    """Simulate a clerk: each change drops the answers it reports as leaving, as the store will."""
    questionnaire = QUESTIONNAIRES[name]
    router = Router(questionnaire)
    recorded: dict = {}
    for qid, value in data.draw(edit_sequences(questionnaire)):
        if qid not in router.route(recorded):
            continue  # the entry screens only offer questions on the route
        change = router.change(recorded, qid, value)
        assert change.before == router.route(recorded)
        recorded = {q: v for q, v in recorded.items() if q not in change.leaving}
        if value is None:
            recorded.pop(qid, None)
        else:
            recorded[qid] = value
        after = router.route(recorded)
        assert after == change.after
        # Exactly the recorded answers that are no longer on the route were reported:
        # once they are dropped, every recorded answer is on the route.
        assert router.off_route(recorded) == ()
        assert set(change.entering).isdisjoint(change.before.order)


@FAST
@given(data=st.data())
def test_niiza_common_part_is_always_on_the_route(data):
    router = Router(QUESTIONNAIRES["niiza"])
    answers = data.draw(answer_sets(QUESTIONNAIRES["niiza"]))
    route = router.route(answers)
    assert all(route.status(q) == "on" for q in ("Q1", "Q19", "Q20", "Q21", "Q22", "Q23"))
    if isinstance(answers.get("Q1"), Single):
        branch = {1: {"Q16", "Q17", "Q18"}, 2: {f"Q{n}" for n in range(2, 16)}}
        assert not branch[answers["Q1"].code] & set(route.order)


KNOWN_ROUTING_ANSWERS = st.fixed_dictionaries(
    {
        "Q1": st.builds(Single, code=st.sampled_from([1, 2])),
        "Q2": st.fixed_dictionaries({r: st.integers(1, 5) for r in ("line", "x", "facebook", "youtube")}).map(Grid),
        "Q4": st.builds(Multi, codes=st.frozensets(st.sampled_from([1, 2]), min_size=1)),
        "Q16": st.builds(Single, code=st.integers(1, 5)),
    }
)


@FAST
@given(KNOWN_ROUTING_ANSWERS)
def test_niiza_route_is_settled_when_the_routing_answers_are_known(answers):
    route = Router(QUESTIONNAIRES["niiza"]).route(answers)
    assert route.pending == set()
    assert route.awaiting_choice == ()
