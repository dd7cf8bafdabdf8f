"""Issue 27, a repeat keyed row by row on one screen at 80×24 (Pilot): each row stored the
moment it is accepted, the row's own relevance skipping a field, repeat_count driving the rows,
F8 / F9 / F10 adding, inserting and (confirmed) removing rows, a bad cell refused in place."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from db import open_store
from survey import Blank, Single
from survey.answers import Date, Number, Table, Text
from tui.app import ChoshoApp
from tui.cli import main
from tui.screens.dialogs import ConfirmDialog
from tui.screens.entry import EntryScreen
from tui.widgets.table_field import TableField

from .conftest import FIXTURES
from .entry_helpers import open_department, press

FORM = FIXTURES / "contracts.xlsx"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "table.sqlite"
    assert main(["--db", str(path), "new", str(FORM)]) == 0
    return path


def _answers(store, name="契約課"):
    department = next(d for d in store.departments() if d.name == name)
    return store.response(department_id=department.id).answers


async def _to_table(pilot, cases="2"):
    await open_department(pilot, "契約課")
    await press(pilot, "1", "text:1000", "enter", "text:10", "enter", f"text:{cases}", "enter", "text:R6.4.1", "enter")


async def test_rows_are_keyed_heads_down_and_stored_row_by_row(db):
    with open_store(db, "clerk-a") as store:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await _to_table(pilot)
            screen = app.screen
            assert isinstance(screen, EntryScreen) and screen.question_id == "contracts"
            assert isinstance(screen.field, TableField) and screen.field.target == 2
            assert screen.query_one("#key-prompt").render().plain.startswith("行1 件名")
            await press(pilot, "text:道路補修", "enter", "text:1,200,000", "enter")
            await press(pilot, "text:令和元年4月1日", "enter")  # refused with the reason, the row waits
            assert "平成31年4月1日" in screen.message
            assert "contracts" not in _answers(store)
            screen.key_line.value = ""
            await press(pilot, "text:R6.4.1", "enter", "3")  # 方式 3 (随意契約): a code is taken at once
            assert screen.query_one("#key-prompt").render().plain.startswith("行1 随意契約の理由")
            await press(pilot, "text:緊急のため", "enter")  # the row is complete: stored now
            first = _answers(store)["contracts"]
            assert first == Table(({"subject": Text("道路補修"), "amount": Number(Decimal(1200000)),
                                    "signed": Date(date(2024, 4, 1)), "method": Single(3), "reason": Text("緊急のため")},))
            assert screen.field.current == 1
            # row 2: 一般競争入札, so the row does not ask for the reason
            await press(pilot, "text:備品", "enter", "text:５００", "enter", "text:2024/5/1", "enter", "1")
            assert screen.question_id == "distance"  # 2 rows asked by 問４: on to the next question
        table = _answers(store)["contracts"]
        assert len(table.rows) == 2 and "reason" not in table.rows[1]
        assert table.rows[1]["amount"] == Number(Decimal(500))
        department = next(d for d in store.departments() if d.name == "契約課")
        log = store.row_log(store.response(department_id=department.id).id, "contracts")
        assert [line.split(" ", 3)[3][:8] for line in log] == ["行1 を追加: ", "行2 を追加: "]


async def test_f_keys_add_insert_and_remove_rows(db):
    with open_store(db, "clerk-a") as store:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await _to_table(pilot, cases="1")
            screen = app.screen
            await press(pilot, "text:A", "enter", "text:1", "enter", "text:R6.4.1", "enter", "1")
            assert screen.question_id == "distance"
            await press(pilot, "shift+tab")
            assert screen.question_id == "contracts"
            await press(pilot, "f8")  # a row after the last, beyond 問４'s count
            assert screen.field.current == 1
            await press(pilot, "text:B", "enter", "text:2", "enter", "text:R6.4.2", "enter", "2")
            assert [r["subject"].text for r in _answers(store)["contracts"].rows] == ["A", "B"]
            assert screen.question_id == "distance"  # the row past the count is kept; on to the next
            await press(pilot, "shift+tab", "up")  # back at the top of the keyed table
            assert screen.field.current == 0
            await press(pilot, "f9")  # a new row before row 1
            await press(pilot, "text:Z", "enter", "text:3", "enter", "text:R6.4.3", "enter", "1")
            assert [r["subject"].text for r in _answers(store)["contracts"].rows] == ["Z", "A", "B"]
            screen.field.go_to(1)
            await press(pilot, "f10")
            assert isinstance(app.screen, ConfirmDialog)
            await press(pilot, "escape")  # not removed
            assert len(_answers(store)["contracts"].rows) == 3
            await press(pilot, "f10")
            await press(pilot, "enter")  # confirmed
            assert [r["subject"].text for r in _answers(store)["contracts"].rows] == ["Z", "B"]
            assert "行2 を削除しました" in screen.message


async def test_f2_marks_one_cell_blank_and_a_bad_code_is_refused(db):
    with open_store(db, "clerk-a") as store:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await _to_table(pilot, cases="1")
            screen = app.screen
            await press(pilot, "f2")  # 件名 blank on paper
            await press(pilot, "text:-5", "enter")
            assert "行1 金額" in screen.message and "小さすぎます" in screen.message
            screen.key_line.value = ""
            await press(pilot, "text:5", "enter", "text:R6.4.1", "enter", "text:9", "enter")
            assert "9 は選択肢にありません" in screen.message
            screen.key_line.value = ""
            await press(pilot, "2")
        row = _answers(store)["contracts"].rows[0]
        assert row["subject"] == Blank() and row["method"] == Single(2)


ROWS = Table((
    {"subject": Text("道路補修"), "amount": Number(Decimal(1200000)), "signed": Date(date(2024, 4, 1)),
     "method": Single(3), "reason": Text("緊急")},
    {"subject": Text("備品"), "amount": Number(Decimal(500)), "signed": Date(date(2024, 5, 1)), "method": Single(1)},
))


async def test_summary_and_review_show_the_rows(db):
    from tui.screens.review import ReviewScreen
    from tui.screens.summary import SummaryScreen
    from tui.widgets.paper import answer_paragraphs

    from .export_helpers import enter

    with open_store(db, "clerk-a") as store:
        enter(store, "契約課", {"has_contracts": Single(1), "cases": Number(Decimal(2)), "contracts": ROWS}, status="draft")
        department = next(d for d in store.departments() if d.name == "契約課").id
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.push_screen(SummaryScreen(store, department))
            await pilot.pause()
            table = app.screen.query_one("DataTable")
            assert str(table.get_row("contracts")[2]).startswith("2 行: ［1］件名 道路補修")
    question = store.questionnaire.question("contracts")
    paragraphs = answer_paragraphs(question, ROWS, "on")
    shown = [(str(a).strip(), str(b)) for a, b in paragraphs]
    assert shown[0] == ("行1", "件名 道路補修、金額 1,200,000円、契約日 令和6年4月1日（2024-04-01）、方式 3、随意契約の理由 緊急")
    assert shown[1][0] == "行2" and "随意契約の理由" not in shown[1][1]
    assert ReviewScreen  # the review screen draws a question's answer with answer_paragraphs


async def test_the_second_keying_keys_rows_and_the_adjudicator_sees_a_missing_row(db):
    """B keys the table blind on the second-keying screen with one row fewer than A; the
    adjudication screen lists row 3 with 「（行なし）」 on B's side, and taking A's row keeps it."""
    from tui.screens.adjudication import AdjudicationScreen
    from tui.screens.second_keying import SecondKeyingScreen

    from .export_helpers import enter

    rows3 = Table(ROWS.rows + ({"subject": Text("測量"), "amount": Number(Decimal(99)), "signed": Date(date(2024, 6, 1)),
                                "method": Single(2)},))
    first = {"has_contracts": Single(1), "contract_total": Number(Decimal(1)), "budget": Blank(),
             "cases": Number(Decimal(3)), "contract_date": Blank(), "contracts": rows3, "distance": Blank()}
    with open_store(db, "田中") as a:
        a.remember_user()
        department = next(d for d in a.departments() if d.name == "契約課").id
        enter(a, "契約課", first)
        a.choose_for_verification("by_hand", chosen=[department])
    with open_store(db, "佐藤") as b:
        b.remember_user()
        b.start_second_keying(department)
        app = ChoshoApp(b, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = SecondKeyingScreen(b, department)
            app.push_screen(screen)
            await pilot.pause()
            await press(pilot, "1", "text:1", "enter", "f2", "text:2", "enter", "f2")  # 問４ says 2 (B misreads)
            assert screen.question_id == "contracts" and screen.field.target == 2
            await press(pilot, "text:道路補修", "enter", "text:1200000", "enter", "text:R6.4.1", "enter", "3",
                        "text:緊急", "enter")
            await press(pilot, "text:備品", "enter", "text:500", "enter", "text:R6.5.1", "enter", "1")
            assert screen.question_id == "distance"
            await press(pilot, "f2")
        keyed = b.second_keying(department).answers["contracts"]
        assert keyed == ROWS
        b.complete_second_keying(b.second_keying(department).id)
    with open_store(db, "鈴木") as c:
        c.remember_user()
        app = ChoshoApp(c, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = AdjudicationScreen(c, department)
            app.push_screen(screen)
            await pilot.pause()
            by_name = {r.name: r for r in screen.rows}
            assert set(by_name) == {"cases", "contracts_3"}  # rows 4… agree: nothing to settle there
            assert by_name["contracts_3"].second.describe() == "（行なし）"
            assert "subject 測量" in by_name["contracts_3"].first.describe()


async def test_a_table_with_no_rows_is_stored_as_zero_rows(db):
    with open_store(db, "clerk-a") as store:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await _to_table(pilot, cases="0")
            screen = app.screen
            assert screen.question_id == "contracts"
            assert "表を終えて" in screen.key_line.placeholder
            await press(pilot, "enter")
            assert screen.question_id == "distance"
        assert _answers(store)["contracts"] == Table(())


async def test_leaving_mid_row_with_record_stores_the_row_as_keyed(db):
    with open_store(db, "clerk-a") as store:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await _to_table(pilot)
            await press(pilot, "text:道路補修", "enter", "text:1200000", "enter", "escape")
            assert isinstance(app.screen, ConfirmDialog)  # 行1（件名 道路補修、金額 1,200,000円）は未記録
            await press(pilot, "enter")  # 記録して一覧に戻る
            await pilot.pause()
            assert not isinstance(app.screen, EntryScreen)
        table = _answers(store)["contracts"]
        assert table.rows == ({"subject": Text("道路補修"), "amount": Number(Decimal(1200000))},)
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            department = next(d.id for d in store.departments() if d.name == "契約課")
            screen = EntryScreen(store, department, "contracts")
            app.push_screen(screen)
            await pilot.pause()
            assert screen.field.current == 0  # the unfinished row, on its first missing cell
            assert screen.query_one("#key-prompt").render().plain.startswith("行1 件名")


def test_the_review_shows_an_amount_and_a_date_in_its_question_view(db):
    """The one-question view of the review drew nothing for a number or a date question."""
    from tui.widgets.paper import answer_paragraphs

    with open_store(db, "clerk-a") as store:
        q = store.questionnaire
    amount = [str(b) for _, b in answer_paragraphs(q.question("contract_total"), Number(Decimal(1234567)), "on")]
    day = [str(b) for _, b in answer_paragraphs(q.question("contract_date"), Date(date(2024, 4, 1)), "on")]
    assert amount == ["1,234,567円"] and day == ["令和6年4月1日（2024-04-01）"]
