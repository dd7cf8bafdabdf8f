"""The entry screen's keys for a repeat's rows (F8 add, F9 insert, F10 remove after asking) and
the storing of one row at once: a mixin of ``EntryScreen`` (and so of the second keying)."""

from __future__ import annotations

from db import ConflictError, RefusedError, StoreError
from survey import InputError, check_answer
from survey.validation import Severity

from ..widgets.table_field import TableField
from .dialogs import ConfirmDialog

__all__ = ["RowKeys"]


class RowKeys:
    """Row actions on the entry screen; the bindings are the screen's (EntryScreen.BINDINGS)."""

    def action_add_row(self) -> None:
        if isinstance(self._field, TableField) and not self._refuse_final():
            self.handle(self.field.add_row())

    def action_insert_row(self) -> None:
        if isinstance(self._field, TableField) and not self._refuse_final():
            self.handle(self.field.insert_row())

    def action_delete_row(self) -> None:
        """F10: remove the current row, once the clerk confirms (the log keeps it)."""
        if not isinstance(self._field, TableField) or self._refuse_final():
            return
        removal = self.field.removal()
        if removal is None:
            self.set_message("この行はまだ記録されていません（削除する行に ↑↓ で移動してください）。", "warning")
            return
        index, shown = removal

        def decided(yes: bool | None) -> None:
            self.key_line.focus()
            if yes:
                self.submit_row("remove", index, None)

        self.app.push_screen(
            ConfirmDialog(f"{self.question.label} の行{index + 1}（{shown}）を削除します。よろしいですか？"
                          "（監査ログには残ります）", yes="削除する", no="やめる"),
            decided,
        )

    def submit_row(self, op: str, index: int, cells, *, then_move_on: bool = False) -> None:
        """Store one row of a repeat at once (checked as the whole table is), then go on."""
        from db.table_rows import changed_table
        from survey.answers import Table

        if self._refuse_final():
            return
        current = self.response.answers.get(self.question_id)
        try:
            table, payload = changed_table(current if isinstance(current, Table) else Table(()), op, index, cells)
        except (RefusedError, InputError) as exc:
            self.set_message(str(exc), "error")
            return
        errors = [p for p in check_answer(self.questionnaire, self.question_id, table) if p.severity is Severity.ERROR]
        if errors:
            self.field.refused()
            self.set_message("\n".join(p.message for p in errors), "error")
            return
        try:
            self.write_answer(
                self.response.id, self.question_id, table, expected_version=self.response.version,
                events=self.keying_log.accepted(self.question, table), row=payload,
            )
            self.keying_log.stored()
        except ConflictError as exc:
            self.reload()
            self.show(self.question_id)
            self.set_message(str(exc), "error")
            return
        except (RefusedError, StoreError) as exc:
            self.field.refused()
            self.set_message(str(exc), "error")
            return
        self.reload()
        self._update_recorded(table)
        if op == "remove":
            self.field.after_save(table)
            self._sync_key_line(text="")
            self.set_message(f"行{index + 1} を削除しました。", "success")
            return
        outcome = self.field.row_saved(table)
        if then_move_on:  # Tab, or leaving with 「記録して」: the row as keyed is stored, then on
            self.advance()
            return
        self.handle(outcome)

