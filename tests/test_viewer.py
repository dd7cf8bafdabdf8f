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


def OriginalsDialog():  # noqa: N802 (imported late: a module the fix added)
    from tui.screens.originals import OriginalsDialog

    return OriginalsDialog


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
        header = app.screen.query_one("#totals").plain if screen is ReviewScreen else str(app.screen.query_one("#progress").render())
        assert "原本 2 件（Ctrl+O）" in header
        await pilot.press("ctrl+o")  # two originals: the clerk picks one, the newest on top
        await pilot.pause()
        assert isinstance(app.screen, OriginalsDialog())
        await pilot.press("enter")
        await pilot.pause()
        assert len(opened) == 1
        path, content = opened[0]
        assert path.name == "政策課_回答_再送.pdf" and content == CONTENT  # the newest, byte for byte
        assert any("原本「政策課_回答_再送.pdf」を開きました" in n.message for n in app._notifications)
        await pilot.press("ctrl+o", "down", "enter")  # the older one
        await pilot.pause()
        assert [(p.name, c) for p, c in opened[1:]] == [("政策課_回答.pdf", b"%PDF-1.3 older")]
        await pilot.press("ctrl+o", "escape")  # cancelled: nothing opened
        await pilot.pause()
        assert len(opened) == 2 and not isinstance(app.screen, OriginalsDialog())
        opened.pop()
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


def test_one_original_opens_at_once_without_a_list(tmp_path, opened):
    import asyncio

    async def run() -> None:
        store = open_store(tmp_path / "chosho.sqlite", "reviewer")
        policy = store.departments()[0]
        add_original(store, policy.id, "政策課_回答.pdf", CONTENT)
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.push_screen(EntryScreen(store, policy.id))
            await pilot.pause()
            assert "原本 1 件（Ctrl+O）" in str(app.screen.query_one("#progress").render())
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert not isinstance(app.screen, OriginalsDialog()) and [p.name for p, _ in opened] == ["政策課_回答.pdf"]
        store.close()

    asyncio.run(run())


def _defunct_children() -> list[int]:
    """Our child processes that have exited but were never waited for (state Z)."""
    import os

    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_the_viewer_launcher_is_reaped(tmp_path, monkeypatch):
    """Each Ctrl+O once left a defunct xdg-open behind until chosho ended."""
    import sys
    import time

    if sys.platform != "linux":
        pytest.skip("xdg-open is the launcher on Linux")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "xdg-open"
    launcher.write_text("#!/bin/sh\nexit 0\n")
    launcher.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ['PATH']}")
    before = set(_defunct_children())
    for _ in range(3):
        tui.viewer.os_open(tmp_path / "a.pdf")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and set(_defunct_children()) - before:
        time.sleep(0.1)
    time.sleep(0.3)
    assert not set(_defunct_children()) - before
