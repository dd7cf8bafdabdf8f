"""The 入力者統計 screen: Ctrl+T from the department list, the totals and each day of a scripted
session (counted by hand in tests/keyer_support.py), the empty state, 80×24 and 120×40."""

from __future__ import annotations

import shutil
import time

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable, Static

import db.store
from db import open_store
from tui.app import ChoshoApp
from tui.screens.departments import DepartmentsScreen
from tui.screens.keyers import KeyersScreen

from .entry_helpers import press
from .keyer_support import scripted_events
from .test_entry_tmux import pane  # noqa: F401  (the fixture: chosho in tmux at 80×24)

FIXED = "2026-11-27T10:15:00+09:00"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(db.store, "now", lambda: FIXED)
    store = open_store(tmp_path / "chosho.sqlite", "佐藤")
    store.remember_user()
    ids = [d.id for d in store.departments()]
    store.record_events(scripted_events(ids[0], ids[1]))
    yield store
    store.close()


def _rows(table: DataTable) -> dict[str, list[str]]:
    return {key.value: [c.plain.strip() for c in table.get_row(key)] for key in table.rows}


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_ctrl_t_shows_the_totals_then_each_day(store, size):
    async with ChoshoApp(store, ask_who=False).run_test(size=size) as pilot:
        await press(pilot, "ctrl+t")
        screen = pilot.app.screen
        assert isinstance(screen, KeyersScreen)
        table = screen.query_one(DataTable)
        rows = _rows(table)
        heads = [c.label.plain.strip() for c in table.columns.values()]
        assert heads == ["入力者", "日付", "調書", "項目", "打鍵", "打鍵/時", "訂正", "照合", "入力誤", "照合誤"]
        assert rows["total-0"] == ["田中", "合計", "2", "3", "6", "98", "1", "0", "50.0", "－"]
        assert rows["total-1"] == ["佐藤", "合計", "0", "0", "0", "0", "0", "40", "－", "25.0"]
        assert rows["day-0"] == ["田中", "12-01", "1", "2", "4", "80", "1", "0", "－", "－"]
        assert rows["day-1"] == ["田中", "12-02", "1", "1", "2", "180", "0", "0", "50.0", "－"]
        assert rows["day-2"][:2] == ["佐藤", "12-02"]
        assert list(rows).index("gap") == 2  # totals above, the days below
        # every cell within its column, so the table fits the terminal's width
        for key in table.rows:
            for cell, width in zip(table.get_row(key), screen.widths):
                assert cell_len(cell.plain) == width
        assert sum(screen.widths) + 2 * len(screen.widths) + 2 <= size[0]
        header = str(screen.query_one("#progress", Static).render())
        assert "2 人" in header and "2026-12-01～2026-12-02" in header and "休止の閾値 5 分" in header
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, DepartmentsScreen)


async def test_reachable_from_the_command_palette(store):
    async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in pilot.app.get_system_commands(pilot.app.screen)}
        assert "入力者統計" in commands
        pilot.app.call_later(commands["入力者統計"].callback)  # as the palette runs it
        await pilot.pause()
        assert isinstance(pilot.app.screen, KeyersScreen)


async def test_without_events_says_so(tmp_path):
    with open_store(tmp_path / "chosho.sqlite", "佐藤") as store:
        async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
            await press(pilot, "ctrl+t")
            screen = pilot.app.screen
            assert not screen.query_one(DataTable).display
            assert str(screen.query_one("#legend", Static).render()).startswith("まだ入力の記録がありません。")


@pytest.mark.parametrize("size", SIZES)
def test_keyer_statistics_screen(snap_compare, store, size):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await press(pilot, "ctrl+t")
        await pilot.pause()

    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_in_a_real_terminal_ctrl_t_and_esc_back(pane):
    """Through tmux: Ctrl+T reaches the list, and Esc (a lone ESC byte, which the paste-safe
    parser holds back for a moment) goes back and back again without closing the app."""
    pane, _db = pane
    pane.wait_for("所属一覧")
    pane.keys("C-t")
    pane.wait_for("まだ入力の記録がありません")
    pane.keys("Escape")
    pane.wait_for("所属一覧 ·")
    pane.keys("Escape")  # on the list: clears the filter
    time.sleep(1.0)
    assert "所属一覧 ·" in pane.text() and "Traceback" not in pane.text()
    pane.keys("C-q")
    screen = pane.wait_for("CHOSHO-EXIT=")
    assert "CHOSHO-EXIT=0" in screen and "Traceback" not in screen, screen
