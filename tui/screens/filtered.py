"""A list of departments with a filter line that keeps the keyboard (department list, queue)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from ..widgets.columns import Column, share
from ..widgets.row_list import Row, RowList

__all__ = ["FilteredListScreen"]


class FilteredListScreen(Screen):
    """Typing filters (Japanese through the IME); arrows and pages move the row cursor; Enter
    (or a click on the cursor's row) runs ``action_open``.

    A subclass defines its columns once, in ``COLUMNS``: each ``Column`` has its heading, its
    width rule and ``value`` (what a line shows there; ``style`` optionally). It provides
    ``reload()`` (read the store, then ``fill()``), ``lines()`` (the lines the filter leaves, as
    ``(department id, line)`` pairs, each line what the columns' ``value`` reads) and
    ``action_open()`` (Enter, a click on the cursor's row).
    """

    BINDINGS = [
        Binding("down", "cursor(1)", "下", show=False),
        Binding("up", "cursor(-1)", "上", show=False),
        Binding("pagedown", "cursor(10)", "次頁", show=False),
        Binding("pageup", "cursor(-10)", "前頁", show=False),
    ]

    COLUMNS: Sequence[Column] = ()

    _shown = False
    widths: list[int] = []
    """The columns' widths for the terminal's width now; cells are cut to them with …"""

    def lines(self) -> list[tuple[int, Any]]:
        return []

    def columns(self) -> Sequence[Column]:
        """The columns shown now: ``COLUMNS``, or more when the data needs them (照合)."""
        return self.COLUMNS

    def _set_columns(self) -> bool:
        """Lay the columns out for the screen's width; False when nothing changed."""
        columns = self.columns()
        widths = share(list(columns), self.size.width or self.app.size.width)
        if widths == self.widths:
            return False
        self.widths = widths
        self.query_one(RowList).set_columns([c.heading for c in columns], widths)
        return True

    def on_mount(self) -> None:
        self._set_columns()
        self.reload()
        self.query_one("#filter", Input).focus()

    def on_resize(self) -> None:
        # The names share the terminal's width: a wider window shows more of them.
        self._set_columns()

    def on_screen_resume(self) -> None:
        # Back from a department: its state has changed. The first resume is the first
        # showing, which on_mount has just filled.
        if self._shown:
            self.reload()
        self._shown = True

    def fill(self) -> None:
        """Show the lines the filter leaves; the cursor stays on its department if still shown."""
        table = self.query_one(RowList)
        current = table.cursor_key
        rows = []
        columns = self.columns()
        for department_id, line in self.lines():
            cells = tuple(column.value(line) for column in columns)
            styles = tuple(column.style(line) if column.style else "" for column in columns)
            rows.append(Row(str(department_id), cells, styles))
        table.set_rows(rows)
        keys = [row.key for row in rows]
        if current in keys:
            table.move_cursor(row=keys.index(current))

    def current(self) -> int | None:
        """The department id under the cursor."""
        key = self.query_one(RowList).cursor_key
        return None if key is None else int(key)

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self.fill()
        self.query_one(RowList).move_cursor(row=0)

    @on(Input.Submitted, "#filter")
    def _submitted(self) -> None:
        self.action_open()

    @on(RowList.Chosen)
    def _chosen(self) -> None:
        self.action_open()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(RowList)
        table.move_cursor(row=table.cursor_row + step)

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
