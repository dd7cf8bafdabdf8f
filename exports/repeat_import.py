"""A repeat's sheet read back (the long layout the export writes: 部局, 所属, 行, then each
field by name): its rows grouped by department, each cell read with the same checks as typed
entry — a date cell, or a date as a clerk keys it (令和6年4月1日, R6.4.1, 2024/4/1); an amount
with its bounds; a choice's code; the empty states as 回答一覧 writes them (無回答, 無効（…）,
非該当 for a field the row does not ask)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from db.location import shown_name
from survey import InputError, Question, QuestionType, Questionnaire
from survey.answers import Table, parse_amount, parse_code, parse_codes, parse_day, parse_text

from . import layout
from .import_types import Refusal
from .repeat_tally import FIXED, repeats
from .tables import cell_problem, read_table

__all__ = ["parse_table", "read_repeat_sheets"]

SheetRows = list[tuple[int, int, dict[str, str]]]  # (Excel row, 行, field -> text)


def read_repeat_sheets(path: Path, questionnaire: Questionnaire) -> tuple[dict[tuple[str, str], dict[str, SheetRows]], list[Refusal]]:
    """Every repeat's sheet present in the workbook: rows by (部局, 所属), then by repeat."""
    found: dict[tuple[str, str], dict[str, SheetRows]] = {}
    refusals: list[Refusal] = []
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return found, refusals
    for question in repeats(questionnaire):
        names = [*FIXED, *(f.id for f in question.fields)]
        table = read_table(path, max_cols=len(names) + 5, preferred_sheet=question.id[:31])
        if table.sheet != question.id[:31]:
            continue  # no such sheet: the workbook holds no rows of this repeat
        source = f"{shown_name(path.name)}「{table.sheet}」シート"
        header_at = next((i for i, (_n, cells) in enumerate(table.rows[:10]) if set(FIXED) <= {c.strip() for c in cells}), None)
        if header_at is None:
            refusals.append(Refusal(None, "", question.label, f"列名の行（{'・'.join(FIXED)}）が見つかりません。", source))
            continue
        number, header = table.rows[header_at]
        columns = {c.strip(): i for i, c in enumerate(header) if c.strip()}
        for name in columns:
            if name not in names:
                refusals.append(Refusal(number, "", name, "この表にない列名です。", source))
        dates = {columns[f.id] for f in question.fields if f.type is QuestionType.DATE and f.id in columns}
        for number, cells in table.rows[header_at + 1:]:
            def get(name: str, cells=cells) -> str:
                index = columns.get(name)
                return cells[index].strip() if index is not None and index < len(cells) else ""

            if not any(c.strip() for c in cells):
                continue
            bad = [(i, why) for (row, i), why in table.unreadable.items()
                   if row == number and not (i in dates and why == cell_problem("d", ""))]
            if bad:
                refusals += [Refusal(number, get("所属"), question.label, f"{table.place(number, i)}: {why}", source) for i, why in bad]
                continue
            try:
                row_number = int(get("行"))
            except ValueError:
                refusals.append(Refusal(number, get("所属"), question.label, f"行「{get('行')}」は 1 からの番号で書いてください。", source))
                continue
            key = (get("部局"), get("所属"))
            found.setdefault(key, {}).setdefault(question.id, []).append(
                (number, row_number, {f.id: get(f.id) for f in question.fields})
            )
    return found, refusals


def _cell(field: Question, text: str):
    """One cell as typed entry reads it; None for 非該当 (the field is off in this row)."""
    state = layout._state(field, text)
    if state is not None:
        if isinstance(state, layout.NotApplicable):
            return None
        if state.route_as is not None:
            raise InputError("表の欄では経路（@番号）を選べません。")
        return state
    if field.type is QuestionType.NUMBER:
        return parse_amount(field, text)
    if field.type is QuestionType.DATE:
        return parse_day(layout.serial_day(text))
    if field.type is QuestionType.SINGLE:
        return parse_code(field, text)
    if field.type is QuestionType.MULTI:
        return parse_codes(field, text)
    return parse_text(text)


def parse_table(question: Question, rows: Sequence[tuple[int, int, dict[str, str]]], sheet: str) -> Table:
    """A department's rows as the repeat's value: 行 numbered 1, 2, 3 … without a gap; an empty
    cell is a field not keyed. InputError names the sheet's row and the field."""
    ordered = sorted(rows, key=lambda r: r[1])
    numbers = [n for _, n, _ in ordered]
    if numbers != list(range(1, len(numbers) + 1)):
        raise InputError(f"「{sheet}」シートの行の番号（{', '.join(map(str, numbers))}）は 1 から欠けずに並べてください。")
    out = []
    for excel_row, _n, cells in ordered:
        row = {}
        for f in question.fields:
            text = cells.get(f.id, "")
            if not text:
                continue
            try:
                value = _cell(f, text)
            except InputError as exc:
                raise InputError(f"「{sheet}」シート {excel_row} 行目 {f.id}（{f.text}）: {exc}") from None
            if value is not None:
                row[f.id] = value
        out.append(row)
    return Table(tuple(out))
