"""照合入力 under Pilot: the blind second keying through the same screens, and the live check."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import open_store
from survey import Single
from survey.verification import keyer_statistics
from survey.verification.status import AWAITING_ADJUDICATION
from tui.app import ChoshoApp
from tui.screens.departments import DepartmentsScreen
from tui.screens.dialogs import ChoiceDialog
from tui.screens.second_keying import SecondKeyingScreen, SecondKeyingSummary, start_second_keying

from .entry_helpers import expected_answers, paper_forms, press

FORM = paper_forms()[0]  # Q1 = 1, 保育課
Q6 = 13  # FORM["keys"][13] is Q6's code (full-width ２, as typed through an IME)
Q12 = 28  # then Q12's code (1) and Q13's (2)
assert FORM["keys"][Q6] == "２" and FORM["keys"][Q12:Q12 + 2] == ["1", "2"]


def keys_with(changes: dict[int, list[str]]) -> list[str]:
    """The form's keys with some replaced (index → keys)."""
    keys = []
    for i, key in enumerate(FORM["keys"]):
        keys += changes.get(i, [key])
    return keys


def _first_keying(path: Path) -> int:
    """田中 keys 保育課 as the paper says and marks it 入力済; all departments are sampled."""
    with open_store(path, "田中") as a:
        a.remember_user()
        dept = next(d.id for d in a.departments() if d.name == FORM["department"])
        response = a.response(department_id=dept)
        version = response.version
        for qid, value in expected_answers(FORM).items():
            version = a.save_answer(response.id, qid, value, expected_version=version)
        a.mark_entered(response.id, expected_version=version)
        a.choose_for_verification("all")
    return dept


async def _start(pilot, dept: int, mode_key: str) -> SecondKeyingScreen:
    app = pilot.app
    start_second_keying(app.screen, dept)
    await pilot.pause()
    assert isinstance(app.screen, ChoiceDialog)
    await press(pilot, mode_key)
    assert isinstance(app.screen, SecondKeyingScreen)
    return app.screen


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "chosho.sqlite"


