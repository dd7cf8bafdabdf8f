"""Issue 22: a clerk's second day. What the entry screen must never record without a word.

One test per item (1, 2, 3, 7 and 11's live check); each failed on main before the fix.
"""

from __future__ import annotations

import pytest

from db import open_store
from survey import Invalid, Multi, Single, Text
from tui.app import ChoshoApp
from tui.screens.departments import DepartmentsScreen
from tui.screens.dialogs import ConfirmDialog, TextDialog
from tui.screens.entry import EntryScreen
from tui.screens.summary import SummaryScreen

from .entry_helpers import burst, expected_answers, paper_forms, press

SIZE = (80, 24)


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "chosho.sqlite", "clerk-a")
    yield store
    store.close()


def dept_id(store, name="保育課"):
    return next(d.id for d in store.departments() if d.name == name)


def answers_of(store, name="保育課"):
    return dict(store.response(department_id=dept_id(store, name)).answers)


async def open_at(pilot, store, question_id: str, name="保育課") -> EntryScreen:
    screen = EntryScreen(store, dept_id(store, name), question_id)
    pilot.app.push_screen(screen)
    await pilot.pause()
    return screen


def editor_text(screen: EntryScreen) -> str:
    return screen.field.query_one("#text").text


# 1 -- a stray separator never lands in the next text question -------------------------------


@pytest.mark.parametrize("how", [press, burst], ids=["typed", "typed-ahead"])
@pytest.mark.parametrize(("qid", "code", "text_qid"), [("Q21", 1, "Q22"), ("Q19", 3, "Q20")])
async def test_a_separator_after_a_code_is_not_the_next_questions_text(store, how, qid, code, text_qid):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, qid)
        await how(pilot, str(code), ",", "2")
        for _ in range(3):
            await pilot.pause()
        assert screen.question_id == text_qid
        assert editor_text(screen) == ""  # opens empty
        assert "「,2」" in screen.message and "入れていません" in screen.message and qid in screen.message
        await press(pilot, "tab")  # nothing to record: Tab refuses, as on any empty editor
        assert screen.question_id == text_qid
    assert answers_of(store) == {qid: Single(code)}


async def test_a_separator_after_a_code_is_not_the_box_it_opened(store):
    """Q9 = 1 opens 1's box on the key line: 「,2」 is not its text (the paper may have 1 and 2)."""
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "Q9")
        await press(pilot, "1", "、", "２")
        assert screen.question_id == "Q9" and screen.field.in_text_box
        assert screen.key_line.value == ""
        assert "「、２」" in screen.message and "F3（無効）" in screen.message
        await press(pilot, "text:広報担当", "enter")  # the box's own text is taken as ever
        assert screen.question_id == "Q10"
    assert answers_of(store) == {"Q9": Single(1, {1: "広報担当"})}


async def test_text_typed_on_after_a_code_still_reaches_the_editor(store):
    """Only the code line's rest is refused: the clerk typing Q20's text straight after Q19's
    code (or after the rest) keeps every character."""
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "Q19")
        await burst(pilot, "3", "text:広報紙で周知")
        for _ in range(3):
            await pilot.pause()
        assert screen.question_id == "Q20" and editor_text(screen) == "広報紙で周知"
        await press(pilot, "shift+tab", "enter")  # back to Q19 (asks: record the text first)
        assert screen.question_id == "Q19"
        await press(pilot, "3", ",", "2", "text:と掲示")  # the rest ends at the first letter
        assert editor_text(screen) == "広報紙で周知と掲示" and "「,2」" in screen.message
    assert answers_of(store)["Q20"] == Text("広報紙で周知")


# 2 -- ticks not recorded are told apart and never vanish --------------------------------------


def options_text(screen) -> str:
    return screen.field.query_one("#options").plain


