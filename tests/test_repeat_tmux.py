"""The real terminal (issue 27): a repeat keyed row by row in tmux at 80×24, cells committed as
an IME commits them (full-width digits, 和暦), each row stored as its last cell is accepted,
F10 asking before a row is removed. The app's stderr is not redirected (Textual draws there)."""

from __future__ import annotations

import shutil
import time
from datetime import date
from decimal import Decimal

import pytest

from db import open_store
from survey import Single
from survey.answers import Date, Number, Text
from tui.cli import main

from .conftest import FIXTURES
from .test_entry_tmux import chosho_in_tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def pane(tmp_path):
    db = tmp_path / "table.sqlite"
    assert main(["--db", str(db), "new", str(FIXTURES / "contracts.xlsx")]) == 0
    with chosho_in_tmux(db, "clerk-a", "entry", "repeat") as pane:
        yield pane, db


def _type(pane, text: str) -> None:
    pane.keys(text, literal=True)
    time.sleep(0.3)
    pane.keys("Enter")


def _rows(db):
    with open_store(db, "check") as store:
        department = next(d for d in store.departments() if d.name == "契約課")
        return store.response(department_id=department.id).answers.get("contracts")


def test_a_repeat_keyed_row_by_row_in_tmux(pane):
    pane, db = pane
    pane.wait_for("契約課")
    pane.keys("契約課", literal=True)
    time.sleep(0.5)
    pane.keys("Enter")
    pane.wait_for("has_contracts ·")
    pane.keys("1", literal=True)
    pane.wait_for("contract_total ·")
    _type(pane, "１，０００")
    pane.wait_for("budget ·")
    pane.keys("F2")
    pane.wait_for("cases ·")
    _type(pane, "２")
    pane.wait_for("contract_date ·")
    _type(pane, "Ｒ６．４．１")
    pane.wait_for("contracts ·")
    pane.wait_for("行1 件名")
    _type(pane, "道路補修工事")
    pane.wait_for("行1 金額")
    _type(pane, "１，２００，０００")
    pane.wait_for("行1 契約日")
    _type(pane, "令和元年４月１日")  # impossible: refused with the reason, the row not stored
    pane.wait_for("平成31年4月1日です")
    assert _rows(db) is None
    pane.keys("C-u")
    time.sleep(0.3)
    _type(pane, "令和６年４月１日")
    pane.wait_for("行1 方式")
    pane.keys("3", literal=True)
    pane.wait_for("行1 随意契約の理由")
    _type(pane, "災害のため")
    pane.wait_for("行2 件名")
    assert len(_rows(db).rows) == 1  # stored the moment its last cell was accepted
    _type(pane, "備品")
    _type(pane, "５００")
    _type(pane, "2024/5/1")
    pane.wait_for("行2 方式")
    pane.keys("1", literal=True)  # 一般競争入札: the row asks no reason
    pane.wait_for("distance ·")
    table = _rows(db)
    assert [row["subject"] for row in table.rows] == [Text("道路補修工事"), Text("備品")]
    assert table.rows[0]["amount"] == Number(Decimal(1200000)) and table.rows[0]["signed"] == Date(date(2024, 4, 1))
    assert table.rows[1]["method"] == Single(1) and "reason" not in table.rows[1]
    pane.keys("BTab")  # back to the table: F10 removes row 1 after asking
    pane.wait_for("行1 件名")
    pane.keys("F10")
    pane.wait_for("削除します")
    pane.keys("Escape")
    time.sleep(0.5)
    assert len(_rows(db).rows) == 2
    assert "CHOSHO-EXIT" not in pane.text()
