"""A list of departments with a filter line that keeps the keyboard (department list, queue)."""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input

from ..widgets.columns import Column, share

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
    widths: list[int] = []
    """The columns' widths for the terminal's width now; ``fill()`` cuts its cells to them."""

    def columns(self) -> list[Column]:
        """The table's columns: fixed ones and those that share the rest of the width."""
        return []

    def _set_columns(self) -> bool:
        """Lay the columns out for the screen's width; False when nothing changed."""
        widths = share(self.columns(), self.size.width or self.app.size.width)
        if widths == self.widths:
            return False
        self.widths = widths
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for column, width in zip(self.columns(), widths):
            table.add_column(column.heading, width=width)
        return True

    def on_mount(self) -> None:
        self._set_columns()
        self.query_one(DataTable).can_focus = False  # the filter keeps the keyboard; arrows move the cursor
        self.reload()
        self.query_one("#filter", Input).focus()

    def on_resize(self) -> None:
        # The names share the terminal's width: a wider window shows more of them.
        if self._set_columns():
            self.fill()

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
