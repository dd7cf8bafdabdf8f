"""SVG snapshots at 80×24 and 120×40 of every screen and dialog not covered elsewhere: who is
entering, the list filtered to the longest department names, the route-change confirmation
with a long list, Q6 with F4, Q1 left blank, jump, help, export, the review queue, a comment
dialog. (Entry screens: test_snapshots.py; review screens: test_review_snapshots.py.)

Deterministic: fixed people, every timestamp the same, the export's default name from a fixed
clock, no blinking cursor. Regenerate on purpose with
    .venv/bin/python -m pytest tests/test_screen_snapshots.py --snapshot-update
and look at the SVGs before committing.
"""

from __future__ import annotations

from datetime import datetime

import pytest

import db.store
import exports.commands
from db import open_store
from tests.review_support import fill
from tui.app import ChoshoApp
from tui.screens.dialogs import ConfirmDialog, TextDialog
from tui.screens.entry import EntryScreen

from .entry_helpers import press

FIXED = "2026-11-27T10:15:00+09:00"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(db.store, "now", lambda: FIXED)
    name = exports.commands.default_name
    monkeypatch.setattr(exports.commands, "default_name", lambda title, when=None: name(title, datetime(2026, 11, 27, 10, 15)))
    store = open_store(tmp_path / "chosho.sqlite", "佐藤")
    store.remember_user()
    ids = {d.name: d.id for d in store.departments()}
    # The longest names have entries, so their rows show every column filled.
    fill(store, ids["新座駅北口土地区画整理事務所"])
    fill(store, ids["（仮称）三軒屋公園等複合施設整備推進室"], mark_entered=False)
    yield store
    store.close()


def _department(store, name: str) -> int:
    return next(d.id for d in store.departments() if d.name == name)


def _still(app) -> None:
    for widget in app.screen.query("Input, TextArea"):
        widget.cursor_blink = False


def _run(*steps):
    """Steps: a callable (app) → screen to push, or key names to press."""

    async def run_before(pilot) -> None:
        await pilot.pause()
        for step in steps:
            if callable(step):
                pilot.app.push_screen(step(pilot.app))
                await pilot.pause()
            else:
                await press(pilot, step)
        await pilot.pause()
        _still(pilot.app)
        await pilot.pause()

    return run_before


def _entry(store, name: str, question_id: str):
    return lambda app: EntryScreen(store, _department(store, name), question_id)


@pytest.mark.parametrize("size", SIZES)
def test_who_is_entering(snap_compare, store, size):
    assert snap_compare(ChoshoApp(store), terminal_size=size, run_before=_run())


@pytest.mark.parametrize("size", SIZES)
def test_longest_department_names(snap_compare, store, size):
    """まちづくり未来部 holds the longest names; the columns share the width, cut with …"""

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.screen.query_one("#filter").value = "まちづくり未来部"
        await pilot.pause()
        _still(pilot.app)

    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_route_change_with_a_long_list(snap_compare, store, size):
    """Q1 1 → 2 on a full form: 14 answers leave the route; the list scrolls, the keys stay."""
    run_before = _run(_entry(store, "新座駅北口土地区画整理事務所", "Q1"), "2")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


def test_the_route_change_dialog_keeps_its_keys_on_an_80x24_screen(store):
    import asyncio

    async def run() -> None:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.push_screen(EntryScreen(store, _department(store, "新座駅北口土地区画整理事務所"), "Q1"))
            await pilot.pause()
            await press(pilot, "2")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ConfirmDialog)
            keys = dialog.query_one(".dialog-keys")
            scroll = dialog.query_one(".dialog-scroll")
            assert keys.region.bottom <= 24 and keys.region.height == 1
            assert scroll.max_scroll_y > 0 and "↑↓" in str(keys.render())  # too long: it scrolls
            await press(pilot, "pagedown")
            assert scroll.scroll_y > 0
            assert "Q15" in dialog.query_one(".dialog-text").plain

    asyncio.run(run())


@pytest.mark.parametrize("size", SIZES)
def test_q6_with_not_applicable(snap_compare, store, size):
    """Q6: the department may judge the Q5 skip itself, so F4 非該当 is in the footer."""
    run_before = _run(_entry(store, "（仮称）三軒屋公園等複合施設整備推進室", "Q6"))
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_q1_left_blank_asks_for_the_route(snap_compare, store, size):
    run_before = _run(_entry(store, "保育課", "Q1"), "f2")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_jump_dialog(snap_compare, store, size):
    run_before = _run(_entry(store, "新座駅北口土地区画整理事務所", "Q3"), "f5")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, store, size):
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=_run("f1"))


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(snap_compare, store, size):
    """The scope checkbox says its state in words: here switched to 確認済・確定だけ."""
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=_run("f9", "tab", "space"))


@pytest.mark.parametrize("size", SIZES)
def test_review_queue(snap_compare, store, size):
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=_run("f8"))


@pytest.mark.parametrize("size", SIZES)
def test_comment_dialog(snap_compare, store, size):
    run_before = _run(lambda app: TextDialog("Q3 への疑義（用紙と違う点を具体的に）", placeholder="例: 用紙では 5 に丸がありません"))
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)
