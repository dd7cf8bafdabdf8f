"""Issue 27, parts 1 and 2 end to end: the contracts form's amounts, numbers and 和暦 date keyed
under Pilot, reviewed, double-entered, exported as numbers and date cells with their tallies,
read back, written as analysis data, and filled in a form. (Its table of contracts, a repeat, is
keyed here too; tests/test_repeat_*.py follow it through every layer.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from datetime import datetime

import openpyxl
import pytest

from db import open_store
from survey import Blank, Single
from survey.answers import Date, Number, Table, Text
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
    "contract_date": Date(date(2024, 4, 1)),
    "contracts": Table(tuple(
        {"subject": Text(subject), "amount": Number(Decimal(amount)), "signed": Date(date(2024, 4, day)),
         "method": Single(1)}
        for subject, amount, day in (("道路補修", 10000000, 1), ("備品購入", 345678, 2), ("測量委託", 2000000, 3))
    )),
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
            await press(pilot, "f2")  # budget: 無回答 on paper first …
            assert store.response(department_id=_department(store, "契約課").id).answers["budget"] == Blank()
            await press(pilot, "shift+tab")  # … then the clerk sees the figure after all
            await press(pilot, "text:１５，０００", "enter")  # budget, 千円
            await press(pilot, "text:-3", "enter")  # cases: below its bound
            assert "小さすぎます" in app.screen.message
            app.screen.key_line.value = ""
            await press(pilot, "text:3件", "enter")
            await press(pilot, "text:令和元年4月1日", "enter")  # impossible: 令和 began 2019-05-01
            assert "2019-04-01 は平成31年4月1日です" in app.screen.message
            app.screen.key_line.value = ""
            await press(pilot, "text:Ｒ６．４．１", "enter")  # as the paper writes it, full-width
            assert app.screen.question_id == "contracts"  # 問４ said 3: three rows, keyed heads-down
            for subject, amount, day in (("道路補修", "10,000,000", 1), ("備品購入", "３４５，６７８", 2), ("測量委託", "2000000", 3)):
                await press(pilot, f"text:{subject}", "enter", f"text:{amount}", "enter", f"text:R6.4.{day}", "enter", "1")
            await press(pilot, "text:1234.5", "enter")  # distance, a decimal
            assert isinstance(app.screen, SummaryScreen)
            table = app.screen.query_one("DataTable")
            shown = {qid: str(table.get_row(qid)[2]).strip() for qid in KEYED}
            assert shown["contract_total"] == "12,345,678円" and shown["budget"] == "15,000千円"
            assert shown["distance"] == "1,234.5km"
            assert shown["contract_date"].startswith("令和6年4月1日（2024-04")  # cut with … at 80 columns
            await press(pilot, "f9")
        response = store.response(department_id=_department(store, "契約課").id)
        assert dict(response.answers) == KEYED


OTHERS = {
    "財政課": {"has_contracts": Single(1), "contract_total": Number(Decimal("87654321")), "budget": Blank(),
             "cases": Number(Decimal("12")), "contract_date": Date(date(2019, 4, 30)),
             "distance": Number(Decimal("0.1"))},
    "道路課": {"has_contracts": Single(2), "distance": Number(Decimal("99999.9"))},
}


def _all_entered(db):
    with open_store(db, "clerk-a") as store:
        enter(store, "契約課", KEYED)
        for name, answers in OTHERS.items():
            enter(store, name, answers)


def test_exported_as_numbers_and_read_back_exactly(db, tmp_path):
    import pandas as pd

    _all_entered(db)
    out = tmp_path / "集計.xlsx"
    assert main(["--db", str(db), "export", "-o", str(out), "--data", str(tmp_path / "data")]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book["回答一覧"].iter_rows(values_only=True))
    header = next(r for r in rows if r and "contract_total" in r)
    by_department = {r[header.index("所属")]: dict(zip(header, r)) for r in rows if r and r[1] in ("契約課", "財政課", "道路課")}
    assert by_department["契約課"]["contract_total"] == 12345678  # a number cell, not a text
    assert by_department["契約課"]["distance"] == 1234.5
    assert by_department["財政課"]["budget"] == "無回答"
    assert by_department["道路課"]["contract_total"] == "非該当"  # off the route
    assert by_department["契約課"]["contract_date"] == datetime(2024, 4, 1)  # an Excel date cell
    frame = pd.read_stata(tmp_path / "data" / "chosho_data.dta")
    assert sorted(frame["contract_total"].dropna().tolist()) == [12345678.0, 87654321.0]
    days = dict(zip(frame["所属"], frame["contract_date"]))
    assert (days["契約課"], days["財政課"]) == (pd.Timestamp("2024-04-01"), pd.Timestamp("2019-04-30"))  # Stata %td
    with pd.io.stata.StataReader(tmp_path / "data" / "chosho_data.dta") as reader:
        reader.read()  # the formats are read with the data
        formats = dict(zip(reader._varlist, reader._fmtlist))
    assert formats["contract_date"] == "%td"
    with (tmp_path / "data" / "chosho_data.csv").open(encoding="utf-8-sig") as handle:
        text = handle.read()
    assert "99999.9" in text and "0.1" in text and "2024-04-01" in text

    # The workbook comes back: every amount exactly as stored (no float drift through Excel).
    fresh = tmp_path / "again.sqlite"
    assert main(["--db", str(fresh), "new", str(FORM)]) == 0
    assert main(["--db", str(fresh), "import", str(out)]) == 0
    with open_store(fresh, "clerk-b") as store:
        assert dict(store.response(department_id=_department(store, "契約課").id).answers) == KEYED
        assert dict(store.response(department_id=_department(store, "財政課").id).answers) == OTHERS["財政課"]


async def test_amounts_are_reviewed_as_grouped_numbers_with_their_unit(db):
    from tui.screens.queue import ReviewQueueScreen
    from tui.screens.review import ReviewScreen

    _all_entered(db)
    with open_store(db, "reviewer-b") as store:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("f8")
            await pilot.pause()
            assert isinstance(app.screen, ReviewQueueScreen)
            app.screen.query_one("#filter").value = "財政課"
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            review = app.screen
            assert isinstance(review, ReviewScreen)
            table = review.query_one("DataTable")
            rows = {str(table.get_row_at(i)[0]): table.get_row_at(i) for i in range(table.row_count)}
            assert "87,654,321円" in str(rows["contract_total"][2])
            assert "無回答" in str(rows["budget"][1]) and "0.1km" in str(rows["distance"][2])


async def test_an_amount_in_a_form_is_checked_like_typed_entry(db, tmp_path, capsys):
    from exports.forms import excel_name

    from .forms_support import fill_by_name

    (tmp_path / "forms").mkdir()
    assert main(["--db", str(db), "forms", "-o", str(tmp_path / "forms"), "--department", "契約課"]) == 0
    [form] = (tmp_path / "forms").glob("*.xlsx")
    book = openpyxl.load_workbook(form)
    assert excel_name("contract_total") in book.defined_names
    sheet = book[book.sheetnames[0]]
    rules = [dv for dv in sheet.data_validations.dataValidation if dv.type in ("whole", "decimal")]
    assert {dv.type for dv in rules} >= {"whole", "decimal"}
    bad = fill_by_name(form, {"has_contracts": 1, "contract_total": "１２３万"}, out=tmp_path / "bad.xlsx")
    assert main(["--db", str(db), "import", str(bad)]) != 0
    assert "「万」「億」や漢数字は使わず" in capsys.readouterr().err
    bad_date = fill_by_name(form, {"has_contracts": 1, "contract_date": "令和元年4月1日"}, out=tmp_path / "bad_date.xlsx")
    assert main(["--db", str(db), "import", str(bad_date)]) != 0
    assert "平成31年4月1日です" in capsys.readouterr().err
    fill_by_name(form, {"has_contracts": 1, "contract_total": "１２，３４５，６７８", "budget": 15000, "cases": "3件",
                        "contract_date": datetime(2024, 4, 1), "distance": 1234.5,  # Excel's own date cell
                        **{f"{field}_{n}": value for n, row in enumerate(KEYED["contracts"].rows, start=1)
                           for field, value in (("subject", row["subject"].text), ("amount", int(row["amount"].value)),
                                                ("signed", f"R6.4.{row['signed'].day.day}"), ("method", 1))}})
    assert main(["--db", str(db), "import", str(form)]) == 0
    with open_store(db, "clerk-a") as store:
        assert dict(store.response(department_id=_department(store, "契約課").id).answers) == KEYED


def test_the_tallies_state_count_sum_mean_median_min_max_and_base(db, tmp_path):
    _all_entered(db)
    out = tmp_path / "集計.xlsx"
    assert main(["--db", str(db), "export", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    rows = [list(r) for name in book.sheetnames for r in book[name].iter_rows(values_only=True)]
    title = next(i for i, r in enumerate(rows) if any(isinstance(c, str) and c.startswith("問２　随意契約の契約金額") for c in r))
    block = rows[title: title + 12]
    stats = {r[1]: r[2] for r in block if r and len(r) > 2 and isinstance(r[1], str)}
    # 契約課 12,345,678 and 財政課 87,654,321; 道路課 is off the route.
    assert stats["記入所属数"] == 2
    assert stats["合計"] == 99999999
    assert stats["平均"] == 49999999.5
    assert stats["中央値"] == 49999999.5
    assert (stats["最小"], stats["最大"]) == (12345678, 87654321)
    assert any(isinstance(c, str) and "基数 Ｎ＝2 所属" in c for r in block for c in r)
    budget = next(i for i, r in enumerate(rows) if any(isinstance(c, str) and c.startswith("問３　予算額") for c in r))
    notes = " ".join(str(c) for r in rows[budget: budget + 12] for c in r if c)
    assert "記入のあった 1 所属で計算（無回答・無効の 1 所属は含まない）" in notes  # 財政課 left it blank


def test_the_tallies_state_the_earliest_and_latest_date(db, tmp_path):
    _all_entered(db)
    out = tmp_path / "集計.xlsx"
    assert main(["--db", str(db), "export", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    rows = [list(r) for name in book.sheetnames for r in book[name].iter_rows(values_only=True)]
    title = next(i for i, r in enumerate(rows) if any(isinstance(c, str) and c.startswith("問５　最初の随意契約の契約日") for c in r))
    stats = {r[1]: r[2:4] for r in rows[title: title + 8] if r and len(r) > 3 and isinstance(r[1], str)}
    assert stats["最も早い日"] == [datetime(2019, 4, 30), "平成31年4月30日"]
    assert stats["最も遅い日"] == [datetime(2024, 4, 1), "令和6年4月1日"]
    assert stats["記入所属数"][0] == 2


def test_an_amount_is_stored_and_audit_logged_as_its_exact_digits(db):
    """No float anywhere between the clerk and the file: the answer's JSON and the audit log's
    new value hold the digits as a string."""
    import json
    import sqlite3

    with open_store(db, "clerk-a") as store:
        enter(store, "契約課", {"has_contracts": Single(1), "distance": Number(Decimal("0.1")),
                               "contract_total": Number(Decimal("99999999999"))}, status="draft")
    with sqlite3.connect(db) as raw:
        stored = dict(raw.execute("SELECT question_id, value FROM answers"))
        logged = [json.loads(new) for (new,) in raw.execute(
            "SELECT new FROM audit_log WHERE question_id = 'distance' AND new IS NOT NULL")]
    assert json.loads(stored["distance"]) == {"number": "0.1"}
    assert json.loads(stored["contract_total"]) == {"number": "99999999999"}
    assert any("0.1" in json.dumps(entry) and "number" in json.dumps(entry) for entry in logged)


def test_number_stats_are_exact():
    from exports.tally import QuestionTally

    tally = QuestionTally(question=None)
    tally.numbers = [Decimal("0.1"), Decimal("0.2"), Decimal("0.3")]
    stats = tally.number_stats()
    assert stats["sum"] == Decimal("0.6") and stats["median"] == Decimal("0.2") and stats["mean"] == Decimal("0.2")


def test_double_entry_compares_amounts_and_the_adjudicator_settles_them(db):
    """B reads the total as 12,345,687: the difference is named contract_total; C types the
    third value as the paper shows it, read like entry."""
    from survey.verification import take_second  # noqa: F401  (the API the screens use)
    from survey.verification.typed import typed_cell

    stores = {who: open_store(db, who) for who in ("田中", "佐藤", "鈴木")}
    a, b, c = stores.values()
    try:
        for store in stores.values():
            store.remember_user()
        department = _department(a, "契約課").id
        enter(a, "契約課", KEYED)
        a.choose_for_verification("by_hand", chosen=[department])
        second = {**KEYED, "contract_total": Number(Decimal("12345687")), "distance": Number(Decimal("1234.50")),
                  "contract_date": Date(date(2024, 4, 10))}
        keying = b.start_second_keying(department)
        version = keying.version
        for qid in a.router.route(second).order:
            version = b.save_second_answer(keying.id, qid, second[qid], expected_version=version)
        b.complete_second_keying(keying.id)
        comparison = c.comparison(department)
        assert {d.name for d in comparison.differences} == {"contract_total", "contract_date"}  # 1234.5 = 1234.50
        from survey.verification import third_value
        from survey.verification.compare import Comparer

        comparer = Comparer(a.questionnaire)
        cell = typed_cell(comparer, "contract_total", "１２，３４５，６７８円")
        c.resolve(department, third_value("contract_total", cell, "用紙を再確認"))
        c.resolve(department, third_value("contract_date", typed_cell(comparer, "contract_date", "R060401"), "用紙を再確認"))
        c.finish_adjudication(department)
        assert a.response(department_id=department).answers["contract_total"] == KEYED["contract_total"]
        assert a.response(department_id=department).answers["contract_date"] == KEYED["contract_date"]
        import pytest as _pytest
        from survey.verification import VerificationError

        with _pytest.raises(VerificationError, match="「万」「億」や漢数字"):
            typed_cell(comparer, "contract_total", "1234万")
    finally:
        for store in stores.values():
            store.close()


def test_show_prints_the_unit_and_bounds(capsys):
    assert main(["show", "--definition", str(FORM)]) == 0
    out = capsys.readouterr().out
    assert "問２（数値）随意契約の契約金額の合計を記入してください。" in out
    assert "［整数　単位 円　範囲 0～99,999,999,999］" in out
    assert "［小数可　単位 km　範囲 0～100,000］" in out


def test_synthetic_answers_for_a_form_with_amounts_are_valid():
    import random

    from exports.synthetic import random_answers
    from exports.xlsform import read_definition
    from survey import Router, check_answer

    questionnaire, _ = read_definition(FORM)
    rng = random.Random(7)
    for _ in range(50):
        answers = random_answers(questionnaire, rng, Router(questionnaire))
        for qid, value in answers.items():
            assert check_answer(questionnaire, qid, value) == [], (qid, value)


def test_the_report_draft_and_the_tally_screen_state_amounts_and_dates(db, tmp_path):
    """The report draft (issue 28) and the live tally word a number question's figures and a date
    question's earliest and latest day from the same computation as the workbook."""
    from exports.records import read_records
    from exports.tally import Tallies
    from tui.screens.tally import render_tally

    _all_entered(db)
    out = tmp_path / "draft.md"
    assert main(["--db", str(db), "report", "-o", str(out), "--half-width"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "記入のあった 2所属の合計は99,999,999円、平均は49,999,999.5円、中央値は49,999,999.5円" in text
    assert "最も早い日は平成31年4月30日、最も遅い日は令和6年4月1日" in text
    with open_store(db, "clerk-a") as store:
        records = read_records(store)
        lines = [str(line) for line in render_tally(store.questionnaire, Tallies(store.questionnaire, records), 120)]
    assert any("合計 99,999,999円" in line and "平均 49,999,999.5円" in line for line in lines)
    assert any("平成31年4月30日 ～ 令和6年4月1日" in line for line in lines)
