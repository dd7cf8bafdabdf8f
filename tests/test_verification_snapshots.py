"""SVG snapshots at 80×24 and 120×40 of double entry's screens: 突合 with a routing answer settled
(so that lines fall off the route), its third-value dialog, and 照合対象の抽出 showing a draw.

Deterministic: fixed people and clock, a fixed seed. Regenerate on purpose with
    .venv/bin/python -m pytest tests/test_verification_snapshots.py --snapshot-update
and look at the SVGs before committing.
"""

from __future__ import annotations

import pytest

import db.store
from db import open_store
from survey import Grid, Multi, Text
from survey.verification import take_second
from tests.store_support import FORM
from tui.app import ChoshoApp
from tui.screens.adjudication import AdjudicationScreen

from .entry_helpers import press
from .test_verification_screens import key_first, key_second

FIXED = "2026-11-27T10:15:00+09:00"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def stores(tmp_path, monkeypatch):
    monkeypatch.setattr(db.store, "now", lambda: FIXED)
    path = tmp_path / "chosho.sqlite"
    opened = [open_store(path, who) for who in ("田中", "佐藤", "鈴木")]
    for store in opened:
        store.remember_user()
    a, b, c = opened
    dept = next(d.id for d in a.departments() if d.name == "シティプロモーション課")
    key_first(a, dept)
    a.choose_for_verification("by_hand", chosen=[dept])
    changed = {
        "Q2": Grid({"line": 5, "x": 2, "facebook": 5, "youtube": 3}),
        "Q3": Multi(frozenset({1, 3, 4})),
        "Q10": Text("広報課の職員３名。週に一度、投稿の内容を課内で確認している。"),
    }
    key_second(b, dept, [(q, changed.get(q, v)) for q, v in FORM if q not in ("Q6", "Q7")])
    c.resolve(dept, take_second("Q2_line"))
    yield c, dept
    for store in opened:
        store.close()


def _run(*steps):
    async def run_before(pilot) -> None:
        await pilot.pause()
        for step in steps:
            if callable(step):
                pilot.app.push_screen(step(pilot.app))
                await pilot.pause()
            else:
                await press(pilot, step)
        await pilot.pause()
        for widget in pilot.app.screen.query("Input"):
            widget.cursor_blink = False
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_adjudication_screen(snap_compare, stores, size):
    store, dept = stores
    run_before = _run(lambda app: AdjudicationScreen(store, dept))
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_third_value_dialog(snap_compare, stores, size):
    """On Q10 (End: the last line) a value neither keying has and no reason yet: the dialog
    asks for one."""
    store, dept = stores
    run_before = _run(lambda app: AdjudicationScreen(store, dept), "end", "3", "text:広報課の職員２名（兼務）", "enter")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_sampling_dialog(snap_compare, stores, size):
    store, _ = stores
    run_before = _run("f5", "2", "tab", "backspace", "text:７", "tab", "text:20241", "enter")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_list_with_verification_column(snap_compare, stores, size):
    """総合政策部: シティプロモーション課 waits for adjudication (突合待ち) in the 照合 column."""
    store, _ = stores

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.screen.query_one("#filter").value = "総合政策部"
        await pilot.pause()
        pilot.app.screen.query_one("#filter").cursor_blink = False
        await pilot.pause()

    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_review_held_by_verification(snap_compare, stores, size):
    """The review says, before F9, that the department waits for its adjudication."""
    from tui.screens.review import ReviewScreen

    store, dept = stores
    run_before = _run(lambda app: ReviewScreen(store, dept))
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)
