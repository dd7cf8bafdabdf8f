"""The department list's table (tui/widgets/row_list.py): lines drawn from the rows in view,
cells cut with …, a cursor that the list's keys move and keep in view, clicks, filtering."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult

from db import open_store
from tui.app import ChoshoApp
from tui.screens.departments import DepartmentsScreen
from tui.screens.entry import EntryScreen
from tui.widgets.row_list import Row, RowList

from .entry_helpers import press


class _OneList(App[None]):
    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = rows
        self.chosen: list[str] = []

    def compose(self) -> ComposeResult:
        yield RowList()

    def on_mount(self) -> None:
        table = self.query_one(RowList)
        table.set_columns(["番号", "名前"], [4, 10])
        table.set_rows(self.rows)

    def on_row_list_chosen(self, event: RowList.Chosen) -> None:
        self.chosen.append(event.key)


def _rows(count: int) -> list[Row]:
    return [Row(str(i), (str(i), f"所属{i}" if i != 3 else "新座駅北口土地区画整理事務所")) for i in range(count)]


def _text(table: RowList, y: int) -> str:
    return table.render_line(y).text


async def test_heading_and_cells_cut_with_an_ellipsis_to_their_columns():
    app = _OneList(_rows(5))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(RowList)
        assert _text(table, 0).split() == ["番号", "名前"]
        assert _text(table, 1).split() == ["0", "所属0"]
        line = _text(table, 4)  # row 3: cut to 10 cells, with …
        assert "新座駅北…" in line and "区画" not in line
        assert all(cell_len(_text(table, y)) == table.scrollable_content_region.width for y in range(8))
        assert _text(table, 6).strip() == ""  # below the last row


async def test_only_the_rows_in_view_are_drawn_and_the_cursor_is_kept_in_view():
    app = _OneList(_rows(200))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(RowList)
        assert len(table._lines) <= 10  # a line per row in view and the heading, not 200
        table.move_cursor(row=150)
        await pilot.pause()
        assert table.cursor_row == 150 and table.cursor_key == "150"
        top = round(table.scroll_y)
        assert top <= 150 < top + table.size.height - 1
        assert _text(table, 0).split() == ["番号", "名前"]  # the heading stays on top
        assert "所属150" in _text(table, 150 - top + 1)
        table.move_cursor(row=500)  # clamped
        assert table.cursor_row == 199
        table.move_cursor(row=-3)
        await pilot.pause()
        assert table.cursor_row == 0 and round(table.scroll_y) == 0


async def test_a_click_moves_the_cursor_and_a_click_on_it_chooses_the_row():
    app = _OneList(_rows(5))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(RowList)
        await pilot.click(RowList, offset=(2, 3))  # line 3: row 2
        assert table.cursor_row == 2 and app.chosen == []
        await pilot.click(RowList, offset=(2, 3))
        await pilot.pause()
        assert app.chosen == ["2"]
        await pilot.click(RowList, offset=(2, 0))  # the heading: nothing
        await pilot.pause()
        assert table.cursor_row == 2 and app.chosen == ["2"]


async def test_new_rows_keep_the_cursor_within_them():
    app = _OneList(_rows(10))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(RowList)
        table.move_cursor(row=8)
        table.set_rows(_rows(3))
        assert table.cursor_row == 2 and table.get_row_at(2) == ("2", "所属2")
        table.set_rows([])
        assert table.cursor_key is None and table.row_count == 0
        table.move_cursor(row=1)  # nothing to move on
        assert table.cursor_key is None


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "chosho.sqlite", "tester")
    yield s
    s.close()


def _names(screen) -> list[str]:
    table = screen.query_one(RowList)
    return [table.get_row_at(i)[1] for i in range(table.row_count)]


async def test_department_list_keys_move_the_cursor_and_enter_opens_it(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(RowList)
        assert isinstance(screen, DepartmentsScreen) and table.row_count == 58
        await press(pilot, "down", "down")
        assert table.cursor_row == 2
        await press(pilot, "pagedown", "pagedown")
        assert table.cursor_row == 22
        top = round(table.scroll_y)
        assert top <= 22 < top + table.size.height - 1  # scrolled to it
        await press(pilot, "pageup", "up")
        assert table.cursor_row == 11
        name = _names(screen)[11]
        await press(pilot, "enter")
        assert isinstance(app.screen, EntryScreen) and app.screen.response.department.name == name
        await press(pilot, "escape")
        assert app.screen is screen and table.cursor_row == 11  # back on the same line


async def test_department_list_filters_by_typing_and_escape_shows_all_again(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await press(pilot, "text:まちづくり未来部")  # a 部局: all its 所属, the 部局 on its first line only
        table = screen.query_one(RowList)
        assert table.row_count == 6 and table.cursor_row == 0
        assert table.get_row_at(0)[0] == "まちづくり未来部" and table.get_row_at(1)[0] == ""
        assert "新座駅北口土地区画整理事務所" in _names(screen)
        line = table.render_line(1 + _names(screen).index("新座駅北口土地区画整理事務所")).text
        assert "新座駅北口土地区画整理…" in line  # cut with … at 80 columns
        await press(pilot, "text:xyz")
        assert table.row_count == 0
        await press(pilot, "enter")
        assert isinstance(app.screen, DepartmentsScreen)
        assert "該当する所属がありません" in str(screen.query_one("#message").render())
        await press(pilot, "escape")
        assert table.row_count == 58


async def test_department_list_names_grow_at_120_columns(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "text:新座駅")
        table = app.screen.query_one(RowList)
        assert table.row_count == 1
        assert "新座駅北口土地区画整理事務所" in table.render_line(1).text  # whole, no …
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "新座駅北口土地区画整理…" in table.render_line(1).text


async def test_a_click_on_the_cursor_line_opens_the_department(store):
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        name = _names(app.screen)[1]
        await pilot.click(RowList, offset=(20, 2))  # row 1
        assert isinstance(app.screen, DepartmentsScreen)
        await pilot.click(RowList, offset=(20, 2))
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen) and app.screen.response.department.name == name


async def test_moving_the_cursor_in_a_scrolled_list_redraws_the_two_lines_it_touches():
    app = _OneList(_rows(100))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(RowList)
        table.move_cursor(row=60)  # scrolls: row 60 is the last line in view
        await pilot.pause()
        top = round(table.scroll_y)
        assert top > 0
        redrawn = []
        refresh = table.refresh
        table.refresh = lambda *regions, **kw: (redrawn.extend(regions), refresh(*regions, **kw))[1]
        table.move_cursor(row=58)  # within view: no scrolling, only two lines change
        lines = sorted(region.y for region in redrawn)
        assert lines == [58 - top + 1, 60 - top + 1]  # the widget's lines of rows 58 and 60
