"""Who is entering: the OS login by default, changeable, remembered in the database."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static

from db import Store, StoreError

__all__ = ["WhoScreen"]


class WhoScreen(Screen):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.known = [name for name, _display, _seen in store.users()]

    def compose(self) -> ComposeResult:
        default = self.known[0] if self.known else self.store.who
        with Vertical(classes="dialog"):
            yield Static(
                f"{self.store.title}\n\n作業者の名前を確認して Enter を押してください。",
                classes="dialog-text",
                markup=False,
            )
            yield Input(value=default, id="who", placeholder="作業者名")
            if self.known:
                yield Static("これまでの作業者（↑↓で選択）", classes="hint")
                yield OptionList(*(Text(name) for name in self.known), id="known")  # names are not markup
            yield Static("", id="message", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#who", Input).focus()

    def on_key(self, event) -> None:
        if event.key in ("down", "up") and self.known:
            options = self.query_one("#known", OptionList)
            index = options.highlighted
            step = 1 if event.key == "down" else -1
            index = 0 if index is None else max(0, min(len(self.known) - 1, index + step))
            options.highlighted = index
            self.query_one("#who", Input).value = self.known[index]
            event.stop()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#who", Input).value = self.known[event.option_index]
        self._confirm(self.known[event.option_index])

    @on(Input.Submitted, "#who")
    def _submitted(self, event: Input.Submitted) -> None:
        self._confirm(event.value)

    def _confirm(self, name: str) -> None:
        name = name.strip()
        if not name:
            self.query_one("#message", Static).update("作業者名を入力してください。")
            return
        try:
            self.store.remember_user(name)
        except StoreError as exc:
            self.query_one("#message", Static).update(str(exc))
            return
        from .departments import DepartmentsScreen

        self.app.push_screen(DepartmentsScreen(self.store))
