"""The real terminal (issue 27): an amount and a 和暦 date keyed in tmux as an IME commits them
(several full-width characters at once), the refusal read off the pane, nothing stored wrongly.
The app's stderr is not redirected (Textual draws there)."""

from __future__ import annotations

import shutil
import time
from datetime import date
from decimal import Decimal

import pytest

from db import open_store
from survey import Blank, Single
from survey.answers import Date, Number
from tui.cli import main

from .conftest import FIXTURES
from .test_entry_tmux import chosho_in_tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def pane(tmp_path):
    db = tmp_path / "contracts.sqlite"
    assert main(["--db", str(db), "new", str(FIXTURES / "contracts.xlsx")]) == 0
    with chosho_in_tmux(db, "clerk-a", "entry", "amounts") as pane:
        yield pane, db


def test_an_amount_and_a_wareki_date_keyed_in_tmux(pane):
    pane, db = pane
    pane.wait_for("契約課")
    pane.keys("契約課", literal=True)
    time.sleep(0.5)
    pane.keys("Enter")
    pane.wait_for("has_contracts ·")
    pane.keys("1", literal=True)
    pane.wait_for("contract_total ·")
    pane.keys("１２３万", literal=True)  # an IME's commit: refused with the reason
    time.sleep(0.3)
    pane.keys("Enter")
    pane.wait_for("漢数字は使わず")
    pane.keys("C-u")
    time.sleep(0.3)
    pane.keys("１２，３４５，６７８", literal=True)
    time.sleep(0.3)
    pane.keys("Enter")
    pane.wait_for("budget ·")
    pane.keys("F2")  # budget: 無回答 on the paper
    pane.wait_for("cases ·")
    pane.keys("３件", literal=True)
    time.sleep(0.3)
    pane.keys("Enter")
    pane.wait_for("contract_date ·")
    pane.keys("令和元年４月１日", literal=True)
    time.sleep(0.3)
    pane.keys("Enter")
    pane.wait_for("平成31年4月1日です")
    pane.keys("C-u")
    time.sleep(0.3)
    pane.keys("令和６年４月１日", literal=True)
    time.sleep(0.3)
    pane.keys("Enter")
    pane.wait_for("contracts ·")  # the table of contracts: passed by with Tab (tests/test_repeat_tmux.py keys it)
    pane.keys("Tab")
    pane.wait_for("distance ·")
    assert "CHOSHO-EXIT" not in pane.text()
    with open_store(db, "check") as store:
        department = next(d for d in store.departments() if d.name == "契約課")
        answers = store.response(department_id=department.id).answers
    assert answers["has_contracts"] == Single(1)
    assert answers["contract_total"] == Number(Decimal("12345678"))
    assert answers["contract_date"] == Date(date(2024, 4, 1))
    assert answers["budget"] == Blank() and answers["cases"] == Number(Decimal(3))
