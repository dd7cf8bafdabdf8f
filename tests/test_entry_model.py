"""A model of the clerk: random key sequences on the real entry screen, the store checked after
every step against what the step may change.

Hypothesis draws what a clerk does (codes ASCII / full-width / IME candidates, separators and
letters, F2/F3/F4, Tab / Shift+Tab / Enter / PgUp / PgDn / ↑↓ / Delete, pastes with control and
escape characters, Esc to the list and reopening, closing and restarting the app); Pilot
presses it. Beside it, a plain model: the answers the store must hold. After every step:

- a step that only moves (nothing typed is pending) leaves every answer as it was;
- any other step changes only the question it was on (a paste: the questions it typed through),
  except answers a confirmed route change took off the route;
- F2 records 無回答, a complete code on a fresh line records that code;
- no stored value is refused by the form's hard checks, no stored text holds a control or
  escape character;
- the app is still running.

The same actions run on the blind second keying (照合入力) of a department keyed and 入力済:
the model is then the second keying's own answers, and the department's must not change.

CI runs a derandomised, bounded profile; ``CHOSHO_MODEL_STEPS=5000`` runs longer locally.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from db import open_store
from survey import Blank, Grid, Multi, Single, Text, check_answer
from survey.answers import Counts
from survey.validation import Severity
from tui.app import ChoshoApp
from tui.screens.dialogs import ConfirmDialog
from tui.screens.entry import EntryScreen
from tui.widgets.fields import GridField, SingleField, TextField

from .entry_helpers import press
from .store_support import recorded_progress, routed_progress

STEPS_PER_SESSION = 30
TOTAL_STEPS = int(os.environ.get("CHOSHO_MODEL_STEPS", "240"))
DEPARTMENT = "保育課"

KEYS = (
    ["1", "2", "3", "4", "5", "１", "２", "❶", "➀", "፩", ",", "、", " ", "a", "あ"]
    + ["enter", "tab", "shift+tab", "pageup", "pagedown", "up", "down", "backspace", "delete"]
    + ["f2", "f3", "f4"]
)
PASTES = ["貼り付け", "\x1b[31m赤\x1b[0m", "1", "1,2", "x\x07y\x1b]0;t\x07", "５", "行1\r\n行2", "12"]
MOVES = {"tab", "shift+tab", "pageup", "pagedown", "enter", "up", "down", "escape", "reopen", "restart"}

action = st.one_of(
    st.sampled_from(KEYS).map(lambda k: ("key", k)),
    st.sampled_from(PASTES).map(lambda t: ("paste", t)),
    st.sampled_from(["escape", "reopen", "restart"]).map(lambda k: ("key", k)),
)
_BAD_TEXT = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def _texts(value) -> list[str]:
    if isinstance(value, (Single, Multi)):
        return list(value.texts.values())
    if isinstance(value, Text):
        return [value.text]
    return [getattr(value, "raw", "")]


class Model:
    """What the store must hold, and what each step may change."""

    def __init__(self, store, department_id: int, second: bool = False) -> None:
        self.store = store
        self.department_id = department_id
        self.second = second  # the blind second keying (照合入力): its own answers
        self.answers = self.stored()

    def stored(self) -> dict:
        if self.second:
            return dict(self.store.second_keying(self.department_id).answers)
        return dict(self.store.response(department_id=self.department_id).answers)

    def check(self, step, before_qid, after_qid, neutral: bool, expect) -> None:
        now = self.stored()
        questionnaire = self.store.questionnaire
        if neutral:
            assert now == self.answers, f"{step} on {before_qid} changed {self._diff(now)}"
        changed = self._diff(now)
        allowed = {before_qid} if before_qid else set()
        if step[0] == "paste" and before_qid and after_qid:
            ids = questionnaire.ids
            allowed |= set(ids[ids.index(before_qid) : ids.index(after_qid) + 1])
        route = self.store.router.route(now)
        for qid in changed - allowed:
            # Only a confirmed route change removes an answer, and only one off the new route.
            assert qid not in now and qid not in route, f"{step} on {before_qid} changed {qid}"
        if expect is not None and before_qid in changed | {before_qid}:
            assert expect(now.get(before_qid)), f"{step} on {before_qid}: {now.get(before_qid)!r}"
        for qid, value in now.items():
            errors = [p for p in check_answer(questionnaire, qid, value) if p.severity is Severity.ERROR]
            assert not errors, (qid, value, errors)
            for text in _texts(value):
                assert not _BAD_TEXT.search(text) and "\x1b" not in text, (qid, text)
        self.answers = now

    def _diff(self, now: dict) -> set[str]:
        return {q for q in set(now) | set(self.answers) if now.get(q) != self.answers.get(q)}


def _expectation(screen: EntryScreen, step):
    """An exact prediction for the simple cases, else None."""
    kind, key = step
    field = screen.field
    fresh = kind == "key" and not screen.key_line.value and not field.taking_invalid
    if not fresh or field.route_choice_for is not None:
        return None
    if key == "f2" and not screen.question.chooses_route_when_blank:
        return lambda value: value == Blank()
    if key in "12345" and len(key) == 1 and int(key) in screen.question.codes:
        code = int(key)
        if isinstance(field, SingleField) and field.text_code is None and not any(
            c != code and str(c).startswith(key) for c in screen.question.codes
        ):
            return lambda value: isinstance(value, Single) and value.code == code
        if isinstance(field, GridField):
            row = field.row_ids()[field.current]
            return lambda value: isinstance(value, Grid) and value.cells.get(row) == code
    return None


def _neutral(screen: EntryScreen, key: str) -> bool:
    """A move that must change nothing: nothing typed is pending and the question is recorded."""
    field = screen.field
    if key not in MOVES or field.taking_invalid or field.route_choice_for is not None:
        return False
    if key in ("reopen", "restart", "up", "down", "shift+tab", "pageup", "escape"):
        return not screen.unsaved_text() or key in ("reopen", "up", "down")
    value = screen.response.answers.get(screen.question_id)
    if value is None or isinstance(field, TextField) and screen.unsaved_text():
        return False
    if isinstance(value, (Grid, Counts)) and key == "enter":
        return not screen.key_line.value and field.row_ids()[field.current] in field.cells
    return not screen.key_line.value


def _first_keying(path: Path) -> dict:
    """clerk-a's whole form for the department, 入力済 and sampled: ready to be keyed again."""
    from .store_support import FORM

    with open_store(path, "clerk-a") as first:
        did = next(d.id for d in first.departments() if d.name == DEPARTMENT)
        response = first.response(department_id=did)
        version = response.version
        for qid, value in FORM:
            version = first.save_answer(response.id, qid, value, expected_version=version)
        first.mark_entered(response.id, expected_version=version)
        first.choose_for_verification("all")
        return dict(first.response(department_id=did).answers)


