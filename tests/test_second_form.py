"""A second 調書, authored as an XLSForm in tests/fixtures/vehicles.xlsx, through the whole
flow with no line of code for it: chosho new, entry and review under Pilot, double entry, the
export workbook and the analysis data, the fillable forms and their import. Its questions,
lists, skips, variable names and roster are all different from the built-in 調書's."""

from __future__ import annotations

import csv

import openpyxl
import pytest

from db import open_store
from exports.forms import excel_name
from survey import Counts, Grid, Multi, Single, Text
from tui.app import ChoshoApp
from tui.cli import main
from tui.screens.entry import EntryScreen
from tui.screens.summary import SummaryScreen

from .conftest import FIXTURES
from .entry_helpers import open_department, press
from .export_helpers import enter
from .forms_support import cells_for, fill_by_name

FORM = FIXTURES / "vehicles.xlsx"

KEYED = {
    "own": Single(1),
    "usage": Grid({"use_sedan": 1, "use_van": 2, "use_ev": 4}),  # the rows keep their own names
    "inspection": Multi(frozenset({1, 4}), texts={4: "月例点検表"}),
    "fleet": Counts({"total": 3, "ev": 1}),
    "accident": Single(1, texts={1: "駐車場で接触"}),
    "insurance": Single(1),
    "opinion": Text("カーシェアリングを試したい"),
}


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "vehicles.sqlite"
    assert main(["--db", str(path), "new", str(FORM)]) == 0
    return path


def _department(store, name):
    return next(d for d in store.departments() if d.name == name)


async def test_keyed_under_pilot(db):
    with open_store(db, "clerk-a") as store:
        assert [d.name for d in store.departments()] == ["企画課", "広報課", "市民課", "清掃センター", "給水課"]
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await open_department(pilot, "企画課")
            assert isinstance(app.screen, EntryScreen)
            assert app.screen.question_id == "own"
            await press(
                pilot,
                "1",  # own: はい
                "1", "2", "4",  # usage: one code per row
                "1", "4", "enter", "text:月例点検表", "enter",  # inspection, and option 4's box
                "3", "enter", "1", "enter",  # fleet: total, of which EV
                "1", "text:駐車場で接触", "enter",  # accident: はい, and its box
                "1",  # insurance
                "text:カーシェアリングを試したい", "tab",  # opinion
            )
            assert isinstance(app.screen, SummaryScreen)
            assert app.screen.not_entered == []
            await press(pilot, "f9")
        response = store.response(department_id=_department(store, "企画課").id)
        assert dict(response.answers) == KEYED
        assert response.status == "entered"
        assert "reason" not in store.router.route(response.answers)  # off the route: the skip


async def test_reviewed_under_pilot(db):
    """Another person steps through the department, sees the check the author wrote, signs off."""
    from tui.screens.dialogs import ConfirmDialog
    from tui.screens.queue import ReviewQueueScreen
    from tui.screens.review import ReviewScreen
    from tui.widgets.folded import Folded

    with open_store(db, "clerk-a") as store:
        enter(store, "企画課", {**KEYED, "usage": Grid({"use_sedan": 4, "use_van": 4, "use_ev": 4})})
    with open_store(db, "reviewer-b") as store:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("f8")
            await pilot.pause()
            assert isinstance(app.screen, ReviewQueueScreen)
            app.screen.query_one("#filter").value = "企画課"
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            review = app.screen
            assert isinstance(review, ReviewScreen) and review.question_id == "own"
            await pilot.press("down")
            await pilot.pause()
            assert review.question_id == "usage"
            notes = review.query_one("#review-notes", Folded).plain
            assert "すべての車種が「ほとんど使わない」です" in notes  # the workbook's chosho_warn_if
            for _ in range(len(store.questionnaire.questions)):
                await pilot.press("down")
                await pilot.pause()
            await pilot.press("f9")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)  # 確認済にしますか？
            await pilot.press("y")
            await pilot.pause()
        assert store.response(department_id=_department(store, "企画課").id).status == "reviewed"