@pytest.mark.parametrize("leave", ["escape", "ctrl+q", "shift+tab", "f5", "f6"])
async def test_ticks_not_recorded_are_shown_as_such_and_leaving_asks(store, leave):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "Q14")
        await press(pilot, "1", "2")
        assert "[+] 1" in options_text(screen) and "[+] 2" in options_text(screen)
        assert "未記録" in screen.field.query_one("#box-hint").plain
        jump = ["text:16", "enter"] if leave == "f5" else []  # F5 asks where first
        await press(pilot, leave, *jump)
        assert isinstance(app.screen, ConfirmDialog), leave
        assert "1・2 を選択" in app.screen.text
        await press(pilot, "escape")  # stay: the ticks are still there, still unrecorded
        assert app.screen is screen and screen.field.selected == {1, 2}
        assert "Q14" not in answers_of(store)
        await press(pilot, leave, *jump)
        await press(pilot, "enter")  # record, then leave as asked
        assert "Q14" in answers_of(store)
        if leave == "escape":
            assert isinstance(app.screen, DepartmentsScreen)
        elif leave == "f6":
            assert isinstance(app.screen, SummaryScreen)
        elif leave == "ctrl+q":
            assert app.return_code == 0 and not app.is_running
        else:
            assert screen.question_id == {"shift+tab": "Q13", "f5": "Q16"}[leave]
    assert answers_of(store)["Q14"] == Multi(frozenset({1, 2}))


async def test_recorded_ticks_and_unticking_look_different(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "Q14")
        await press(pilot, "1", "2", "enter")
        assert screen.question_id != "Q14"
        await press(pilot, "shift+tab")
        assert screen.question_id == "Q14"
        assert "[x] 1" in options_text(screen) and "[x] 2" in options_text(screen)
        assert not screen.unsaved_text()
        await press(pilot, "2")  # untick 2: shown as to be removed, not yet recorded
        assert "[-] 2" in options_text(screen) and "[x] 1" in options_text(screen)
        await press(pilot, "escape", "enter")
        assert isinstance(app.screen, DepartmentsScreen)
    assert answers_of(store)["Q14"] == Multi(frozenset({1}))


async def test_declining_a_route_change_puts_the_ticks_back(store):
    """Q4 without 1 takes Q6–Q7 off the route: declining keeps the recorded ticks, shown as such."""
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "Q4")
        await press(pilot, "1", "enter", "1", "1")  # Q4 = 1, Q5 = 1, Q6 = 1
        assert answers_of(store)["Q6"] == Single(1)
        await press(pilot, "shift+tab", "shift+tab", "shift+tab")
        assert screen.question_id == "Q4"
        await press(pilot, "1", "2", "enter")  # untick 1, tick 2
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "escape")
        assert screen.field.selected == {1} and not screen.unsaved_text()
        assert "[x] 1" in options_text(screen) and "[ ] 2" in options_text(screen)
    assert answers_of(store)["Q4"] == Multi(frozenset({1}))


# 3 -- 無効 keeps what the paper showed ----------------------------------------------------------


async def test_invalid_keeps_the_marks_as_typed(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "Q5")
        await press(pilot, "f3", "text:１と２に〇", "enter")
        assert screen.question_id == "Q6"
        await press(pilot, "shift+tab")
        assert "無効（１と２に〇）" in screen.query_one("#recorded").plain
    assert answers_of(store)["Q5"] == Invalid(raw="１と２に〇")


# 7 -- the clerk replies to a 疑義 from the entry screen ----------------------------------------


