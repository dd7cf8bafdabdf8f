"""Issue 27, a repeat on the fillable form: a table of rows (as many as a numeric repeat_count
says, else 10), each cell a defined name ``{field}_{row}`` with the validation of its type;
filled with openpyxl as a department would and imported with the same checks as typed entry."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from db import open_store
from exports.forms import FORM_ROWS, excel_name, form_rows
from survey import Blank, Single
from survey.answers import Date, Number, Table, Text
from survey.loader import parse_definition
from tui.cli import main

from .conftest import FIXTURES
from .forms_support import cell_of, fill_by_name

FORM = FIXTURES / "contracts.xlsx"


@pytest.fixture
def form(tmp_path):
    db = tmp_path / "table.sqlite"
    assert main(["--db", str(db), "new", str(FORM)]) == 0
    (tmp_path / "forms").mkdir()
    assert main(["--db", str(db), "forms", "-o", str(tmp_path / "forms"), "--department", "契約課"]) == 0
    [path] = (tmp_path / "forms").glob("*.xlsx")
    return db, path


SCALARS = {"has_contracts": 1, "contract_total": 1200500, "budget": "無回答", "cases": 2, "contract_date": "無回答",
           "distance": "無回答"}


def test_the_repeat_is_a_table_of_named_cells_with_validation(form):
    _db, path = form
    book = openpyxl.load_workbook(path)
    names = set(book.defined_names)
    rows = FORM_ROWS  # repeat_count is ${cases}: the stated default
    for n in range(1, rows + 1):
        assert {excel_name(f"{f}_{n}") for f in ("subject", "amount", "signed", "method", "reason")} <= names
    assert excel_name(f"amount_{rows + 1}") not in names
    sheet = book["調書"]
    first, second = cell_of(book, "subject_1"), cell_of(book, "subject_2")
    assert second.row == first.row + 1 and cell_of(book, "amount_1").row == first.row  # one line a row
    assert cell_of(book, "amount_1").column == first.column + 1
    assert sheet.cell(first.row - 1, first.column).value == "件名"  # the table's heading row
    rules = {}
    for dv in sheet.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            rules[ref] = dv.type
    assert rules[cell_of(book, "amount_1").coordinate] == "whole"
    assert rules[cell_of(book, "signed_3").coordinate] == "date"
    assert rules[cell_of(book, "method_2").coordinate] == "list"


def test_form_rows_follow_a_numeric_repeat_count():
    data = {"survey": {"id": "t", "title": "t"}, "roster": [{"group": "a", "departments": ["b"]}],
            "questions": [{"id": "r", "type": "repeat", "text": "表", "repeat_count": 3,
                           "fields": [{"id": "a", "type": "text", "text": "a"}]}]}
    assert form_rows(parse_definition(data).question("r")) == 3


def test_a_filled_form_is_imported_with_its_rows(form):
    db, path = form
    fill_by_name(path, {
        **SCALARS,
        "subject_1": "道路補修", "amount_1": "１，２００，０００", "signed_1": "令和6年4月1日", "method_1": 3, "reason_1": "緊急",
        # row 2 left empty on the form: the rows are read in order, gaps closed
        "subject_3": "備品", "amount_3": 500, "signed_3": datetime(2024, 5, 1), "method_3": "1",
    })
    assert main(["--db", str(db), "import", str(path)]) == 0
    with open_store(db, "clerk-a") as store:
        department = next(d for d in store.departments() if d.name == "契約課")
        table = store.response(department_id=department.id).answers["contracts"]
    assert table == Table((
        {"subject": Text("道路補修"), "amount": Number(Decimal(1200000)), "signed": Date(date(2024, 4, 1)),
         "method": Single(3), "reason": Text("緊急")},
        {"subject": Text("備品"), "amount": Number(Decimal(500)), "signed": Date(date(2024, 5, 1)), "method": Single(1)},
    ))


def test_a_bad_cell_on_the_form_is_refused_with_entry_s_reason(form, capsys):
    db, path = form
    fill_by_name(path, {**SCALARS, "subject_1": "道路補修", "amount_1": "123万", "signed_1": "R6.4.1", "method_1": 1})
    capsys.readouterr()
    assert main(["--db", str(db), "import", str(path)]) != 0
    err = capsys.readouterr().err
    assert "「調書」シート" in err and "amount（金額）" in err and "「万」「億」や漢数字" in err
    fill_by_name(path, {"amount_1": 5, "signed_1": "令和元年4月1日"})
    assert main(["--db", str(db), "import", str(path)]) != 0
    assert "平成31年4月1日" in capsys.readouterr().err
    with open_store(db, "clerk-a") as store:
        assert all("contracts" not in r.answers for r in store.responses())
