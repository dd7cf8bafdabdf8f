"""突合 (adjudication): one department's two keyings, difference by difference.

Every difference is listed, routing answers first (``Comparison.differences`` orders them), with
what each keying holds and how it is settled so far. The adjudicator — neither keyer, the store
decides — takes the first keying's cell (1), the second's (2) or types a third value (3 / F2,
``ThirdValueDialog``). After each choice the stored resolutions are applied again
(``store.adjudication``): settling a routing answer moves the route, so differences that fall
off it are shown as 不要（経路外）, and a question that comes onto it with nothing keyed in either
keying is listed for a value. F9 writes the result into the department's answers.

Keys: digits (half- or full-width, as an IME in 全角 mode sends them) and F-keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from db import Store, StoreError
from survey.verification import (
    ANSWER, FIRST, INVALID, NOT_APPLICABLE, OFF_ROUTE, SECOND, Adjudication, Cell, Comparison, Resolution, take_first, take_second,
)

from survey.verification.cells import CODE, NO_ROW, ROW, TABLE_ROW, TICK

from ..widgets.columns import Column, cell, share
from ..widgets.folded import Folded
from . import FORMS_CSS
from .dialogs import ConfirmDialog
from .message import MessageLine

__all__ = ["AdjudicationScreen", "Row", "adjudication_rows", "resolution_text", "start_adjudication"]

OPEN, DONE, MOOT, NEEDED = "未解決", "解決済", "不要（経路外）", "値が必要"
PENDING = "経路未確定"  # neither keyed it, and the open routing answers decide whether it is asked
_VARIES = Cell(INVALID, "項目ごとに異なる")  # only shown: merged lines whose cells differ


@dataclass(frozen=True)
class Row:
    """One line of the screen: a difference, or a variable the result needs a value for."""

    name: str
    label: str
    question: str
    routing: bool
    first: Cell
    second: Cell
    resolution: Resolution | None
    state: str  # OPEN, DONE, MOOT, NEEDED or PENDING
    problem: str = ""  # the resolved cells do not make a valid answer (yet)
    merged: tuple[str, ...] = ()  # a question's moot lines shown as one: their variables
    kind: str = ""  # the variable's kind (a tick reads 1 / 0: shown with what it means)


def short(cell_: Cell, kind: str = "", question=None) -> str:
    """A cell in a table column: the two 非該当 as the overview of the review says them, a
    multiple choice's tick with what it means (typed as 1 / 0 in the third-value dialog), and a
    code with its option's label (``question`` given): 「3（ホームページ）」, not a bare 3."""
    if kind == TICK and cell_.state == ANSWER and cell_.value in (0, 1):
        return "1（選択）" if cell_.value == 1 else "0（選択なし）"
    if question is not None and kind in (CODE, ROW) and cell_.state == ANSWER:
        option = question.option(cell_.value) if isinstance(cell_.value, int) else None
        if option is not None:
            return f"{cell_.value}（{option.label}）"
    if cell_.state == OFF_ROUTE:
        return "経路外"
    if cell_.state == NOT_APPLICABLE:
        return "非該当"
    if cell_ is _VARIES:
        return "（項目ごと）"
    return cell_.describe()


def resolution_text(resolution: Resolution | None, question=None, kind: str = "") -> str:
    if resolution is None:
        return ""
    if resolution.choice == FIRST:
        return "1回目を採用"
    if resolution.choice == SECOND:
        return "2回目を採用"
    text = f"第三の値 {short(resolution.value, kind, question) if resolution.value else ''}"
    return text + (f"（理由: {resolution.reason}）" if resolution.reason else "")


