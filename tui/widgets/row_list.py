"""A list of one-line rows under a heading line, with a row cursor: the department list's table.

DataTable builds, measures and renders every cell through Rich (padding, wrapping, cropping)
and did so twice before the department list's first frame: most of chosho's start. Here a row
is a tuple of plain strings, the columns' widths come from ``columns.share``, and a line is
drawn only when it is in view (Textual's Line API), from segments, cut with "…" to its column
(``columns.clip``) and cached until the rows, the widths or the theme change.

The widget never takes the keyboard (the filter line above it keeps it); the screen moves the
cursor with ``move_cursor``. A click moves the cursor; a click on the cursor's row posts
``RowList.Chosen``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .columns import clip

__all__ = ["Row", "RowList"]

_PAD = " "  # one blank cell either side of each column, as columns.share counts


class Row(NamedTuple):
    key: str
    cells: tuple[str, ...]  # plain text, never markup; cut to the column when drawn
    styles: tuple[str, ...] = ()  # a Rich style per cell, drawn over the row's ("" for none)


class RowList(ScrollView, can_focus=False):
    """Rows of plain-text cells in columns of given widths; only the lines in view are drawn."""

    COMPONENT_CLASSES = {"row-list--header", "row-list--even", "row-list--cursor"}

    DEFAULT_CSS = """
    RowList {
        background: $surface;
        color: $foreground;
        height: 1fr;
        width: 100%;  /* the whole width: columns share it (columns.share) */
        overflow-x: hidden;
        & > .row-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .row-list--even {
            background: $surface-lighten-1 50%;
        }
        &:dark > .row-list--even {
            background: $surface-darken-1 40%;
        }
        & > .row-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class Chosen(Message):
        """The row under the cursor was clicked."""

        def __init__(self, row_list: RowList, key: str) -> None:
            super().__init__()
            self.row_list = row_list
            self.key = key

        @property
        def control(self) -> RowList:
            return self.row_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._headings: tuple[str, ...] = ()
        self._widths: tuple[int, ...] = ()
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self._cursor = 0
        self._lines: dict[tuple[int, str], Strip] = {}  # (row or -1 for the heading, look) → line
        self._styles: dict[str, Style] = {}

    # -- contents --------------------------------------------------------------------------

    def set_columns(self, headings: Sequence[str], widths: Sequence[int]) -> None:
        self._headings, self._widths = tuple(headings), tuple(widths)
        self._changed()

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show these rows (keys unique); the cursor keeps its line, within the new rows."""
        self._rows = list(rows)
        self._index = {row.key: i for i, row in enumerate(self._rows)}
        self._cursor = max(0, min(self._cursor, len(self._rows) - 1))
        self._changed()

    @property
    def headings(self) -> tuple[str, ...]:
        return self._headings

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_key(self) -> str | None:
        """The key of the row under the cursor (None when there are no rows)."""
        return self._rows[self._cursor].key if self._rows else None

    def get_row(self, key: str) -> tuple[str, ...]:
        return self._rows[self._index[key]].cells

    def get_row_at(self, index: int) -> tuple[str, ...]:
        return self._rows[index].cells

    def move_cursor(self, *, row: int) -> None:
        if not self._rows:
            return
        row = max(0, min(row, len(self._rows) - 1))
        if row != self._cursor:
            old, self._cursor = self._cursor, row
            self._refresh_row(old)
            self._refresh_row(row)
        self._show_cursor()

    def _changed(self) -> None:
        self._lines.clear()
        width = sum(self._widths) + 2 * len(self._widths)
        self.virtual_size = Size(width, len(self._rows) + 1)  # the heading is line 0
        self.refresh()
        self._show_cursor()

    # -- scrolling -------------------------------------------------------------------------

    def _rows_in_view(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _show_cursor(self) -> None:
        """Scroll so that the cursor's row is in view, below the heading."""
        top = round(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + self._rows_in_view():
            self.scroll_to(y=self._cursor - self._rows_in_view() + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        # The cached lines stay: one drawn for another width is drawn again (_line checks it).
        self._show_cursor()

    def _refresh_row(self, index: int) -> None:
        self._lines.pop((index, "cursor"), None)
        self.refresh_line(index + 1)  # in the list's own lines (ScrollView takes the scroll off)

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y - 1
        if event.y < 1 or not 0 <= index < len(self._rows):
            return
        if index == self._cursor:
            self.post_message(self.Chosen(self, self._rows[index].key))
        else:
            self.move_cursor(row=index)

    # -- drawing ---------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()  # a theme change: every line is drawn again

    def _style(self, text: str) -> Style:
        style = self._styles.get(text)
        if style is None:
            style = self._styles[text] = Style.parse(text) if text else Style()
        return style

    def _column_meta(self, column: int) -> Style:
        key = f"column:{column}"
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = Style.from_meta({"column": column})
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._line(-1, "header", self._headings, (), width)
        index = round(self.scroll_y) + y - 1
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        row = self._rows[index]
        look = "cursor" if index == self._cursor else ("odd" if index % 2 else "even")  # as DataTable's stripes
        return self._line(index, look, row.cells, row.styles, width)

    def _line(self, index: int, look: str, cells: Sequence[str], styles: Sequence[str], width: int) -> Strip:
        line = self._lines.get((index, look))
        if line is not None and line.cell_length == width:
            return line
        base = self.rich_style
        row_style = base if look == "odd" else base + self.get_component_rich_style(f"row-list--{look}")
        segments = []
        for i, (text, cells_wide) in enumerate(zip(cells, self._widths)):
            shown = clip(text, cells_wide)
            style = row_style + self._style(styles[i]) if i < len(styles) and styles[i] else row_style
            # Each cell its own segment: merged into one, a line's full-width text and spaces
            # would be drawn squeezed in an SVG screenshot (it sizes text by characters, not cells).
            style += self._column_meta(i)
            segments.append(Segment(f"{_PAD}{shown}{' ' * (cells_wide - cell_len(shown))}{_PAD}", style))
        line = Strip(segments).extend_cell_length(width, row_style).crop(0, width)
        self._lines[(index, look)] = line
        return line