async def test_the_clerk_replies_to_a_flag_from_the_entry_screen(tmp_path):
    path = tmp_path / "chosho.sqlite"
    form = next(f for f in paper_forms() if f["department"] == "保育課")
    with open_store(path, "clerk-a") as clerk:
        did = dept_id(clerk)
        version = 0
        for qid, value in expected_answers(form).items():
            version = clerk.save_answer(clerk.response(department_id=did).id, qid, value, expected_version=version)
    with open_store(path, "reviewer") as reviewer:
        reviewer.raise_flag(reviewer.response(department_id=did).id, "Q14", "用紙では 3 に丸があります")
    with open_store(path, "clerk-a") as clerk:
        app = ChoshoApp(clerk, ask_who=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_at(pilot, clerk, None)
            assert screen.question_id == "Q14"
            assert "F7 で回答" in screen.query_one("#flags").plain
            footer = {b.binding.key for b in screen.active_bindings.values() if b.binding.show and b.enabled}
            assert "f7" in footer  # the footer shows 「F7回答」 on a question with an open 疑義
            assert "回答" in {c.title for c in app.get_system_commands(screen)}  # and the palette
            await press(pilot, "f7")
            assert isinstance(app.screen, TextDialog)
            await press(pilot, "text:用紙を確認し 1・3 に直しました", "enter")
            assert app.screen is screen
            assert "回答しました" in screen.message
            assert "回答: 用紙を確認し 1・3 に直しました" in screen.query_one("#flags").plain
            await press(pilot, "tab")  # a question without a flag: F7 leaves the footer
            assert screen.question_id != "Q14"
            assert "f7" not in {b.binding.key for b in screen.active_bindings.values() if b.enabled}
            assert "回答" not in {c.title for c in app.get_system_commands(screen)}
        [flag] = clerk.flags(clerk.response(department_id=did).id)
        assert flag.reply == "用紙を確認し 1・3 に直しました" and flag.replied.who == "clerk-a"
        assert flag.resolved is None  # its raiser closes it on review


# 11 -- the live check keeps a free text to correct --------------------------------------------


def _keyed_and_sampled(path) -> int:
    """田中 keys 保育課 from the paper and marks it 入力済; every department is sampled."""
    form = next(f for f in paper_forms() if f["department"] == "保育課")
    with open_store(path, "田中") as first:
        did = dept_id(first)
        response = first.response(department_id=did)
        version = response.version
        for qid, value in expected_answers(form).items():
            version = first.save_answer(response.id, qid, value, expected_version=version)
        first.mark_entered(response.id, expected_version=version)
        first.choose_for_verification("all")
    return did


async def test_a_free_text_mismatch_in_the_live_check_stays_in_the_editor(tmp_path):
    from tui.screens.second_keying import SecondKeyingScreen

    path = tmp_path / "chosho.sqlite"
    did = _keyed_and_sampled(path)
    with open_store(path, "佐藤") as second:
        second.start_second_keying(did, live=True)
        app = ChoshoApp(second, ask_who=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = SecondKeyingScreen(second, did, "Q10")
            app.push_screen(screen)
            await pilot.pause()
            await press(pilot, "text:周知強化期間を設けて窓口で案内した。", "tab")  # 「した」 for 「する」
            assert screen.question_id == "Q10" and "もう一度" in screen.message
            assert editor_text(screen) == "周知強化期間を設けて窓口で案内した。"  # kept, to correct
            assert "Q10" not in second.second_keying(did).answers
            await press(pilot, "backspace", "backspace", "backspace", "text:する。", "tab")
            assert screen.question_id == "Q11"
        assert second.second_keying(did).answers["Q10"] == Text("周知強化期間を設けて窓口で案内する。")


async def test_a_box_text_mismatch_in_the_live_check_comes_back_with_its_code(tmp_path):
    from tui.screens.second_keying import SecondKeyingScreen

    path = tmp_path / "chosho.sqlite"
    did = _keyed_and_sampled(path)
    with open_store(path, "佐藤") as second:
        second.start_second_keying(did, live=True)
        app = ChoshoApp(second, ask_who=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = SecondKeyingScreen(second, did, "Q9")
            app.push_screen(screen)
            await pilot.pause()
            await press(pilot, "1", "text:広報担富", "enter")  # a typo in 1's box
            assert screen.question_id == "Q9" and "もう一度" in screen.message
            await press(pilot, "1")
            assert screen.key_line.value == "広報担富"  # the box comes back with what was typed
            await press(pilot, "backspace", "text:当", "enter")
            assert screen.question_id == "Q10"
        assert second.second_keying(did).answers["Q9"] == Single(1, {1: "広報担当"})

