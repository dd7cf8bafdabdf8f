"""Issue 27, a repeat in the export: its own sheet in long format (部局, 所属, 行, fields by
name; amounts numbers, dates Excel date cells), its tallies (choices over rows and per
department, amounts' statistics), the workbook imported back from that layout (a date cell or a
和暦 text read with entry's checks), and ``--data`` writing it as its own CSV and .dta."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from db import open_store
from survey import Blank, Single
from survey.answers import Date, Number, Table, Text
from tui.cli import main

from .conftest import FIXTURES
from .export_helpers import enter

FORM = FIXTURES / "contracts.xlsx"

ROWS = {
    "契約課": Table((
        {"subject": Text("道路補修"), "amount": Number(Decimal(1200000)), "signed": Date(date(2024, 4, 1)),
         "method": Single(3), "reason": Text("緊急")},
        {"subject": Text("備品"), "amount": Number(Decimal(500)), "signed": Date(date(2024, 5, 1)), "method": Single(1)},
    )),
    "道路課": Table((
        {"subject": Text("=1+1"), "amount": Number(Decimal(300)), "signed": Date(date(2019, 4, 30)), "method": Single(3),
         "reason": Blank()},
    )),
}


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "table.sqlite"
    assert main(["--db", str(path), "new", str(FORM)]) == 0
    with open_store(path, "clerk-a") as store:
        for name, table in ROWS.items():
            enter(store, name, {"has_contracts": Single(1), "contract_total": Number(Decimal(1)), "budget": Blank(),
                                "cases": Number(Decimal(len(table.rows))), "contract_date": Blank(), "contracts": table,
                                "distance": Blank()})
        enter(store, "財政課", {"has_contracts": Single(2), "distance": Blank()})
    return path


def _export(db, tmp_path, *extra):
    out = tmp_path / "集計.xlsx"
    assert main(["--db", str(db), "export", "-o", str(out), *extra]) == 0
    return out


def test_the_repeat_has_its_own_sheet_in_long_format(db, tmp_path):
    book = openpyxl.load_workbook(_export(db, tmp_path))
    assert "contracts" in book.sheetnames and "contracts_集計" in book.sheetnames
    rows = list(book["contracts"].iter_rows(values_only=True))
    assert rows[0] == ("部局", "所属", "行", "subject", "amount", "signed", "method", "reason")
    assert rows[1] == ("総務部", "契約課", 1, "道路補修", 1200000, datetime(2024, 4, 1), 3, "緊急")
    assert rows[2] == ("総務部", "契約課", 2, "備品", 500, datetime(2024, 5, 1), 1, "非該当")
    assert rows[3] == ("建設部", "道路課", 1, "=1+1", 300, datetime(2019, 4, 30), 3, "無回答")  # text stays text
    assert book["contracts"]["F2"].is_date and book["contracts"]["E2"].number_format == "#,##0"
    # 回答一覧 is as it was for the other questions: no column for the repeat
    header = [c for c in next(book["回答一覧"].iter_rows(min_row=3, max_row=3, values_only=True)) if c]
    assert "contracts" not in header and "contract_total" in header


def test_the_repeat_is_tallied_over_rows_and_per_department(db, tmp_path):
    book = openpyxl.load_workbook(_export(db, tmp_path))
    cells = [[c for c in row if c is not None] for row in book["contracts_集計"].iter_rows(values_only=True)]
    cells = [row for row in cells if row]
    assert any("計 3 行、2 所属" in str(row[0]) for row in cells)
    assert ["契約課", "総務部", 2] in cells and ["道路課", "建設部", 1] in cells
    assert ["合計", 1200800] in cells and ["中央値", 500] in cells and ["最小", 300] in cells and ["最大", 1200000] in cells
    assert ["3 随意契約", 2, pytest.approx(2 / 3)] in cells  # base: rows
    assert ["契約課", 1, 0, 1] in cells and ["道路課", 0, 0, 1] in cells  # rows per department
    assert ["最も早い日", datetime(2019, 4, 30), "平成31年4月30日"] in cells
    summary = [str(c) for row in book["集計"].iter_rows(values_only=True) for c in row if c]
    assert any("2 所属から計 3 行" in c and "contracts_集計" in c for c in summary)


def test_the_workbook_imports_back_with_its_rows(db, tmp_path):
    out = _export(db, tmp_path)
    fresh = tmp_path / "fresh.sqlite"
    assert main(["--db", str(fresh), "new", str(FORM)]) == 0
    assert main(["--db", str(fresh), "import", str(out)]) == 0
    with open_store(fresh, "b") as store:
        answers = {r.department.name: r.answers for r in store.responses()}
    assert answers["契約課"]["contracts"] == ROWS["契約課"]
    assert answers["道路課"]["contracts"] == ROWS["道路課"]
    assert "contracts" not in answers["財政課"]


def test_a_date_keyed_as_text_is_read_like_entry_and_an_impossible_one_refused(db, tmp_path, capsys):
    out = _export(db, tmp_path)
    book = openpyxl.load_workbook(out)
    sheet = book["contracts"]
    sheet["F2"] = "令和6年4月1日"
    sheet["F3"] = "R6.5.1"
    book.save(tmp_path / "typed.xlsx")
    fresh = tmp_path / "fresh.sqlite"
    assert main(["--db", str(fresh), "new", str(FORM)]) == 0
    assert main(["--db", str(fresh), "import", str(tmp_path / "typed.xlsx")]) == 0
    with open_store(fresh, "b") as store:
        answers = {r.department.name: r.answers for r in store.responses()}
    assert answers["契約課"]["contracts"] == ROWS["契約課"]
    sheet["F2"] = "令和元年4月1日"  # 令和 began on 1 May 2019
    sheet["E3"] = "-5"
    book.save(tmp_path / "bad.xlsx")
    again = tmp_path / "again.sqlite"
    assert main(["--db", str(again), "new", str(FORM)]) == 0
    capsys.readouterr()
    assert main(["--db", str(again), "import", str(tmp_path / "bad.xlsx")]) != 0
    said = capsys.readouterr()
    text = said.out + said.err
    assert "「contracts」シート 2 行目 signed（契約日）" in text and "平成31年4月1日" in text
    with open_store(again, "b") as store:
        assert all(not r.answers for r in store.responses())  # all or nothing


def test_rows_numbered_with_a_gap_are_refused(db, tmp_path, capsys):
    book = openpyxl.load_workbook(_export(db, tmp_path))
    book["contracts"]["C3"] = 3
    book.save(tmp_path / "gap.xlsx")
    fresh = tmp_path / "fresh.sqlite"
    assert main(["--db", str(fresh), "new", str(FORM)]) == 0
    capsys.readouterr()
    assert main(["--db", str(fresh), "import", str(tmp_path / "gap.xlsx")]) != 0
    said = capsys.readouterr()
    assert "1 から欠けずに" in said.out + said.err


def test_data_writes_the_repeat_as_its_own_csv_and_dta(db, tmp_path):
    import pandas as pd

    _export(db, tmp_path, "--data", str(tmp_path / "data"))
    rows = pd.read_stata(tmp_path / "data" / "chosho_data_contracts.dta")
    assert list(rows.columns) == ["部局", "所属", "行", "subject", "amount", "signed", "method", "reason"]
    assert list(rows["amount"]) == [1200000, 500, 300]
    assert list(rows["signed"]) == [pd.Timestamp("2024-04-01"), pd.Timestamp("2024-05-01"), pd.Timestamp("2019-04-30")]
    assert list(rows["method"].astype(str)) == ["随意契約", "一般競争入札", "随意契約"]  # value labels
    from pandas.io.stata import StataReader

    with StataReader(tmp_path / "data" / "chosho_data_contracts.dta") as reader:
        reader.read()
        formats = dict(zip(reader._varlist, reader._fmtlist))
    assert formats["signed"] == "%td"
    departments = pd.read_stata(tmp_path / "data" / "chosho_data.dta")
    linked = rows.merge(departments, on=["部局", "所属"])
    assert len(linked) == 3 and set(linked["所属"]) == {"契約課", "道路課"}
    csv = pd.read_csv(tmp_path / "data" / "chosho_data_contracts.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(csv["signed"]) == ["2024-04-01", "2024-05-01", "2019-04-30"]
    assert list(csv["subject"])[2] == "'=1+1"  # the CSV's formula guard
    assert list(csv["reason"]) == ["緊急", "非該当", "無回答"]


def test_the_report_draft_states_the_rows(db, tmp_path):
    out = tmp_path / "r.docx"
    assert main(["--db", str(db), "report", "-o", str(out)]) == 0


def test_synthetic_forms_with_a_repeat_are_valid_and_export():
    """The benchmarks' synthetic answers cover a repeat too: every table they draw is one the
    store accepts, and the workbook's rows and tallies are written from them."""
    import random

    from exports.synthetic import random_answers
    from exports.xlsform import read_definition
    from survey import Router, check_answer

    questionnaire, _ = read_definition(FORM)
    rng = random.Random(11)
    tables = 0
    for _ in range(60):
        answers = random_answers(questionnaire, rng, Router(questionnaire))
        for qid, value in answers.items():
            assert check_answer(questionnaire, qid, value) == [], (qid, value)
        tables += isinstance(answers.get("contracts"), Table) and bool(answers["contracts"].rows)
    assert tables > 10


def test_the_tally_screen_states_a_repeat_s_rows(db):
    from exports.records import read_records
    from exports.tally import Tallies
    from tui.screens.tally import render_tally

    with open_store(db, "reader") as store:
        records = read_records(store)
        lines = [line.plain for line in render_tally(store.questionnaire, Tallies(store.questionnaire, records), 100)]
    assert any("2 所属・計 3 行" in line and "contracts_集計" in line for line in lines)


def test_the_codebook_explains_the_repeat_s_columns(db, tmp_path):
    book = openpyxl.load_workbook(_export(db, tmp_path))
    rows = {row[0]: row for row in book["変数一覧"].iter_rows(values_only=True) if row and row[0]}
    assert rows["amount"][2] == "行の表の列・数値" and rows["amount"][4] == "数値（円）"
    assert "「contracts」シートの列" in rows["amount"][3]
    assert "3 随意契約" in rows["method"][4]
    assert "method = 3 のときだけ記入" in rows["reason"][5]
