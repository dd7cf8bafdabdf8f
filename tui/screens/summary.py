"""The end of a form: every question with what is recorded, blanks and warnings marked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from db import ConflictError, Store, StoreError
from survey import Blank, Invalid, NotApplicable, check_form
from survey.answers import describe

from ..widgets.columns import Column, cell, share
from ..widgets.folded import Folded
from ..widgets.paper import span
from . import FORMS_CSS

__all__ = ["SummaryScreen"]


# 設問 and 状態 keep their width; what is recorded and the checks share the rest.
COLUMNS = [
    Column("設問", 4),
    Column("状態", 16),
    Column("記録", weight=1, least=12),
    Column("点検", weight=1, least=12),
]


class SummaryScreen(Screen):
    CSS_PATH = FORMS_CSS

    BINDINGS = [
        Binding("enter", "open", "この問いへ", id="summary.open"),
        Binding("f9", "mark_entered", "入力済にする", id="summary.mark_entered"),
        Binding("escape", "back", "所属一覧", id="summary.back"),
    ]

    def __init__(self, store: Store, department_id: int) -> None:
        super().__init__()
        self.store = store
        self.department_id = department_id
        self.widths: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)
        yield Static("", id="totals", markup=False)
        yield DataTable(id="answers", cursor_type="row", zebra_stripes=True)
        # The highlighted row in full: 記録 and 点検 are cut with … in their columns.
        yield Folded(id="summary-detail")
        yield Static("", id="message", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._set_columns()
        self.refresh_table()
        self.query_one(DataTable).focus()

    def _set_columns(self) -> bool:
        widths = share(COLUMNS, self.size.width or self.app.size.width)
        if widths == self.widths:
            return False
        self.widths = widths
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for column, width in zip(COLUMNS, widths):
            table.add_column(column.heading, width=width)
        return True

    def on_resize(self) -> None:
        if self._set_columns():
            self.refresh_table()

    # -- what is summarised: the department's answers (the second keying overrides these) -----

    heading = "点検一覧"

    def load(self):
        return self.store.response(department_id=self.department_id)


    def open_flags(self) -> list:
        return self.store.flags(self.response.id, open_only=True)

    def entry_screen(self, question_id: str) -> Screen:
        from .entry import EntryScreen

        return EntryScreen(self.store, self.department_id, question_id)

    def refresh_table(self) -> None:
        questionnaire = self.store.questionnaire
        response = self.load()
        self.response = response
        route = self.store.router.route(response.answers)
        problems = check_form(questionnaire, response.answers, route)
        by_question: dict[str, list[str]] = {}
        for problem in problems:
            if problem.kind != "not-entered":
                by_question.setdefault(problem.question, []).append(problem.message)
        for flag in self.open_flags():  # the reviewer's 疑義 come first
            by_question.setdefault(flag.question_id, []).insert(0, f"疑義: {flag.comment}")
        self.not_entered = self.store.unfinished(response.answers)  # a matrix with rows to key counts too
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self.full: dict[str, tuple[str, str]] = {}  # question: (記録, 点検) uncut
        counts = {"blank": 0, "invalid": 0, "warn": 0}
        for question in questionnaire.questions:
            value = response.answers.get(question.id)
            status = route.status(question.id)
            if status == "off":
                state = "非該当（経路外）" if value is None else "経路外に記録あり"
            elif value is None:
                state = "経路未確定" if status == "pending" else "未入力"
            elif question.id in self.not_entered:
                state = "入力中（未入力の行あり）"
            elif isinstance(value, Blank):
                state, counts["blank"] = "無回答", counts["blank"] + 1
            elif isinstance(value, Invalid):
                state, counts["invalid"] = "無効", counts["invalid"] + 1
            elif isinstance(value, NotApplicable):
                state = "非該当（判断）"  # the department's own judgement
            else:
                state = "回答"
            notes = by_question.get(question.id, [])
            counts["warn"] += bool(notes)
            shown = describe(question, value) if value is not None else ""
            w = self.widths
            self.full[question.id] = (shown, " / ".join(notes))
            table.add_row(
                # Text cells cut with "…" (a DataTable reads str cells as markup; typed text may hold "[/]").
                cell(question.id, w[0]), cell(state, w[1]), cell(shown, w[2]),
                cell(" / ".join(notes), w[3]),  # under 点検: the 疑義 first, then the warnings
                key=question.id,
            )
        if row is not None and row < table.row_count:
            table.move_cursor(row=row)
        self._show_detail()
        dept = response.department
        self.query_one("#progress", Static).update(
            f"{self.heading} · {dept.name}（{dept.bukyoku}） · {response.status_label}"
        )
        entered = len(route.order) - len(self.not_entered)
        self.query_one("#totals", Static).update(
            f"経路 {len(route.order)} 問のうち入力 {entered} 問　未入力 {len(self.not_entered)}"
            f"　無回答 {counts['blank']}　無効 {counts['invalid']}　要確認 {counts['warn']}"
        )

    def set_message(self, text: str, kind: str = "") -> None:
        message = self.query_one("#message", Static)
        message.update(text)
        message.set_classes(kind)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count or not hasattr(self, "full"):
            return
        question_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        shown, notes = self.full.get(question_id, ("", ""))
        paragraphs = [(span(f"{question_id} 記録 ", "bold"), shown or "－")]
        if notes:
            paragraphs.append((span(" " * len(question_id) + " 点検 ", "bold"), notes))
        self.query_one("#summary-detail", Folded).update(paragraphs)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        question_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        route = self.store.router.route(self.response.answers)
        if route.status(question_id) == "off":
            self.set_message(f"{question_id} はこの所属の経路外（非該当）です。", "warning")
            return
        self.app.switch_screen(self.entry_screen(question_id))

    def action_mark_entered(self) -> None:
        if self.not_entered:
            self.set_message(
                "未入力の問いがあります: " + "、".join(self.not_entered)
                + "。用紙が空欄なら F2（無回答）で記録してから入力済にしてください。",
                "error",
            )
            return
        try:
            self.store.mark_entered(self.response.id, expected_version=self.response.version)
        except ConflictError as exc:
            self.refresh_table()
            self.set_message(str(exc), "error")
            return
        except StoreError as exc:
            self.set_message(str(exc), "error")
            return
        self.refresh_table()
        self.set_message(f"{self.response.department.name} を入力済にしました。", "success")
        self.app.notify(f"{self.response.department.name} を入力済にしました。", markup=False)

    def action_back(self) -> None:
        self.app.pop_screen()
