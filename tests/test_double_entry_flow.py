"""Double entry end to end, every step pressed in the app as the people do it (issue 16):

A (田中) keys 保育課 from the paper and marks it 入力済; the office draws the sample by a rule
with a recorded seed; B (佐藤) keys the paper again, blind, reading Q2's LINE as 5 (a routing
answer: Q6–Q7 leave B's route) and Q3's 「その他」 box differently; C (鈴木) adjudicates, taking
the second keying for LINE and typing a third value, with a reason, for the box. The result is
the department's answers, the workbook reports it, and 入力者統計 counts what each did.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import openpyxl
import pytest
from textual.widgets import Input

from db import open_store
from exports.workbook import export_workbook
from survey.verification import every_nth
from survey.verification.stats import HEADERS
from survey.verification.status import AWAITING_ADJUDICATION, VERIFIED
from tui.app import ChoshoApp
from tui.screens.adjudication import AdjudicationScreen
from tui.screens.departments import DepartmentsScreen
from tui.screens.dialogs import ChoiceDialog, ConfirmDialog
from tui.screens.sampling import SamplingDialog
from tui.screens.second_keying import SecondKeyingScreen, SecondKeyingSummary
from tui.screens.summary import SummaryScreen
from tui.screens.third_value import ThirdValueDialog

from .entry_helpers import expected_answers, paper_forms, press
from .export_helpers import answer_rows, sheet_rows
from .store_support import recorded_progress, routed_progress

A, B, C = "田中", "佐藤", "鈴木"
FORM = paper_forms()[0]  # Q1 = 1
NAME = FORM["department"]  # 保育課
SIZE = (80, 24)
SEED = 4224  # starts the every-7th draw at roster position 3, so it takes 保育課 (24th)
THIRD = "市の公式ホームページ"


def _b_keys() -> list[str]:
    """What B keys: LINE 5 instead of 1 (so no Q6–Q7), 「市ホームページ」 read as 「市ホームページ等」."""
    keys = list(FORM["keys"])
    assert keys[1] == "1" and keys[8] == "text:市ホームページ" and keys[13] == "２"
    assert keys[14:18] == ["2", "1", "2", "enter"]  # Q7
    keys[1] = "5"
    keys[8] = "text:市ホームページ等"
    del keys[13:18]  # Q6 and Q7 are off B's route
    return keys


async def _settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


async def _highlight(pilot, name: str) -> None:
    pilot.app.screen.query_one("#filter", Input).value = name
    await _settle(pilot)


async def _a_keys_and_draws(path: Path) -> None:
    with open_store(path, A) as a:
        a.remember_user()
        app = ChoshoApp(a, ask_who=False)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            await _highlight(pilot, NAME)
            await press(pilot, "enter", *FORM["keys"])
            assert isinstance(app.screen, SummaryScreen)
            await press(pilot, "f9")  # 入力済
            await press(pilot, "escape")
            assert isinstance(app.screen, DepartmentsScreen)
            # The sample: every 7th department in roster order, from a start drawn with seed 4242.
            await press(pilot, "f5")
            assert isinstance(app.screen, SamplingDialog)
            await press(pilot, "2", "tab", "7", "tab", *str(SEED), "enter")
            await _settle(pilot)
            await press(pilot, "enter")
            await _settle(pilot)
            assert isinstance(app.screen, DepartmentsScreen)
        roster = [str(d.id) for d in a.departments()]
        assert {str(i) for i in a.verification_targets()} == set(every_nth(roster, 7, SEED).departments)
        assert a.verification_plans()[-1].seed == SEED


async def _b_keys_blind(path: Path, department_id: int) -> None:
    with open_store(path, B) as b:
        b.remember_user()
        app = ChoshoApp(b, ask_who=False)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await _settle(pilot)
            await _highlight(pilot, NAME)
            await press(pilot, "f3")
            assert isinstance(app.screen, ChoiceDialog)
            await press(pilot, "2")  # blind: compared afterwards
            assert isinstance(app.screen, SecondKeyingScreen)
            await press(pilot, *_b_keys())
            assert isinstance(app.screen, SecondKeyingSummary)
            await press(pilot, "f9", "enter")
            await press(pilot, "escape")
            assert isinstance(app.screen, DepartmentsScreen)
        assert b.verification_state(department_id) == AWAITING_ADJUDICATION


async def _c_adjudicates(path: Path, department_id: int) -> None:
    with open_store(path, C) as c:
        c.remember_user()
        app = ChoshoApp(c, ask_who=False)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await _settle(pilot)
            await _highlight(pilot, NAME)
            await press(pilot, "f4")
            await _settle(pilot)
            screen = app.screen
            assert isinstance(screen, AdjudicationScreen)
            names = [r.name for r in screen.rows]
            assert names[0] == "Q2_line"  # the routing answer first
            assert "Q3_5_text" in names and "Q6" in names
            await press(pilot, "2")  # B's LINE 5
            await _settle(pilot)
            assert screen.current().name == "Q3_5_text"  # Q6–Q7 are moot now: the box is next
            await press(pilot, "3")
            await _settle(pilot)
            assert isinstance(app.screen, ThirdValueDialog)
            app.focused.insert_text_at_cursor(THIRD)  # as the IME commits it
            await press(pilot, "enter")
            await _settle(pilot)
            app.focused.insert_text_at_cursor("用紙の記入は「市の公式ホームページ」と読める")
            await press(pilot, "enter")
            await _settle(pilot)
            assert app.screen is screen
            await press(pilot, "f9")
            await _settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "enter")
            await _settle(pilot)
            assert isinstance(app.screen, DepartmentsScreen)
        assert c.verification_state(department_id) == VERIFIED


def test_a_keys_b_keys_blind_c_adjudicates_and_the_workbook_reports_it(tmp_path):
    path = tmp_path / "chosho.sqlite"
    asyncio.run(_a_keys_and_draws(path))
    with open_store(path, A) as a:
        department_id = next(d.id for d in a.departments() if d.name == NAME)
        if department_id not in a.verification_targets():
            pytest.fail(f"seed {SEED} must sample {NAME} for this test")  # a fixed seed: it does
    asyncio.run(_b_keys_blind(path, department_id))
    asyncio.run(_c_adjudicates(path, department_id))

    with open_store(path, "書記") as store:
        answers = store.response(department_id=department_id).answers
        expected = expected_answers(FORM)
        assert answers["Q2"].cells["line"] == 5
        assert answers["Q3"].texts[5] == THIRD
        assert "Q6" not in answers and "Q7" not in answers
        for qid in set(expected) - {"Q2", "Q3", "Q6", "Q7"}:
            assert answers[qid] == expected[qid], qid
        # both keyings stay
        assert store.second_keying(department_id).answers["Q3"].texts[5] == "市ホームページ等"
        assert any(e.action == "resolve" and e.why for e in store.history())
        # The adjudication's result is what the department list's progress counts (Q6, Q7 left the route).
        assert recorded_progress(store) == routed_progress(store)
        target = export_workbook(store, tmp_path / "報告.xlsx").path

    book = openpyxl.load_workbook(target)
    row = answer_rows(book["回答一覧"])[NAME]
    assert row["Q2_line"] == 5 and row["Q3_5_text"] == THIRD
    progress = sheet_rows(book["入力状況"])
    assert any(NAME in r and "照合済" in r for r in progress)
    rows = sheet_rows(book["入力者統計"])
    top = next(i for i, r in enumerate(rows) if r[0] == HEADERS[0])
    table = {}
    for r in rows[top + 1:]:
        if not r[0]:
            break
        if r[1] == "合計":
            table[r[0]] = dict(zip(HEADERS, r))
    # A keyed the form (20 fields on its route), B keyed it again (18: no Q6–Q7) and verified
    # them; at 突合, LINE taken from B is A's error, the third value both A's and B's.
    assert table[A]["入力項目数"] == len(expected) and table[A]["打鍵数"] >= len(FORM["keys"])
    assert table[B]["入力項目数"] == len(expected) - 2 and table[B]["打鍵数"] >= len(_b_keys())
    assert table[B]["照合項目数"] == len(expected) - 2
    assert table[A]["入力誤り数"] == 2
    assert table[B]["照合誤り数"] == 1
    assert table[A]["入力誤り（1,000項目あたり）"] == pytest.approx(2 / (len(expected) - 2) * 1000, abs=0.1)
