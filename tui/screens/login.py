"""Who is entering, once the database has accounts: a name and its password (db/accounts.py).

The same message for an unknown name, a wrong password and a disabled account, so the screen
does not tell which names exist. A login is in the audit log (``login``, 端末) and every later
write is stamped with the account's own spelling of the name.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from db import Store, StoreError

__all__ = ["FAILED", "LoginScreen"]

FAILED = "名前かパスワードが違うか、使えないアカウントです。確かめてもう一度入力してください。"


class LoginScreen(Screen):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"{self.store.title}\n\nこのデータベースはアカウントで使います。"
                "名前とパスワードを入力して Enter を押してください。",
                classes="dialog-text",
                markup=False,
            )
            yield Static("名前", classes="hint")
            yield Input(id="name", placeholder="作業者名")
            yield Static("パスワード（画面には表示されません）", classes="hint")
            yield Input(id="password", password=True, placeholder="パスワード")
            yield Static("", id="message", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def _name_given(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one("#password", Input).focus()
        else:
            self.query_one("#message", Static).update("作業者名を入力してください。")

    @on(Input.Submitted, "#password")
    def _password_given(self, event: Input.Submitted) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#message", Static).update("作業者名を入力してください。")
            self.query_one("#name", Input).focus()
            return
        self._log_in(name, event.value)

    def _log_in(self, name: str, password: str) -> None:
        from db.accounts import check_password, record_login

        message = self.query_one("#message", Static)
        field = self.query_one("#password", Input)
        before = self.store.who
        try:
            person = check_password(self.store, name, password)
            if person is None:
                message.update(FAILED)
                field.value = ""
                field.focus()
                return
            self.store.who = person
            self.store.remember_user(person)
            record_login(self.store, person, "端末")
        except StoreError as exc:
            self.store.who = before  # not logged in: nothing is stamped with the name
            message.update(str(exc))
            return
        field.value = ""
        from .departments import DepartmentsScreen

        self.app.push_screen(DepartmentsScreen(self.store))
