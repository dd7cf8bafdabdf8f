"""The second keying (照合入力) in a real terminal: F3, the mode chosen with a full-width １ as an
IME sends it, a mismatch the live check flags, the re-keyed value, quitting — in tmux at 80×24."""

from __future__ import annotations

import shutil
import time

import pytest

from db import open_store
from survey import Grid, Single

from .store_support import FORM
from .test_entry_tmux import chosho_in_tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def pane(tmp_path):
    db = tmp_path / "chosho.sqlite"
    with open_store(db, "田中") as first:  # the first keying, 入力済, and every department chosen
        first.remember_user()
        dept = next(d.id for d in first.departments() if d.name == "保育課")
        response = first.response(department_id=dept)
        version = response.version
        for qid, value in FORM:
            version = first.save_answer(response.id, qid, value, expected_version=version)
        first.mark_entered(response.id, expected_version=version)
        first.choose_for_verification("all")
    with chosho_in_tmux(db, "佐藤", "second", "second") as pane:
        yield pane, db, dept


def test_second_keying_with_the_live_check_in_a_real_terminal(pane):
    pane, db, dept = pane
    pane.wait_for("所属一覧")
    pane.keys("保育課", literal=True)
    time.sleep(0.5)
    pane.keys("F3")
    pane.wait_for("照合入力（二人目の入力）を始めます")
    pane.keys("１", literal=True)  # 入力しながら照合する, typed full-width
    pane.wait_for("【照合入力】Q1")
    pane.keys("2", literal=True)  # the paper says 1; the first entry too
    screen = pane.wait_for("最初の入力と異なります")
    assert "【照合入力】Q1" in screen
    pane.keys("1", literal=True)  # keyed again from the paper: it matches
    pane.wait_for("【照合入力】Q2")
    for key in ["1", "2", "5", "3"]:  # the Q2 matrix, row by row
        pane.keys(key, literal=True)
        time.sleep(0.3)
    pane.wait_for("【照合入力】Q3")
    pane.keys("C-q")
    screen = pane.wait_for("CHOSHO-EXIT=")
    assert "CHOSHO-EXIT=0" in screen, screen
    assert "Traceback" not in screen
    with open_store(db, "check") as store:
        keying = store.second_keying(dept)
        assert keying.live and keying.keyer == "佐藤"
        assert keying.answers == {"Q1": Single(1), "Q2": Grid({"line": 1, "x": 2, "facebook": 5, "youtube": 3})}
        assert set(store.live_checked(dept)) == {"Q1", "Q2"}
        assert store.response(department_id=dept).answers == dict(FORM)  # the first entry untouched
        kinds = [e.kind for e in store.key_events() if e.person == "佐藤"]
        assert kinds.count("keystroke") >= 6 and kinds.count("verified_field") == 2
