"""The real terminal: `chosho` in tmux, keyed with Japanese text and a bracketed paste.

Pilot never goes through a terminal's bracketed paste (nor an IME's commit of several
characters at once); tmux does. The app's stderr is not redirected: Textual draws there, and
only then does tmux hear it ask for bracketed paste (see the field notes). A crash is detected by
the process being gone and by the exit status the pane prints.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from db import open_store
from survey import Grid, Single

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

CHOSHO = Path(sys.executable).with_name("chosho")


class Pane:
    def __init__(self, socket: str, session: str) -> None:
        self.socket = socket
        self.session = session

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True, timeout=20
        ).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", self.session, *(["-l"] if literal else []), *keys)

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, needle: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.text()
            if needle in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} never appeared; the pane shows:\n{self.text()}")


@contextmanager
def chosho_in_tmux(db: Path, user: str, session: str, tag: str) -> Iterator[Pane]:
    """``chosho --db DB --user USER`` in a tmux server of its own (socket named by ``tag``) at
    80×24, killed afterwards; when the app ends the pane prints its exit status."""
    socket = f"chosho-{tag}-{os.getpid()}"
    command = f"{CHOSHO} --db {db} --user {user}; echo CHOSHO-EXIT=$?; sleep 60"
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color")
    subprocess.run(
        ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command],
        check=True, env=env, timeout=20,
    )
    try:
        yield Pane(socket, session)
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=20)


@pytest.fixture
def pane(tmp_path):
    db = tmp_path / "chosho.sqlite"
    with chosho_in_tmux(db, "clerk-a", "entry", "test") as pane:
        yield pane, db


def test_a_form_keyed_in_tmux_with_japanese_text_and_a_bracketed_paste(pane):
    pane, db = pane
    pane.wait_for("所属一覧")  # the department list
    pane.keys("保育課", literal=True)  # as an IME commits it: several characters at once
    time.sleep(0.5)
    pane.keys("Enter")
    pane.wait_for("Q1 ·")
    for key in ["1", "1", "2", "3", "5"]:  # Q1 = 1, the Q2 matrix row by row
        pane.keys(key, literal=True)
        time.sleep(0.3)
    pane.wait_for("Q3 ·")
    pane.keys("F5")
    pane.wait_for("移動する設問")
    pane.keys("5", literal=True)
    pane.keys("Enter")
    pane.wait_for("Q5 ·")
    pane.keys("2", literal=True)  # 主にＬＩＮＥ: its box opens
    pane.wait_for("2 の記入欄")
    pane.keys("見やすい", literal=True)
    time.sleep(0.3)
    pane.tmux("set-buffer", "-b", "clip", "貼り付け\x1b[31m赤\x1b[0m")
    pane.tmux("paste-buffer", "-p", "-b", "clip", "-t", pane.session)  # bracketed, as a terminal pastes
    pane.wait_for("見やすい貼り付け赤")
    pane.keys("Enter")
    pane.wait_for("Q6 ·")
    pane.keys("C-q")
    screen = pane.wait_for("CHOSHO-EXIT=")
    assert "CHOSHO-EXIT=0" in screen, screen
    assert "Traceback" not in screen
    with open_store(db, "check") as store:
        did = next(d.id for d in store.departments() if d.name == "保育課")
        answers = store.response(department_id=did).answers
    assert answers["Q1"] == Single(1)
    assert answers["Q2"] == Grid({"line": 1, "x": 2, "facebook": 3, "youtube": 5})
    assert answers["Q5"] == Single(2, {2: "見やすい貼り付け赤"})
