"""Ctrl+O on the entry and review screens opens the stored original with the OS viewer."""

from __future__ import annotations

from pathlib import Path

import pytest

import tui.viewer
from db import open_store
from db.originals import add_original
from tui.app import ChoshoApp
from tui.screens.entry import EntryScreen
from tui.screens.review import ReviewScreen

CONTENT = b"%PDF-1.4\n" + "政策課の回答".encode() * 100


@pytest.fixture
def opened(monkeypatch):
    seen: list[tuple[Path, bytes]] = []
    monkeypatch.setattr(tui.viewer, "opener", lambda path: seen.append((path, path.read_bytes())))
    return seen


@pytest.mark.parametrize("screen", [EntryScreen, ReviewScreen])
async def test_ctrl_o_opens_the_original(tmp_path, opened, screen):
    store = open_store(tmp_path / "chosho.sqlite", "reviewer")
    policy, other = store.departments()[:2]
    add_original(store, policy.id, "政策課_回答.pdf", b"%PDF-1.3 older")
    add_original(store, policy.id, "政策課_回答_再送.pdf", CONTENT)
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(screen(store, policy.id))
        await pilot.pause()
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert len(opened) == 1
        path, content = opened[0]
        assert path.name == "政策課_回答_再送.pdf" and content == CONTENT  # the newest, byte for byte
        assert any("開きました（ほかに 1 件）" in n.message for n in app._notifications)
        # a department without an original: said so, nothing opened
        app.pop_screen()
        await pilot.pause()
        app.push_screen(screen(store, other.id))
        await pilot.pause()
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert len(opened) == 1
        assert any("原本は保存されていません" in n.message for n in app._notifications)
    store.close()


def test_viewer_failure_is_a_message(tmp_path, monkeypatch):
    def broken(path):
        raise FileNotFoundError(2, "xdg-open がありません")

    monkeypatch.setattr(tui.viewer, "opener", broken)
    with open_store(tmp_path / "chosho.sqlite", "reviewer") as store:
        dept = store.departments()[0]
        add_original(store, dept.id, "a.xlsx", b"PK\x03\x04 a workbook")
        message, severity = tui.viewer.open_original(store, dept.id)
    assert severity == "error" and "開けませんでした" in message and "xdg-open がありません" in message
