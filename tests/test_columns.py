"""Table columns share the terminal's width; cells are cut with … and padded to their column."""

from __future__ import annotations

from rich.cells import cell_len

from tui.widgets.columns import Column, cell, clip, share

COLUMNS = [
    Column("部局", weight=2, least=8, most=16),
    Column("所属", weight=4, least=14, most=38),
    Column("状態", 6),
    Column("最終更新", weight=1, least=16, most=24),
]


def _used(widths: list[int]) -> int:
    return sum(widths) + 2 * len(widths) + 2  # cell padding either side, and the scrollbar


def test_columns_fill_80_and_grow_at_120_within_their_limits():
    narrow, wide = share(COLUMNS, 80), share(COLUMNS, 120)
    assert _used(narrow) == 80 and narrow[2] == 6
    assert all(n >= c.least for n, c in zip(narrow, COLUMNS) if not c.width)
    assert wide[0] == 16 and wide[1] == 38  # the longest 部局 and 所属 are whole at 120
    assert _used(wide) <= 120 and all(w >= n for w, n in zip(wide, narrow))


def test_a_too_narrow_terminal_keeps_every_column_at_its_least():
    assert share(COLUMNS, 40) == [8, 14, 6, 16]


def test_cells_are_cut_with_an_ellipsis_and_padded_to_their_width():
    assert clip("新座駅北口土地区画整理事務所", 12) == "新座駅北口…"
    assert clip("政策課", 12) == "政策課"
    padded = cell("政策課", 12)
    assert cell_len(padded.plain) == 12 and padded.plain.rstrip() == "政策課"
    assert cell_len(cell("新座駅北口土地区画整理事務所", 13).plain) == 13
    assert cell("[b]x[/]", 8).plain.rstrip() == "[b]x[/]"  # never markup
