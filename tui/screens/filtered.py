"""A list of departments with a filter line that keeps the keyboard (department list, queue)."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input

__all__ = ["FilteredListScreen"]


class FilteredListScreen(Screen):
    """Typing filters (Japanese through the IME); arrows and pages move the row cursor; Enter
    runs ``action_open``. A subclass provides ``fill()``, which fills its DataTable from the
    filter (rows keyed by department id), and ``action_open()``."""

    BINDINGS = [
        Binding("down", "cursor(1)", "下", show=False),
        Binding("up", "cursor(-1)", "上", show=False),
        Binding("pagedown", "cursor(10)", "次頁", show=False),
        Binding("pageup", "cursor(-10)", "前頁", show=False),
    ]

    def current(self) -> int | None:
        """The department id under the cursor."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        return int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self.fill()
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=0)

    @on(Input.Submitted, "#filter")
    def _submitted(self) -> None:
        self.action_open()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
