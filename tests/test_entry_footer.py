"""The entry screen's footer draws its keys once per change of what it shows, not on every
signal that bindings may have changed (seven times per department opened with Textual's own):
opening a department is the key a clerk presses 58 times a round (bench/open_department.py)."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from db import open_store
from tui.app import ChoshoApp
from tui.screens.entry import EntryScreen
from tui.widgets.footer import KeyFooter

from .entry_helpers import press


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "chosho.sqlite", "佐藤") as store:
        yield store


def _keys(screen) -> list[str]:
    return [key.key_display for key in screen.query(FooterKey)]


async def test_opening_a_department_draws_the_footers_keys_once(store, monkeypatch):
    composed = []
    recompose = KeyFooter.recompose

    async def counted(self):
        composed.append(self)
        await recompose(self)

    monkeypatch.setattr(KeyFooter, "recompose", counted)
    async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for name in ("保育課", "政策課", "財政課"):
            composed.clear()
            await press(pilot, f"text:{name}", "enter")
            await pilot.pause()
            assert isinstance(pilot.app.screen, EntryScreen)
            assert len(composed) == 1
            assert _keys(pilot.app.screen)[:3] == ["Tab", "S-Tab", "F2"]
            await press(pilot, "escape", *["backspace"] * len(name))


async def test_the_footer_follows_the_keys_a_question_offers(store):
    """F4 非該当 is offered on Q6 and Q7 only: the footer shows it there and nowhere else."""
    department = next(d.id for d in store.departments() if d.name == "（仮称）三軒屋公園等複合施設整備推進室")
    async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pilot.app.push_screen(EntryScreen(store, department, "Q6"))
        await pilot.pause()
        await pilot.pause()
        assert "F4" in _keys(pilot.app.screen)
        await press(pilot, "shift+tab")
        await pilot.pause()
        assert pilot.app.screen.question_id == "Q5" and "F4" not in _keys(pilot.app.screen)
        await press(pilot, "f5", "text:Q7", "enter")
        await pilot.pause()
        assert pilot.app.screen.question_id == "Q7" and "F4" in _keys(pilot.app.screen)