def adjudication_rows(store: Store, comparison: Comparison, result: Adjudication) -> list[Row]:
    """The differences in the comparison's order, then what the final route still needs.

    A question on the final route that neither keying holds (``missing``), or whose resolved
    cells do not make an answer (``problems``), lists its main variables, so that each can be
    given a third value.
    """
    comparer = store.comparer
    chosen = {r.variable: r for r in result.resolutions}
    differences = {d.name: d for d in comparison.differences}
    unresolved = {d.name for d in result.unresolved}
    problems: dict[str, str] = {}
    for issue in result.problems:
        problems.setdefault(issue.question, issue.message)
    wanted = set(differences) | set(chosen)
    for question in set(result.missing) | set(problems):
        start, end = comparer.by_question[question]
        wanted |= {
            v.name for i, v in enumerate(comparer.variables[start:end], start) if v.main
            # a repeat's rows past both keyings' last row say nothing: only its first row is asked
            and not (v.kind == TABLE_ROW and v.key > 1 and comparison.first_cells[i].state == NO_ROW
                     and comparison.second_cells[i].state == NO_ROW)
        }
    rows = []
    for index in comparer.order:  # routing answers first, then form order
        variable = comparer.variables[index]
        if variable.name not in wanted:
            continue
        name, question = variable.name, variable.question
        resolution = chosen.get(name)
        if question not in result.route:
            state = MOOT
        elif name in unresolved:
            state = OPEN
        elif resolution is not None:
            state = DONE
        elif name in differences:
            state = OPEN
        elif result.route.status(question) == "pending":
            state = PENDING
        else:
            state = NEEDED
        rows.append(
            Row(
                name, variable.label or name, question, name in comparer.routing,
                comparison.first_cells[index], comparison.second_cells[index], resolution, state,
                problems.get(question, "") if state != MOOT else "", kind=variable.kind,
            )
        )
    return _fold_moot(store, rows)


def _fold_moot(store: Store, rows: list[Row]) -> list[Row]:
    """A question off the final route is one line, however many of its variables differ
    (Q1 settled as 2 leaves dozens of Q2–Q15 lines that no longer matter)."""
    out: list[Row] = []
    for row in rows:
        last = out[-1] if out else None
        if row.state == MOOT and last is not None and last.state == MOOT and last.question == row.question:
            names = (last.merged or (last.name,)) + (row.name,)
            label = f"{store.questionnaire.question(row.question).label}（{len(names)} 項目）"
            out[-1] = Row(
                last.name, label, last.question, last.routing or row.routing,
                last.first if last.first == row.first else _VARIES, last.second if last.second == row.second else _VARIES,
                None, MOOT, "", names, kind=last.kind if last.kind == row.kind else "",
            )
            continue
        out.append(row)
    return out


def start_adjudication(screen: Screen, department_id: int) -> bool:
    """Open the adjudication of a department, or say (as a notification) why this person may not."""
    store: Store = screen.app.store  # type: ignore[attr-defined]
    try:
        problem = store.adjudicator_problem(department_id)
    except StoreError as exc:
        problem = str(exc)
    if problem:
        screen.app.notify(problem, title="突合できません", severity="error", timeout=12, markup=False)
        return False
    screen.app.push_screen(AdjudicationScreen(store, department_id))
    return True


