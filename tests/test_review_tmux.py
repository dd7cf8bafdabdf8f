"""The reviewer in a real 80×24 terminal (tmux): a question taller than the screen (Q7) is read to
its end with ↓ and the next ↓ reaches Q8; the footer says what ↓ does (issue 22, item 4).

The app's stderr is not redirected (Textual draws there); a crash shows as the exit status the
pane prints.
"""

from __future__ import annotations

import shutil
import time

import pytest

from db import open_store
from tests.review_support import fill
from tests.test_entry_tmux import chosho_in_tmux

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def pane(tmp_path):
    path = tmp_path / "chosho.sqlite"
    with open_store(path, "佐藤") as clerk:
        fill(clerk, next(d.id for d in clerk.departments() if d.name == "政策課"))  # Q6, Q7 on its route
    with chosho_in_tmux(path, "鈴木", "review", "review") as pane:
        yield pane


def footer(screen: str) -> str:
    return [line for line in screen.splitlines() if line.strip()][-1]


def test_a_reviewer_reads_q7_to_its_end_and_steps_on_with_the_arrow(pane):
    pane.wait_for("所属一覧")
    pane.keys("F7")  # 政策課 is the first department of the list
    pane.wait_for("· Q1 ·")
    assert "↓ 次の問い" in footer(pane.wait_for("↓ 次の問い"))
    for _ in range(6):  # Q2 … Q7, one ↓ each
        pane.keys("Down")
        time.sleep(0.3)
    screen = pane.wait_for("· Q7 ·")
    screen = pane.wait_for("↓ 続き")
    assert "↓ 続き" in footer(screen) and "14 魅力・みどころ" not in screen, screen  # the rest is below
    pane.keys("Down")
    screen = pane.wait_for("14 魅力・みどころ")  # the end of Q7, still Q7
    assert "· Q7 ·" in screen and "↓ 次の問い" in footer(screen), screen
    pane.keys("Down")
    pane.wait_for("· Q8 ·")
    pane.keys("Up")
    pane.wait_for("· Q7 ·")
    pane.keys("Up")
    pane.wait_for("· Q6 ·")
    pane.keys("C-q")
    screen = pane.wait_for("CHOSHO-EXIT=")
    assert "CHOSHO-EXIT=0" in screen and "Traceback" not in screen, screen
