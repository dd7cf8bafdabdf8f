"""Issue 27, part 1 end to end: the contracts form's amounts and numbers keyed under Pilot,
reviewed, exported as numbers with their tallies, read back, and filled in a form."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest

from db import open_store
from survey import Blank, Single
from survey.answers import Number
from tui.app import ChoshoApp
from tui.cli import main
from tui.screens.entry import EntryScreen
from tui.screens.summary import SummaryScreen

from .conftest import FIXTURES
from .entry_helpers import open_department, press
from .export_helpers import enter

FORM = FIXTURES / "contracts.xlsx"

KEYED = {
    "has_contracts": Single(1),
    "contract_total": Number(Decimal("12345678")),
    "budget": Number(Decimal("15000")),
    "cases": Number(Decimal("3")),
    "distance": Number(Decimal("1234.5")),
}


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "contracts.sqlite"
    assert main(["--db", str(path), "new", str(FORM)]) == 0
    return path


def _department(store, name):
    return next(d for d in store.departments() if d.name == name)


async def test_amounts_are_keyed_heads_down_under_pilot(db):
    with open_store(db, "clerk-a") as store:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await open_department(pilot, "契約課")
            assert isinstance(app.screen, EntryScreen)
            await press(pilot, "1")  # has_contracts: はい
            assert app.screen.question_id == "contract_total"
            await press(pilot, "text:１２３万", "enter")  # refused with the reason, nothing stored
            assert "「万」「億」や漢数字は使わず" in app.screen.message
            assert app.screen.question_id == "contract_total"
            assert "contract_total" not in store.response(department_id=_department(store, "契約課").id).answers
            app.screen.key_line.value = ""
            await press(pilot, "text:12,345,678", "enter")  # stored the moment it is accepted
            assert store.response(department_id=_department(store, "契約課").id).answers["contract_total"] == KEYED["contract_total"]
            await press(pilot, "text:１５，０００", "enter")  # budget, 千円
            await press(pilot, "text:-3", "enter")  # cases: below its bound
            assert "小さすぎます" in app.screen.message
            app.screen.key_line.value = ""
            await press(pilot, "text:3件", "enter")
            await press(pilot, "text:1234.5", "enter")  # distance, a decimal
            assert isinstance(app.screen, SummaryScreen)
            await press(pilot, "f9")
        response = store.response(department_id=_department(store, "契約課").id)
        assert dict(response.answers) == KEYED
