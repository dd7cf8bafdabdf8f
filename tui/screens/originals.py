"""Ctrl+O on the entry and review screens: open the department's original with the OS viewer
(in a browser: in a new tab of the person's browser, tui/browser.py),
and when it has several (a form returned, then corrected and sent again), let the clerk pick one
from a list first — newest on top, each with its name, size, who stored it and when."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from ..widgets.folded import Folded
from . import FORMS_CSS

if TYPE_CHECKING:
    from db import Store
    from db.originals import Original

__all__ = ["OriginalsDialog", "open_original_from", "originals_note"]


def originals_note(store: Store, department_id: int) -> str:
    """「原本 2 件（Ctrl+O）」 for a screen's header; "" when the department has none."""
    from db.errors import StoreError
    from db.originals import originals

    try:
        count = len(originals(store, department_id))
    except StoreError:
        return ""
    return f"原本 {count} 件（Ctrl+O）" if count else ""


def open_original_from(screen: Screen, store: Store, department_id: int) -> None:
    """Ctrl+O: open the only original at once; with several, ask which first."""
    from db.errors import StoreError
    from db.originals import originals
    from tui.browser import in_browser, show_original
    from tui.viewer import open_original

    # In a browser the original goes to the person's own browser, not the host's viewer.
    send = (lambda name, content: show_original(screen.app, name, content)) if in_browser(screen.app) else None

    def opened(original_id: int | None = None) -> None:
        message, severity = open_original(store, department_id, original_id, send=send)
        screen.notify(message, severity=severity, markup=False)

    try:
        kept = originals(store, department_id)
    except StoreError as exc:
        screen.notify(str(exc), severity="error", markup=False)
        return
    if len(kept) < 2:
        opened()
        return

    def chosen(original_id: int | None) -> None:
        if original_id is not None:
            opened(original_id)

    screen.app.push_screen(OriginalsDialog(store, kept), chosen)


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


class OriginalsDialog(ModalScreen["int | None"]):
    """The department's originals, newest first: ↑↓ to choose, Enter to open, Esc to cancel."""

    CSS_PATH = FORMS_CSS

    BINDINGS = [Binding("escape", "cancel", "やめる")]

    def __init__(self, store: Store, kept: list[Original]) -> None:
        super().__init__()
        self.store = store
        self.kept = kept

    def compose(self) -> ComposeResult:
        options = []
        for number, original in enumerate(self.kept, 1):
            when = original.stored_at[:16].replace("T", " ")
            newest = "（最新）" if number == 1 else ""
            options.append(
                Option(
                    f"{number}. {original.name}{newest}　{_size(original.size)}　"
                    f"{self.store.display_name(original.stored_by)} {when}",
                    id=str(original.id),
                )
            )
        with Vertical(classes="dialog"):
            yield Folded([("", f"この所属の原本は {len(self.kept)} 件あります。開くものを選んでください。")], classes="dialog-text")
            yield OptionList(*options, id="originals")
            yield Label("↑↓: 選ぶ　　Enter: 開く　　Esc: やめる", classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        options = self.query_one("#originals", OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#originals")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)
