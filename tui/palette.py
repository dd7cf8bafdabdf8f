"""The command palette (Ctrl+P) in Japanese: Textual's own says 「No matches found」."""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

__all__ = ["ChoshoCommandPalette", "NO_MATCHES"]

NO_MATCHES = "該当するコマンドはありません"


class ChoshoCommandPalette(CommandPalette):
    # Textual's keys, described in Japanese (a footer or a key panel would show them).
    BINDINGS = [
        Binding("ctrl+end, shift+end", "command_list('last')", "最後へ", show=False),
        Binding("ctrl+home, shift+home", "command_list('first')", "最初へ", show=False),
        Binding("down", "cursor_down", "次のコマンド", show=False),
        Binding("escape", "escape", "閉じる"),
        Binding("pagedown", "command_list('page_down')", "次のページ", show=False),
        Binding("pageup", "command_list('page_up')", "前のページ", show=False),
        Binding("up", "command_list('cursor_up')", "前のコマンド", show=False),
    ]

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own method (8.2.8, pinned) with the message in Japanese: the words are
        # inside it, with no attribute to set them by.
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:  # discovery: an empty list needs no message
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
