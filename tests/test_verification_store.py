"""Double entry in the store: samples with seeds, the blind second keying, adjudication, events."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import RefusedError, Store, open_store
from survey import Multi, Single, Text
from survey.verification import ANSWER, Cell, keyer_statistics, take_second, third_value
from survey.verification.status import (
    AWAITING_ADJUDICATION, AWAITING_SECOND, NOT_SAMPLED, SECOND_IN_PROGRESS, VERIFIED,
)

from .store_support import FORM


def _key_first(store: Store, department_id: int, form=FORM) -> None:
    response = store.response(department_id=department_id)
    version = response.version
    for qid, value in form:
        version = store.save_answer(response.id, qid, value, expected_version=version)
    store.mark_entered(response.id, expected_version=version)


def _key_second(store: Store, department_id: int, form) -> int:
    keying = store.start_second_keying(department_id)
    version = keying.version
    for qid, value in form:
        version = store.save_second_answer(keying.id, qid, value, expected_version=version)
    store.complete_second_keying(keying.id)
    return keying.id


@pytest.fixture
def people(tmp_path: Path):
    path = tmp_path / "chosho.sqlite"
    stores = {name: open_store(path, who) for name, who in (("a", "田中"), ("b", "佐藤"), ("c", "鈴木"))}
    for store in stores.values():
        store.remember_user()
    yield stores
    for store in stores.values():
        store.close()


def _changed(form, **values):
    return tuple((qid, values.get(qid, value)) for qid, value in form)


def test_sample_rule_and_seed_recorded_and_repeatable(people):
    a = people["a"]
    sample = a.choose_for_verification("every_nth", parameter=5, seed=20241)
    roster = [d.id for d in a.departments()]
    start = sample.start
    assert sample.seed == 20241
    assert [int(d) for d in sample.departments] == roster[start::5]
    assert a.verification_targets() == set(roster[start::5])
    plan = a.verification_plans()[0]
    assert (plan.rule, plan.parameter, plan.seed) == ("every_nth", 5, 20241)
    # the same rule and seed drawn again picks the same departments
    assert a.choose_for_verification("every_nth", parameter=5, seed=20241).departments == sample.departments
    # a percentage without a seed gets one, recorded
    drawn = a.choose_for_verification("percent", parameter=10)
    assert drawn.seed is not None and a.verification_plans()[-1].seed == drawn.seed
    assert len(drawn.departments) == 6  # 10 % of 58, rounded up
    assert any(e.action == "sample" and "シード 20241" in (e.why or "") for e in a.history())


def test_sample_refuses_bad_parameters_in_japanese(people):
    with pytest.raises(RefusedError, match="間隔は 1～58"):
        people["a"].choose_for_verification("every_nth", parameter=0, seed=1)


def test_two_keyings_adjudicated_into_the_answers(people):
    a, b, c = people["a"], people["b"], people["c"]
    dept = a.departments()[0].id
    _key_first(a, dept)
    assert a.verification_state(dept) == NOT_SAMPLED
    a.choose_for_verification("by_hand", chosen=[dept])
    assert a.verification_state(dept) == AWAITING_SECOND
    # the first keyer cannot verify; a department not yet entered cannot be verified
    with pytest.raises(RefusedError, match="別の人"):
        a.start_second_keying(dept)
    second = _changed(FORM, Q5=Single(3), Q10=Text("広報課の職員３名"))
    keying = b.start_second_keying(dept)
    b.save_second_answer(keying.id, "Q1", Single(1), expected_version=keying.version)
    assert b.verification_state(dept) == SECOND_IN_PROGRESS
    with pytest.raises(RefusedError, match="終わっていない問い"):
        b.complete_second_keying(keying.id)
    keying = b.second_keying(dept)
    version = keying.version
    for qid, value in second[1:]:
        version = b.save_second_answer(keying.id, qid, value, expected_version=version)
    b.complete_second_keying(keying.id)
    # the department's own answers were never touched by the second keying
    assert a.response(department_id=dept).answers == dict(FORM)
    assert b.verification_state(dept) == AWAITING_ADJUDICATION
    # sign-off waits for the verification
    assert any("突合で解決していない相違" in r for r in c.sign_off_refusals(a.response(department_id=dept).id))
    differences = c.comparison(dept).differences
    assert {d.name for d in differences} == {"Q5", "Q10"}
    # neither keyer may adjudicate
    for keyer in (a, b):
        with pytest.raises(RefusedError, match="以外の人"):
            keyer.resolve(dept, take_second("Q5"))
    c.resolve(dept, take_second("Q5"))
    with pytest.raises(RefusedError, match="理由"):
        c.resolve(dept, third_value("Q10", Cell(ANSWER, "広報課の職員２名（兼務）")))
    c.resolve(dept, third_value("Q10", Cell(ANSWER, "広報課の職員２名（兼務）"), "用紙の欄外に追記あり"))
    with pytest.raises(RefusedError, match="以外の人"):
        b.finish_adjudication(dept)
    c.finish_adjudication(dept)
    answers = a.response(department_id=dept).answers
    assert answers["Q5"] == Single(3)
    assert answers["Q10"] == Text("広報課の職員２名（兼務）")
    assert a.verification_state(dept) == VERIFIED
    # both keyings stay: the second in its own table, every step in the audit log
    assert b.second_keying(dept).answers["Q5"] == Single(3)
    actions = [e.action for e in a.history(a.response(department_id=dept).id)]
    for action in ("keying2_start", "keying2", "keying2_done", "resolve", "adjudicated"):
        assert action in actions
    resolves = [e for e in a.history() if e.action == "resolve"]
    assert resolves[-1].why == "用紙の欄外に追記あり" and resolves[-1].who == "鈴木"
    # blind keying: errors are counted at adjudication — Q5 the first keyer's (took the second),
    # Q10 both (a third value)
    on_route = len(a.router.route(dict(second)).order)
    rows = {r.person: r for r in keyer_statistics(a.key_events()) if r.day is not None}
    assert rows["佐藤"].fields_verified == on_route
    assert rows["佐藤"].verifier_errors == 1
    assert rows["田中"].keyer_errors == 2 and rows["田中"].fields_checked == on_route


def test_identical_keyings_are_verified_without_adjudication(people):
    a, b = people["a"], people["b"]
    dept = a.departments()[1].id
    _key_first(a, dept)
    a.choose_for_verification("all")
    _key_second(b, dept, FORM)
    assert a.verification_state(dept) == VERIFIED
    assert a.verification_states()[dept] == VERIFIED
    assert a.verification_states()[a.departments()[0].id] == AWAITING_SECOND


def test_second_keying_refused_for_a_department_not_entered_or_not_sampled(people):
    a, b = people["a"], people["b"]
    dept = a.departments()[2].id
    with pytest.raises(RefusedError, match="対象ではありません"):
        b.start_second_keying(dept)
    a.choose_for_verification("by_hand", chosen=[dept])
    with pytest.raises(RefusedError, match="最初の入力が終わっていません"):
        b.start_second_keying(dept)


def test_first_keyer_under_another_spelling_is_still_the_first_keyer(people, tmp_path):
    a = people["a"]
    dept = a.departments()[3].id
    _key_first(a, dept)
    a.choose_for_verification("all")
    with open_store(tmp_path / "chosho.sqlite", "田中　") as other:
        with pytest.raises(RefusedError, match="別の人"):
            other.start_second_keying(dept)


def test_migrated_database_has_the_verification_tables(people):
    conn = people["a"].conn
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"verification_plans", "verification_targets", "keyings", "keyed_answers", "resolutions", "key_events"} <= tables


def test_third_value_multi_and_routing_difference(people):
    a, b, c = people["a"], people["b"], people["c"]
    dept = a.departments()[4].id
    _key_first(a, dept)
    a.choose_for_verification("by_hand", chosen=[dept])
    # the second keyer reads Q3 with one more tick
    _key_second(b, dept, _changed(FORM, Q3=Multi(frozenset({1, 3, 4}))))
    names = [d.name for d in c.comparison(dept).differences]
    assert names and all(n.startswith("Q3") for n in names)
    for name in names:
        c.resolve(dept, take_second(name))
    c.finish_adjudication(dept)
    assert a.response(department_id=dept).answers["Q3"] == Multi(frozenset({1, 3, 4}))


def _along_route(store: Store, changes: dict) -> dict:
    """A whole form along its own route: ``changes`` first, a default for every other question."""
    from .review_support import default_value

    answers: dict = {}
    while True:
        route = store.router.route(answers)
        missing = [q for q in route.order if q not in answers]
        if not missing:
            return {q: v for q, v in answers.items() if q in route}
        answers[missing[0]] = changes.get(missing[0], default_value(store, missing[0]))


@pytest.mark.parametrize(
    "changes",
    [
        {"Q1": Single(2)},  # the routing answer: a different route altogether
        {"Q15": Single(2)},  # Q16–Q18 off the second keying's route
        {"Q3": Multi(frozenset({2, 5}), {5: "庁内掲示"})},
        {"Q10": Text("特になし"), "Q5": Single(4, {4: "内容で分ける"})},
    ],
    ids=["Q1", "Q15", "Q3-text", "Q10-Q5"],
)
def test_taking_the_second_everywhere_gives_the_second_keying(people, changes):
    """Whatever the differences, a routing answer among them, taking the second keying for each
    makes the department's answers exactly what the second keyer keyed."""
    a, b, c = people["a"], people["b"], people["c"]
    dept = a.departments()[5].id
    first = _along_route(a, {})
    _key_first(a, dept, tuple(first.items()))
    a.choose_for_verification("by_hand", chosen=[dept])
    second = _along_route(a, changes)
    _key_second(b, dept, tuple(second.items()))
    while not (result := c.adjudication(dept)).settled:
        assert not result.problems, result.problems
        for difference in result.unresolved:
            c.resolve(dept, take_second(difference.name))
        for qid in result.missing:  # only the second keyer keyed it: their value, as typed
            raise AssertionError(f"{qid} missing although the second keying has it")
    c.finish_adjudication(dept)
    assert dict(a.response(department_id=dept).answers) == second
    assert a.verification_state(dept) == VERIFIED


