"""Issue 11: no key a clerk presses loses, changes or garbles a recorded answer.

One plain regression test per defect found in a real terminal; each failed before the fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from db import open_store
from survey import Blank, Counts, Grid, Single, Text
from tui.app import ChoshoApp
from tui.screens.dialogs import ConfirmDialog
from tui.screens.entry import EntryScreen

from .entry_helpers import expected_answers, open_department, paper_forms, press

SIZE = (80, 24)
Q2_KEYED = Grid({"line": 1, "x": 2, "facebook": 3, "youtube": 5})
Q23_KEYED = Counts({"respondents": 5, "line": 3, "x": 1, "facebook": 0, "youtube": 2})


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "chosho.sqlite", "clerk-a")
    yield store
    store.close()


def dept_id(store, name):
    return next(d.id for d in store.departments() if d.name == name)


def answers_of(store, name):
    return store.response(department_id=dept_id(store, name)).answers


async def paste(pilot, text: str) -> None:
    """What a terminal sends for a bracketed paste: one Paste event through the app."""
    pilot.app._driver.send_message(events.Paste(text))
    await pilot.pause()
    await pilot.pause()


async def open_at(pilot, store, name: str, question_id: str) -> EntryScreen:
    screen = EntryScreen(store, dept_id(store, name), question_id)
    pilot.app.push_screen(screen)
    await pilot.pause()
    return screen


# 1 -----------------------------------------------------------------------------------------


async def test_moving_through_a_recorded_matrix_or_counts_question_changes_nothing(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1", "1", "2", "3", "5")
        assert answers_of(store, "保育課")["Q2"] == Q2_KEYED
        await press(pilot, "shift+tab")  # back to Q2 from Q3
        assert app.screen.question_id == "Q2"
        await press(pilot, "tab")
        assert app.screen.question_id == "Q3"
        await press(pilot, "pageup", "enter", "enter", "enter", "enter")  # Enter on untouched lines
        await press(pilot, "shift+tab", "pagedown")
        assert answers_of(store, "保育課")["Q2"] == Q2_KEYED

        await open_at(pilot, store, "保育課", "Q23")
        await press(pilot, "5", "enter", "3", "enter", "1", "enter", "0", "enter", "2", "enter")
        assert answers_of(store, "保育課")["Q23"] == Q23_KEYED
        app.pop_screen()
        await pilot.pause()
        for keys in (["tab"], ["enter"] * 5, ["pagedown"], ["down", "down", "tab"]):
            await open_at(pilot, store, "保育課", "Q23")
            await press(pilot, *keys)
            assert answers_of(store, "保育課")["Q23"] == Q23_KEYED, keys
            if isinstance(app.screen, EntryScreen):
                app.pop_screen()
            await pilot.pause()


# 2 -----------------------------------------------------------------------------------------


async def test_rows_are_stored_as_accepted_and_the_form_resumes_at_the_first_row_not_keyed(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1", "1", "2")  # Q1, then two rows of Q2: the app is then killed
        # Nothing is closed or flushed: what the store holds now is what a SIGKILL leaves.
        assert answers_of(store, "保育課")["Q2"] == Grid({"line": 1, "x": 2})
        response = store.response(department_id=dept_id(store, "保育課"))
        assert response.status == "in_progress"
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_department(pilot, "保育課")
        screen = app.screen
        assert screen.question_id == "Q2" and screen.field.prompt() == "Ｆａｃｅｂｏｏｋ"
        await press(pilot, "3", "5")
        assert answers_of(store, "保育課")["Q2"] == Q2_KEYED
        assert app.screen.question_id == "Q3"
    # Q23 the same: two items, then resumed at the third.
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, store, "保育課", "Q23")
        await press(pilot, "5", "enter", "3", "enter")
        assert answers_of(store, "保育課")["Q23"] == Counts({"respondents": 5, "line": 3})
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "保育課", "Q23")
        assert screen.field.prompt() == "Ｘ（旧Ｔｗｉｔｔｅｒ）"


# 3 -----------------------------------------------------------------------------------------


async def test_esc_or_ctrl_q_with_text_not_recorded_asks_and_keeps_it(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "保育課", "Q5")
        await press(pilot, "2", "text:見やすいため")  # Q5 = 2 stored; its box typed, not entered
        assert answers_of(store, "保育課")["Q5"] == Single(2)
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "escape")  # stay: the text is still there
        assert app.screen is screen and screen.key_line.value == "見やすいため"
        await press(pilot, "ctrl+q")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "enter")  # record, then quit
    assert answers_of(store, "保育課")["Q5"] == Single(2, {2: "見やすいため"})
    assert app.return_code == 0

    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "保育課", "Q10")
        await press(pilot, "text:途中まで")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "enter")
        assert not isinstance(app.screen, (ConfirmDialog, EntryScreen))
    assert answers_of(store, "保育課")["Q10"] == Text("途中まで")


# 4 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["❶", "➀", "⓵"])
async def test_ime_circled_digits_are_codes(store, key):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, key)
        assert app.screen.question_id == "Q2"
    assert answers_of(store, "保育課") == {"Q1": Single(1)}


async def test_other_digit_like_characters_are_refused_in_japanese(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "፩", "enter")
        screen = app.screen
        assert screen.question_id == "Q1" and "番号" in screen.message
    assert answers_of(store, "保育課") == {}


def test_an_uncaught_error_ends_with_a_non_zero_status_and_the_database_intact(tmp_path, monkeypatch, capsys):
    """Textual prints the traceback and returns from run(): the command must still fail."""
    import tui.app as tui_app
    import tui.cli as cli

    path = tmp_path / "chosho.sqlite"

    async def clerk(pilot):
        await pilot.pause()
        await pilot.pause()
        pilot.app.push_screen(EntryScreen(pilot.app.store, 1, "Q1"))
        await pilot.pause()
        await press(pilot, "1")  # Q1 stored
        assert pilot.app.screen.question_id == "Q2", pilot.app.screen
        def boom(*_):
            raise RuntimeError("simulated bug")
        monkeypatch.setattr(EntryScreen, "key_line_typed", boom)
        await press(pilot, "1")

    class Headless(tui_app.ChoshoApp):
        CSS_PATH = str(Path(tui_app.__file__).parent / "app.tcss")

        def run(self, **kwargs):
            return super().run(headless=True, size=SIZE, auto_pilot=clerk)

    monkeypatch.setattr(tui_app, "ChoshoApp", Headless)
    code = cli.main(["--db", str(path), "--user", "clerk-a"])
    assert code != 0
    err = capsys.readouterr().err
    assert "予期しないエラー" in err, err
    with open_store(path, "check") as again:
        assert again.integrity() == "ok"
        assert again.response(department_id=1).answers == {"Q1": Single(1)}, err[-3000:]


# 5 -----------------------------------------------------------------------------------------


async def test_a_separator_after_a_single_choice_never_becomes_the_next_answer(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1", ",", "2")  # two circles on Q1's paper, typed as they are
        screen = app.screen
        assert screen.question_id == "Q2"
        assert screen.key_line.value == ",2" and "記録しません" in screen.message
        await press(pilot, "enter", "tab")
        assert screen.question_id == "Q2"
        assert answers_of(store, "保育課") == {"Q1": Single(1)}
        await press(pilot, "shift+tab", "f3", "text:1,2", "enter", "enter")  # the clerk decides: Q1 無効, route not assumed
        assert answers_of(store, "保育課")["Q1"].raw == "1,2"
        assert "Q2" not in answers_of(store, "保育課")

        await open_at(pilot, store, "保育課", "Q3")  # a multi: a leading letter is not taken either
        await press(pilot, "a", "1", "enter")
        assert "Q3" not in answers_of(store, "保育課")


# 6 -----------------------------------------------------------------------------------------


async def test_a_paste_is_inserted_once_without_control_or_escape_characters(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, store, "保育課", "Q5")
        await press(pilot, "2")
        await paste(pilot, "貼り付け")
        assert screen.key_line.value == "貼り付け"
        await paste(pilot, "\x1b[31m赤\x1b[0m\x1b]0;題\x07\x07")
        assert screen.key_line.value == "貼り付け赤"
        await press(pilot, "enter")
        assert answers_of(store, "保育課")["Q5"] == Single(2, {2: "貼り付け赤"})

        screen = await open_at(pilot, store, "保育課", "Q1")
        await paste(pilot, "1")  # the code line: taken once, as if typed
        assert answers_of(store, "保育課")["Q1"] == Single(1)
        assert screen.question_id == "Q2"

        screen = await open_at(pilot, store, "保育課", "Q10")
        await paste(pilot, "一行目\x1b[1m\r\n二行目\x00")
        await press(pilot, "tab")
        assert answers_of(store, "保育課")["Q10"] == Text("一行目\n二行目")


# 7 -----------------------------------------------------------------------------------------


async def test_a_route_change_that_adds_questions_takes_the_department_back_to_in_progress(store):
    form = next(f for f in paper_forms() if f["department"] == "出納室")
    did = dept_id(store, "出納室")
    version = 0
    for qid, value in expected_answers(form).items():
        version = store.save_answer(store.response(department_id=did).id, qid, value, expected_version=version)
    store.mark_entered(store.response(department_id=did).id, expected_version=version)
    assert store.response(department_id=did).status == "entered"
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, store, "出納室", "Q1")
        await press(pilot, "1")  # Q1 = 2 → 1: Q16–Q18 leave, Q2–Q15 enter the route
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "enter")
    response = store.response(department_id=did)
    assert response.answers["Q1"] == Single(1)
    assert response.status == "in_progress"
    state = next(s for s in store.overview() if s.department.id == did)
    assert state.status_label == "入力中" and state.answered < state.on_route


# 8 -----------------------------------------------------------------------------------------


async def test_a_department_with_an_open_flag_opens_on_the_flagged_question_with_its_comment(store):
    form = next(f for f in paper_forms() if f["department"] == "保育課")
    did = dept_id(store, "保育課")
    version = 0
    for qid, value in expected_answers(form).items():
        version = store.save_answer(store.response(department_id=did).id, qid, value, expected_version=version)
    comment = "用紙では 3 に丸があります。確認してください"
    store.raise_flag(store.response(department_id=did).id, "Q14", comment)
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_department(pilot, "保育課")
        screen = app.screen
        assert isinstance(screen, EntryScreen) and screen.question_id == "Q14"
        flags = screen.query_one("#flags")
        assert comment in flags.plain
        # On screen at 80×24 without scrolling: the whole widget inside the visible area.
        region = flags.region
        assert region.height >= 1 and region.y + region.height <= SIZE[1] - 2
