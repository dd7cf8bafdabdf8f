"""Reading a 回答一覧 file (xlsx, or CSV) into records: one per row after the row of column names.

Nothing is converted or guessed here: every cell stays the text it was. What the file itself
gets wrong is refused here, by row and column: a column name the form does not have, a cell
that is a formula (its cached value is not what the clerk sees as the answer), a CSV row with
fewer fields than the column names (a lost separator shifts every answer after it), a value in
a column without a name. Checking the answers is :func:`exports.importer.import_records`' job,
shared with every other way answers come in.
"""

from __future__ import annotations

from pathlib import Path

from db.location import shown_name
from survey import Questionnaire, QuestionType

from . import layout
from .import_types import ImportFileError, Record, Refusal
from .layout import SHEET as ROWS
from .tables import Table, cell_problem, read_table

__all__ = ["EXTRA_COLUMNS", "HEADER_SEARCH", "read_answer_file"]

HEADER_SEARCH = 10  # rows searched for the row of column names
EXTRA_COLUMNS = 20  # columns beyond the form's own a sheet may use (notes): read, and refused if filled
ROW_PROBLEMS = 5  # problems listed for one row; the rest are counted


def _header_refusals(number: int, header: list[str], names: set[str], questionnaire: Questionnaire) -> tuple[dict[str, int], list[Refusal]]:
    refusals: list[Refusal] = []
    columns: dict[str, int] = {}
    for index, name in enumerate(c.strip() for c in header):
        if not name:
            continue
        if name in columns:
            refusals.append(Refusal(number, "", name, "同じ列名が二つあります。"))
        elif name not in names and name not in layout.FIXED_COLUMNS:
            refusals.append(Refusal(number, "", name, "この調書にない列名です（「変数一覧」シート参照）。"))
        columns[name] = index
    for question in questionnaire.questions:
        if question.type is not QuestionType.MULTI:
            continue
        ticks = [v.name for v in layout.question_variables(question) if v.kind == layout.TICK]
        missing = [t for t in ticks if t not in columns]
        if missing and len(missing) < len(ticks):
            refusals.append(Refusal(
                number, "", question.label,
                f"複数回答の列が一部しかありません（{'、'.join(missing)} がありません）。選択肢ごとの列をすべて用意してください。",
            ))
    return columns, refusals


def read_answer_file(path: Path, questionnaire: Questionnaire) -> tuple[list[Record], list[Refusal]]:
    """Every row after the row of column names as a record, and what is wrong with the file
    itself (refused with the rows' own refusals, so the clerk sees everything at once)."""
    variables = layout.variables(questionnaire)
    names = {v.name for v in variables}
    max_cols = len(variables) + len(layout.FIXED_COLUMNS) + EXTRA_COLUMNS
    table = read_table(path, max_cols=max_cols, preferred_sheet=ROWS)
    rows = table.rows
    header_at = next(
        (
            i for i, (_n, cells) in enumerate(rows[:HEADER_SEARCH])
            if "所属" in {c.strip() for c in cells} and names & {c.strip() for c in cells}
        ),
        None,
    )
    if header_at is None:
        raise ImportFileError(
            f"「{shown_name(path.name)}」に回答一覧の列名の行（「所属」と {variables[0].name} などの列名）が見つかりません。"
            f"chosho export で出力したブックの「{ROWS}」シートの形で用意してください。"
        )
    header_number, header = rows[header_at]
    columns, refusals = _header_refusals(header_number, header, names, questionnaire)
    named = {index: name for name, index in columns.items()}
    width = max(columns.values()) + 1
    source = f"{shown_name(path.name)}「{table.sheet}」シート" if table.sheet else path.name

    unreadable: dict[int, dict[int, str]] = {}  # by row, so each row looks up only its own cells
    dates = {index for name, index in columns.items() if name in {v.name for v in variables if v.kind == layout.DATE}}
    for (row, index), why in table.unreadable.items():
        if why == cell_problem("d", "") and index in dates:
            continue  # a date question's date cell: read as the date it holds, with the typed checks
        unreadable.setdefault(row, {})[index] = why
    records = []
    for number, cells in rows[header_at + 1 :]:
        def get(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        shown = get("所属").strip() or "（所属名なし）"
        problems = _row_problems(table, number, cells, width, named, unreadable.get(number, {}))
        if problems:
            refusals += [Refusal(number, shown, where, message, source) for where, message in problems]
            continue
        records.append(Record(
            source=source,
            row=number,
            bukyoku=get("部局"),
            name=get("所属"),
            cells={name: get(name) for name in columns if name in names},
        ))
    _attach_tables(path, questionnaire, records, refusals)
    return records, refusals


def _attach_tables(path: Path, questionnaire: Questionnaire, records: list[Record], refusals: list[Refusal]) -> None:
    """A repeat's rows, from its own sheet, go with the 回答一覧 row of their department."""
    from .repeat_import import read_repeat_sheets

    tables, problems = read_repeat_sheets(path, questionnaire)
    refusals += problems
    by_key = {(r.bukyoku.strip(), r.name.strip()): r for r in records}
    for (bukyoku, name), repeats in tables.items():
        record = by_key.get((bukyoku, name))
        if record is None:
            first = next(iter(repeats.values()))[0][0]
            refusals.append(Refusal(first, name, next(iter(repeats)), f"所属「{bukyoku} {name}」の行がありますが、{ROWS}シートにこの所属の行がありません。"))
            continue
        for qid, rows in repeats.items():
            record.tables[qid] = rows
            record.table_sheets[qid] = qid[:31]


def _row_problems(
    table: Table, number: int, cells: list[str], width: int, named: dict[int, str], unreadable: dict[int, str]
) -> list[tuple[str, str]]:
    """What makes a row unreadable as it stands: (column or place, message)."""
    if not unreadable and not any(c.strip() for c in cells):
        return []  # an empty row
    problems = [(named.get(index, ""), f"{table.place(number, index)}: {why}") for index, why in sorted(unreadable.items())]
    if table.csv and len(cells) < width:
        problems.append((
            "",
            f"この行は {len(cells)} 列しかありません（列名の行は {width} 列）。"
            "区切りの「,」が欠けていないか確かめてください（足りない列を空として読むことはしません）。",
        ))
    for index, text in enumerate(cells):
        if text.strip() and index not in named and index not in unreadable:
            problems.append(("", f"{table.place(number, index)}: 列名のない列に値（{text.strip()[:20]}）があります。"))
    if len(problems) > ROW_PROBLEMS:  # a sheet of formulas would otherwise make a million refusals
        problems = problems[:ROW_PROBLEMS] + [("", f"この行にはほかに {len(problems) - ROW_PROBLEMS} 箇所、同じような問題があります。")]
    return problems
