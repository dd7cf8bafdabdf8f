"""Issue 22, the reviewer's side at 80×24: stepping through a question taller than the screen,
F6 on the long-text questions, refusals before any dialog asks, the 疑義 thread kept whole,
the cuts of a small terminal, and the department's originals.

Two people on one database file, pressing the keys they would press (Pilot); the store is
checked after.
"""

from __future__ import annotations

import itertools

import pytest
from textual.widgets import TextArea

import db.store
from db import open_store
from tests.review_support import fill, showcase
from tui.app import ChoshoApp
from tui.screens.entry import EntryScreen
from tui.screens.review import ReviewScreen
from tui.screens.summary import SummaryScreen

A, B = "佐藤", "鈴木"
SIZE = (80, 24)


@pytest.fixture
def stores(tmp_path, monkeypatch):
    ticks = itertools.count()
    monkeypatch.setattr(db.store, "now", lambda: f"2024-10-01T09:{next(ticks) % 60:02d}:00+09:00")
    path = tmp_path / "chosho.sqlite"
    a = open_store(path, A)
    b = open_store(path, B)
    yield a, b
    a.close()
    b.close()


def department(store, name):
    return next(d for d in store.departments() if d.name == name)


async def settle(pilot, times: int = 2) -> None:
    for _ in range(times):
        await pilot.pause()


# -- item 5: F6 on the long-text questions ----------------------------------------------------


@pytest.mark.parametrize("question_id", ["Q10", "Q11", "Q20", "Q22"])
async def test_f6_opens_the_summary_from_a_long_text_question(stores, question_id):
    """The text editor once took F6 (select line) for itself: nothing happened, and 点検 was
    missing from the command palette while the editor had the keyboard."""
    a, _ = stores
    did = department(a, "政策課").id
    fill(a, did, mark_entered=False)
    app = ChoshoApp(a, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(EntryScreen(a, did, question_id))
        await settle(pilot)
        assert isinstance(app.focused, TextArea)
        assert "点検" in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
