"""The app in a browser tab (``chosho serve``, Textual's web driver): F9's workbook and Ctrl+O's
original go to the person's browser, never to a folder or viewer of the host.

Pilot's driver is told it is a web driver (``is_web``) and its ``deliver_binary`` — what the web
driver does with a file: offer it to the tab — records what it is given. The real web driver
in a real browser is tests/test_browser_e2e.py.
"""

from __future__ import annotations

import io
import tempfile

import openpyxl
import pytest

import tui.viewer
from db import open_store
from db.originals import add_original
from survey import Single
from tui.app import ChoshoApp
from tui.browser import file_name
from tui.screens.entry import EntryScreen
from tui.screens.export import ExportScreen
from tui.screens.review import ReviewScreen

PDF = b"%PDF-1.4\n" + "政策課の回答".encode() * 100
XLSX = b"PK\x03\x04" + b"\x00" * 200


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "chosho.sqlite", "clerk-a")
    yield store
    store.close()


@pytest.fixture
def host_viewer(monkeypatch):
    """The host's OS viewer: in a browser it must never be used."""
    opened = []
    monkeypatch.setattr(tui.viewer, "opener", opened.append)
    return opened


def as_web(app, monkeypatch) -> list[dict]:
    """Make the running app's driver a web driver; returns what it is asked to deliver."""
    driver = app._driver
    delivered: list[dict] = []

    def deliver_binary(binary, *, delivery_key, save_path, open_method, encoding=None, mime_type=None, name=None):
        delivered.append({"content": binary.read(), "path": save_path, "open_method": open_method, "mime_type": mime_type})
        binary.close()

    monkeypatch.setattr(type(driver), "is_web", property(lambda self: True))
    monkeypatch.setattr(driver, "deliver_binary", deliver_binary)
    assert app.is_web
    return delivered


async def export(pilot, app, typed: str | None = None) -> ExportScreen:
    await pilot.press("f9")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    if typed is not None:
        screen.query_one("#export-path").value = typed
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_f9_in_a_browser_sends_the_workbook_as_a_download(store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where a terminal export would land: nothing may appear here
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    department = store.departments()[0]
    response = store.response(department_id=department.id)
    store.save_answer(response.id, "Q1", Single(1), expected_version=response.version)
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        delivered = as_web(app, monkeypatch)
        await pilot.pause()
        screen = await export(pilot, app)
        assert "ブラウザのダウンロードに届きます" in str(screen.query_one("Label").render())
        assert "ブラウザのダウンロードに送りました" in screen.query_one("#export-result").plain
        assert len(delivered) == 1
        sent = delivered[0]
        assert sent["open_method"] == "download"
        assert sent["path"].name.endswith(".xlsx") and "_集計_" in sent["path"].name
        assert sent["mime_type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        book = openpyxl.load_workbook(io.BytesIO(sent["content"]), read_only=True)
        assert "集計" in book.sheetnames
        assert any("Excel をダウンロードに送りました" in n.message for n in app._notifications)

        # A folder typed in the name is the host's folder: only the name is used, nothing written there.
        await pilot.press("escape")
        target = tmp_path / "host" / "盗み見.xlsx"
        target.parent.mkdir()
        await export(pilot, app, str(target))
        assert [d["path"].name for d in delivered[1:]] == ["盗み見.xlsx"]
        assert not target.exists()
    assert list(tmp_path.glob("*.xlsx")) == [] and list((tmp_path / "host").iterdir()) == []
    assert list(scratch.iterdir()) == []  # the workbook's scratch folders are gone


async def test_f9_in_a_terminal_still_writes_the_file(store, tmp_path):
    target = tmp_path / "集計.xlsx"
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.is_web
        screen = await export(pilot, app, str(target))
        assert "出力しました" in screen.query_one("#export-result").plain
    assert "集計" in openpyxl.load_workbook(target, read_only=True).sheetnames


@pytest.mark.parametrize("screen_class", [EntryScreen, ReviewScreen])
async def test_ctrl_o_in_a_browser_opens_the_original_in_a_new_tab(store, monkeypatch, host_viewer, screen_class):
    policy, other = store.departments()[:2]
    add_original(store, policy.id, "政策課_回答.pdf", PDF)
    add_original(store, other.id, "広報課_回答.xlsx", XLSX)
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        delivered = as_web(app, monkeypatch)
        await pilot.pause()
        app.push_screen(screen_class(store, policy.id))
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert host_viewer == []
        assert [(d["path"].name, d["content"], d["open_method"], d["mime_type"]) for d in delivered] == [
            ("政策課_回答.pdf", PDF, "browser", "application/pdf")
        ]
        assert any("原本「政策課_回答.pdf」をブラウザの新しいタブで開きました。" in n.message for n in app._notifications)
        # An Excel book cannot be shown in a tab: it arrives as a download.
        app.pop_screen()
        await pilot.pause()
        app.push_screen(screen_class(store, other.id))
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert host_viewer == []
        assert [(d["path"].name, d["content"], d["open_method"]) for d in delivered[1:]] == [
            ("広報課_回答.xlsx", XLSX, "download")
        ]
        assert any("ブラウザのダウンロードに送りました" in n.message for n in app._notifications)


def test_a_typed_name_loses_every_folder():
    assert file_name("集計.xlsx") == "集計.xlsx"
    assert file_name(" /etc/集計.xlsx ") == "集計.xlsx"
    assert file_name(r"C:\Users\someone\集計.xlsx") == "集計.xlsx"
    assert file_name("..") == "" and file_name("/") == ""
