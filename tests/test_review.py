"""Review (issue 5): two people carry a department from 入力済 to 確定 entirely in chosho.

Clerk A (佐藤) and reviewer B (鈴木) each run the app on their own connection to one database
file, pressing the keys they would press. The store and the audit log are checked after every step.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest
from textual.widgets import DataTable, Input

import db.store
from db import RefusedError, open_store
from survey import Multi, Single, Text
from tests.review_support import ANSWERS, fill, showcase, shown_all
from tui.app import ChoshoApp
from tui.screens.departments import DepartmentsScreen
from tui.screens.dialogs import ConfirmDialog, TextDialog
from tui.screens.entry import FINAL_MESSAGE, EntryScreen
from tui.screens.help import HELP_TEXT
from tui.screens.queue import ReviewQueueScreen, review_queue
from tui.screens.review import ReviewScreen
from tui.screens.summary import SummaryScreen
from tui.widgets.folded import Folded
from tui.widgets.row_list import RowList

A, B = "佐藤", "鈴木"
SIZE = (80, 24)


@pytest.fixture
def clock(monkeypatch):
    """Every stamp a minute after the last: deterministic and ordered."""
    ticks = itertools.count()
    monkeypatch.setattr(db.store, "now", lambda: f"2024-10-01T09:{next(ticks) % 60:02d}:00+09:00")


@pytest.fixture
def stores(tmp_path, clock):
    path = tmp_path / "chosho.sqlite"
    a = open_store(path, A)
    b = open_store(path, B)
    yield a, b
    a.close()
    b.close()


def department(store, name):
    return next(d for d in store.departments() if d.name == name)


def actions(store, response_id, since=0):
    return [(e.who, e.action, e.question_id, e.new) for e in store.history(response_id)[since:]]


async def settle(pilot, times: int = 2) -> None:
    for _ in range(times):
        await pilot.pause()


async def type_text(pilot, text: str) -> None:
    """Japanese text arrives as the IME commits it: the whole string into the focused input at once."""
    pilot.app.focused.insert_text_at_cursor(text)
    await pilot.pause()


async def filter_list(pilot, name: str) -> None:
    """Type a department's name into the list's filter (the filter has the keyboard)."""
    pilot.app.screen.query_one("#filter", Input).value = name  # as typed (the queue test types it key by key)
    await settle(pilot)


def list_cell(app, department_id: int, column: int) -> str:
    return app.screen.query_one(RowList).get_row(str(department_id))[column]


# -- the whole cycle ---------------------------------------------------------------------------


def test_two_people_carry_a_department_from_entry_to_final(stores):
    asyncio.run(_cycle(*stores))


async def _cycle(a, b):
    dept = department(a, "総務課")
    rid = a.response(department_id=dept.id).id

    # 1. Clerk A keys Q1 and Q2 on the entry screen; the rest is seeded as A; A marks it 入力済 (F9).
    app_a = ChoshoApp(a, ask_who=False)
    async with app_a.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await filter_list(pilot, "総務課")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app_a.screen, EntryScreen)
        await pilot.press("1")  # Q1 = 1 行った。 taken at once, on to Q2
        await settle(pilot)
        assert app_a.screen.question_id == "Q2"
        for code in "1253":  # Q2: one code per row of the matrix
            await pilot.press(code)
            await settle(pilot, 1)
        await settle(pilot)
        assert a.response(department_id=dept.id).answers["Q2"].cells == {"line": 1, "x": 2, "facebook": 5, "youtube": 3}
        assert a.response(department_id=dept.id).answers["Q1"] == Single(1)
        await pilot.press("escape")
        await settle(pilot)

        fill(a, dept.id, mark_entered=False)
        await pilot.press("enter")  # open again, then 点検一覧 and 入力済
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app_a.screen, SummaryScreen)
        await pilot.press("f9")
        await settle(pilot)
        assert a.response(department_id=dept.id).status == "entered"
        entered = actions(a, rid)
        assert entered[-1] == (A, "status", None, "entered")
        assert {who for who, *_ in entered} == {A}

        # A may not sign off their own entry: the review screen says why, nothing is written.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app_a.screen, DepartmentsScreen)
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app_a.screen, ReviewScreen)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app_a.screen, ReviewScreen)  # no confirmation: refused up front
        assert "佐藤 さんはこの所属の回答を入力・変更しているため、自分で確認済にはできません。" in app_a.screen.message
        assert a.response(department_id=dept.id).status == "entered"
        assert len(a.history(rid)) == len(entered)

    # 2. Reviewer B finds it in the queue (F8), steps to Q3 and flags it (F2).
    app_b = ChoshoApp(b, ask_who=False)
    async with app_b.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app_b.screen, ReviewQueueScreen)
        await type_text(pilot, "総務課")
        await settle(pilot)
        assert [e.state.department.name for e in app_b.screen.visible()] == ["総務課"]
        await pilot.press("enter")
        await settle(pilot)
        review = app_b.screen
        assert isinstance(review, ReviewScreen) and review.response.department.name == "総務課"
        assert review.question_id == "Q1"
        await pilot.press("down", "down")
        await settle(pilot)
        assert review.question_id == "Q3"
        answer = review.query_one("#answer", Folded).plain
        assert "[x] 5 その他" in answer and "「職員採用試験の案内」" in answer
        notes = review.query_one("#review-notes", Folded).plain
        assert "佐藤　2024-10-01 09:" in notes

        before = len(b.history(rid))
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app_b.screen, TextDialog)
        await type_text(pilot, "用紙では 5 に丸がありません")
        await pilot.press("enter")
        await settle(pilot)
        (flag,) = b.flags(rid, open_only=True)
        assert (flag.question_id, flag.comment, flag.raised.who) == ("Q3", "用紙では 5 に丸がありません", B)
        assert actions(b, rid, before) == [(B, "flag", "Q3", "用紙では 5 に丸がありません")]
        assert "疑義 用紙では 5 に丸がありません（鈴木 2024-10-01" in review.query_one("#review-notes", Folded).plain

        # B cannot sign off while the flag is open.
        await pilot.press("f9")
        await settle(pilot)
        assert "未解決の疑義が 1 件あります（Q3）。" in review.message
        assert b.response(department_id=dept.id).status == "entered"

    # 3. A sees the flag in the list, in 点検一覧 and on the question, and corrects Q3.
    async with ChoshoApp(a, ask_who=False).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        assert list_cell(app, dept.id, 4) == "1"  # the 疑義 column
        await filter_list(pilot, "総務課")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        summary = app.screen
        table = summary.query_one(DataTable)
        assert "疑義: 用紙では 5 に" in str(table.get_row("Q3")[3])
        table.move_cursor(row=2)
        await pilot.press("enter")
        await settle(pilot)
        entry = app.screen
        assert isinstance(entry, EntryScreen) and entry.question_id == "Q3"
        assert "疑義: 用紙では 5 に丸がありません（鈴木）" in entry.query_one("#flags", Folded).plain
        await pilot.press("5")  # untick 5
        await pilot.press("enter")
        await settle(pilot)
        assert a.response(department_id=dept.id).answers["Q3"] == Multi(frozenset({1, 2}))
        assert actions(a, rid)[-1][:3] == (A, "answer", "Q3")

    # 4. B resolves the flag (F3), signs off (F9), finalises (Ctrl+F).
    async with ChoshoApp(b, ask_who=False).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        await filter_list(pilot, "総務課")
        await pilot.press("f7")
        await settle(pilot)
        review = app.screen
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("3")
        await pilot.press("enter")
        await settle(pilot)
        assert review.question_id == "Q3"
        assert "[x] 5" not in review.query_one("#answer", Folded).plain
        before = len(b.history(rid))
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await type_text(pilot, "入力者が 5 を外したことを用紙で確認")
        await pilot.press("enter")
        await settle(pilot)
        (flag,) = b.flags(rid)
        assert not flag.open and flag.resolved.who == B and flag.resolution == "入力者が 5 を外したことを用紙で確認"
        assert actions(b, rid, before) == [(B, "resolve", "Q3", "入力者が 5 を外したことを用紙で確認")]
        assert "解決済 用紙では 5 に丸がありません" in review.query_one("#review-notes", Folded).plain

        # Having looked at Q1 and Q3 only, B may not sign off: every question on the route first.
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "まだ表示していない問いが 17 問あります（Q4、Q5、" in review.message  # Q1–Q3 seen since they last changed
        await pilot.press("f6")  # the whole form on one page
        await settle(pilot)
        # F6 is not in the footer at 80 columns: the header names the way back
        assert "一覧（F6 で一問ずつ）" in str(review.query_one("#progress").render())
        await pilot.press("f6")  # and back
        await settle(pilot)
        shown = [(e.who, e.question_id, e.why) for e in b.history(rid) if e.action == "shown"]
        assert shown[-1][::2] == (B, "一覧") and (B, "Q3", "一問ずつ") in shown
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        signed = b.response(department_id=dept.id)
        assert signed.status == "reviewed" and signed.reviewed.who == B
        assert actions(b, rid)[-1] == (B, "status", None, "reviewed")
        # the seal a reviewer writes on the paper (issue 23): this sign-off's entry, in the chain
        count, last = b.audit_head()
        assert f"封印 {count}:{last[:12]}（監査ログ {count} 件目）を調書か決裁文書に書き留めてください" in review.message

        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")
        await settle(pilot)
        final = b.response(department_id=dept.id)
        assert final.status == "final" and final.finalised.who == B
        assert actions(b, rid)[-1] == (B, "status", None, "final")
        count, last = b.audit_head()
        assert f"封印 {count}:{last[:12]}" in review.message and "確定しました" in review.message
        assert "確定" in review.query_one("#progress").render().plain

    # 5. A's edit of the finalised form is refused up front; the store refuses too.
    async with ChoshoApp(a, ask_who=False).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        await filter_list(pilot, "総務課")
        await pilot.press("enter")
        await settle(pilot)
        entry = app.screen
        assert "閲覧のみ" in entry.query_one("#progress").render().plain
        logged = len(a.history(rid))
        await pilot.press("2")
        await settle(pilot)
        assert entry.message == FINAL_MESSAGE and entry.key_line.value == ""
        await pilot.press("f2")
        await settle(pilot)
        assert entry.message == FINAL_MESSAGE
        await pilot.press("enter")  # moving on still works
        await settle(pilot)
        assert entry.question_id == "Q2"
        assert a.response(department_id=dept.id).answers["Q1"] == Single(1)
        assert len(a.history(rid)) == logged
        with pytest.raises(RefusedError):
            a.save_answer(rid, "Q1", Single(2), expected_version=None)

    # 6. B unlocks with a reason (Ctrl+U): the sign-off is cancelled, and A may edit again.
    async with ChoshoApp(b, ask_who=False).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        await filter_list(pilot, "総務課")
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await pilot.press("enter")  # an empty reason is refused by the dialog
        await settle(pilot)
        assert isinstance(app.screen, TextDialog)
        await type_text(pilot, "所属から Q3 の訂正の連絡")
        await pilot.press("enter")
        await settle(pilot)
        reopened = b.response(department_id=dept.id)
        assert reopened.status == "entered" and reopened.reviewed is None and reopened.finalised is None
        last = b.history(rid)[-1]
        assert (last.who, last.action, last.old, last.new, last.why) == (B, "status", "final", "entered", "所属から Q3 の訂正の連絡")

    async with ChoshoApp(a, ask_who=False).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        await filter_list(pilot, "総務課")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("3")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("3")  # tick 3 as well
        await pilot.press("enter")
        await settle(pilot)
        assert a.response(department_id=dept.id).answers["Q3"] == Multi(frozenset({1, 2, 3}))
        assert actions(a, rid)[-1][:3] == (A, "answer", "Q3")
        assert a.response(department_id=dept.id).status == "entered"  # to be signed off again

        # A still may not sign it off.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert "自分で確認済にはできません" in app.screen.message
        assert a.response(department_id=dept.id).status == "entered"

    # The whole story, in order, in the audit log.
    story = [(e.who, e.action, e.old, e.new) for e in a.history(rid) if e.action in ("status", "flag", "resolve")]
    assert story == [
        (A, "status", "not_started", "in_progress"),
        (A, "status", "in_progress", "entered"),
        (B, "flag", None, "用紙では 5 に丸がありません"),
        (B, "resolve", "用紙では 5 に丸がありません", "入力者が 5 を外したことを用紙で確認"),
        (B, "status", "entered", "reviewed"),
        (B, "status", "reviewed", "final"),
        (B, "status", "final", "entered"),
    ]


# -- the review screen ---------------------------------------------------------------------------


def test_the_paper_view_marks_every_state_apart_and_steps_along_the_route(stores):
    asyncio.run(_paper_view(*stores))


async def _paper_view(a, b):
    did = showcase(a, b)
    async with ChoshoApp(b, ask_who=False).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        await filter_list(pilot, "市民")  # 市民課 and 市民活動支援課… in list order
        visible = [s.department.id for s in app.screen.visible()]
        app.screen.query_one(RowList).move_cursor(row=visible.index(did))
        await pilot.press("f7")
        await settle(pilot)
        review = app.screen
        assert review.department_ids == visible

        def answer() -> str:
            return review.query_one("#answer", Folded).plain

        def notes() -> str:
            return review.query_one("#review-notes", Folded).plain

        assert review.steps == ["Q1", "Q2", "Q3", "Q4", "Q5", "Q8", "Q9", "Q10", "Q11", "Q12", "Q13", "Q14",
                                "Q15", "Q19", "Q20", "Q21", "Q22", "Q23"]
        assert review.question_id == "Q3"  # opened on its open 疑義
        await pilot.press("home", "down")  # Q2: 無効 and 無回答 rows, and the warning on them
        await settle(pilot)
        assert " 無効（2,3） " in answer() and " 無回答 " in answer() and "5 当該媒体では期間内に情報発信をしていない。" in answer()
        assert "要確認 Ｘ（旧Ｔｗｉｔｔｅｒ）、ＹｏｕＴｕｂｅ の行が無回答または無効です。" in notes()
        await pilot.press("pagedown", "pagedown", "enter")  # Q3, Q4, Q5
        await settle(pilot)
        assert review.question_id == "Q5" and answer().startswith(" 無回答 　用紙が空欄")
        await pilot.press("down")  # past the off-route Q6–Q7
        await settle(pilot)
        assert review.question_id == "Q8" and " 無効 　用紙の記載: 1と2の間に丸" in answer()
        await pilot.press("up", "up")
        await settle(pilot)
        assert review.question_id == "Q4"
        assert "記入欄 2 ＣＭＳ連携を利用しない（できない）理由: 「掲載依頼書の方が写真を選びやすいため。」" in answer()

        await pilot.press("end")
        await settle(pilot)
        assert review.question_id == "Q23" and "Ｆａｃｅｂｏｏｋ" in answer() and " 無回答 " in answer()
        await pilot.press("down")
        await settle(pilot)
        assert review.question_id == "Q23" and "これが最後の問いです" in review.message
        await pilot.press("home")
        await settle(pilot)
        assert review.question_id == "Q1" and review.message == ""

        await pilot.press("f5")  # an off-route question can be looked at, and is marked so
        await settle(pilot)
        await pilot.press("7", "enter")
        await settle(pilot)
        assert review.question_id == "Q7" and answer().startswith(" 非該当 ")
        assert "経路外" in answer() and "Q7 はこの所属の経路外（非該当）です。" in review.message
        await pilot.press("down")
        await settle(pilot)
        assert review.question_id == "Q8"

        # The overview: the whole form on one page; a run of off-route questions is one line.
        await pilot.press("f6")
        await settle(pilot)
        table = review.query_one("#overview", DataTable)
        assert table.has_focus and table.row_count == 20  # 23 questions, two runs off the route
        labels = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert labels[5:7] == ["Q6–7", "Q8"] and "Q16–18" in labels
        row = dict(zip(("question", "state", "answer", "who", "checks"), map(str, table.get_row("Q3"))))
        assert row.pop("answer").startswith("1、5（5「")  # the option's text follows its code
        assert row == {"question": "Q3", "state": "回答", "who": A, "checks": "疑義1"}
        assert str(table.get_row("Q5")[1]) == "無回答" and str(table.get_row("Q5")[4]) == "要確認1"
        assert str(table.get_row("Q8")[1]) == "無効"
        assert table.cursor_row == labels.index("Q8")  # where the question view was
        await pilot.press("up", "up", "up")
        await settle(pilot)
        assert review.question_id == "Q4"
        await pilot.press("f2")  # flags the highlighted question; the cursor stays on it
        await settle(pilot)
        await type_text(pilot, "理由の記入欄が用紙と違います")
        await pilot.press("enter")
        await settle(pilot)
        assert [f.question_id for f in b.flags(review.response.id, open_only=True)] == ["Q3", "Q4"]
        assert review.in_overview and review.question_id == "Q4" and table.cursor_row == labels.index("Q4")
        assert str(table.get_row("Q4")[4]) == "疑義1"
        await pilot.press("enter")
        await settle(pilot)
        assert not review.in_overview and review.question_id == "Q4"

        # Department to department, in the order of the list it was opened from.
        await pilot.press("f8")
        await settle(pilot)
        assert review.department_id == visible[visible.index(did) + 1] and review.question_id == "Q1"
        assert "未入力" in answer()
        await pilot.press("f7", "f7")
        await settle(pilot)
        assert review.department_id == visible[visible.index(did) - 1]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DepartmentsScreen)


def test_refusals_show_the_stores_own_reasons(stores):
    asyncio.run(_refusals(*stores))


async def _refusals(a, b):
    started = department(a, "人事課")
    fill(a, started.id, until="Q5")
    done = department(a, "政策課")
    fill(a, done.id)
    async with ChoshoApp(b, ask_who=False).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        await filter_list(pilot, "人事課")
        await pilot.press("f7")
        await settle(pilot)
        review = app.screen
        await pilot.press("f9")
        await settle(pilot)
        assert review.message.startswith("確認済にできません。\n・状態が「入力中」です。確認できるのは「入力済」の所属だけです。")
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert review.message == "状態が「入力中」のため確定できません。確定できるのは「確認済」の所属だけです。"
        commands = {c.title for c in app.get_system_commands(review)}
        assert {"疑義", "解決", "一覧", "次の所属", "前の所属", "確認済", "確定", "戻る"} <= commands
        assert "解除" not in commands  # nothing to unlock: the key is not offered
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)  # no dialog

        # A signs nothing off, B signs off 政策課; then 確定, and the keys follow the state.
        await pilot.press("escape")
        await settle(pilot)
        await filter_list(pilot, "政策課")
        await pilot.press("f7")
        await settle(pilot)
        review = app.screen
        await pilot.press("f6", "f6")  # B sees the whole form
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        a.save_answer(review.response.id, "Q11", Text("研修の機会がほしい"), expected_version=None)
        await pilot.press("enter")  # what is on screen is out of date: refused, then reloaded
        await settle(pilot)
        assert "まだ表示していない問いが 1 問あります（Q11）" in review.message
        assert b.response(department_id=done.id).status == "entered"
        assert review.response.answers["Q11"] == Text("研修の機会がほしい")
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("1", "1", "enter")  # B looks at the changed answer
        await settle(pilot)
        await pilot.press("f9", "enter")
        await settle(pilot)
        assert b.response(department_id=done.id).status == "reviewed"
        await pilot.press("ctrl+f", "enter")
        await settle(pilot)
        assert b.response(department_id=done.id).status == "final"
        commands = {c.title for c in app.get_system_commands(review)}
        assert "解除" in commands and "確定" not in commands
        await pilot.press("f9")
        await settle(pilot)
        assert "状態が「確定」です。確認できるのは「入力済」の所属だけです。" in review.message


def test_a_finalised_form_is_read_only_on_the_entry_screen(stores):
    asyncio.run(_read_only(*stores))


async def _read_only(a, b):
    dept = department(a, "政策課")
    rid = fill(a, dept.id)
    shown_all(b, rid)
    version = b.sign_off(rid, expected_version=None)
    b.finalise(rid, expected_version=version)
    logged = len(a.history(rid))
    async with ChoshoApp(a, ask_who=False).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        assert list_cell(app, dept.id, 2) == "確定"
        await filter_list(pilot, "政策課")
        await pilot.press("enter")
        await settle(pilot)
        entry = app.screen
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("1", "0", "enter")  # Q10: free text in a multi-line editor
        await settle(pilot)
        assert entry.question_id == "Q10"
        assert entry.field.disabled  # nothing to type into
        await pilot.press("f2")
        await settle(pilot)
        assert entry.message == FINAL_MESSAGE
        await pilot.press("tab")
        await settle(pilot)
        assert entry.question_id == "Q11"
        await pilot.press("shift+tab", "shift+tab")
        await settle(pilot)
        assert entry.question_id == "Q9"
        await pilot.press("2")
        await settle(pilot)
        assert entry.message == FINAL_MESSAGE
    assert len(a.history(rid)) == logged
    assert a.response(department_id=dept.id).answers["Q10"] == Text("閲覧数が伸びない。写真の選び方を学ぶ研修があるとよい。")


# -- the queue -----------------------------------------------------------------------------------


def test_the_queue_lists_the_work_next_step_first_and_filters(stores):
    asyncio.run(_queue(*stores))


async def _queue(a, b):
    showcase(a, b)  # 市民課: entered, an open flag, warnings
    fill(a, department(a, "政策課").id)  # entered
    signed = fill(a, department(a, "総務課").id)
    shown_all(b, signed)
    b.sign_off(signed, expected_version=None)  # reviewed
    final = fill(a, department(a, "財政課").id)
    shown_all(b, final)
    b.finalise(final, expected_version=b.sign_off(final, expected_version=None))  # final: done
    started = fill(a, department(a, "人事課").id, until="Q4")  # in progress, flagged
    b.raise_flag(started, "Q2", "ＬＩＮＥ の行が読めません")
    fill(a, department(a, "課税課").id, until="Q4")  # in progress: not the reviewer's yet

    queue = review_queue(b)
    assert [(e.state.department.name, e.step, e.state.open_flags, e.warnings, e.own) for e in queue] == [
        ("政策課", "確認待ち", 0, 0, False),
        ("人事課", "疑義の解決", 1, 0, False),
        ("市民課", "疑義の解決", 1, 3, False),
        ("総務課", "確定待ち", 0, 0, False),
    ]
    assert all(e.own for e in review_queue(a))

    async with ChoshoApp(b, ask_who=False).run_test(size=SIZE) as pilot:
        app = pilot.app
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewQueueScreen)
        assert "確認待ち 1 · 疑義の解決 2 · 確定待ち 1" in str(screen.query_one("#progress").render())

        def names() -> list[str]:
            table = screen.query_one(RowList)
            return [table.get_row_at(i)[2] for i in range(table.row_count)]

        assert names() == ["政策課", "人事課", "市民課", "総務課"]
        await type_text(pilot, "疑義")
        await settle(pilot)
        assert names() == ["人事課", "市民課"]
        await type_text(pilot, " 要確認")
        await settle(pilot)
        assert names() == ["市民課"]
        await pilot.press("enter")  # F7 / F8 there step through what the filter left
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.department_ids == [department(b, "市民課").id]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # clears the filter first
        await settle(pilot)
        assert names() == ["政策課", "人事課", "市民課", "総務課"]
        await type_text(pilot, "存在しない課")
        await settle(pilot)
        assert names() == [] and "該当する所属がありません" in str(screen.query_one("#message").render())
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DepartmentsScreen)


# -- keys: help, footer, command palette ---------------------------------------------------------


def test_help_and_the_department_list_offer_the_review_keys(stores):
    a, _ = stores
    for words in ("F7              その所属を確認", "F8              確認待ち一覧", "[b]確認画面[/]", "F2              この問いに疑義",
                  "F3              この問いの疑義を解決済", "F9              確認済にする", "Ctrl+F          確定する",
                  "Ctrl+U          確定を解除する", "[b]確認待ち一覧[/]", "確定した所属は閲覧のみです"):
        assert words in HELP_TEXT

    async def run() -> None:
        async with ChoshoApp(a, ask_who=False).run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = pilot.app.screen
            shown = {b.key: b.description for b in (a.binding for a in screen.active_bindings.values()) if b.show}
            assert shown["f7"] == "確認" and shown["f8"] == "確認待ち"
            assert {"確認", "確認待ち"} <= {c.title for c in pilot.app.get_system_commands(screen)}

    asyncio.run(run())


def test_typed_brackets_are_never_read_as_markup(stores):
    """A comment or an answer holding "[/]" once crashed every table and dialog showing it."""
    a, b = stores
    dept = department(a, "政策課")
    rid = fill(a, dept.id, {**ANSWERS, "Q10": Text("要望 [/] [b]なし")})
    b.raise_flag(rid, "Q10", "[注] 用紙の [/] 欄")

    async def run() -> None:
        for store in (a, b):
            async with ChoshoApp(store, ask_who=False).run_test(size=SIZE) as pilot:
                await settle(pilot)
                await filter_list(pilot, "政策課")
                await pilot.press("f6")  # 点検一覧: the answer and the flag
                await settle(pilot)
                row = pilot.app.screen.query_one(DataTable).get_row("Q10")
                assert "要望 [/] [b]なし" in str(row[2]) and "[注] 用紙の [/] 欄" in str(row[3])
                await pilot.press("escape")
                await settle(pilot)
                await pilot.press("f7", "f5")
                await settle(pilot)
                await pilot.press("1", "0", "enter", "f3")  # the resolve dialog quotes the comment
                await settle(pilot)
                assert isinstance(pilot.app.screen, TextDialog)
                await pilot.press("escape", "f6")
                await settle(pilot)
                overview = pilot.app.screen.query_one("#overview", DataTable)
                assert "要望 [/] [b]なし" in str(overview.get_row("Q10")[2])

    asyncio.run(run())


# -- the footer at 80 columns --------------------------------------------------------------------


def test_review_footer_fits_80_columns_with_the_palette_quit_and_help(stores):
    async def run(a, b):
        did = showcase(a, b)
        async with ChoshoApp(b, ask_who=False).run_test(size=(80, 24)) as pilot:
            app = pilot.app
            await settle(pilot)
            app.push_screen(ReviewScreen(b, did, "Q3", department_ids=[did]))
            await settle(pilot)
            from textual.widgets._footer import FooterKey

            keys = {key.key_display: key for key in app.screen.query(FooterKey)}
            for shown in ("^P", "^Q", "F1", "F2", "↓", "F9", "Esc"):  # F8: in the palette at 80 columns
                assert shown in keys, shown
                assert keys[shown].region.right <= 80, (shown, keys[shown].region)
            assert keys["^P"].description == "コマンド"
            # What the footer leaves out is still in the command palette.
            commands = {c.title for c in app.get_system_commands(app.screen)}
            assert {"一覧", "確定", "次の所属"} <= commands

    asyncio.run(run(*stores))
