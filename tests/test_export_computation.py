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
