"""SVG snapshot at 80×24 of a repeat keyed row by row (issue 27): two rows stored, the third
being keyed on its 金額, the cell under the caret marked. Regenerate on purpose with
    .venv/bin/python -m pytest tests/test_repeat_snapshots.py --snapshot-update
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import db.store
from db import open_store
from survey import Single
from survey.answers import Date, Number, Table, Text
from tui.app import ChoshoApp
from tui.cli import main
from tui.screens.entry import EntryScreen

from .conftest import FIXTURES
from .entry_helpers import press
from .export_helpers import enter

FIXED = "2026-11-27T10:15:00+09:00"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(db.store, "now", lambda: FIXED)
    path = tmp_path / "table.sqlite"
    assert main(["--db", str(path), "new", str(FIXTURES / "contracts.xlsx")]) == 0
    store = open_store(path, "佐藤")
    store.remember_user()
    yield store
    store.close()


ROWS = Table((
    {"subject": Text("市道３号線舗装補修工事"), "amount": Number(Decimal(12345000)), "signed": Date(date(2024, 4, 1)),
     "method": Single(3), "reason": Text("災害復旧のため緊急")},
    {"subject": Text("庁舎清掃業務委託"), "amount": Number(Decimal(880000)), "signed": Date(date(2024, 5, 20)),
     "method": Single(1)},
))


def test_a_repeat_keyed_row_by_row(snap_compare, store):
    enter(store, "契約課", {"has_contracts": Single(1), "cases": Number(Decimal(3)), "contracts": ROWS}, status="draft")

    async def run_before(pilot) -> None:
        await pilot.pause()
        department = next(d.id for d in store.departments() if d.name == "契約課")
        pilot.app.push_screen(EntryScreen(store, department, "contracts"))
        await pilot.pause()
        await press(pilot, "text:公用車リース", "enter", "text:1,234,567")
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False
        await pilot.pause()

    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=(80, 24), run_before=run_before)
