"""SVG snapshots at 80×24 of the number and date fields (issue 27): an amount refused with its
reason, an amount recorded in 千円, an impossible 和暦 date refused, a date recorded. Regenerate on purpose with
    .venv/bin/python -m pytest tests/test_amount_snapshots.py --snapshot-update
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import db.store
from db import open_store
from survey import Single
from survey.answers import Number
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
    path = tmp_path / "contracts.sqlite"
    assert main(["--db", str(path), "new", str(FIXTURES / "contracts.xlsx")]) == 0
    store = open_store(path, "佐藤")
    store.remember_user()
    yield store
    store.close()


def _open(store, question_id: str, *keys: str):
    async def run_before(pilot) -> None:
        await pilot.pause()
        department = next(d.id for d in store.departments() if d.name == "契約課")
        pilot.app.push_screen(EntryScreen(store, department, question_id))
        await pilot.pause()
        for key in keys:
            await press(pilot, key)
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False
        await pilot.pause()

    return run_before


def _answered(store):
    enter(store, "契約課", {"has_contracts": Single(1), "budget": Number(Decimal("15000"))}, status="draft")


def test_an_amount_refused_with_its_reason(snap_compare, store):
    _answered(store)
    assert snap_compare(
        ChoshoApp(store, ask_who=False), terminal_size=(80, 24),
        run_before=_open(store, "contract_total", "text:１２３万", "enter"),
    )


def test_an_amount_recorded_in_thousands_of_yen(snap_compare, store):
    _answered(store)
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=(80, 24), run_before=_open(store, "budget"))


def test_an_impossible_date_refused_with_its_reason(snap_compare, store):
    """令和元年4月1日 does not exist: the message names the day it is (平成31年4月1日)."""
    _answered(store)
    assert snap_compare(
        ChoshoApp(store, ask_who=False), terminal_size=(80, 24),
        run_before=_open(store, "contract_date", "text:令和元年4月1日", "enter"),
    )


def test_a_date_recorded_in_wareki_and_iso(snap_compare, store):
    from datetime import date

    from survey.answers import Date

    enter(store, "契約課", {"has_contracts": Single(1), "contract_date": Date(date(2019, 5, 1))}, status="draft")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=(80, 24), run_before=_open(store, "contract_date"))
