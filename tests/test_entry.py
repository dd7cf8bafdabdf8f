"""The entry screens, driven with the keys a clerk presses; the store is checked after."""

from __future__ import annotations

import pytest

from db import RefusedError, open_store
from survey import Blank, Counts, Grid, Invalid, NotApplicable, Single
from tui.app import ChoshoApp
from tui.screens.departments import DepartmentsScreen
from tui.screens.dialogs import ConfirmDialog
from tui.screens.entry import EntryScreen
from tui.screens.summary import SummaryScreen

from .entry_helpers import burst, expected_answers, open_department, paper_forms, press




@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "chosho.sqlite", "clerk-a")
    yield store
    store.close()


def dept_id(store, name):
    return next(d.id for d in store.departments() if d.name == name)


def answers_of(store, name):
    return store.response(department_id=dept_id(store, name)).answers


@pytest.mark.parametrize("form", paper_forms(), ids=lambda f: f["name"])
async def test_a_whole_form_keyed_from_paper(store, form):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_department(pilot, form["department"])
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.question_id == "Q1"
        await press(pilot, *form["keys"])
        # The last answer ends the route: the summary follows, with nothing left to enter.
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.not_entered == []
        await press(pilot, "f9")
        assert "入力済にしました" in str(app.screen.query_one("#message").render())
    response = store.response(department_id=dept_id(store, form["department"]))
    assert dict(response.answers) == expected_answers(form)
    assert response.status == "entered"
    assert {stamp.who for stamp in response.stamps.values()} == {"clerk-a"}


