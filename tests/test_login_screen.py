"""The terminal once a database has accounts (issue 24): the who screen asks for the password,
--user no longer chooses the person, host commands are stamped with the OS login — so a typed
name can no longer act as someone else (four eyes binds real people)."""

from __future__ import annotations

import argparse
import sqlite3

import pytest
from textual.widgets import Input, Static

from db import RefusedError, open_store
from db import accounts as A
from db.who import os_login
from tests.review_support import fill, shown_all
from tui.app import ChoshoApp, terminal_app
from tui.cli import main
from tui.screens.departments import DepartmentsScreen
from tui.screens.login import FAILED, LoginScreen
from tui.screens.who import WhoScreen

from .store_support import db_path, template_db  # noqa: F401 - fixtures

TANAKA, SUZUKI, SATO = "tanaka-password", "suzuki-password", "sato-password"


@pytest.fixture
def office(db_path):  # noqa: F811
    """The database with three accounts (佐藤 disabled), made by the host's administrator."""
    with open_store(db_path, "admin") as store:
        A.add_account(store, "tanaka", TANAKA)
        A.add_account(store, "suzuki", SUZUKI, admin=True)
        A.add_account(store, "佐藤", SATO)
        A.disable_account(store, "佐藤")
    return db_path


def _log(path, sql="SELECT who, action, new FROM audit_log ORDER BY id"):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def _try(pilot, name: str, password: str) -> str:
    screen = pilot.app.screen
    screen.query_one("#name", Input).value = name
    screen.query_one("#name", Input).focus()
    await pilot.press("enter")  # to the password
    assert pilot.app.focused is screen.query_one("#password", Input)
    pilot.app.focused.value = password
    await pilot.press("enter")
    await pilot.pause()
    return str(screen.query_one("#message", Static).render())


async def test_the_who_screen_asks_for_the_password(office):
    with open_store(office, "x") as store:
        before = len(_log(office))
        async with ChoshoApp(store).run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = pilot.app.screen
            assert isinstance(screen, LoginScreen)
            assert screen.query_one("#password", Input).password  # no echo
            for name, password in (("tanaka", SUZUKI), ("誰か", TANAKA), ("佐藤", SATO), ("TANAKA", "")):
                assert await _try(pilot, name, password) == FAILED, name  # one answer for every failure
                assert pilot.app.screen is screen and store.who == "x"
                assert screen.query_one("#password", Input).value == ""  # typed again, never kept
            assert len(_log(office)) == before  # a failed try writes nothing
            await _try(pilot, "ＴＡＮＡＫＡ", TANAKA)
            assert isinstance(pilot.app.screen, DepartmentsScreen)
        assert store.who == "tanaka"  # the account's own spelling
    assert _log(office)[-1] == ("tanaka", "login", "端末")
    assert ("tanaka", "user", "tanaka") in _log(office)


async def test_without_accounts_the_who_screen_is_as_before(db_path):  # noqa: F811
    with open_store(db_path, "x") as store:
        async with ChoshoApp(store).run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(pilot.app.screen, WhoScreen)


def test_the_login_screen_at_80x24(snap_compare, office):
    async def run_before(pilot) -> None:
        await pilot.pause()
        await _try(pilot, "tanaka", "wrong password")
        for widget in pilot.app.screen.query(Input):
            widget.cursor_blink = False
        pilot.app.screen.query_one("#password", Input).value = "secret"  # shown as dots
        await pilot.pause()

    store = open_store(office, "x")
    try:
        assert snap_compare(ChoshoApp(store), terminal_size=(80, 24), run_before=run_before)
    finally:
        store.close()


def _args(path, user):
    return argparse.Namespace(db=str(path), user=user)


async def test_user_on_the_command_line_no_longer_chooses_the_person(office, capsys):
    app = terminal_app(_args(office, "suzuki"))
    try:
        assert app.ask_who and app.store.who == os_login() != "suzuki"
        err = capsys.readouterr().err
        assert "--user（suzuki）は使いません" in err and "名前とパスワード" in err
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(pilot.app.screen, LoginScreen)
    finally:
        app.store.close()


def test_without_accounts_user_still_names_the_person(db_path, capsys):  # noqa: F811
    app = terminal_app(_args(db_path, "suzuki"))
    try:
        assert not app.ask_who and app.store.who == "suzuki"
        assert "使いません" not in capsys.readouterr().err
    finally:
        app.store.close()


async def test_four_eyes_a_typed_name_cannot_sign_off_as_someone_else(office, tmp_path, capsys):
    """tanaka keys a department; knowing only their own password, tanaka cannot become suzuki —
    not with --user, not on the who screen, not through a host command — so the sign-off a
    second person must give stays suzuki's."""
    with open_store(office, "tanaka") as clerk:
        department = clerk.departments()[0]
        rid = fill(clerk, department.id)
    app = terminal_app(_args(office, "suzuki"))  # tanaka at the terminal, typing suzuki's name
    store = app.store
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert await _try(pilot, "suzuki", TANAKA) == FAILED
            assert store.who != "suzuki"
            await _try(pilot, "tanaka", TANAKA)
            assert isinstance(pilot.app.screen, DepartmentsScreen) and store.who == "tanaka"
        shown_all(store, rid)
        with pytest.raises(RefusedError):
            store.sign_off(rid, expected_version=None)  # one's own entry: refused as before
    finally:
        store.close()
    # a host command under --user suzuki is the host's administrator, stamped with the OS login
    pdf = tmp_path / "原本.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert main(["--db", str(office), "--user", "suzuki", "attach", department.name, str(pdf)]) == 0
    assert "OS のログイン名" in capsys.readouterr().err
    assert _log(office)[-1][:2] == (os_login(), "original")
    assert not [row for row in _log(office) if row[0] == "suzuki"]  # suzuki did nothing: nothing is theirs
    # suzuki, with suzuki's password, signs off
    with open_store(office, "x") as reviewer:
        assert A.check_password(reviewer, "suzuki", SUZUKI) == "suzuki"
        reviewer.who = "suzuki"
        shown_all(reviewer, rid)
        reviewer.sign_off(rid, expected_version=None)
        assert reviewer.response(response_id=rid).reviewed.who == "suzuki"