def test_export_and_analysis_data_use_the_authors_names(db, tmp_path):
    with open_store(db, "clerk-a") as store:
        enter(store, "企画課", KEYED)
    out = tmp_path / "集計.xlsx"
    assert main(["--db", str(db), "export", "-o", str(out), "--data", str(tmp_path / "data")]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book["回答一覧"].iter_rows(values_only=True))
    header = next(r for r in rows if r and "own" in r)
    for name in ("own", "use_sedan", "use_van", "use_ev", "inspection_1", "inspection_4", "inspection_other",
                 "fleet_total", "fleet_ev", "accident", "accident_detail", "insurance", "reason", "reason_other", "opinion"):
        assert name in header, name
    row = next(r for r in rows if r and "企画課" in r)
    values = dict(zip(header, row))
    assert (values["use_ev"], values["inspection_other"], values["fleet_total"]) == (4, "月例点検表", 3)
    assert "管理台数" in book.sheetnames  # the settings' chosho_counts_sheet
    csv_path = tmp_path / "data" / "chosho_data.csv"
    with csv_path.open(encoding="utf-8-sig") as handle:
        assert {"use_sedan", "inspection_other", "fleet_ev"} <= set(next(csv.reader(handle)))


def test_forms_are_filled_and_imported(db, tmp_path, capsys):
    (tmp_path / "forms").mkdir()
    assert main(["--db", str(db), "forms", "-o", str(tmp_path / "forms"), "--department", "市民課"]) == 0
    [form] = (tmp_path / "forms").glob("*.xlsx")
    book = openpyxl.load_workbook(form)
    assert excel_name("reason_other") in book.defined_names
    answers = {"own": Single(2), "reason": Single(3, texts={3: "職員は自転車で移動する"}), "opinion": Text("特になし")}
    with open_store(db, "clerk-a") as store:
        cells = cells_for(store.questionnaire, answers, store.router)
    fill_by_name(form, cells)
    assert main(["--db", str(db), "import", str(form)]) == 0
    with open_store(db, "clerk-a") as store:
        assert dict(store.response(department_id=_department(store, "市民課").id).answers) == answers


def test_double_entry_compares_and_adjudicates_by_the_authors_names(db):
    """B keys the paper again and reads one matrix row and one box differently: the differences
    are named by the workbook's variables, and C's resolutions become the answers."""
    from survey.verification import ANSWER, Cell, take_second, third_value
    from survey.verification.status import VERIFIED

    stores = {who: open_store(db, who) for who in ("田中", "佐藤", "鈴木")}
    a, b, c = stores.values()
    try:
        for store in stores.values():
            store.remember_user()
        department = _department(a, "給水課").id
        enter(a, "給水課", KEYED)
        a.choose_for_verification("by_hand", chosen=[department])
        second = {**KEYED, "usage": Grid({"use_sedan": 1, "use_van": 3, "use_ev": 4}),
                  "inspection": Multi(frozenset({1, 4}), texts={4: "月例点検"})}
        keying = b.start_second_keying(department)
        version = keying.version
        for qid in a.router.route(second).order:
            version = b.save_second_answer(keying.id, qid, second[qid], expected_version=version)
        b.complete_second_keying(keying.id)
        assert {d.name for d in c.comparison(department).differences} == {"use_van", "inspection_other"}
        c.resolve(department, take_second("use_van"))
        c.resolve(department, third_value("inspection_other", Cell(ANSWER, "月例点検表（写し）"), "用紙の欄外"))
        c.finish_adjudication(department)
        answers = a.response(department_id=department).answers
        assert answers["usage"] == Grid({"use_sedan": 1, "use_van": 3, "use_ev": 4})
        assert answers["inspection"] == Multi(frozenset({1, 4}), texts={4: "月例点検表（写し）"})
        assert a.verification_state(department) == VERIFIED
    finally:
        for store in stores.values():
            store.close()
