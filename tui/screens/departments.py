"""The department list: every 所属 grouped by 部局, with status, progress, flags and last editor."""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static

from db import DepartmentState, Store, StoreError

from ..keying import normalize
from ..widgets.columns import Column
from ..widgets.row_list import RowList
from ..widgets.verification import in_use, verification_column
from .filtered import FilteredListScreen

__all__ = ["DepartmentsScreen"]


# From this width the list has room for 最終更新 beside the 照合 column.
WIDE = 100


class _Line(NamedTuple):
    state: DepartmentState
    group: str  # the 部局, on the first line of its group only
    updated: str  # when and by whom it last changed


class DepartmentsScreen(FilteredListScreen):
    """Type to filter by name; Enter opens the department where it was left."""

    BINDINGS = [
        Binding("enter", "open", "入力", id="list.open"),
        # Double entry (照合): in F1 and the palette, not in the footer (it is full at 80 columns).
        Binding("f3", "second_keying", "照合入力", show=False, id="list.second_keying"),
        Binding("f4", "adjudicate", "突合", show=False, id="list.adjudicate"),
        Binding("f5", "sample", "照合対象", show=False, id="list.sample"),
        # 点検一覧: in F1 and the palette, not in the footer, which at 80 columns holds F2 集計.
        Binding("f6", "summary", "点検一覧", show=False, id="list.summary"),
        Binding("f7", "review", "確認", id="list.review"),
        Binding("f8", "queue", "確認待ち", id="list.queue"),
        Binding("f9", "export", "Excel出力", id="list.export"),
        Binding("f2", "tally", "集計", id="list.tally"),
        Binding("escape", "clear_filter", "絞り込み解除", show=False),
        Binding("ctrl+t", "keyers", "入力者統計", show=False, id="list.keyers"),
    ]

    # The list's columns, in order: heading, width (fixed, or a share of what is left: 部局,
    # 所属 and the last change, 所属 most; at 120 columns the longest names, 16 and 38 cells,
    # are whole) and what a line shows there. A new column is one more line here.
    COLUMNS = (
        Column("部局", weight=2, least=8, most=16, value=lambda line: line.group),
        Column("所属", weight=4, least=14, most=38, value=lambda line: line.state.department.name),
        Column("状態", 6, value=lambda line: line.state.status_label),
        Column("進捗", 5, value=lambda line: f"{line.state.answered}/{line.state.on_route}"),
        Column("疑義", 4, value=lambda line: str(line.state.open_flags) if line.state.open_flags else ""),
        Column("最終更新", weight=1, least=16, most=24, value=lambda line: line.updated),
    )

    def columns(self) -> tuple[Column, ...]:
        if not self.verifying:
            return self.COLUMNS
        column = verification_column(lambda line: self.verification.get(line.state.department.id), lambda: self.widths[5])
        if (self.size.width or self.app.size.width) < WIDE:
            # Below 100 columns 照合 would cut the names (「総合政策…」): 最終更新 gives way to it
            # (who changed each answer and when is on the entry screen and in the audit log), and
            # every 部局 is shown whole.
            group = self.COLUMNS[0]
            longest = max((cell_len(s.department.bukyoku) for s in self.states), default=group.least)
            return (group._replace(least=min(group.most, max(group.least, longest))), *self.COLUMNS[1:5], column)
        return (*self.COLUMNS[:5], column, *self.COLUMNS[5:])

    def on_resize(self) -> None:
        if self._set_columns():  # 最終更新 may come or go with the width: the lines follow
            self.fill()

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.states: list[DepartmentState] = []
        self.verification: dict[int, str] = {}
        self.verifying = False  # the 照合 column is shown (some department is chosen)

    def compose(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)
        yield Input(placeholder="所属名・部局名で絞り込み（入力すると絞り込み、Enter で開く）", id="filter", compact=True)
        yield RowList(id="departments")
        yield Static("", id="message", markup=False)
        yield Footer(compact=True)

    def reload(self) -> None:
        try:
            self.states = self.store.overview()
            self.verification = self.store.verification_states()
        except StoreError as exc:
            self.query_one("#message", Static).update(str(exc))
            return
        if in_use(self.verification.values()) != self.verifying:
            self.verifying = not self.verifying
            self.widths = []  # lay the columns out again, with or without 照合
            self._set_columns()
        done = sum(1 for s in self.states if s.status in ("entered", "reviewed", "final"))
        title = self.store.title
        self.query_one("#progress", Static).update(
            f"所属一覧 · 入力済 {done}/{len(self.states)} · 作業者 {self.store.display_name(self.store.who)} · {title}"
        )
        self.fill()

    def visible(self) -> list[DepartmentState]:
        word = normalize(self.query_one("#filter", Input).value).strip().lower()
        if not word:
            return self.states
        return [
            s for s in self.states
            if word in normalize(s.department.name).lower() or word in normalize(s.department.bukyoku).lower()
        ]

    def lines(self) -> list[tuple[int, _Line]]:
        lines, previous_group = [], None
        for state in self.visible():
            dept = state.department
            updated = ""
            if state.updated:
                # When first: a long name is cut with …, never the time.
                updated = f"{state.updated.at[5:16].replace('T', ' ')} {self.store.display_name(state.updated.who)}"
            lines.append((dept.id, _Line(state, dept.bukyoku if dept.bukyoku != previous_group else "", updated)))
            previous_group = dept.bukyoku
        return lines

    def action_open(self) -> None:
        from .entry import EntryScreen

        department_id = self.current()
        if department_id is None:
            self.query_one("#message", Static).update("該当する所属がありません。絞り込みを変えてください（Esc で解除）。")
            return
        try:
            self.app.push_screen(EntryScreen(self.store, department_id))
        except StoreError as exc:
            self.query_one("#message", Static).update(str(exc))

    def action_export(self) -> None:
        from .export import ExportScreen

        self.app.push_screen(ExportScreen(self.store))

    def action_summary(self) -> None:
        from .summary import SummaryScreen

        department_id = self.current()
        if department_id is None:
            return
        problem = self.store.blind_refusal(department_id)  # keying it blind: not its first entry
        if problem:
            self.query_one("#message", Static).update(problem)
            return
        self.app.push_screen(SummaryScreen(self.store, department_id))

    def action_review(self) -> None:
        from .review import ReviewScreen

        department_id = self.current()
        if department_id is None:
            return
        ids = [s.department.id for s in self.visible()]  # F7 / F8 there step through this list
        try:
            self.app.push_screen(ReviewScreen(self.store, department_id, department_ids=ids))
        except StoreError as exc:
            self.query_one("#message", Static).update(str(exc))

    def action_queue(self) -> None:
        from .queue import ReviewQueueScreen

        self.app.push_screen(ReviewQueueScreen(self.store))

    # -- double entry (照合) ------------------------------------------------------------------

    def action_second_keying(self) -> None:
        from .second_keying import start_second_keying

        department_id = self.current()
        if department_id is not None:
            start_second_keying(self, department_id)

    def action_adjudicate(self) -> None:
        from .adjudication import start_adjudication

        department_id = self.current()
        if department_id is not None:
            start_adjudication(self, department_id)

    def action_sample(self) -> None:
        from .sampling import SamplingDialog

        def recorded(sample) -> None:
            if sample is not None:
                self.reload()
                self.query_one("#message", Static).update(f"照合対象を記録しました: {sample.description}")

        self.app.push_screen(SamplingDialog(self.store, self.current()), recorded)

    def action_tally(self) -> None:
        from .tally import TallyScreen

        self.app.push_screen(TallyScreen(self.store))

    def action_keyers(self) -> None:
        from .keyers import KeyersScreen

        self.app.push_screen(KeyersScreen(self.store))
