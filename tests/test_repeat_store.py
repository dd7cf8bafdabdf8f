"""Issue 27, tables of rows in the store: each accepted row saved at once through the journal,
rows added, changed, inserted and removed with entries that say which row, a log that reads
row by row, and ``chosho verify`` (replaying the log) still passing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from db import open_store
from db.errors import RefusedError
from db.verify import verify_database
from survey import Blank, Single
from survey.answers import Date, Number, Table, Text
from tui.cli import main

from .conftest import FIXTURES

FORM = FIXTURES / "contracts.xlsx"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "table.sqlite"
    assert main(["--db", str(path), "new", str(FORM)]) == 0
    return path


def _row(subject, amount, method=1, day=date(2024, 4, 1)):
    return {"subject": Text(subject), "amount": Number(Decimal(amount)), "signed": Date(day), "method": Single(method)}


def _response(store, name="契約課"):
    department = next(d for d in store.departments() if d.name == name)
    return store.response(department_id=department.id)


def test_rows_are_saved_one_by_one_and_logged_row_by_row(db):
    with open_store(db, "clerk-a") as store:
        r = _response(store)
        version = store.save_answer(r.id, "has_contracts", Single(1), expected_version=r.version)
        version = store.save_row(r.id, "contracts", 0, _row("道路補修", "1200000"), expected_version=version)
        version = store.save_row(r.id, "contracts", 1, _row("備品購入", "300000.00"), expected_version=version)
        version = store.save_row(r.id, "contracts", 1, _row("備品購入", "350000"), expected_version=version)
        version = store.save_row(r.id, "contracts", 0, _row("測量", "99", method=2), expected_version=version, insert=True)
        version = store.remove_row(r.id, "contracts", 2, expected_version=version)
        table = _response(store).answers["contracts"]
        assert [row["subject"].text for row in table.rows] == ["測量", "道路補修"]
        log = store.row_log(r.id, "contracts")
    assert [line.split(" ", 3)[3] for line in log] == [
        "行1 を追加: 件名 道路補修、金額 1,200,000円、契約日 令和6年4月1日（2024-04-01）、方式 1",
        "行2 を追加: 件名 備品購入、金額 300,000.00円、契約日 令和6年4月1日（2024-04-01）、方式 1",
        "行2 を変更: 件名 備品購入、金額 350,000円、契約日 令和6年4月1日（2024-04-01）、方式 1",
        "行1 を挿入: 件名 測量、金額 99円、契約日 令和6年4月1日（2024-04-01）、方式 2",
        "行3 を削除: 件名 備品購入、金額 350,000円、契約日 令和6年4月1日（2024-04-01）、方式 1",
    ]
    assert all(" clerk-a 行" in line for line in log)
    result = verify_database(db)
    assert result.ok, result.report()


def test_a_row_entry_keeps_the_whole_table_and_the_row(db):
    import sqlite3

    with open_store(db, "clerk-a") as store:
        r = _response(store)
        v = store.save_answer(r.id, "has_contracts", Single(1), expected_version=r.version)
        store.save_row(r.id, "contracts", 0, _row("道路補修", "0.5" if False else "5"), expected_version=v)
    with sqlite3.connect(db) as raw:
        new, payload = raw.execute(
            "SELECT new, payload FROM audit_log WHERE question_id = 'contracts' ORDER BY id DESC").fetchone()
    assert json.loads(new)["table"][0]["amount"] == {"number": "5"}  # the digits, as a string
    assert json.loads(payload)["row"] == {
        "op": "add", "n": 1,
        "cells": {"subject": {"text": "道路補修"}, "amount": {"number": "5"}, "signed": {"date": "2024-04-01"},
                  "method": {"single": 1, "texts": {}}},
    }


def test_a_bad_row_is_refused_and_nothing_is_stored(db):
    with open_store(db, "clerk-a") as store:
        r = _response(store)
        v = store.save_answer(r.id, "has_contracts", Single(1), expected_version=r.version)
        with pytest.raises(RefusedError, match="行1 金額: .*小さすぎます"):
            store.save_row(r.id, "contracts", 0, _row("x", "-1"), expected_version=v)
        with pytest.raises(RefusedError, match="行1 方式: 9 は選択肢にありません"):
            store.save_row(r.id, "contracts", 0, _row("x", "1", method=9), expected_version=v)
        with pytest.raises(RefusedError, match="3 行目はありません"):
            store.save_row(r.id, "contracts", 2, _row("x", "1"), expected_version=v)
        with pytest.raises(RefusedError, match="1 行目はありません"):
            store.remove_row(r.id, "contracts", 0, expected_version=v)
        with pytest.raises(RefusedError, match="行の表"):
            store.save_row(r.id, "cases", 0, _row("x", "1"), expected_version=v)
        with pytest.raises(RefusedError, match="数値の設問"):
            store.save_answer(r.id, "contract_total", Table(()), expected_version=v)
        assert "contracts" not in _response(store).answers


def test_a_whole_table_imported_or_saved_at_once_is_an_answer_like_any(db):
    with open_store(db, "clerk-a") as store:
        r = _response(store, "財政課")
        table = Table((_row("a", "1"), _row("b", "2", method=3)))
        store.save_answer(r.id, "has_contracts", Single(1), expected_version=r.version)
        store.save_answer(r.id, "contracts", table, expected_version=None)
        assert _response(store, "財政課").answers["contracts"] == table
    assert verify_database(db).ok


def test_double_entry_compares_rows_by_position_and_the_adjudicator_settles_them(db):
    """B keys a different amount in row 1 and misses row 3: two differences, row 1 and row 3
    (「（行なし）」 in B's keying); C takes A's row 1 and B's missing row."""
    from survey.verification import take_first, take_second
    from survey.verification.cells import NO_ROW

    from .export_helpers import enter

    stores = {who: open_store(db, who) for who in ("田中", "佐藤", "鈴木")}
    a, b, c = stores.values()
    try:
        for store in stores.values():
            store.remember_user()
        department = next(d for d in a.departments() if d.name == "契約課").id
        rows = (_row("道路補修", "1200000.0"), _row("備品", "500"), _row("測量", "99", method=2))
        first = {"has_contracts": Single(1), "contract_total": Number(Decimal(1)), "budget": Blank(),
                 "cases": Number(Decimal(3)), "contract_date": Blank(), "contracts": Table(rows), "distance": Blank()}
        enter(a, "契約課", first)
        a.choose_for_verification("by_hand", chosen=[department])
        second = {**first, "contracts": Table((_row("道路補修", "1300000"), _row("備品", "500.00")))}
        keying = b.start_second_keying(department)
        version = keying.version
        for qid in a.router.route(second).order:
            version = b.save_second_answer(keying.id, qid, second[qid], expected_version=version)
        b.complete_second_keying(keying.id)
        comparison = c.comparison(department)
        differences = {d.name: d for d in comparison.differences}
        assert set(differences) == {"contracts_1", "contracts_3"}  # 500 = 500.00; rows 4… agree: no row in either
        assert "amount 1200000" in differences["contracts_1"].first.describe()
        assert "amount 1300000" in differences["contracts_1"].second.describe()
        assert differences["contracts_3"].second.state == NO_ROW
        assert "（行なし）" in str(differences["contracts_3"])
        c.resolve(department, take_first("contracts_1"))
        c.resolve(department, take_second("contracts_3"))  # the paper has two rows after all
        c.finish_adjudication(department)
        settled = a.response(department_id=department).answers["contracts"]
        assert [r["subject"].text for r in settled.rows] == ["道路補修", "備品"]
        assert settled.rows[0]["amount"] == Number(Decimal("1200000"))
    finally:
        for store in stores.values():
            store.close()
    assert verify_database(db).ok