async def test_blind_second_keying_keeps_its_own_answers_and_shows_nothing_of_the_first(db):
    dept = _first_keying(db)
    # 佐藤 reads Q6 as 3 (the paper says 2)
    keys = keys_with({Q6: ["3"]})
    with open_store(db, "佐藤") as b:
        app = ChoshoApp(b, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _start(pilot, dept, "2")
            assert not screen.response.live
            progress = str(screen.query_one("#progress").render())
            assert progress.startswith("【照合入力】") and "照合入力中・後で突合" in progress
            # nothing of the first entry on screen: no recorded value, no route from it
            assert "記録: 未入力" in screen.query_one("#recorded").plain
            await press(pilot, *keys)
            assert isinstance(app.screen, SecondKeyingSummary)
            await press(pilot, "f9", "enter")
            assert "照合入力を終えました" in app.screen.query_one("#message").render().plain
        keying = b.second_keying(dept)
        assert keying.completed is not None
        second = dict(expected_answers(FORM))
        second["Q6"] = Single(3)
        assert keying.answers == second
        # the department's answers are the first keying's, untouched
        assert b.response(department_id=dept).answers == expected_answers(FORM)
        assert b.verification_state(dept) == AWAITING_ADJUDICATION
        assert [d.name for d in b.comparison(dept).differences] == ["Q6"]
        # keystrokes were counted for the verifier, once per key pressed on the entry screen
        rows = {r.person: r for r in keyer_statistics(b.key_events()) if r.day is not None}
        assert rows["佐藤"].keystrokes >= len(keys)
        assert rows["佐藤"].fields_keyed == len(second)


async def test_the_first_keyer_is_refused(db):
    dept = _first_keying(db)
    with open_store(db, "田中") as a:
        app = ChoshoApp(a, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            start_second_keying(app.screen, dept)
            await pilot.pause()
            assert isinstance(app.screen, DepartmentsScreen)
            assert any("別の人" in n.message for n in app._notifications)
        assert a.second_keying(dept) is None


async def test_live_check_counts_keyer_and_verifier_errors_as_cspro_does(db):
    """A hand count. Q6 (paper 2): 3, then 3 again → the first entry was wrong (a keyer error,
    3 recorded). Q12 (1): 3, then 2, then 2 → flagged twice, then a keyer error. Q13 (2): 1,
    then 2 → the verifier mistyped (a verifier error, 2 recorded)."""
    dept = _first_keying(db)
    changed = keys_with({Q6: ["3", "3"], Q12: ["3", "2", "2"], Q12 + 1: ["1", "2"]})
    with open_store(db, "佐藤") as b:
        app = ChoshoApp(b, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await _start(pilot, dept, "1")
            assert screen.response.live
            await press(pilot, *changed[: Q6 + 1])
            assert screen.question_id == "Q6"  # flagged: keyed again, nothing recorded
            assert "もう一度入力してください" in screen.message
            assert "2" not in screen.message  # blind: the first value is never shown
            assert "Q6" not in b.second_keying(dept).answers
            await press(pilot, *changed[Q6 + 1:])
            assert isinstance(app.screen, SecondKeyingSummary)
            await press(pilot, "f9", "enter")
        keying = b.second_keying(dept)
        assert keying.completed is not None
        assert (keying.answers["Q6"], keying.answers["Q12"], keying.answers["Q13"]) == (Single(3), Single(2), Single(2))
        rows = {r.person: r for r in keyer_statistics(b.key_events()) if r.day is not None}
        on_route = len(b.router.route(keying.answers).order)
        assert rows["佐藤"].fields_verified == on_route
        assert rows["佐藤"].verifier_errors == 1  # Q13
        assert rows["田中"].keyer_errors == 2  # Q6, Q12
        assert rows["田中"].fields_checked == on_route
        assert {d.question for d in b.comparison(dept).differences} == {"Q6", "Q12"}
        assert b.verification_state(dept) == AWAITING_ADJUDICATION


async def test_second_keying_resumes_where_it_stopped(db):
    dept = _first_keying(db)
    keys = FORM["keys"]
    with open_store(db, "佐藤") as b:
        app = ChoshoApp(b, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await _start(pilot, dept, "2")
            await press(pilot, *keys[:7])  # Q1, Q2 (4 rows), then Q3's first code
            await press(pilot, "escape")
            assert isinstance(app.screen, DepartmentsScreen) or app.screen.__class__.__name__ == "ConfirmDialog"
            if not isinstance(app.screen, DepartmentsScreen):
                await press(pilot, "escape", "escape")  # keep the text, then leave without it
    with open_store(db, "佐藤") as b:
        assert set(b.second_keying(dept).answers) == {"Q1", "Q2"}
        app = ChoshoApp(b, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            start_second_keying(app.screen, dept)  # no question asked again: it resumes
            await pilot.pause()
            assert isinstance(app.screen, SecondKeyingScreen)
            assert app.screen.question_id == "Q3"



async def test_the_verifier_is_not_shown_the_first_entry_while_keying_blind(db):
    dept = _first_keying(db)
    with open_store(db, "佐藤") as b:
        app = ChoshoApp(b, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await _start(pilot, dept, "2")
            await press(pilot, "1", "escape")
            assert isinstance(app.screen, DepartmentsScreen)
            listing = app.screen
            name = FORM["department"]
            await press(pilot, f"text:{name}")
            for key in ("enter", "f6", "f7"):  # entry, summary, review of the first entry
                await press(pilot, key)
                assert app.screen is listing, key
                assert "照合入力を終えるまで、最初の入力は表示しません" in str(
                    listing.query_one("#message").render()
                ), key
        # the first keyer is not keying blind: nothing is refused to them
        with open_store(db, "田中") as a:
            assert a.blind_refusal(dept) is None


async def test_keystrokes_that_cannot_be_stored_are_reported_not_swallowed(db, monkeypatch):
    """Keys pressed and nothing stored, then Esc: the keystrokes go to the store on leaving; if
    the store refuses them, the clerk is told (the answers are safe), and the app goes on."""
    from db import StoreBusy

    dept = _first_keying(db)
    with open_store(db, "田中") as a:
        app = ChoshoApp(a, ask_who=False)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            from tui.screens.entry import EntryScreen

            app.push_screen(EntryScreen(a, dept, "Q10"))
            await pilot.pause()

            def busy(events):
                raise StoreBusy("データベースが使用中です。")

            monkeypatch.setattr(a, "record_events", busy)
            await press(pilot, "tab", "shift+tab", "escape")
            await pilot.pause()
            assert isinstance(app.screen, DepartmentsScreen)
            assert any("打鍵記録" in n.message and "回答は保存済み" in n.message for n in app._notifications)
            assert app.is_running
