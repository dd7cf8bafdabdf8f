"""The third value of a difference (突合): typed as the entry screens read input, with a reason.

The value is read by ``survey.verification.typed_cell`` (codes and counts through the one
number parser, so ``２`` and ``12人`` work; the empty states as the answer list writes them).
A value that is neither keying's needs a reason; the store decides and its Japanese refusal is
shown here, with what was typed kept.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from db import Store, StoreError
from survey.verification import (
    ANSWER, BLANK, INVALID, NO_TEXT, NOT_APPLICABLE, Cell, VerificationError, third_value, typed_cell,
)

from ..widgets.folded import Folded
from . import FORMS_CSS

__all__ = ["ThirdValueDialog", "typed_text"]

_HINTS = {
    "code": "選択肢の番号（全角も可）／無回答／無効（用紙の記載）／非該当",
    "row": "選択肢の番号（全角も可）／無回答／無効（用紙の記載）",
    "tick": "1（選択）か 0（非選択）",
    "text": "記入された文字／無回答",
    "box": "記入された文字／記入なし",
    "item": "人数（12、１２人も可）／無回答",
}


def typed_text(cell: Cell | None) -> str:
    """A cell as the adjudicator would type it (``typed_cell`` reads it back)."""
    if cell is None:
        return ""
    route = f"@{cell.route_as}" if cell.route_as is not None else ""
    if cell.state == ANSWER:
        return str(cell.value)
    if cell.state == BLANK:
        return "無回答" + route
    if cell.state == INVALID:
        return f"無効（{cell.value or ''}）{route}"
    if cell.state == NOT_APPLICABLE:
        return "非該当"
    if cell.state == NO_TEXT:
        return "記入なし"
    return ""


class ThirdValueDialog(ModalScreen[bool]):
    """Enter records (in the value field: moves to the reason when one is needed); Esc cancels."""

    CSS_PATH = FORMS_CSS

    BINDINGS = [Binding("escape", "cancel", "やめる")]

    def __init__(self, store: Store, department_id: int, row) -> None:
        super().__init__()
        self.store = store
        self.department_id = department_id
        self.row = row  # adjudication.Row
        current = row.resolution
        self.start_value = typed_text(current.value) if current is not None and current.value is not None else ""
        self.start_reason = current.reason if current is not None else ""

    def compose(self) -> ComposeResult:
        row = self.row
        variable = self.store.comparer.variables[self.store.comparer.index[row.name]]
        hint = _HINTS.get(variable.kind, "")
        if variable.kind == "code" and self.store.questionnaire.question(row.question).chooses_route_when_blank:
            hint += "（無回答@1 で経路を指定）"
        with Vertical(classes="dialog", id="third-dialog"):
            yield Folded(
                [("", f"{row.label}{'' if row.name == row.question else f'（{row.name}）'}に第三の値を入力します。"),
                 ("1回目 ", row.first.describe()), ("2回目 ", row.second.describe())],
                classes="dialog-text",
            )
            with Horizontal(classes="field-row"):
                yield Label("値", classes="field-label")
                yield Input(value=self.start_value, placeholder=hint, id="third-value", compact=True)
            with Horizontal(classes="field-row"):
                yield Label("理由", classes="field-label")
                yield Input(
                    value=self.start_reason, placeholder="どちらの入力とも違う値にするときは必須",
                    id="third-reason", compact=True,
                )
            yield Folded(id="dialog-error", classes="error")
            yield Label("Enter: 決定　Tab: 次の欄　Esc: やめる", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#third-value", Input).focus()

    def _error(self, text: str) -> None:
        self.query_one("#dialog-error", Folded).update(text)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        raw = self.query_one("#third-value", Input).value
        reason = self.query_one("#third-reason", Input).value.strip()
        try:
            value = typed_cell(self.store.comparer, self.row.name, raw)
        except VerificationError as exc:
            self._error(str(exc))
            self.query_one("#third-value", Input).focus()
            return
        if value not in (self.row.first, self.row.second) and not reason:
            self._error("どちらの入力とも違う値です。理由を入力してください（用紙の欄外の記載など）。")
            self.query_one("#third-reason", Input).focus()
            return
        try:
            self.store.resolve(self.department_id, third_value(self.row.name, value, reason))
        except StoreError as exc:
            self._error(str(exc))
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
