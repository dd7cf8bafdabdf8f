"""Double entry in the app (issue 16): sampling (F5), the 照合 column, 突合 (F4), sign-off held.

A (田中) keys a department, B (佐藤) keys it a second time through the store with two deliberate
differences — Q2's LINE row, a routing answer (5 skips Q6–Q7), and Q10's free text — and C
(鈴木) adjudicates on the screen, pressing the keys an adjudicator presses.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest
from textual.widgets import DataTable, Input

import db.store
from db import open_store
from survey import Grid, Multi, Single, Text
from survey.verification import ANSWER, LABELS, Cell, every_nth, third_value
from survey.verification.status import AWAITING_ADJUDICATION, AWAITING_SECOND, VERIFIED
from tests.store_support import FORM
from tui.app import ChoshoApp
from tui.widgets.row_list import RowList
from tui.screens.adjudication import DONE, MOOT, NEEDED, OPEN, PENDING, AdjudicationScreen
from tui.screens.departments import DepartmentsScreen
from tui.screens.dialogs import ConfirmDialog
from tui.screens.queue import ReviewQueueScreen
from tui.screens.review import ReviewScreen
from tui.screens.sampling import SamplingDialog, chosen_departments
from tui.screens.third_value import ThirdValueDialog

from .entry_helpers import press

A, B, C = "田中", "佐藤", "鈴木"
SIZE = (80, 24)
SECOND_Q10 = "広報課の職員３名"
THIRD_Q10 = "広報課の職員２名（兼務）"


@pytest.fixture
def clock(monkeypatch):
    ticks = itertools.count()
    monkeypatch.setattr(db.store, "now", lambda: f"2024-10-01T09:{next(ticks) % 60:02d}:00+09:00")


@pytest.fixture
def people(tmp_path, clock):
    path = tmp_path / "chosho.sqlite"
    stores = {name: open_store(path, name) for name in (A, B, C)}
    for store in stores.values():
        store.remember_user()
    yield stores
    for store in stores.values():
        store.close()


def key_first(store, department_id, form=FORM) -> None:
    response = store.response(department_id=department_id)
    version = response.version
    for qid, value in form:
        version = store.save_answer(response.id, qid, value, expected_version=version)
    store.mark_entered(response.id, expected_version=version)


def second_form():
    """FORM as B reads it: LINE 5 (so B's route skips Q6–Q7, which B never keys) and another Q10."""
    changed = {"Q2": Grid({"line": 5, "x": 2, "facebook": 5, "youtube": 3}), "Q10": Text(SECOND_Q10)}
    return [(qid, changed.get(qid, value)) for qid, value in FORM if qid not in ("Q6", "Q7")]


def key_second(store, department_id, form) -> None:
    keying = store.start_second_keying(department_id)
    version = keying.version
    for qid, value in form:
        version = store.save_second_answer(keying.id, qid, value, expected_version=version)
    store.complete_second_keying(keying.id)


def prepared(people, name="総務課") -> int:
    a, b = people[A], people[B]
    dept = next(d.id for d in a.departments() if d.name == name)
    key_first(a, dept)
    a.choose_for_verification("by_hand", chosen=[dept])
    key_second(b, dept, second_form())
    return dept


async def settle(pilot, times: int = 3) -> None:
    for _ in range(times):
        await pilot.pause()


async def highlight(pilot, name: str) -> None:
    pilot.app.screen.query_one("#filter", Input).value = name
    await settle(pilot)


async def type_text(pilot, text: str) -> None:
    """Japanese arrives as the IME commits it: the whole string into the focused input."""
    pilot.app.focused.insert_text_at_cursor(text)
    await pilot.pause()


def headings(screen) -> list[str]:
    """The column headings of the screen's table: the 突合 screen's DataTable, a list's RowList."""
    rows = screen.query(RowList)
    if rows:
        return list(rows.first().headings)
    return [str(c.label) for c in screen.query_one(DataTable).columns.values()]


def row_cells(screen, key: str) -> list[str]:
    rows = screen.query(RowList)
    table = rows.first() if rows else screen.query_one(DataTable)
    return [str(c).rstrip() for c in table.get_row(key)]


# -- 突合 ----------------------------------------------------------------------------------------


def test_c_adjudicates_on_the_screen_and_the_result_is_stored(people):
    asyncio.run(_adjudicate(people))


async def _adjudicate(people):
    a, b, c = people[A], people[B], people[C]
    dept = prepared(people)
    assert c.verification_state(dept) == AWAITING_ADJUDICATION

    # A (the first keyer) and B (the verifier) are refused at opening, with the store's reason.
    for store in (a, b):
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await highlight(pilot, "総務課")
            await press(pilot, "f4")
            await settle(pilot)
            assert isinstance(app.screen, DepartmentsScreen)
            problem = store.adjudicator_problem(dept)
            assert problem and "以外の人" in problem
            assert any(n.message == problem for n in app._notifications)

    app = ChoshoApp(c, ask_who=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await highlight(pilot, "総務課")
        await press(pilot, "f4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AdjudicationScreen)
        totals = str(screen.query_one("#totals").render())
        assert f"1回目（入力）{A}" in totals and f"2回目（照合入力）{B}" in totals
        # The routing answer comes first; Q6–Q7 differ only because B's route skipped them.
        names = [r.name for r in screen.rows]
        assert names[0] == "Q2_line" and screen.rows[0].routing
        assert {"Q6", "Q7_2", "Q10"} <= set(names) and "Q5" not in names
        # Codes with their options' labels (cut in the table, whole in the detail below it).
        route, first, second = row_cells(screen, "Q2_line")[1:4]
        assert route == "経路" and first.startswith("1（１～２週") and second.startswith("5（当該媒体")
        detail = screen.query_one("#adjudication-detail").plain
        assert "1（１～２週間に１回以上）" in detail and "5（当該媒体では期間内に情報発信をしていない。）" in detail
        assert row_cells(screen, "Q6")[3] == "経路外"
        assert all(r.state == OPEN for r in screen.rows)

        await press(pilot, "2")  # take the second keying's LINE 5: Q6–Q7 leave the final route
        await settle(pilot)
        states = {r.name: r.state for r in screen.rows}
        assert states["Q2_line"] == DONE and row_cells(screen, "Q2_line")[4] == "2回目を採用"
        assert states["Q6"] == states["Q7_1"] == MOOT
        assert not [n for n in states if n.startswith("Q7_") and n != "Q7_1"]  # Q7's lines as one
        assert row_cells(screen, "Q6")[4] == "不要（経路外）"
        assert row_cells(screen, "Q7_1")[0].startswith("Ｑ７（")
        assert [n for n, s in states.items() if s == OPEN] == ["Q10"]
        assert screen.current().name == "Q10"  # the cursor went on to what is still open

        # A moot line needs nothing: 1 there is refused with the reason.
        now = [r.name for r in screen.rows]
        screen.query_one(DataTable).move_cursor(row=now.index("Q6"))
        await press(pilot, "1")
        assert "解決は不要" in screen.message
        screen.query_one(DataTable).move_cursor(row=now.index("Q10"))
        await settle(pilot, 1)

        await press(pilot, "3")  # a third value
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ThirdValueDialog)
        await type_text(pilot, THIRD_Q10)
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen is dialog  # neither keying's: a reason is needed first
        assert "理由を入力してください" in dialog.query_one("#dialog-error").plain
        assert app.focused.id == "third-reason"
        await type_text(pilot, "用紙の欄外に追記あり")
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen is screen
        assert row_cells(screen, "Q10")[4].startswith("第三の値 " + THIRD_Q10[:4])
        assert "すべての相違を解決しました" in screen.message

        await press(pilot, "f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DepartmentsScreen)
        assert any("突合を終え" in n.message for n in app._notifications)

    answers = a.response(department_id=dept).answers
    assert answers["Q2"].cells["line"] == 5
    assert answers["Q10"] == Text(THIRD_Q10)
    assert answers["Q5"] == dict(FORM)["Q5"]
    assert not {"Q6", "Q7"} & set(answers)  # off the final route
    assert a.verification_state(dept) == VERIFIED
    resolves = [e for e in a.history() if e.action == "resolve"]
    assert [(e.who, e.why) for e in resolves] == [(C, None), (C, "用紙の欄外に追記あり")]
    # Done once: opening it again is refused.
    assert "済んでいます" in c.adjudicator_problem(dept)


def test_a_bad_third_value_is_refused_in_japanese_and_kept(people):
    asyncio.run(_bad_third_value(people))


async def _bad_third_value(people):
    c = people[C]
    dept = prepared(people)
    app = ChoshoApp(c, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(AdjudicationScreen(c, dept))
        await settle(pilot)
        screen = app.screen
        assert screen.current().name == "Q2_line"
        await press(pilot, "f2")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ThirdValueDialog)
        await type_text(pilot, "９")
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "9 は選択肢にありません" in dialog.query_one("#dialog-error").plain
        assert dialog.query_one("#third-value", Input).value == "９"
        dialog.query_one("#third-value", Input).value = "５"  # full-width: B's value, no reason needed
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen is screen
        assert row_cells(screen, "Q2_line")[4].startswith("第三の値 5（当該")
        # F9 with differences open: the store's list of what is left, nothing written.
        await press(pilot, "f9")
        await settle(pilot)
        assert app.screen is screen and "解決していない相違が" in screen.message
    assert c.response(department_id=dept).answers["Q2"].cells["line"] == 1


# -- 照合対象の抽出 --------------------------------------------------------------------------------


def test_the_sampling_dialog_draws_every_nth_for_a_recorded_seed(people):
    asyncio.run(_every_nth(people))


async def _every_nth(people):
    a = people[A]
    roster = [str(d.id) for d in a.departments()]
    expected = every_nth(roster, 7, 4242)
    app = ChoshoApp(a, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "照合" not in headings(app.screen)  # no department chosen yet: no column
        await press(pilot, "f5")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SamplingDialog)
        await press(pilot, "2")  # N 所属ごと
        await press(pilot, "tab")
        dialog.query_one("#sampling-parameter", Input).value = "７"  # full-width, as an IME sends it
        await press(pilot, "tab")
        await type_text(pilot, "4242")
        await press(pilot, "enter")
        await settle(pilot)
        shown = dialog.query_one("#sampling-result").plain
        assert "まだ記録していません" in shown and expected.description in shown
        assert a.verification_targets() == set()  # the first Enter only shows it
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, DepartmentsScreen)
        assert expected.description in str(app.screen.query_one("#message").render())
        assert headings(app.screen)[5] == "照合"
        # The 照合 column: every chosen department waits for its second keying (at 80 columns
        # the column drops the 照合 its heading says: 照合入力待ち → 入力待ち).
        for dept in a.departments():
            text = row_cells(app.screen, str(dept.id))[5]
            assert text == ("入力待ち" if str(dept.id) in expected.departments else "")
    assert a.verification_targets() == {int(d) for d in expected.departments}
    plan = a.verification_plans()[-1]
    assert (plan.rule, plan.parameter, plan.seed, plan.description) == ("every_nth", 7, 4242, expected.description)


def test_a_blank_seed_gets_a_fresh_one_shown_and_recorded(people):
    asyncio.run(_fresh_seed(people))


async def _fresh_seed(people):
    a = people[A]
    app = ChoshoApp(a, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        await settle(pilot)
        dialog = app.screen
        await press(pilot, "3")  # 無作為 k%
        dialog.query_one("#sampling-parameter", Input).value = "10"
        dialog.query_one("#sampling-parameter", Input).focus()
        await press(pilot, "enter")
        await settle(pilot)
        seed = dialog.query_one("#sampling-seed", Input).value
        assert seed.isdigit()
        assert f"シード {seed}" in dialog.query_one("#sampling-result").plain
        await press(pilot, "enter")
        await settle(pilot)
    plan = a.verification_plans()[-1]
    assert (plan.rule, plan.parameter, plan.seed) == ("percent", 10, int(seed))
    assert len(plan.department_ids) == 6


def test_by_hand_takes_names_and_roster_numbers(people):
    asyncio.run(_by_hand(people))


async def _by_hand(people):
    a = people[A]
    departments = a.departments()
    app = ChoshoApp(a, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await highlight(pilot, "総務課")
        await press(pilot, "f5")
        await settle(pilot)
        dialog = app.screen
        await press(pilot, "４")  # 手で選ぶ (full-width): the highlighted department is already in the field
        field = dialog.query_one("#sampling-chosen", Input)
        assert field.value == "総務課"
        field.value = "総務課、１－２, 存在しない課"
        field.focus()
        await press(pilot, "enter")
        await settle(pilot)
        assert "「存在しない課」という所属はありません" in dialog.query_one("#sampling-result").plain
        field.value = "総務課、１－２"
        await press(pilot, "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DepartmentsScreen)
    expected = {departments[0].id, departments[1].id, next(d.id for d in departments if d.name == "総務課")}
    assert a.verification_targets() == expected


def test_chosen_departments_reads_names_parts_and_ranges(people):
    departments = people[A].departments()
    assert chosen_departments("3-4", departments) == departments[2:4]
    assert [d.name for d in chosen_departments("政策課 人権", departments)] == ["政策課", "人権推進室"]
    with pytest.raises(ValueError, match="1～58"):
        chosen_departments("59", departments)
    with pytest.raises(ValueError, match="当てはまる所属が"):
        chosen_departments("課", departments)


# -- states in the list, the queue and the review ----------------------------------------------


def test_states_show_in_list_and_queue_and_hold_the_sign_off(people):
    asyncio.run(_states(people))


async def _states(people):
    c = people[C]
    dept = prepared(people)
    app = ChoshoApp(c, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert row_cells(app.screen, str(dept))[5] == LABELS[AWAITING_ADJUDICATION]
        await press(pilot, "f8")
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, ReviewQueueScreen)
        assert row_cells(queue, str(dept))[6] == LABELS[AWAITING_ADJUDICATION]
        await type_text(pilot, "突合待ち")  # the state filters too
        await settle(pilot)
        assert [e.state.department.id for e in queue.visible()] == [dept]
        await press(pilot, "enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        # Before F9: the line under the header says where verification stands and why sign-off waits.
        line = review.query_one("#review-verification")
        assert line.display and f"（{LABELS[AWAITING_ADJUDICATION]}）" in line.plain
        assert "照合が済むまで確認済にできません" in line.plain
        await press(pilot, "f6")  # every question shown, so only the verification holds it
        await settle(pilot)
        await press(pilot, "f9")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "突合で解決していない相違があります" in review.message
    assert c.response(department_id=dept).status == "entered"


def test_a_question_neither_keyed_comes_onto_the_route_and_needs_a_value(people):
    asyncio.run(_needed(people))


async def _needed(people):
    """A read LINE 5, B read Q4 without tick 1: both routes skip Q6–Q7. Settled as LINE 1 and
    Q4 tick 1, the final route has Q6–Q7, which neither keyed: the screen asks for their values."""
    a, b, c = people[A], people[B], people[C]
    dept = next(d.id for d in a.departments() if d.name == "人事課")
    skipped = ("Q6", "Q7")
    first = {"Q2": Grid({"line": 5, "x": 2, "facebook": 5, "youtube": 3})}
    key_first(a, dept, [(q, first.get(q, v)) for q, v in FORM if q not in skipped])
    a.choose_for_verification("by_hand", chosen=[dept])
    key_second(b, dept, [(q, Multi(frozenset({2})) if q == "Q4" else v) for q, v in FORM if q not in skipped])
    app = ChoshoApp(c, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(AdjudicationScreen(c, dept))
        await settle(pilot)
        screen = app.screen
        # Q6–Q7 wait on the routing answers: neither keyed them, but the route is not settled yet.
        assert [r.name for r in screen.rows][:3] == ["Q2_line", "Q4_1", "Q4_2"]
        assert {r.state for r in screen.rows[3:]} == {PENDING} and screen.rows[3].name == "Q6"
        await press(pilot, "2")  # LINE: B's 1
        await settle(pilot)
        await press(pilot, "１")  # Q4 tick 1: A's (full-width, as an IME in 全角 mode sends it)
        await settle(pilot)
        assert screen.current().name == "Q4_2"
        await press(pilot, "1")  # Q4 tick 2: A's
        await settle(pilot)
        needed = [r.name for r in screen.rows if r.state == NEEDED]
        assert needed == ["Q6"] + [f"Q7_{i}" for i in range(1, 15)]
        assert screen.current().name == "Q6"
        assert "値が必要 15" in str(screen.query_one("#progress").render())
        await press(pilot, "1")  # nothing to take: the screen says to type a value
        assert "3 で値を入力してください" in screen.message
        await press(pilot, "3")
        await settle(pilot)
        await type_text(pilot, "１")
        await press(pilot, "tab")
        await type_text(pilot, "用紙を確認。どちらの入力でも経路外だった")
        await press(pilot, "enter")
        await settle(pilot)
        assert app.screen is screen and screen.current().name == "Q7_1"
    for i in range(1, 15):
        c.resolve(dept, third_value(f"Q7_{i}", Cell(ANSWER, 1 if i in (2, 14) else 0), "用紙を確認"))
    result = c.finish_adjudication(dept)
    answers = a.response(department_id=dept).answers
    assert answers["Q6"] == Single(1) and answers["Q7"] == Multi(frozenset({2, 14}))
    assert answers["Q2"].cells["line"] == 1 and answers["Q4"] == Multi(frozenset({1}))
    assert result.settled


def test_the_double_entry_keys_are_in_the_palette_and_the_help(people):
    asyncio.run(_palette(people))


async def _palette(people):
    from tui.screens.help import HELP_TEXT

    app = ChoshoApp(people[A], ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        for title, key in (("照合入力", "F3"), ("突合", "F4"), ("照合対象", "F5")):
            assert commands[title] == f"キー: {key}"
    for words in ("F3              照合入力", "F4              突合", "F5              照合対象の抽出", "[b]突合画面[/]",
                  "3 / F2          第三の値", "[b]照合対象の抽出[/]"):
        assert words in HELP_TEXT


def test_all_departments_with_the_keys_alone(people):
    asyncio.run(_all_departments(people))


async def _all_departments(people):
    a = people[A]
    app = ChoshoApp(a, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f5")
        await settle(pilot)
        dialog = app.screen
        await press(pilot, "up")  # from N 所属ごと to 全所属: the arrows choose at once
        assert dialog.rule == "all"
        assert not dialog.query_one("#seed-row").display
        await press(pilot, "enter")  # on the rule list: the draw is shown …
        await settle(pilot)
        assert "全所属（58 所属）" in dialog.query_one("#sampling-result").plain
        assert a.verification_targets() == set()
        await press(pilot, "enter")  # … and recorded
        await settle(pilot)
        assert isinstance(app.screen, DepartmentsScreen)
    assert len(a.verification_targets()) == 58
    assert a.verification_plans()[-1].description == "全所属（58 所属）"