def test_a_resolution_the_changed_first_entry_no_longer_needs_never_blocks_the_adjudication(people):
    """A resolves a reviewer's 疑義 by correcting Q5 after B's keying: C had already taken the
    second keying's Q5. The difference is gone; the stale resolution is left out, not an error."""
    a, b, c = people["a"], people["b"], people["c"]
    dept = a.departments()[6].id
    _key_first(a, dept)
    a.choose_for_verification("by_hand", chosen=[dept])
    _key_second(b, dept, _changed(FORM, Q5=Single(3), Q13=Single(1)))
    c.resolve(dept, take_second("Q5"))
    response = a.response(department_id=dept)
    a.save_answer(response.id, "Q5", Single(3), expected_version=response.version)  # now as B keyed it
    result = c.adjudication(dept)
    assert [d.name for d in result.unresolved] == ["Q13"]
    c.resolve(dept, take_second("Q13"))
    c.finish_adjudication(dept)
    answers = a.response(department_id=dept).answers
    assert (answers["Q5"], answers["Q13"]) == (Single(3), Single(1))
    assert a.verification_state(dept) == VERIFIED


def test_a_department_chosen_after_its_sign_off_is_verified_before_it_is_final(people):
    from .review_support import shown_all

    a, b, c = people["a"], people["b"], people["c"]
    dept = a.departments()[7].id
    _key_first(a, dept)
    response_id = a.response(department_id=dept).id
    shown_all(c, response_id)
    c.sign_off(response_id, expected_version=c.response(response_id=response_id).version)
    a.choose_for_verification("by_hand", chosen=[dept])
    with pytest.raises(RefusedError, match="照合入力（二人目の入力）がまだです.*確定できません"):
        c.finalise(response_id, expected_version=c.response(response_id=response_id).version)
    _key_second(b, dept, FORM)  # identical: 照合済
    c.finalise(response_id, expected_version=c.response(response_id=response_id).version)
    assert a.response(department_id=dept).status == "final"
