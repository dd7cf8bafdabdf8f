"""集計: every question's counts and percents so far, as horizontal bars, while entry goes on.

The numbers are the export's (``exports.tally.Tallies``, the same whole percents as the
workbook's 集計 sheet and the report draft), read when the screen opens and again on F5. Which
departments are counted is stated at the top and switched with F2: 入力済 and later (default),
確認済 and 確定 only, or everything entered so far (入力中 too, as the workbook counts).
No pandas and no XlsxWriter: the computation is plain Python over the store's records.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from db import Store, StoreError

from ..widgets.columns import clip
from . import FORMS_CSS

__all__ = ["SCOPE_ORDER", "TallyScreen", "bar", "render_tally"]

SCOPE_ORDER = ("entered", "confirmed", "all")  # F2 steps through these
SCOPE_LABELS = {
    "entered": "入力済・確認済・確定",
    "confirmed": "確認済・確定のみ",
    "all": "入力中も含む（入力済みの回答）",
}
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(share: float | None, cells: int) -> str:
    """A horizontal bar ``share`` of ``cells`` long, in eighths of a cell (█ ▉ … ▏)."""
    if not share or cells <= 0:
        return ""
    eighths = round(min(1.0, share) * cells * 8)
    whole, part = divmod(eighths, 8)
    return "█" * whole + (_EIGHTHS[part] if part else "")


def _line(label: str, share: float | None, count: str, whole: str, width: int, style: str = "") -> Text:
    """「  label  ████▌  35  60%」 fitted to ``width`` cells."""
    label_cells = max(10, min(30, width // 3))
    bar_cells = max(4, width - label_cells - 16)
    shown = clip(label, label_cells)
    text = Text("  " + shown + " " * (label_cells - cell_len(shown)) + " ", style=style)
    drawn = bar(share, bar_cells)
    text.append(drawn, style="#2E86DE" if not style else style)
    text.append(" " * (bar_cells - cell_len(drawn)))
    text.append(f"{count:>6} {whole:>5}", style=style)
    return text


def _percent(whole: int | None) -> str:
    return "－" if whole is None else f"{whole}%"


def render_tally(questionnaire, tallies, width: int) -> list[Text]:
    """Every question as lines: its title and base, then one bar per option (or item)."""
    from exports.tally import (
        OUTSIDE_STATES,
        STATE_LABELS,
        answered_shares,
        choice_shares,
        matrix_shares,
    )
    from survey import QuestionType
    from survey.dates import wareki

    lines: list[Text] = []
    grey = "dim"
    for question in questionnaire.questions:
        t = tallies.question(question)
        multi = "（複数回答）" if question.type is QuestionType.MULTI else ""
        lines.append(Text(clip(f"{question.label} {question.chart_title}{multi}", width), style="bold"))
        outside = "、".join(f"{STATE_LABELS[s]} {t.states[s]}" for s in OUTSIDE_STATES if t.states[s])
        base = f"  回答対象 {t.base} 所属" + (f"（除く: {outside}）" if outside else "")
        lines.append(Text(clip(base, width), style=grey))
        if not t.base:
            lines.append(Text(""))
            continue
        if question.type in (QuestionType.SINGLE, QuestionType.MULTI):
            for s in choice_shares(t):
                lines.append(_line(s.short, s.share, str(s.count), _percent(s.whole), width, grey if s.state else ""))
        elif question.type is QuestionType.MATRIX:
            for row, shares in zip(question.rows, matrix_shares(t).values()):
                lines.append(Text(clip(f"  【{row.short_label}】", width)))
                for s in shares:
                    lines.append(_line(s.short, s.share, str(s.count), _percent(s.whole), width, grey if s.state else ""))
        elif question.type is QuestionType.COUNTS:
            for item in question.items:
                rate = t.rate(item.id) if item.at_most else None
                shown = "－" if rate is None else f"{rate * 100:.1f}%"
                label = f"{item.label} 計{t.sums[item.id]:,}{item.unit}"
                lines.append(_line(label, rate, f"{t.filled[item.id]}所属", shown if item.at_most else "", width))
        elif question.type is QuestionType.NUMBER:
            stats = t.number_stats()
            if stats["count"]:
                unit = question.unit
                figures = "、".join(
                    f"{name} {_figure(stats[key])}{unit}" for key, name in
                    (("sum", "合計"), ("mean", "平均"), ("median", "中央値"), ("min", "最小"), ("max", "最大"))
                )
                lines.append(Text(clip(f"  記入 {stats['count']} 所属: {figures}", width)))
        elif question.type is QuestionType.DATE:
            if t.days:
                lines.append(Text(clip(f"  記入 {len(t.days)} 所属: {wareki(min(t.days))} ～ {wareki(max(t.days))}", width)))
        elif question.type is QuestionType.REPEAT:
            lines.append(Text(clip(
                f"  {t.table_departments} 所属・計 {t.table_rows} 行（列ごとの集計は Excel の「{question.id}_集計」シート）", width)))
        else:
            for s in answered_shares(t):
                lines.append(_line(s.label, s.share, str(s.count), _percent(s.whole), width, grey if s.state != "answered" else ""))
        lines.append(Text(""))
    return lines


def _figure(value) -> str:
    """A number answer's figure: grouped and exact, a mean or median cut to two decimals."""
    from decimal import Decimal

    if isinstance(value, Decimal) and value != value.to_integral_value():
        value = value.quantize(Decimal("0.01")).normalize()
    return format(value, ",")