async def _session(path: Path, actions: list, second: bool = False) -> None:
    first_answers = _first_keying(path) if second else None
    store = open_store(path, "clerk-b" if second else "clerk-a")
    try:
        did = next(d.id for d in store.departments() if d.name == DEPARTMENT)
        if second:
            from tui.screens.second_keying import SecondKeyingScreen as screen_class

            store.start_second_keying(did, live=False)
        else:
            screen_class = EntryScreen
        model = Model(store, did, second)
        pending = list(actions)
        while pending:
            app = ChoshoApp(store, ask_who=False)
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                while pending:
                    step = pending.pop(0)
                    kind, key = step
                    screen = app.screen
                    if isinstance(screen, ConfirmDialog):  # a dialog is answered, whatever was drawn
                        await press(pilot, "enter" if key in ("enter", "f2", "1") else "escape")
                        model.check(step, None, None, False, None)
                        continue
                    if not isinstance(screen, EntryScreen) or key == "reopen":
                        if not isinstance(screen, EntryScreen):
                            while len(app.screen_stack) > 1:
                                app.pop_screen()
                        app.push_screen(screen_class(store, did))
                        await pilot.pause()
                        model.check(step, None, None, True, None)
                        continue
                    if key == "restart":
                        neutral = _neutral(screen, key)
                        if not neutral:
                            continue  # with text pending, Ctrl+Q asks: covered by the dialog steps
                        break
                    before = screen.question_id
                    neutral = kind == "key" and _neutral(screen, key)
                    expect = _expectation(screen, step) if kind == "key" else None
                    if kind == "paste":
                        app._driver.send_message(events.Paste(key))
                        await pilot.pause()
                        await pilot.pause()
                    else:
                        await press(pilot, key)
                    after = app.screen.question_id if isinstance(app.screen, EntryScreen) else None
                    if isinstance(app.screen, ConfirmDialog):
                        expect = None
                    model.check(step, before, after, neutral, expect)
                    assert app.is_running and app._exception is None
            # Closing and restarting keeps everything recorded; the list counts it as routing does.
            assert model.stored() == model.answers
            assert recorded_progress(store) == routed_progress(store)
        if second:  # blind keying never touches the department's answers
            assert dict(store.response(department_id=did).answers) == first_answers
    finally:
        store.close()


@settings(
    derandomize=True,
    max_examples=max(1, TOTAL_STEPS // STEPS_PER_SESSION),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(action, min_size=STEPS_PER_SESSION, max_size=STEPS_PER_SESSION))
def test_no_clerk_action_loses_changes_or_garbles_a_recorded_answer(actions):
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_session(Path(folder) / "chosho.sqlite", actions))


@settings(
    derandomize=True,
    max_examples=max(1, TOTAL_STEPS // 2 // STEPS_PER_SESSION),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(action, min_size=STEPS_PER_SESSION, max_size=STEPS_PER_SESSION))
def test_the_blind_second_keying_holds_what_was_keyed_and_leaves_the_first_alone(actions):
    """The same clerk actions on the second keying (照合入力), checked against the same model."""
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_session(Path(folder) / "chosho.sqlite", actions, second=True))
