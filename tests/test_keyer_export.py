"""入力者統計 and the double-entry columns of 入力状況, read back from the exported workbook.

The events are put in the store directly (as the entry screens record them) in a scripted
session whose figures are counted by hand (tests/keyer_support.py); the verification states are made through the
store's own double-entry API by three people (first keyer, verifier, adjudicator).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from db import open_store
from exports.workbook import export_workbook
from survey import Single
from survey.verification import HEADERS, take_second

from .export_helpers import scenario_store, sheet_rows
from .keyer_support import HAND, scripted_events
from .store_support import FORM


def keyer_table(ws) -> tuple[int, list[list]]:
    """The header row's index and the table's rows under it (up to the first empty row)."""
    rows = sheet_rows(ws)
    top = next(i for i, r in enumerate(rows) if r[0] == HEADERS[0])
    body = []
    for r in rows[top + 1:]:
        if r[0] is None:
            break
        body.append(r)
    return top, body


@pytest.fixture(scope="module")
def scripted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keyers")
    store = scenario_store(folder / "db.sqlite")
    ids = [d.id for d in store.departments()]
    store.record_events(scripted_events(ids[0], ids[1]))
    store.choose_for_verification("every_nth", parameter=5, seed=20241)
    path = export_workbook(store, folder / "集計.xlsx").path
    store.close()
    return openpyxl.load_workbook(path)


def test_keyer_sheet_figures_equal_the_hand_count(scripted):
    ws = scripted["入力者統計"]
    assert scripted.sheetnames[-2:] == ["入力状況", "入力者統計"]
    top, body = keyer_table(ws)
    assert [str(c.value).replace("\n", "") for c in ws[top + 1][: len(HEADERS)]] == list(HEADERS)
    got = {(r[0], r[1]): tuple(r[2:len(HEADERS)]) for r in body}
    assert got == HAND
    # each person's days, then the person's total
    assert [(r[0], r[1]) for r in body] == list(HAND)
    # numbers are numbers (a day a date), with number formats; a rate without a base is 「－」
    day_cell = ws.cell(top + 2, 2)
    assert day_cell.is_date and day_cell.number_format == "yyyy-mm-dd"
    for col in range(3, len(HEADERS) + 1):
        cell = ws.cell(top + 3, col)  # 田中 12-02
        assert cell.data_type == ("s" if cell.value == "－" else "n"), (col, cell.value)
    assert ws.cell(top + 3, 14).number_format == "#,##0.0"
    assert ws.cell(top + 4, 1).font.b  # the 合計 row stands out
    assert ws.freeze_panes == "B4" and ws.auto_filter.ref.startswith("A3:")


def test_keyer_sheet_states_the_pause_the_definitions_and_the_plans(scripted):
    ws = scripted["入力者統計"]
    text = "\n".join(str(v) for r in sheet_rows(ws) for v in r if isinstance(v, str))
    assert "休止の閾値: 5 分" in text
    for head in ("入力時間（分）", "打鍵数／時", "照合誤り（1,000項目あたり）", "入力誤り（1,000項目あたり）"):
        assert f"\n{head}: " in text or text.startswith(f"{head}: ") or f"。{head}: " in text, head
    assert "5 分を超える間隔は休止として数えません" in text
    rows = sheet_rows(ws)
    plan_head = next(i for i, r in enumerate(rows) if r[0] == "番号")
    plan = rows[plan_head + 1]
    assert plan[0] == 1 and plan[1] == "一定間隔" and plan[2] == 5 and plan[3] == 20241
    assert plan[4].startswith("名簿順に 5 所属ごと") and "シード 20241" in plan[4]
    assert plan[10] == 12 and plan[11] == "clerk" and plan[12].startswith("20")
    # printed like the other sheets: A4 landscape, fit to width, the header row repeated
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$3:$3"
    # a Japanese heading is never cut: every column is as wide as its longest unbreakable part
    assert ws.column_dimensions["K"].width >= 20  # 照合誤り（1,000項目あたり）


def test_keyer_sheet_without_double_entry_says_so(tmp_path):
    store = scenario_store(tmp_path / "db.sqlite")
    path = export_workbook(store, tmp_path / "空.xlsx").path
    store.close()
    ws = openpyxl.load_workbook(path)["入力者統計"]
    rows = sheet_rows(ws)
    assert rows[1][0].startswith("休止の閾値: 5 分")
    assert rows[2][0].startswith("まだ入力の記録がありません。")
    assert not any(r[0] == HEADERS[0] for r in rows)  # no empty table
    assert any(r[0] == "照合入力の対象はまだ選ばれていません。" for r in rows)
    assert ws.freeze_panes is None


# -- 入力状況: each department's verification state ------------------------------------------


def _key_first(store, department_id: int, form=FORM) -> None:
    response = store.response(department_id=department_id)
    version = response.version
    for qid, value in form:
        version = store.save_answer(response.id, qid, value, expected_version=version)
    store.mark_entered(response.id, expected_version=version)


def _key_second(store, department_id: int, form, *, complete: bool = True) -> None:
    keying = store.start_second_keying(department_id)
    version = keying.version
    for qid, value in form:
        version = store.save_second_answer(keying.id, qid, value, expected_version=version)
    if complete:
        store.complete_second_keying(keying.id)


@pytest.fixture
def people(tmp_path: Path):
    path = tmp_path / "chosho.sqlite"
    stores = {name: open_store(path, who) for name, who in (("a", "田中"), ("b", "佐藤"), ("c", "鈴木"))}
    for store in stores.values():
        store.remember_user()
    yield stores
    for store in stores.values():
        store.close()


def test_progress_sheet_shows_every_verification_state(people, tmp_path):
    a, b, c = people["a"], people["b"], people["c"]
    depts = a.departments()
    waiting, keying, adjudicate, verified, untouched = (d.id for d in depts[:5])
    for dept in (waiting, keying, adjudicate, verified):
        _key_first(a, dept)
    a.choose_for_verification("by_hand", chosen=[waiting, keying, adjudicate, verified])
    _key_second(b, keying, FORM[:3], complete=False)
    different = tuple((q, Single(3) if q == "Q5" else v) for q, v in FORM)
    _key_second(b, adjudicate, different)
    _key_second(b, verified, different)
    c.resolve(verified, take_second("Q5"))
    c.finish_adjudication(verified)
    path = export_workbook(c, tmp_path / "集計.xlsx").path
    ws = openpyxl.load_workbook(path)["入力状況"]
    rows = sheet_rows(ws)
    heads = rows[2]
    at = {h: heads.index(h) for h in ("照合の状態", "照合入力者", "照合入力の日時", "突合者", "突合日時")}
    by_name = {r[1]: r for r in rows[3:]}
    state = {d.id: by_name[d.name][at["照合の状態"]] for d in depts[:5]}
    assert state == {
        waiting: "照合入力待ち", keying: "照合入力中", adjudicate: "突合待ち", verified: "照合済", untouched: "照合対象外",
    }
    names = {d.id: d.name for d in depts}
    row = by_name[names[verified]]
    assert row[at["照合入力者"]] == "佐藤" and row[at["照合入力の日時"]].startswith("20")
    assert row[at["突合者"]] == "鈴木" and row[at["突合日時"]].startswith("20")
    row = by_name[names[keying]]  # keying still: the verifier named, no completion time yet
    assert row[at["照合入力者"]] == "佐藤" and row[at["照合入力の日時"]] is None and row[at["突合者"]] is None
    assert by_name[names[waiting]][at["照合入力者"]] is None
    assert "照合: 照合対象外 54／照合入力待ち 1／照合入力中 1／突合待ち 1／照合済 1" in rows[1][0]
    assert ws.auto_filter.ref.endswith(f"T{len(rows)}")  # the filter covers the new columns
    # the store's own verdicts reach 入力者統計: two blind keyings completed (every question on
    # the route verified), one difference settled by taking the second keying (a keyer error)
    on_route = len(a.router.route(dict(different)).order)
    _top, body = keyer_table(openpyxl.load_workbook(path)["入力者統計"])
    totals = {r[0]: dict(zip(HEADERS, r)) for r in body if r[1] == "合計"}
    assert totals["佐藤"]["照合項目数"] == 2 * on_route and totals["佐藤"]["照合誤り数"] == 0
    assert totals["田中"]["照合された項目数"] == 2 * on_route and totals["田中"]["入力誤り数"] == 1
    assert totals["田中"]["入力誤り（1,000項目あたり）"] == round(1000 / (2 * on_route), 1)
