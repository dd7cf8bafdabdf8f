"""Reading a 回答一覧 file (xlsx, or CSV) into records: one per row after the row of column names.

Nothing is converted or guessed here: every cell stays the text it was. Checking is
:func:`exports.importer.import_records`' job, shared with every other way answers come in.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

from survey import Questionnaire

from . import layout
from .import_types import ImportFileError, Record, Refusal
from .layout import SHEET as ROWS

__all__ = ["HEADER_SEARCH", "read_answer_file", "read_table"]

HEADER_SEARCH = 10  # rows searched for the row of column names


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return str(value)


def read_table(path: Path) -> list[tuple[int, list[str]]]:
    """The file's rows as (row number, cells as text). Nothing is converted or guessed: codes
    stay text, "NA" stays "NA", an empty cell is ""."""
    import pandas as pd

    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportFileError(f"ファイル「{path}」がありません。")
    try:
        if suffix in (".xlsx", ".xlsm"):
            with pd.ExcelFile(path, engine="openpyxl") as book:
                sheet = ROWS if ROWS in book.sheet_names else book.sheet_names[0]
                frame = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object, na_filter=False)
        elif suffix in (".csv", ".txt"):
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"「{path.name}」を UTF-8 として読めません（Shift_JIS の CSV かもしれません）。"
                    "Excel では「CSV UTF-8（コンマ区切り）」で保存し直してください。"
                ) from exc
            frame = pd.read_csv(
                io.StringIO(text), header=None, dtype=str, keep_default_na=False, na_filter=False,
                skip_blank_lines=False,
            )
        else:
            raise ImportFileError(f"「{path.name}」は読めない形式です。xlsx か CSV（UTF-8）を指定してください。")
    except ImportFileError:
        raise
    except OSError as exc:
        raise ImportFileError(f"「{path}」を読めません: {exc.strerror or exc}") from exc
    except Exception as exc:  # noqa: BLE001 - any parser failure is a file the clerk must fix
        raise ImportFileError(f"「{path.name}」を表として読めません（{type(exc).__name__}: {exc}）。") from exc
    return [(number + 1, [_cell(v) for v in row]) for number, row in enumerate(frame.itertuples(index=False, name=None))]


def read_answer_file(path: Path, questionnaire: Questionnaire) -> tuple[list[Record], list[Refusal]]:
    """Every row after the row of column names as a record, and what is wrong with the file's
    columns (refused with the rows' own refusals, so the clerk sees everything at once)."""
    rows = read_table(path)
    variables = layout.variables(questionnaire)
    names = {v.name for v in variables}
    header_at = next(
        (
            i for i, (_n, cells) in enumerate(rows[:HEADER_SEARCH])
            if "所属" in {c.strip() for c in cells} and names & {c.strip() for c in cells}
        ),
        None,
    )
    if header_at is None:
        raise ImportFileError(
            f"「{path.name}」に回答一覧の列名の行（「所属」と {variables[0].name} などの列名）が見つかりません。"
            f"chosho export で出力したブックの「{ROWS}」シートの形で用意してください。"
        )
    header_number, header = rows[header_at]
    refusals: list[Refusal] = []
    columns: dict[str, int] = {}
    for index, name in enumerate(c.strip() for c in header):
        if not name:
            continue
        if name in columns:
            refusals.append(Refusal(header_number, "", name, "同じ列名が二つあります。"))
        elif name not in names and name not in layout.FIXED_COLUMNS:
            refusals.append(Refusal(header_number, "", name, "この調書にない列名です（「変数一覧」シート参照）。"))
        columns[name] = index

    def get(cells: list[str], name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    records = [
        Record(
            source=path.name,
            row=number,
            bukyoku=get(cells, "部局"),
            name=get(cells, "所属"),
            cells={name: get(cells, name) for name in columns if name in names},
        )
        for number, cells in rows[header_at + 1 :]
    ]
    return records, refusals
