"""A list of departments with a filter line that keeps the keyboard (department list, queue)."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input

__all__ = ["FilteredListScreen"]


class FilteredListScreen(Screen):
    """Typing filters (Japanese through the IME); arrows and pages move the row cursor; Enter
    runs ``action_open``. A subclass provides ``columns()``, ``reload()`` (read the store, then
    fill), ``fill()``, which fills its DataTable from the filter (rows keyed by department id),
    and ``action_open()``."""

    BINDINGS = [
        Binding("down", "cursor(1)", "下", show=False),
        Binding("up", "cursor(-1)", "上", show=False),
        Binding("pagedown", "cursor(10)", "次頁", show=False),
        Binding("pageup", "cursor(-10)", "前頁", show=False),
    ]

    _shown = False

    def columns(self, wide: bool) -> list[tuple[str, int | None]]:
        """(heading, width) of each column; fixed widths keep 80 columns readable (a long name
        is cut at its column, not wrapped). ``wide``: the terminal has 110 columns or more."""
        return []

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for heading, width in self.columns(self.app.size.width >= 110):
            table.add_column(heading, width=width)
        table.can_focus = False  # the filter keeps the keyboard; arrows move the cursor
        self.reload()
        self.query_one("#filter", Input).focus()

    def on_screen_resume(self) -> None:
        # Back from a department: its state has changed. The first resume is the first
        # showing, which on_mount has just filled.
        if self._shown:
            self.reload()
        self._shown = True

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
