"""The live tally screen: F2 on the department list (footer and palette), each question's counts
and percents as bars from the export's computation, the scope stated and switched, refreshed on
F5; no pandas or XlsxWriter loaded for it; 80×24 and 120×40."""

from __future__ import annotations

import subprocess
import sys

import pytest
from textual.widgets import Static

import db.store
from exports.records import read_records
from exports.tally import Tallies, choice_shares, in_scope
from survey import Single
from tui.app import ChoshoApp
from tui.screens.departments import DepartmentsScreen
from tui.screens.tally import TallyScreen, bar

from .entry_helpers import press
from .export_helpers import scenario_store
from .test_entry_tmux import pane  # noqa: F401  (the fixture: chosho in tmux at 80×24)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(db.store, "now", lambda: "2026-11-27T10:15:00+09:00")
    store = scenario_store(tmp_path / "chosho.sqlite")
    yield store
    store.close()


def _shown(screen) -> str:
    return str(screen.query_one("#bars", Static).render())


def test_bars_are_drawn_in_eighths():
    assert bar(0.5, 10) == "█████"
    assert bar(0.6, 10) == "██████"
    assert bar(1 / 16, 10) == "▋"  # 0.625 of a cell: five eighths
    assert bar(0, 10) == "" and bar(None, 10) == ""
    assert bar(1.0, 4) == "████"


async def test_f2_opens_the_tally_with_the_exports_numbers_and_esc_goes_back(store):
    async with ChoshoApp(store, ask_who=False).run_test(size=(120, 40)) as pilot:
        await press(pilot, "f2")
        screen = pilot.app.screen
        assert isinstance(screen, TallyScreen)
        records = read_records(store)
        expected = Tallies(store.questionnaire, in_scope(records, "entered"))
        q1 = store.questionnaire.questions[0]
        t = expected.question(q1)
        text = _shown(screen)
        assert f"{q1.label} {q1.chart_title}" in text
        assert f"回答対象 {t.base} 所属" in text
        for share in choice_shares(t):
            line = next(line for line in text.splitlines() if line.strip().startswith(share.short))
            assert line.split()[-2:] == [str(share.count), f"{share.whole}%"]
            assert ("█" in line or "▏" in line) == bool(share.count)
        header = str(screen.query_one("#progress", Static).render())
        counted = sum(1 for r in records if r.status in ("entered", "reviewed", "final"))
        assert f"入力済・確認済・確定 の {counted}/{len(records)} 所属" in header
        await press(pilot, "escape")
        assert isinstance(pilot.app.screen, DepartmentsScreen)


async def test_f2_on_the_tally_switches_which_departments_are_counted(store):
    records = read_records(store)
    counts = {
        scope: len(Tallies(store.questionnaire, in_scope(records, scope)).records)
        for scope in ("entered", "confirmed", "all")
    }
    assert len(set(counts.values())) == 3  # the scenario has departments in each state
    async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
        await press(pilot, "f2")
        screen = pilot.app.screen
        for scope, label in (("confirmed", "確認済・確定のみ"), ("all", "入力中も含む"), ("entered", "入力済・確認済・確定")):
            await press(pilot, "f2")
            header = str(screen.query_one("#progress", Static).render())
            assert f"{label}" in header and f"{counts[scope]}/{len(records)} 所属" in header, header


async def test_f5_counts_again_after_more_entry(store):
    async with ChoshoApp(store, ask_who=False).run_test(size=(120, 40)) as pilot:
        await press(pilot, "f2")
        screen = pilot.app.screen
        before = str(screen.query_one("#progress", Static).render())
        # another clerk marks one more department 入力済 meanwhile
        department = next(d for d in store.departments() if d.name == "人事課")
        response = store.response(department_id=department.id)
        version = store.save_answer(response.id, "Q1", Single(2), expected_version=response.version)
        store.mark_entered(response.id, expected_version=version)
        assert str(screen.query_one("#progress", Static).render()) == before  # not until asked
        await press(pilot, "f5")
        after = str(screen.query_one("#progress", Static).render())
        assert after != before
        n = int(before.split(" の ")[1].split("/")[0])
        assert f" の {n + 1}/" in after


