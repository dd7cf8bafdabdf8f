"""SVG snapshots of the main entry screens at 80×24 and 120×40.

Regenerate on purpose after a deliberate change (or a Textual upgrade, which is pinned):
    .venv/bin/python -m pytest tests/test_snapshots.py --snapshot-update
then look at tests/__snapshots__/test_snapshots/*.svg before committing.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

import db.store
from db import open_store
from survey import Grid, Multi, Single
from tui.app import ChoshoApp
from tui.screens.entry import EntryScreen
from tui.screens.summary import SummaryScreen

from .entry_helpers import press

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(db.store, "now", lambda: "2026-11-27T10:15:00+09:00")
    store = open_store(tmp_path / "chosho.sqlite", "clerk-a")
    # A few departments under way, so the list shows states, progress and editors.
    ids = {d.name: d.id for d in store.departments()}
    for name, answers in {
        "政策課": {"Q1": Single(1), "Q2": Grid({"line": 1, "x": 2, "facebook": 5, "youtube": 5})},
        "保育課": {"Q1": Single(1)},
        "出納室": {"Q1": Single(2)},
    }.items():
        response = store.response(department_id=ids[name])
        version = response.version
        for qid, value in answers.items():
            version = store.save_answer(response.id, qid, value, expected_version=version)
    yield store
    store.close()


def _still(app) -> None:
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False


def _entry(store, name: str, question_id: str, *keys: str):
    department = next(d for d in store.departments() if d.name == name)

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.push_screen(EntryScreen(store, department.id, question_id))
        await pilot.pause()
        await press(pilot, *keys)
        _still(pilot.app)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_department_list(snap_compare, store, size):
    async def run_before(pilot) -> None:
        await pilot.pause()
        _still(pilot.app)

    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_single_choice(snap_compare, store, size):
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=_entry(store, "保育課", "Q1"))


@pytest.mark.parametrize("size", SIZES)
def test_multi_choice_with_text_box(snap_compare, store, size):
    run_before = _entry(store, "政策課", "Q3", "1", "5", "enter", "text:市ホームページ")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_long_options_wrap(snap_compare, store, size):
    run_before = _entry(store, "政策課", "Q14", "1", "3")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_matrix(snap_compare, store, size):
    run_before = _entry(store, "保育課", "Q2", "1", "3")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_counts(snap_compare, store, size):
    run_before = _entry(store, "保育課", "Q23", "１", "２", "enter", "1", "0", "enter")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_summary(snap_compare, store, size):
    department = next(d for d in store.departments() if d.name == "政策課")

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.push_screen(SummaryScreen(store, department.id))
        await pilot.pause()
        _still(pilot.app)

    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)
