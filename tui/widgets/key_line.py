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

__all__ = ["KeyLine", "KeyLineOwner"]


class KeyLineOwner(Protocol):
    def key_line_typed(self, text: str) -> None: ...

    def key_line_key(self, key: str) -> None: ...


class KeyLine(Input):
    # Keys the entry screen acts on; everything else edits the line as in any Input.
    ENTRY_KEYS = frozenset(
        {"enter", "tab", "shift+tab", "f2", "f3", "f4", "f5", "f6", "escape", "pageup", "pagedown", "up", "down"}
    )

    def __init__(self, owner: KeyLineOwner, **kwargs) -> None:
        super().__init__(compact=True, select_on_focus=False, **kwargs)
        self.owner = owner

    async def _on_key(self, event: events.Key) -> None:
        if event.key in self.ENTRY_KEYS:
            event.stop()
            event.prevent_default()
            self.owner.key_line_key(event.key)
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
        super()._on_paste(event)
        self.owner.key_line_typed(self.value)
