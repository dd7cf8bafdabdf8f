"""Issue 22 items 1 and 2 in a real terminal at 80×24 (tmux, keys sent as a terminal sends them).

Pilot calls the app from inside; here the keys go through a terminal, at a typist's pace and as
one burst, so both the key line and the focused editor are reached. The app's stderr is not
redirected (Textual draws there).
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from db import open_store
from survey import Multi, Single

from .entry_helpers import expected_answers, paper_forms
from .test_entry_tmux import CHOSHO, Pane, pytestmark  # noqa: F401  (skipped without tmux)

FORM = next(f for f in paper_forms() if f["department"] == "保育課")


def _keyed_up_to(db, last: str) -> int:
    """保育課 keyed from the paper up to ``last``: the department opens on the question after it."""
    with open_store(db, "clerk-a") as store:
        store.remember_user()
        did = next(d.id for d in store.departments() if d.name == FORM["department"])
        response = store.response(department_id=did)
        version = response.version
        ids = store.questionnaire.ids
        for qid, value in expected_answers(FORM).items():
            if ids.index(qid) <= ids.index(last):
                version = store.save_answer(response.id, qid, value, expected_version=version)
    return did


def _answers(db, did):
    with open_store(db, "check") as store:
        return dict(store.response(department_id=did).answers)


@pytest.fixture
def terminal(tmp_path):
    socket = f"chosho-22a-{os.getpid()}"
    db = tmp_path / "chosho.sqlite"

    def start(last: str):
        did = _keyed_up_to(db, last)
        command = f"{CHOSHO} --db {db} --user clerk-a; echo CHOSHO-EXIT=$?; sleep 60"
        env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
        subprocess.run(
            ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "entry", "-x", "80", "-y", "24", command],
            check=True, env=env, timeout=20,
        )
        pane = Pane(socket, "entry")
        pane.wait_for("所属一覧")
        pane.keys("保育課", literal=True)
        time.sleep(0.5)
        pane.keys("Enter")
        return pane, db, did

    yield start
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=20)


def _quit(pane: Pane) -> str:
    pane.keys("C-q")
    screen = pane.wait_for("CHOSHO-EXIT=")
    assert "CHOSHO-EXIT=0" in screen and "Traceback" not in screen, screen
    return screen


def test_the_rest_of_a_code_line_never_lands_in_the_next_text_question(terminal):
    pane, db, did = terminal("Q20")
    pane.wait_for("Q21 ·")
    pane.keys("1,2", literal=True)  # one burst, as a fast typist's keys arrive
    screen = pane.wait_for("入れていません")
    assert "Q22 ·" in screen and "「,2」" in screen
    assert ",2" not in screen.split("記入内容")[1].split("記録:")[0]  # the editor is empty
    pane.keys("Tab")  # nothing typed: Tab refuses, nothing recorded
    pane.wait_for("記入がありません")
    pane.keys("BTab")
    pane.wait_for("Q21 ·")
    for key in ("1", ",", "2"):  # at a typist's pace: the editor has the focus by the ","
        pane.keys(key, literal=True)
        time.sleep(0.4)
    screen = pane.wait_for("入れていません")
    assert "Q22 ·" in screen and "「,2」" in screen
    pane.keys("要望なし", literal=True)  # the clerk's own text is taken as ever
    pane.wait_for("要望なし")
    pane.keys("Tab")
    pane.wait_for("Q23 ·")
    _quit(pane)
    answers = _answers(db, did)
    assert answers["Q21"] == Single(1) and answers["Q22"].text == "要望なし"


def test_ticks_not_recorded_are_marked_and_leaving_asks(terminal):
    pane, db, did = terminal("Q13")
    pane.wait_for("Q14 ·")
    pane.keys("1", literal=True)
    time.sleep(0.3)
    pane.keys("2", literal=True)
    screen = pane.wait_for("未記録: 1・2 を選択")
    assert "[+] 1" in screen and "[+] 2" in screen and "[x]" not in screen
    pane.keys("Escape")
    pane.wait_for("まだ記録されていません")
    pane.keys("Escape")  # stay: the ticks are kept
    screen = pane.wait_for("そのまま残しています")
    assert "[+] 1" in screen and "[+] 2" in screen
    pane.keys("Escape")
    pane.wait_for("まだ記録されていません")
    pane.keys("Enter")  # record, then back to the list
    pane.wait_for("所属一覧")
    assert _answers(db, did)["Q14"] == Multi(frozenset({1, 2}))
    pane.keys("Enter")  # 保育課 again, on Q15 (Q14 is recorded): back to Q14 with Shift+Tab
    pane.wait_for("Q15 ·")
    pane.keys("BTab")
    screen = pane.wait_for("Q14 ·")
    assert "[x] 1" in screen and "[x] 2" in screen and "未記録" not in screen
    pane.keys("3", literal=True)
    pane.wait_for("[+] 3")
    pane.keys("C-q")  # Ctrl+Q asks too
    pane.wait_for("まだ記録されていません")
    pane.keys("Enter")
    screen = pane.wait_for("CHOSHO-EXIT=")
    assert "CHOSHO-EXIT=0" in screen and "Traceback" not in screen, screen
    assert _answers(db, did)["Q14"] == Multi(frozenset({1, 2, 3}))