class TallyScreen(Screen):
    CSS_PATH = FORMS_CSS

    DEFAULT_CSS = """
    TallyScreen #tally {
        height: 1fr;
    }
    TallyScreen #bars {
        height: auto;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    TallyScreen #scope {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape", "back", "戻る", id="tally.back"),
        Binding("f5", "refresh", "再集計", id="tally.refresh"),
        Binding("f2", "scope", "対象切替", id="tally.scope"),
    ]

    def __init__(self, store: Store, scope: str = "entered") -> None:
        super().__init__()
        self.store = store
        self.scope = scope
        self.records: list = []
        self.tallies = None
        self.drawn_width = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)
        yield Static("", id="scope", markup=False)
        with VerticalScroll(id="tally"):
            yield Static("", id="bars", markup=False)
        yield Static("", id="message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.action_refresh()
        self.query_one("#tally", VerticalScroll).focus()

    def action_refresh(self) -> None:
        """Read every department again and count (on opening, on F5)."""
        from exports.records import read_records

        try:
            self.records = read_records(self.store)
        except StoreError as exc:
            self.query_one("#message", Static).update(str(exc))
            return
        self.query_one("#message", Static).update("")
        self.count()

    def action_scope(self) -> None:
        self.scope = SCOPE_ORDER[(SCOPE_ORDER.index(self.scope) + 1) % len(SCOPE_ORDER)]
        self.count()

    def count(self) -> None:
        from exports.tally import Tallies, in_scope

        questionnaire = self.store.questionnaire
        self.tallies = Tallies(questionnaire, in_scope(self.records, self.scope))
        counted = len(self.tallies.records)
        self.query_one("#progress", Static).update(
            f"集計 · {SCOPE_LABELS[self.scope]} の {counted}/{len(self.records)} 所属 · {self.store.title}"
        )
        self.query_one("#scope", Static).update(
            "割合は回答対象（非該当を除く）に対する比率。Excel の集計と同じ整数の割合。\n"
            "F2: 集計する所属を切り替え（入力済以降／確認済のみ／入力中も含む）　F5: 読み直す"
        )
        self.draw()

    def _width(self) -> int:
        """The bars' room: the scroll view less its scrollbar (2) and the padding (1 each side)."""
        return max(40, (self.query_one("#tally").size.width or self.app.size.width) - 4)

    def draw(self) -> None:
        if self.tallies is None:
            return
        width = self.drawn_width = self._width()
        lines = render_tally(self.store.questionnaire, self.tallies, width)
        self.query_one("#bars", Static).update(Text("\n").join(lines))

    def on_resize(self) -> None:
        if self._width() != self.drawn_width:
            self.draw()

    def action_back(self) -> None:
        self.app.pop_screen()
