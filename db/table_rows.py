"""A repeat's table changed one row at a time: each accepted row stored at once, a row inserted
or removed, and the audit log that reads row by row.

Functions of the store (``Store`` offers each as a method of the same name). A row change is an
ordinary ``answer`` entry of the journal (its ``new`` the whole table, so replay and
``chosho verify`` need nothing more) whose payload's ``row`` says what happened to which row:
``{"op": "add" | "change" | "insert" | "remove", "n": row number (1 from the top),
"cells": the row's values as stored (for "remove": the row removed)}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .errors import RefusedError

if TYPE_CHECKING:
    from survey.answers import Table

__all__ = ["OPS", "changed_table", "save_row", "remove_row", "row_log", "row_entry_text"]

OPS = {"add": "追加", "change": "変更", "insert": "挿入", "remove": "削除"}


def _table(store, response_id: int, question_id: str) -> Table:
    from survey.answers import Table
    from survey.model import QuestionType

    if question_id not in store.questionnaire or store.questionnaire.question(question_id).type is not QuestionType.REPEAT:
        raise RefusedError(f"{question_id} は行の表（繰り返し）の問いではありません。")
    value = store._answers(response_id)[0].get(question_id)
    return value if isinstance(value, Table) else Table(())


def _cells(row: Mapping) -> dict:
    from survey.answers import encode

    return {name: encode(cell) for name, cell in row.items()}


def changed_table(table: Table, op: str, index: int, row: Mapping | None = None) -> tuple[Table, dict]:
    """``table`` with one row changed (op "set": row ``index`` replaced or, at the end, added;
    "insert": put before ``index``; "remove": taken out), and the entry's ``row`` payload."""
    rows = len(table.rows)
    if not 0 <= index <= rows - (op == "remove"):
        raise RefusedError(f"{index + 1} 行目はありません（今は {rows} 行です）。")
    if op == "remove":
        return table.removed(index), {"op": "remove", "n": index + 1, "cells": _cells(table.rows[index])}
    if op == "insert":
        return table.inserted(index, row), {"op": "insert", "n": index + 1, "cells": _cells(row)}
    kind = "add" if index == rows else "change"
    return table.replaced(index, row), {"op": kind, "n": index + 1, "cells": _cells(row)}


def save_row(
    store, response_id: int, question_id: str, index: int, row: Mapping, *, expected_version: int | None,
    insert: bool = False, events=(),
) -> int:
    """Store one accepted row of a repeat at once: row ``index`` (0-based) replaced, or appended
    when ``index`` is the number of rows, or (``insert``) a new row put before ``index``.
    The whole table is checked as a typed answer is; returns the response's new version."""
    table = _table(store, response_id, question_id)
    new, payload = changed_table(table, "insert" if insert else "set", index, row)
    return store.save_answer(response_id, question_id, new, expected_version=expected_version, events=events, row=payload)


def remove_row(store, response_id: int, question_id: str, index: int, *, expected_version: int | None) -> int:
    """Remove row ``index`` (0-based); the entry keeps the row removed."""
    table = _table(store, response_id, question_id)
    new, payload = changed_table(table, "remove", index)
    return store.save_answer(response_id, question_id, new, expected_version=expected_version, row=payload)


def row_entry_text(store, question_id: str, row: Mapping) -> str:
    """One row entry's payload as a person reads it: 「行2 を変更: 件名 道路補修、金額 1,200円」."""
    from survey.answers import decode, describe_row

    question = store.questionnaire.question(question_id)
    cells = {name: decode(cell) for name, cell in row.get("cells", {}).items()}
    return f"行{row['n']} を{OPS.get(row['op'], row['op'])}: {describe_row(question, cells)}"


def row_log(store, response_id: int, question_id: str) -> list[str]:
    """The audit log of one repeat, row by row: who, when and what happened to which row."""
    import json

    lines = []
    for entry in store.history(response_id):
        if entry.question_id != question_id or entry.action != "answer" or not entry.payload:
            continue
        row = json.loads(entry.payload).get("row")
        if row:
            lines.append(f"{entry.at[:16].replace('T', ' ')} {store.display_name(entry.who) or entry.who} {row_entry_text(store, question_id, row)}")
    return lines
