"""What the export does to be fast stays exact: routes shared between departments alike in what
the skips read are the engine's own, the garbage collector is paused only while a workbook is
written, and the tally's classification by route is the one question by question."""

from __future__ import annotations

import gc
import random

import pytest

from exports.records import Routes
from exports.synthetic import random_answers
from exports.tally import Tallies, classify
from exports.workbook import ExportError, save_workbook
from survey import Blank, Router, builtin

from .export_helpers import synthetic_records


def test_shared_routes_are_the_engines():
    questionnaire = builtin()
    router = Router(questionnaire)
    routes = Routes(router, questionnaire)
    for seed in range(400):
        rng = random.Random(seed)
        answers = random_answers(questionnaire, rng, router, stop_after=None if seed % 3 else seed % 23)
        if seed % 7 == 0:
            answers["Q1"] = Blank(route_as=rng.choice([None, 1, 2]))
        assert routes.route(answers) == router.route(answers), seed
    assert len(routes.found) < 400  # departments alike share one


def test_tallies_classify_as_classify_does():
    questionnaire = builtin()
    records = synthetic_records()
    tallies = Tallies(questionnaire, records)
    for question in questionnaire.questions:
        expected = [classify(question, r.route, r.answers.get(question.id)) for r in records if r.included]
        assert tallies.states(question) == expected, question.id


def test_the_collector_runs_again_after_an_export_written_or_refused(tmp_path):
    questionnaire = builtin()
    assert gc.isenabled()
    save_workbook(tmp_path / "book.xlsx", questionnaire, synthetic_records())
    assert gc.isenabled()
    with pytest.raises(ExportError):
        save_workbook(tmp_path / "none" / "book.xlsx", questionnaire, synthetic_records())
    assert gc.isenabled()
    gc.disable()  # a caller that paused it keeps it paused
    try:
        save_workbook(tmp_path / "book.xlsx", questionnaire, synthetic_records())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_tallies_count_as_add_does_for_every_kind_and_any_group():
    from exports.tally import QuestionTally

    from dataclasses import replace

    from survey import Multi, Single

    questionnaire = builtin()
    records = synthetic_records()
    # a code the definition no longer has (無効, counted as unknown), and a value of the other kind
    records[0] = replace(records[0], answers={**records[0].answers, "Q1": Single(9)})
    odd = next(i for i, r in enumerate(records) if r.included and r.route.status("Q3") == "on")
    records[odd] = replace(records[odd], answers={**records[odd].answers, "Q3": Single(2), "Q12": Multi(frozenset({1}))})
    tallies = Tallies(questionnaire, records)
    included = tallies.records
    assert tallies.question(questionnaire.question("Q1")).unknown_codes == 1
    for question in questionnaire.questions:
        for indices in (range(len(included)), range(0, len(included), 3), []):
            expected = QuestionTally(question)
            for i in indices:
                value = included[i].answers.get(question.id)
                expected.add(classify(question, included[i].route, value), value)
            got = tallies.over(question, indices)
            assert (got.states, got.options, got.cells, got.sums, got.filled, got.rate_parts, got.unknown_codes) == (
                expected.states, expected.options, expected.cells, expected.sums, expected.filled,
                expected.rate_parts, expected.unknown_codes,
            ), question.id
