"""SVG snapshots at 80×24 and 120×40 of the second keying (照合入力): the dialog that starts it,
the blind entry screen, a question the live check flagged, and its own summary.

Deterministic as tests/test_screen_snapshots.py: fixed people and clock. Regenerate on purpose with
    .venv/bin/python -m pytest tests/test_second_keying_snapshots.py --snapshot-update
and look at the SVGs before committing.
"""

from __future__ import annotations

import pytest

import db.store
from db import open_store
from tests.review_support import fill
from tui.app import ChoshoApp
from tui.screens.second_keying import SecondKeyingScreen, SecondKeyingSummary, start_second_keying

from .entry_helpers import press

FIXED = "2026-11-27T10:15:00+09:00"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
LONGEST = "（仮称）三軒屋公園等複合施設整備推進室"


@pytest.fixture
def verifier(tmp_path, monkeypatch):
    """田中 keyed the department with the longest name; 佐藤 keys it again."""
    monkeypatch.setattr(db.store, "now", lambda: FIXED)
    path = tmp_path / "chosho.sqlite"
    with open_store(path, "田中") as first:
        first.remember_user()
        dept = next(d.id for d in first.departments() if d.name == LONGEST)
        fill(first, dept)
        first.choose_for_verification("all")
    store = open_store(path, "佐藤")
    store.remember_user()
    store.department = dept
    yield store
    store.close()


def _run(*steps):
    async def run_before(pilot) -> None:
        await pilot.pause()
        for step in steps:
            if callable(step):
                step(pilot.app)
                await pilot.pause()
            else:
                await press(pilot, step)
        await pilot.pause()
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False
        await pilot.pause()

    return run_before


def _start(store):
    return lambda app: start_second_keying(app.screen, store.department)


def _open(store, live: bool, question_id: str | None = None):
    def push(app) -> None:
        if store.second_keying(store.department) is None:
            store.start_second_keying(store.department, live=live)
        app.push_screen(SecondKeyingScreen(store, store.department, question_id))

    return push


@pytest.mark.parametrize("size", SIZES)
def test_start_dialog(snap_compare, verifier, size):
    assert snap_compare(ChoshoApp(verifier, ask_who=False), terminal_size=size, run_before=_run(_start(verifier)))


@pytest.mark.parametrize("size", SIZES)
def test_blind_entry_q3(snap_compare, verifier, size):
    # Q1 and Q2 keyed; Q3 is on screen with nothing of the first entry shown.
    run = _run(_open(verifier, live=False), "1", "1", "2", "5", "3", "1")
    assert snap_compare(ChoshoApp(verifier, ask_who=False), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_live_check_flagged(snap_compare, verifier, size):
    # The first entry's Q1 is 1: keying 2 is flagged, to be keyed again (the value is not shown).
    run = _run(_open(verifier, live=True), "2")
    assert snap_compare(ChoshoApp(verifier, ask_who=False), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_second_keying_summary(snap_compare, verifier, size):
    def summary(app) -> None:
        if verifier.second_keying(verifier.department) is None:
            verifier.start_second_keying(verifier.department)
        app.push_screen(SecondKeyingSummary(verifier, verifier.department))

    assert snap_compare(ChoshoApp(verifier, ask_who=False), terminal_size=size, run_before=_run(summary))