class AdjudicationScreen(MessageLine, Screen):
    CSS_PATH = FORMS_CSS

    BINDINGS = [
        Binding("1,１", "take(1)", "入力採用", id="adjudication.first"),
        Binding("2,２", "take(2)", "照合採用", id="adjudication.second"),
        Binding("3,３,f2", "third", "第三の値", id="adjudication.third"),
        Binding("f9", "finish", "完了", id="adjudication.finish"),
        # The table's own Home / End move sideways; here they go to the first / last line.
        Binding("home", "edge(0)", "最初の相違", show=False, priority=True),
        Binding("end", "edge(-1)", "最後の相違", show=False, priority=True),
        Binding("escape", "back", "戻る", id="adjudication.back"),
    ]

    def __init__(self, store: Store, department_id: int) -> None:
        super().__init__()
        self.store = store
        self.department_id = department_id
        self.rows: list[Row] = []
        self.result: Adjudication | None = None
        self.widths: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)
        yield Static("", id="totals", markup=False)
        yield DataTable(id="differences", cursor_type="row", zebra_stripes=True)
        yield Folded(id="adjudication-detail")
        yield Folded(id="message")
        yield Footer(compact=True)

    def columns(self) -> list[Column]:
        return [
            Column("項目", weight=3, least=12, most=30),
            Column("経路", 4),
            Column("1回目", weight=2, least=9, most=30),
            Column("2回目", weight=2, least=9, most=30),
            Column("解決", weight=3, least=12, most=44),
        ]

    def on_mount(self) -> None:
        self._set_columns()
        self.reload()
        self._next_open(None)  # start on the first line still open
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        if self._set_columns():
            self.fill()

    def _set_columns(self) -> bool:
        widths = share(self.columns(), self.size.width or self.app.size.width)
        if widths == self.widths:
            return False
        self.widths = widths
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for column, width in zip(self.columns(), widths):
            table.add_column(column.heading, width=width)
        return True

    # -- data ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the keyings and the resolutions again and apply them (the route may move)."""
        try:
            self._read()
        except StoreError as exc:  # busy, or a resolution the changed first entry no longer fits
            self.result = None
            self.rows = []
            self.fill()
            self.set_message(str(exc), "error")

    def _read(self) -> None:
        store = self.store
        dept = store.response(department_id=self.department_id).department
        self.query_one("#progress", Static).update(f"突合 · {dept.name}（{dept.bukyoku}）")
        keying = store.second_keying(self.department_id)
        first = "・".join(store.display_name(n) for n in store.first_keyers(self.department_id)) or "－"
        second = store.display_name(keying.keyer) if keying else "－"
        done = f" {keying.completed.at[5:16].replace('T', ' ')}" if keying and keying.completed else ""
        self.query_one("#totals", Static).update(
            f"1回目（入力）{first}　2回目（照合入力）{second}{done}　突合 {store.display_name(store.who)}"
        )
        comparison = store.comparison(self.department_id)
        self.result = store.adjudication(self.department_id)
        self.rows = adjudication_rows(store, comparison, self.result)
        counts = {state: sum(len(r.merged) or 1 for r in self.rows if r.state == state) for state in (OPEN, NEEDED, MOOT)}
        needed = f" · 値が必要 {counts[NEEDED]}" if counts[NEEDED] else ""
        self.query_one("#progress", Static).update(
            f"突合 · {dept.name}（{dept.bukyoku}） · 相違 {len(comparison.differences)}"
            f" · 未解決 {counts[OPEN]}{needed} · 不要 {counts[MOOT]}"
        )
        self.fill()
        self._show_state()

    def _show_state(self) -> None:
        result = self.result
        if result is None:
            return
        if result.settled:
            self.set_message("すべての相違を解決しました。F9 で突合を終え、結果をこの所属の回答にします。", "success")
        elif result.problems:
            lines = [("", "このままでは回答になりません:")] + [("・", str(p)) for p in result.problems]
            self.set_message(lines, "error")
        else:
            self.set_message("1: 1回目を採用　2: 2回目を採用　3 / F2: 第三の値（違う値なら理由も）")

    def fill(self) -> None:
        table = self.query_one(DataTable)
        row_index = table.cursor_row if table.row_count else 0
        table.clear()
        w = self.widths
        for row in self.rows:
            style = {OPEN: "bold", NEEDED: "bold yellow", PENDING: "yellow", MOOT: "dim", DONE: ""}[row.state]
            if row.state == MOOT:
                settled = MOOT
            elif row.state == DONE:
                settled = resolution_text(row.resolution, self._question(row), row.kind)
            else:
                settled = row.state
            if row.problem:
                settled = f"{settled}（要修正）"
            elif row.state == PENDING:
                settled = "経路未確定（経路の回答が先）"
            table.add_row(
                cell(row.label, w[0], "dim" if row.state == MOOT else ""),
                cell("経路" if row.routing else "", w[1], "bold cyan"),
                cell(short(row.first, row.kind, self._question(row)), w[2], "dim" if row.state == MOOT else ""),
                cell(short(row.second, row.kind, self._question(row)), w[3], "dim" if row.state == MOOT else ""),
                cell(settled, w[4], "bold red" if row.problem else style),
                key=row.name,
            )
        if self.rows:
            table.move_cursor(row=min(row_index, len(self.rows) - 1), animate=False)
        self._detail()

    @staticmethod
    def _in_detail(row: Row, cell_: Cell, question) -> str:
        if row.merged or row.kind == TICK or (cell_.state == ANSWER and row.kind in (CODE, ROW)):
            return short(cell_, row.kind, question)
        return cell_.describe()

    def _question(self, row: Row):
        return self.store.questionnaire.question(row.question)

    def current(self) -> Row | None:
        table = self.query_one(DataTable)
        if not self.rows or table.row_count == 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        """The whole of the highlighted line: a long free text is cut in the table."""
        row = self.current()
        detail = self.query_one("#adjudication-detail", Folded)
        if row is None:
            detail.update("")
            return
        question = self._question(row)
        settled = f" · {resolution_text(row.resolution, question, row.kind)}" if row.resolution is not None and row.state != MOOT else ""
        paragraphs = [
            (Text(f"{row.name} ", style="bold"),
             Text(f"{row.label}{'（経路を決める回答）' if row.routing else ''} · {row.state}{settled}")),
            ("1回目 ", self._in_detail(row, row.first, question)),
            ("2回目 ", self._in_detail(row, row.second, question)),
        ]
        if row.merged:
            paragraphs.append(("項目 ", "、".join(row.merged)))
        if row.problem:
            paragraphs.append((Text("要修正 ", style="bold red"), row.problem))
        detail.update(paragraphs)

    # -- actions ---------------------------------------------------------------------------

    def action_take(self, which: int) -> None:
        row = self.current()
        if row is None:
            return
        if row.state == MOOT:
            self.set_message(f"{row.label} は経路外になったため、解決は不要です。", "warning")
            return
        if row.state == PENDING:
            self.set_message(f"{row.label} は経路が決まっていません。経路を決める回答（「経路」の行）を先に解決してください。", "warning")
            return
        if row.state == NEEDED or row.first == row.second:
            self.set_message(f"{row.label} はどちらの入力にも値がありません。3 で値を入力してください。", "warning")
            return
        resolution = take_first(row.name) if which == 1 else take_second(row.name)
        try:
            self.store.resolve(self.department_id, resolution)
        except StoreError as exc:
            self.set_message(str(exc), "error")
            return
        self.reload()
        self._next_open(row.name)

    def action_third(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.state == MOOT:
            self.set_message(f"{row.label} は経路外になったため、解決は不要です。", "warning")
            return
        from .third_value import ThirdValueDialog

        def done(resolved: bool | None) -> None:
            if resolved:
                self.reload()
                self._next_open(row.name)

        self.app.push_screen(ThirdValueDialog(self.store, self.department_id, row), done)

    def _next_open(self, after: str | None) -> None:
        """Heads-down: the cursor goes on to the next line still open (from the top if none below)."""
        names = [r.name for r in self.rows]
        start = names.index(after) + 1 if after in names else 0
        waiting = [i for i, r in enumerate(self.rows) if r.state in (OPEN, NEEDED) or r.problem]
        following = [i for i in waiting if i >= start] or waiting
        if following:
            self.query_one(DataTable).move_cursor(row=following[0], animate=False)
            self._detail()

    def action_edge(self, index: int) -> None:
        if self.rows:
            self.query_one(DataTable).move_cursor(row=index % len(self.rows), animate=False)

    def action_finish(self) -> None:
        self.reload()  # settled as stored now, not as last drawn
        name = self.store.response(department_id=self.department_id).department.name
        try:  # the store says what is left, in its own words, before anything is asked
            refusal = self.store.finish_refusal(self.department_id)
        except StoreError as exc:
            refusal = str(exc)
        if refusal:
            self.set_message(refusal, "error")
            return

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.store.finish_adjudication(self.department_id)
            except StoreError as exc:
                self.reload()
                self.set_message(str(exc), "error")
                return
            self.app.notify(f"{name} の突合を終え、結果を回答にしました。", markup=False)
            self.app.pop_screen()

        self.app.push_screen(
            ConfirmDialog(
                f"{escape(name)} の突合を終えますか？\n解決した値をこの所属の回答として記録します"
                "（二つの入力と各解決は記録に残ります。突合は一度だけです）。",
                yes="突合を終える",
                no="やめる",
            ),
            decided,
        )

    def action_back(self) -> None:
        self.app.pop_screen()
