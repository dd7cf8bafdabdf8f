"""Table columns that share the terminal's width, and cells cut to it with "…".

A DataTable with fixed widths cuts a long name without a mark, and with automatic widths it
grows past 80 columns. Here fixed columns keep their width, flexible ones share what is left
(by weight, up to a limit), and every cell is cut with "…" and padded to its column's width.
The padding also keeps DataTable's width bookkeeping linear (summary, review): it measures the
whole column again whenever a new cell is narrower than the widest so far. The department
list and the queue draw their lines themselves (row_list.RowList) from the same widths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text

__all__ = ["Column", "clip", "share", "cell"]

_CELL_PADDING = 2  # DataTable draws one blank cell either side of each column
_SCROLLBAR = 2


class Column(NamedTuple):
    heading: str
    width: int = 0  # fixed width in cells; 0: shares what the fixed columns leave
    weight: int = 1  # share of the rest, for a flexible column
    least: int = 4
    most: int = 0  # never wider than this (0: no limit)
    value: Callable[[Any], str] | None = None  # what a row shows here (RowList screens)
    style: Callable[[Any], str] | None = None  # a Rich style for that cell ("" for none)


def clip(text: str, cells: int) -> str:
    """``text`` on one line, no wider than ``cells``: cut with "…" when it does not fit."""
    text = text.replace("\n", " ")
    if cell_len(text) <= cells:
        return text
    out, used = [], 0
    for ch in text:
        width = get_character_cell_size(ch)
        if used + width > cells - 1:
            break
        out.append(ch)
        used += width
    return "".join(out) + "…"


def cell(text: str, cells: int, style: str = "") -> Text:
    """A table cell: cut to ``cells`` and padded to exactly that width (never read as markup)."""
    shown = clip(text, cells)
    return Text(shown + " " * (cells - cell_len(shown)), style=style)


def share(columns: list[Column], total: int, scrollbar: bool = True) -> list[int]:
    """Each column's width when the table is ``total`` cells wide: fixed columns keep theirs,
    flexible ones start at ``least`` and take the rest a cell at a time, in proportion to
    their weight, up to ``most``."""
    widths = [c.width or c.least for c in columns]
    room = total - _CELL_PADDING * len(columns) - (_SCROLLBAR if scrollbar else 0) - sum(widths)
    flexible = [i for i, c in enumerate(columns) if not c.width]
    while room > 0:
        open_ = [i for i in flexible if not columns[i].most or widths[i] < columns[i].most]
        if not open_:
            break
        # The column furthest below its share gets the next cell.
        i = min(open_, key=lambda i: (widths[i] / columns[i].weight, i))
        widths[i] += 1
        room -= 1
    return widths
