"""入力者統計: each keyer's total over every day, then each day below, from the keying events.

The figures are the pure core's (``survey.verification.keyer_statistics`` / ``keyer_totals``),
the same as the workbook's 入力者統計 sheet; the sheet has every column and the definitions in
full, this screen the ones a supervisor looks at, narrow enough for 80 columns.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from db import Store, StoreError

from ..widgets.columns import Column, cell, clip, share
from . import FORMS_CSS

__all__ = ["KeyersScreen", "COLUMNS"]


def _whole(n: float | None) -> str:
    return "－" if n is None else f"{round(n):,}"


def _one(n: float | None) -> str:
    return "－" if n is None else f"{n:,.1f}"


# (column, the figure from a KeyerRow). 入力者 shares what the numbers leave.
COLUMNS: list[tuple[Column, Callable]] = [
    (Column("入力者", weight=1, least=6, most=24), lambda r: r.person),
    (Column("日付", 5), lambda r: "合計" if r.day is None else r.day.strftime("%m-%d")),
    (Column("調書", 4), lambda r: _whole(r.forms)),
    (Column("項目", 6), lambda r: _whole(r.fields_keyed)),
    (Column("打鍵", 7), lambda r: _whole(r.keystrokes)),
    (Column("打鍵/時", 7), lambda r: _whole(r.keystrokes_per_hour)),
    (Column("訂正", 4), lambda r: _whole(r.corrections)),
    (Column("照合", 5), lambda r: _whole(r.fields_verified)),
    (Column("入力誤", 6), lambda r: _one(r.keyer_errors_per_1000)),
    (Column("照合誤", 6), lambda r: _one(r.verifier_errors_per_1000)),
]


def _number(text: str, width: int, style: str = "") -> Text:
    shown = clip(text, width)
    # Right-aligned as numbers are; no_wrap, or the table's wrapping drops the leading spaces.
    return Text(" " * (width - cell_len(shown)) + shown, style=style, justify="right", no_wrap=True)


class KeyersScreen(Screen):
    CSS_PATH = FORMS_CSS

    DEFAULT_CSS = """
    KeyersScreen #legend {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape", "back", "戻る", id="keyers.back"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.widths: list[int] = []
        self.totals: list = []
        self.daily: list = []

    def compose(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)
        yield DataTable(id="keyers", cursor_type="row", zebra_stripes=True)
        yield Static("", id="legend", markup=False)
        yield Static("", id="message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        from survey.verification import keyer_statistics, keyer_totals
        from survey.verification.stats import DEFAULT_PAUSE

        pause = f"{DEFAULT_PAUSE.total_seconds() / 60:g} 分"
        try:
            events = self.store.key_events()
        except StoreError as exc:
            self.query_one("#message", Static).update(str(exc))
            events = []
        self.totals = keyer_totals(events, DEFAULT_PAUSE)
        self.daily = keyer_statistics(events, DEFAULT_PAUSE)
        days = sorted({r.day for r in self.daily})
        span = f" · {days[0].isoformat()}～{days[-1].isoformat()}" if days else ""
        self.query_one("#progress", Static).update(f"入力者統計 · {len(self.totals)} 人{span} · 休止の閾値 {pause}")
        table = self.query_one(DataTable)
        if not events:
            table.display = False
            self.query_one("#legend", Static).update(
                "まだ入力の記録がありません。\n入力や照合入力（二人目の入力）を行うと、入力者ごと・日ごとの打鍵数、\n"
                "入力の速さ、照合で見つかった誤りの率をここに表示します。"
            )
            return
        # Three lines that fit 80 columns (Textual breaks Japanese only at spaces).
        minutes = f"{DEFAULT_PAUSE.total_seconds() / 60:g}分"
        self.query_one("#legend", Static).update(
            f"上は入力者ごとの合計、下は日ごと。打鍵/時: 休止（間隔が{minutes}超）を除いて計算。\n"
            "入力誤: 照合された1,000項目あたりの最初の入力の誤り（－: 照合なし）。\n"
            "照合誤: 照合した1,000項目あたりの照合入力の誤り。定義: Excelの「入力者統計」。"
        )
        self._set_columns()
        self.fill()
        table.focus()

    def _set_columns(self) -> bool:
        widths = share([c for c, _ in COLUMNS], self.size.width or self.app.size.width)
        if widths == self.widths:
            return False
        self.widths = widths
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for (column, _), width in zip(COLUMNS, widths):
            heading = column.heading if column.heading in ("入力者", "日付") else _number(column.heading, width)
            table.add_column(heading, width=width)
        return True

    def on_resize(self) -> None:
        if self.totals and self._set_columns():
            self.fill()

    def fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        display = self.store.display_name
        for key, rows in (("total", self.totals), ("day", self.daily)):
            if key == "day":
                table.add_row(*(cell("", width) for width in self.widths), key="gap")
            for i, row in enumerate(rows):
                style = "bold" if row.day is None else ""
                cells = []
                for n, ((_, figure), width) in enumerate(zip(COLUMNS, self.widths)):
                    text = display(row.person) if n == 0 else figure(row)
                    cells.append(cell(text, width, style) if n < 2 else _number(text, width, style))
                table.add_row(*cells, key=f"{key}-{i}")

    def action_back(self) -> None:
        self.app.pop_screen()