async def test_progress_names_question_position_and_department(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1", "1", "2", "5", "5")
        progress = str(app.screen.query_one("#progress").render())
        assert progress.startswith("Q3 · 3/20 · 保育課（こども未来部）")


async def test_out_of_range_code_is_refused_with_the_allowed_codes(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "9", "enter")
        screen = app.screen
        assert screen.question_id == "Q1"
        assert "9 は選択肢にありません" in screen.message and "1、2" in screen.message
        assert screen.key_line.value == "9"  # what was typed stays to be corrected
        await press(pilot, "backspace", "１")  # full-width, through an IME
        assert screen.question_id == "Q2"
    assert answers_of(store, "保育課") == {"Q1": Single(1)}


async def test_invalid_keeps_what_the_paper_shows(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1", "1", "2", "5", "5", "1", "enter", "1", "enter")  # Q1–Q4
        # Q5: two circles on a single-answer question. Codes are taken as typed, so the clerk
        # presses F3 (無効) and keys what the paper shows, to keep it for the reviewer.
        await press(pilot, "f3")
        screen = app.screen
        assert str(screen.query_one("#key-prompt").render()) == "無効の記載"
        await press(pilot, "text:1,2", "enter")
        assert screen.question_id == "Q6"  # 無効 at Q5 cannot decide its skip: Q6 stays asked
    assert answers_of(store, "保育課")["Q5"] == Invalid(raw="1,2")


async def test_counts_above_respondents_are_refused_and_nothing_is_lost(store):
    did = dept_id(store, "保育課")
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(EntryScreen(store, did, "Q23"))
        await pilot.pause()
        await press(pilot, "5", "enter", "9", "enter")
        screen = app.screen
        assert isinstance(screen, EntryScreen) and screen.question_id == "Q23"
        assert "回答者数" in screen.message
        # Rows are stored as accepted: 回答者数 is kept, the refused ＬＩＮＥ is not, and stays typed.
        assert answers_of(store, "保育課")["Q23"] == Counts({"respondents": 5})
        assert screen.key_line.value == "9" and screen.field.prompt() == "ＬＩＮＥ"
        await press(pilot, "backspace", "text:5", "enter", "0", "enter", "0", "enter", "0", "enter")  # correct ＬＩＮＥ only
        assert answers_of(store, "保育課")["Q23"] == Counts({"respondents": 5, "line": 5, "x": 0, "facebook": 0, "youtube": 0})


async def test_blank_keys_and_route_choice(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "f2")  # Q1 blank on paper: the clerk is asked which route to assume
        assert app.screen.question_id == "Q1"
        assert app.screen.query_one("#route-choice").display
        await press(pilot, "1", "enter")
        assert app.screen.question_id == "Q2"
        await press(pilot, "f3", "enter")  # Q2 unreadable, nothing to copy
        assert app.screen.question_id == "Q3"
        await press(pilot, "f4")  # 非該当 is not allowed on Q3
        assert app.screen.question_id == "Q3"
        assert "非該当" in app.screen.message
        assert app.screen.check_action("not_applicable", ()) is False  # and hidden from the footer
    answers = answers_of(store, "保育課")
    assert answers["Q1"] == Blank(route_as=1)
    assert answers["Q2"] == Invalid(raw="")
    assert "Q3" not in answers


async def test_not_applicable_where_the_department_judged_the_skip(store):
    did = dept_id(store, "保育課")
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(EntryScreen(store, did, "Q6"))
        await pilot.pause()
        await press(pilot, "f4")
        assert app.screen.question_id == "Q7"
    assert answers_of(store, "保育課")["Q6"] == NotApplicable()


async def test_soft_check_is_shown_and_accepted_with_one_key(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1", "5", "5", "5", "5")  # used social media, yet every medium "not used"
        screen = app.screen
        assert screen.question_id == "Q2" and "要確認" in screen.message
        await press(pilot, "enter")
        assert screen.question_id != "Q2"
    assert answers_of(store, "保育課")["Q2"] == Grid({"line": 5, "x": 5, "facebook": 5, "youtube": 5})


async def test_route_change_lists_what_leaves_and_asks_first(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1", "1", "2", "5", "5", "1", "enter", "1", "enter")  # Q1–Q4
        await press(pilot, "f5", "1", "enter")  # jump back to Q1
        assert app.screen.question_id == "Q1"
        await press(pilot, "2")
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert all(q in dialog.text for q in ("Q2", "Q3", "Q4"))
        await press(pilot, "escape")  # keep things as they are
        assert answers_of(store, "保育課")["Q1"] == Single(1)
        assert "変更を取り消しました" in app.screen.message
        await press(pilot, "2")
        await press(pilot, "enter")  # confirm
        assert app.screen.question_id == "Q16"
    answers = answers_of(store, "保育課")
    assert answers == {"Q1": Single(2)}
    cleared = [e for e in store.history(store.response(department_id=dept_id(store, "保育課")).id) if e.action == "clear"]
    assert {e.question_id for e in cleared} == {"Q2", "Q3", "Q4"}
    assert all(e.old and e.why for e in cleared)


async def test_resume_after_closing_mid_form(tmp_path):
    path = tmp_path / "chosho.sqlite"
    first = open_store(path, "clerk-a")
    app = ChoshoApp(first, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1", "1", "2", "5", "5", "1", "5", "enter")
        assert app.screen.question_id == "Q3"  # text box of option 5 open, not yet typed
    first.close()
    again = open_store(path, "clerk-a")
    app = ChoshoApp(again, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = app.screen.states
        hoiku = next(s for s in rows if s.department.name == "保育課")
        assert (hoiku.status, hoiku.answered) == ("in_progress", 3)
        await open_department(pilot, "保育課")
        assert app.screen.question_id == "Q4"  # the first question on the route not answered
    again.close()


async def test_department_list_filters_by_typed_name(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DepartmentsScreen)
        assert screen.query_one("#departments").row_count == 58
        await press(pilot, "text:こども")
        assert screen.query_one("#departments").row_count == 4  # the group matches by 部局 too
        await press(pilot, "down", "enter")
        assert app.screen.response.department.name == "保育課"


async def test_who_is_asked_remembered_and_stamped(tmp_path):
    path = tmp_path / "chosho.sqlite"
    store = open_store(path)
    app = ChoshoApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        who = app.screen.query_one("#who")
        who.value = ""
        await press(pilot, "text:山田", "enter")
        assert isinstance(app.screen, DepartmentsScreen)
        await open_department(pilot, "保育課")
        await press(pilot, "1")
    assert store.response(department_id=dept_id(store, "保育課")).stamps["Q1"].who == "山田"
    store.close()
    store = open_store(path)
    app = ChoshoApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#who").value == "山田"  # remembered
    store.close()


async def test_summary_refuses_entered_while_questions_are_missing(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1", "f6")
        assert isinstance(app.screen, SummaryScreen)
        await press(pilot, "f9")
        assert "未入力の問いがあります" in str(app.screen.query_one("#message").render())
    assert store.response(department_id=dept_id(store, "保育課")).status == "in_progress"


KEY_NAMES = {"tab": "Tab", "shift+tab": "Shift+Tab", "pagedown": "PgDn", "pageup": "PgUp", "escape": "Esc", "enter": "Enter", "ctrl+o": "Ctrl+O"}


async def test_help_lists_every_key_of_the_screens(store):
    from tui.screens.help import HELP_TEXT

    from tui.screens.keyers import KeyersScreen

    for screen in (EntryScreen, SummaryScreen, DepartmentsScreen, KeyersScreen):
        for binding in screen.BINDINGS:
            for key in binding.key.split(","):
                name = KEY_NAMES.get(key, key.upper() if key.startswith("f") else key)
                if key.startswith("ctrl+"):
                    name = "Ctrl+" + key[5:].upper()
                if key in ("up", "down"):
                    name = {"up": "↑", "down": "↓"}[key]
                assert name in HELP_TEXT, (screen.__name__, key)
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "f1")
        assert type(app.screen).__name__ == "HelpScreen"
        await press(pilot, "escape")
        assert isinstance(app.screen, EntryScreen)


@pytest.mark.parametrize("form", paper_forms(), ids=lambda f: f["name"])
async def test_typing_ahead_of_the_screen_keeps_every_key_in_its_question(store, form):
    """A fast clerk does not wait for the next question to be drawn: keys queue up."""
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, form["department"])
        await burst(pilot, *form["keys"])
        for _ in range(20):  # let the queued keys drain
            await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
    assert dict(answers_of(store, form["department"])) == expected_answers(form)


async def test_a_second_clerk_on_the_same_department_is_told_not_overwritten(tmp_path):
    path = tmp_path / "chosho.sqlite"
    mine = open_store(path, "clerk-a")
    theirs = open_store(path, "clerk-b")
    app = ChoshoApp(mine, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        await press(pilot, "1")  # Q1 stored; now at Q2
        response = theirs.response(department_id=dept_id(theirs, "保育課"))
        theirs.save_answer(response.id, "Q1", Single(2), expected_version=response.version)
        await press(pilot, "1")  # clerk A keys Q2's first row, unaware: each row is stored at once
        screen = app.screen
        assert "clerk-b" in screen.message and "上書きせず" in screen.message
        assert screen.response.answers["Q1"] == Single(2)  # reloaded: A now sees B's change
        assert screen.question_id == "Q2"
    assert "Q2" not in answers_of(theirs, "保育課")
    mine.close()
    theirs.close()


async def test_a_locked_database_is_reported_and_the_answer_kept_on_screen(tmp_path):
    import sqlite3

    path = tmp_path / "chosho.sqlite"
    store = open_store(path, "clerk-a", timeout=0.2)
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        await press(pilot, "1")
        screen = app.screen
        assert screen.question_id == "Q1"
        assert "他の端末" in screen.message and "使用中" in screen.message
        assert screen.key_line.value == "1"  # what was typed is still there
        other.execute("ROLLBACK")
        other.close()
        await press(pilot, "enter")  # try again
        assert screen.question_id == "Q2"
    assert answers_of(store, "保育課") == {"Q1": Single(1)}
    store.close()


async def test_command_palette_offers_the_screen_keys_in_japanese(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, "保育課")
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert {"無回答", "無効", "次へ", "前へ", "移動", "点検", "一覧", "ヘルプ", "終了"} <= commands
        assert "非該当" not in commands  # Q1 offers none
        assert all(not title.isascii() for title in commands)  # no English widget bindings


async def test_export_from_the_department_list_with_progress(store, tmp_path):
    import openpyxl

    from tui.screens.export import ExportScreen

    response = store.response(department_id=dept_id(store, "保育課"))
    store.save_answer(response.id, "Q1", Single(1), expected_version=response.version)
    target = tmp_path / "集計.xlsx"
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f9")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#export-path").value = str(target)
        await press(pilot, "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "出力しました" in screen.query_one("#export-result").plain
        bar = screen.query_one("#export-progress")
        assert bar.total and bar.progress == bar.total
        await press(pilot, "escape")
        assert isinstance(app.screen, DepartmentsScreen)
    book = openpyxl.load_workbook(target, read_only=True)
    assert "集計" in book.sheetnames


async def test_typed_brackets_are_never_read_as_markup(tmp_path):
    """A name or answer with "[/]" or "[b]" is shown as typed, never crashes a screen. (Since
    issue 23 such a name is refused as a person's name; one stored before is still shown as typed.)"""
    path = tmp_path / "chosho.sqlite"
    with pytest.raises(RefusedError, match="文字・数字以外の記号"):
        open_store(path, "[b]clerk[/]")
    open_store(path, "clerk").close()
    store = open_store(path, "clerk")
    store.who = "[b]clerk[/]"  # as a database from before issue 23 may hold it
    store.remember_user = lambda *a, **k: None  # the stored name is not registered again
    app = ChoshoApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await press(pilot, "enter")  # the who screen offers the stored name
        assert "[b]clerk[/]" in str(app.screen.query_one("#progress").render())
        await open_department(pilot, "保育課")
        await press(pilot, "1", "1", "2", "5", "5", "1", "5", "enter", "text:[/]その他[b]", "enter")
        await press(pilot, "f5", "1", "enter", "2")  # route change: the dialog lists the "[/]" text
        assert isinstance(app.screen, ConfirmDialog)
        assert "[/]その他[b]" in app.screen.query_one(".dialog-text").plain
        await press(pilot, "escape", "f6")
        assert isinstance(app.screen, SummaryScreen)
    store.close()


def test_bare_chosho_in_an_empty_folder_seeds_a_database_and_starts_the_app(tmp_path, monkeypatch):
    """`chosho` with no arguments: ./chosho.sqlite is created with all 58 departments, then the
    app runs on it (stopped here as soon as it would start)."""
    from tui import app as app_module
    from tui.cli import main

    started = {}

    def fake_run(self, **kwargs):
        started["screen"] = type(self.get_default_screen()).__name__
        started["departments"] = len(self.store.departments())

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHOSHO_DB", raising=False)
    monkeypatch.setattr(app_module.ChoshoApp, "run", fake_run)
    assert main([]) == 0
    assert (tmp_path / "chosho.sqlite").exists()
    assert started == {"screen": "WhoScreen", "departments": 58}