async def test_in_the_footer_at_80_columns_and_in_the_palette(store):
    from textual.widgets._footer import FooterKey

    async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = {key.key_display: key for key in pilot.app.screen.query(FooterKey)}
        for shown in ("F2", "F7", "F8", "F9", "^Q", "F1", "^P"):
            assert shown in keys and keys[shown].region.right <= 80, shown
        assert keys["F2"].description == "集計"
        commands = {c.title: c for c in pilot.app.get_system_commands(pilot.app.screen)}
        assert "集計" in commands and "点検一覧" in commands  # F6 left the footer, not the palette
        pilot.app.call_later(commands["集計"].callback)
        await pilot.pause()
        assert isinstance(pilot.app.screen, TallyScreen)


def test_the_tally_screen_loads_neither_pandas_nor_xlsxwriter(store, tmp_path):
    path = store.path if hasattr(store, "path") else tmp_path / "chosho.sqlite"
    script = f"""
import asyncio, sys
from db import open_store
from tui.app import ChoshoApp
from tui.screens.tally import TallyScreen

async def main():
    with open_store({str(path)!r}, "clerk") as store:
        async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("f2")
            await pilot.pause()
            assert isinstance(pilot.app.screen, TallyScreen)
            await pilot.press("f2", "f5")
            await pilot.pause()
asyncio.run(main())
print(" ".join(sorted(sys.modules)))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    modules = {name.split(".")[0] for name in out.stdout.split()}
    assert "exports" in modules  # the tally was computed
    assert not modules & {"pandas", "xlsxwriter", "numpy", "openpyxl", "docx"}, modules & {"pandas", "xlsxwriter"}


@pytest.mark.parametrize("size", SIZES)
def test_tally_screen(snap_compare, store, size):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await press(pilot, "f2")
        await pilot.pause()

    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


async def test_the_keys_scroll_through_every_question(store):
    from textual.containers import VerticalScroll

    async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
        await press(pilot, "f2")
        view = pilot.app.screen.query_one("#tally", VerticalScroll)
        assert view.has_focus and view.scroll_y == 0
        await press(pilot, "pagedown", "down")
        assert view.scroll_y > 0
        await press(pilot, "end")
        last = store.questionnaire.questions[-1]
        assert view.scroll_y == view.max_scroll_y > 0
        assert f"{last.label} {last.chart_title}" in _shown(pilot.app.screen)


@pytest.mark.skipif(__import__("shutil").which("tmux") is None, reason="tmux is not installed")
def test_in_a_real_terminal_f2_shows_the_tally_and_esc_goes_back(pane):
    """Through tmux at 80×24: F2 on the list opens 集計, F2 there switches the scope, F5 counts
    again, Esc returns to the list, and the app closes with status 0."""
    import time

    pane, _db = pane
    pane.wait_for("所属一覧")
    pane.keys("F2")
    pane.wait_for("集計 · 入力済・確認済・確定 の 0/58 所属")
    assert "回答対象 0 所属" in pane.text()
    pane.keys("F2")
    pane.wait_for("確認済・確定のみ")
    pane.keys("F5")
    time.sleep(0.5)
    pane.keys("Escape")
    pane.wait_for("所属一覧 ·")
    pane.keys("C-q")
    screen = pane.wait_for("CHOSHO-EXIT=")
    assert "CHOSHO-EXIT=0" in screen and "Traceback" not in screen, screen


def test_help_names_the_tally_keys():
    from tui.screens.help import HELP_TEXT

    section = HELP_TEXT.split("[b]集計画面[/]")[1].split("[b]")[0]
    for binding in TallyScreen.BINDINGS:
        name = {"escape": "Esc"}.get(binding.key, binding.key.upper())
        assert name in section, binding.key
    assert "F2              集計画面" in HELP_TEXT.split("[b]入力画面[/]")[0]  # on the list
