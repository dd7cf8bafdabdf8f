"""Issue 22's entry screens at 80×24: ticks not yet recorded, the code line's rest refused by a
text question, and a 疑義 with the key to answer it.

Regenerate on purpose: .venv/bin/python -m pytest tests/test_entry_day_two_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

import db.store
from db import open_store
from survey import Multi, Single
from tui.app import ChoshoApp
from tui.screens.entry import EntryScreen

from .entry_helpers import press

SIZE = (80, 24)


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(db.store, "now", lambda: "2026-11-27T10:15:00+09:00")
    store = open_store(tmp_path / "chosho.sqlite", "clerk-a")
    did = next(d.id for d in store.departments() if d.name == "政策課")
    response = store.response(department_id=did)
    version = response.version
    for qid, value in {"Q1": Single(1), "Q14": Multi(frozenset({1, 2}))}.items():
        version = store.save_answer(response.id, qid, value, expected_version=version)
    yield store
    store.close()


def _entry(store, question_id: str | None, *keys: str):
    did = next(d.id for d in store.departments() if d.name == "政策課")

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.push_screen(EntryScreen(store, did, question_id))
        await pilot.pause()
        await press(pilot, *keys)
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False
        await pilot.pause()

    return run_before


def test_ticks_recorded_added_and_removed(snap_compare, store):
    """Q14 recorded as 1・2; 2 unticked and 3 ticked, not recorded yet: [x] 1, [-] 2, [+] 3."""
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=SIZE, run_before=_entry(store, "Q14", "2", "3"))


def test_the_rest_of_a_code_line_is_not_taken_by_the_next_text(snap_compare, store):
    """Q21 typed 1,2: Q22's editor opens empty and the message says what was not taken."""
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=SIZE, run_before=_entry(store, "Q21", "1", ",", "2"))


def test_a_flag_says_how_to_answer_it(snap_compare, store):
    did = next(d.id for d in store.departments() if d.name == "政策課")
    with open_store(store.path, "reviewer") as reviewer:
        reviewer.raise_flag(reviewer.response(department_id=did).id, "Q14", "用紙では 3 にも丸があります")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=SIZE, run_before=_entry(store, None))
