"""The review queue (確認待ち一覧): departments a reviewer has work on, what that work is.

A department is in the queue when it waits for its sign-off (入力済), for its finalisation
(確認済), or has open flags (疑義) at any stage. Each line shows its open flags and the
questions with warnings (要確認). Typing filters, as in the department list: by name, 部局,
state, the next step, the one who entered it, or the words 疑義 / 要確認.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static

from db import DepartmentState, Store, StoreError
from survey import check_form

from ..keying import normalize
from ..widgets.columns import Column
from ..widgets.row_list import RowList
from ..widgets.verification import in_use, verification_column, verification_label
from . import FORMS_CSS
from .filtered import FilteredListScreen

__all__ = ["QueueEntry", "ReviewQueueScreen", "review_queue"]

# The next step, in the order a reviewer takes them.
READY, FLAGGED, SIGNED = "確認待ち", "疑義の解決", "確定待ち"
_RANK = {READY: 0, FLAGGED: 1, SIGNED: 2}


@dataclass(frozen=True)
class QueueEntry:
    state: DepartmentState
    step: str
    warnings: int  # questions with warnings or errors (未入力 not counted)
    entered_by: str  # display name of who marked it 入力済 (or last changed it)
    own: bool  # the current worker entered or changed its answers: they may not sign it off
    verification: str = ""  # the double-entry state (survey.verification.status), "" if unknown

    @property
    def words(self) -> str:
        """What the filter searches."""
        state = self.state
        parts = [state.department.bukyoku, state.department.name, state.status_label, self.step, self.entered_by]
        if state.open_flags:
            parts.append("疑義")
        if self.warnings:
            parts.append("要確認")
        if self.own:
            parts.append("自分")
        label = verification_label(self.verification, 99)
        if label:
            parts.append(label)
        return normalize(" ".join(parts)).lower()


def review_queue(store: Store) -> list[QueueEntry]:
    """The departments with review work, next step first, then in roster order."""
    entries = []
    verification = store.verification_states()
    for state in store.overview():
        if state.status in ("entered", "reviewed"):
            step = SIGNED if state.status == "reviewed" else (FLAGGED if state.open_flags else READY)
        elif state.open_flags:
            step = FLAGGED
        else:
            continue
        response = store.response(response_id=state.response_id)
        route = store.router.route(response.answers)
        problems = check_form(store.questionnaire, response.answers, route)
        warned = {p.question for p in problems if p.kind != "not-entered"}
        by = response.entered or response.updated
        entries.append(
            QueueEntry(
                state,
                step,
                len(warned),
                store.display_name(by.who) if by else "",
                store.is_editor(state.response_id),  # under any spelling of the name
                verification.get(state.department.id, ""),
            )
        )
    entries.sort(key=lambda e: (_RANK[e.step], e.state.department.position))
    return entries


class ReviewQueueScreen(FilteredListScreen):
    """Type to filter; Enter reviews the department (F7 / F8 there step through this queue)."""

    CSS_PATH = FORMS_CSS

    BINDINGS = [
        Binding("enter", "open", "確認", id="queue.open"),
        Binding("escape", "back", "戻る", id="queue.back"),
    ]

    # The queue's columns, in order (heading, width, what a line shows there, its style).
    COLUMNS = (
        Column("次の作業", 10, value=lambda e: e.step, style=lambda e: "bold" if e.step == READY else ""),
        Column("部局", weight=2, least=6, most=16, value=lambda e: e.state.department.bukyoku),
        Column("所属", weight=3, least=10, most=38, value=lambda e: e.state.department.name),
        Column("状態", 6, value=lambda e: e.state.status_label),
        Column("疑義", 4, value=lambda e: str(e.state.open_flags or ""), style=lambda e: "bold red"),
        Column("要確認", 6, value=lambda e: str(e.warnings or ""), style=lambda e: "yellow"),
        Column("入力者", weight=1, least=8, most=24, value=lambda e: e.entered_by + ("（自分）" if e.own else "")),
    )

    def columns(self) -> tuple[Column, ...]:
        if not self.verifying:
            return self.COLUMNS
        return (*self.COLUMNS[:6], verification_column(lambda e: e.verification, lambda: self.widths[6]), *self.COLUMNS[6:])

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.entries: list[QueueEntry] = []
        self.verifying = False  # the 照合 column is shown (some listed department is chosen)

    def compose(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)
        yield Input(placeholder="所属名・部局・状態・入力者・「疑義」「要確認」で絞り込み（Enter で確認）", id="filter")
        yield RowList(id="queue")
        yield Static("", id="message", markup=False)
        yield Footer(compact=True)

    def reload(self) -> None:
        try:
            self.entries = review_queue(self.store)
        except StoreError as exc:
            self.query_one("#message", Static).update(Text(str(exc)))
            return
        if in_use(e.verification for e in self.entries) != self.verifying:
            self.verifying = not self.verifying
            self.widths = []  # lay the columns out again, with or without 照合
            self._set_columns()
        counts = {step: sum(1 for e in self.entries if e.step == step) for step in _RANK}
        self.query_one("#progress", Static).update(
            Text(f"確認待ち一覧 · {READY} {counts[READY]} · {FLAGGED} {counts[FLAGGED]} · {SIGNED} {counts[SIGNED]}"
            f" · 作業者 {self.store.display_name(self.store.who)}")
        )
        self.fill()

    def visible(self) -> list[QueueEntry]:
        words = normalize(self.query_one("#filter", Input).value).lower().split()
        return [e for e in self.entries if all(word in e.words for word in words)]

    def lines(self) -> list[tuple[int, QueueEntry]]:
        return [(entry.state.department.id, entry) for entry in self.visible()]

    def fill(self) -> None:
        super().fill()
        message = self.query_one("#message", Static)
        if not self.entries:
            message.update("確認を待っている所属はありません（入力済の所属、疑義のある所属がここに並びます）。")
        elif not self.query_one(RowList).row_count:
            message.update("該当する所属がありません。絞り込みを変えてください（Esc で解除）。")
        else:
            own = any(e.own for e in self.visible())
            message.update("（自分）: 自分が入力・変更した所属は、自分では確認済にできません。" if own else "")

    def action_open(self) -> None:
        from .review import ReviewScreen

        department_id = self.current()
        if department_id is None:
            return
        ids = [e.state.department.id for e in self.visible()]
        try:
            self.app.push_screen(ReviewScreen(self.store, department_id, department_ids=ids))
        except StoreError as exc:
            self.query_one("#message", Static).update(Text(str(exc)))

    def action_back(self) -> None:
        if self.query_one("#filter", Input).value:
            self.query_one("#filter", Input).value = ""
            return
        self.app.pop_screen()
