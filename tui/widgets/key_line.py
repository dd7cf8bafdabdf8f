"""The entry screen's one input line, handling every key in the order it was typed.

Textual delivers printable keys to the focused Input but checks bindings (Enter, Tab, F2…)
only after the key has bubbled up through other message queues; a clerk typing ahead
("1", Tab, "5"…) would see keys applied out of order, or to the next question. This line
handles the entry keys itself, synchronously, and calls back the screen at once.
"""

from __future__ import annotations

from typing import Protocol

from textual import events
from textual.widgets import Input

from ..keying import clean_paste

__all__ = ["KeyLine", "KeyLineOwner"]


class KeyLineOwner(Protocol):
    def key_line_typed(self, text: str) -> None: ...

    def key_line_key(self, key: str) -> None: ...


class KeyLine(Input):
    # Keys the entry screen acts on; everything else edits the line as in any Input.
    ENTRY_KEYS = frozenset(
        {"enter", "tab", "shift+tab", "f2", "f3", "f4", "f5", "f6", "f8", "f9", "f10", "escape", "pageup", "pagedown",
         "up", "down"}
    )

    def __init__(self, owner: KeyLineOwner, **kwargs) -> None:
        super().__init__(compact=True, select_on_focus=False, **kwargs)
        self.owner = owner

    def set_text(self, text: str) -> None:
        """Replace the line, caret at its end (where the clerk goes on typing)."""
        self.value = text
        self.cursor_position = len(text)

    async def _on_key(self, event: events.Key) -> None:
        if event.key in self.ENTRY_KEYS:
            event.stop()
            event.prevent_default()
            self.owner.key_line_key(event.key)
            return
        if event.key == "delete" and not self.value:  # on a matrix / counts row: 無回答
            event.stop()
            event.prevent_default()
            self.owner.key_line_key("delete")
            return
        if event.key == "backspace":
            event.stop()
            event.prevent_default()
            self.action_delete_left()
            return
        await super()._on_key(event)
        if event.is_printable:
            self.owner.key_line_typed(self.value)

    def _on_paste(self, event: events.Paste) -> None:
        # Textual calls _on_paste of every class in the MRO: without prevent_default, Input's
        # own handler would insert the paste a second time (the doubled 「貼り付け貼り付け」).
        event.prevent_default()
        event.stop()
        # A paste is typing: each character goes through the same path as a key, in order, so
        # pasted codes are taken exactly as typed ones and text lands once at the caret.
        text = clean_paste(event.text, multiline=False)
        for index, char in enumerate(text):
            if self.app.screen is not self.screen:
                # A dialog opened mid-paste (a route change): the rest waits on the line, untaken.
                self.insert_text_at_cursor(text[index:])
                return
            if self.selection.is_empty:
                self.insert_text_at_cursor(char)
            else:
                self.replace(char, *self.selection)
            self.owner.key_line_typed(self.value)
