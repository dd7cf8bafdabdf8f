"""回答一覧: one row per department in the import layout (``exports.layout``)."""

from __future__ import annotations

import datetime

from collections.abc import Sequence

from survey import Questionnaire

from .. import layout
from ..tally import DepartmentRecord
from .common import CELL_LIMIT, CODEBOOK, ROWS, Book, display_width, header_width, wrap_header

HALF_LIMIT = CELL_LIMIT // 2  # shorter than this, a text is within the limit whatever its characters


def _width(col: int, variables) -> float:
    """A column wide enough for its name and the longest word of its heading."""
    if col < 3:
        return 12  # the label row of the fixed columns; their widths are set from the names
    variable = variables[col - 3]
    if variable.kind in (layout.TEXT, layout.BOX):
        return 24
    return max(8, display_width(variable.name) + 2, header_width(variable.label, most=20))


def write(book: Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str) -> None:
    """回答一覧: the import layout. Rows 1–2 say what it is; row 2 labels, row 3 variable names."""
    from db import STATUS_LABELS

    b = book
    ws = b.wb.add_worksheet(ROWS)
    b.setup(ws, scale=60, repeat=(1, 2))
    ws.repeat_columns(0, 1)
    variables = layout.variables(questionnaire)
    by_question = [(q, layout.question_variables(q)) for q in questionnaire.questions]
    b.paragraph(  # wrapped over the first columns: one long line would widen the printed page
        ws, 0, 0, min(15, len(variables) + 2),
        f"回答一覧（1 行 1 所属。{scope} 空欄＝未入力または経路未確定、無回答・無効・非該当は文字で表記。"
        f"各列の意味は「{CODEBOOK}」シート。3 行目の列名のまま「chosho import」で取り込めます）",
        b.note_wrap, 120,
    )
    names = list(layout.FIXED_COLUMNS) + [v.name for v in variables]
    labels = ["部局", "所属名", "状態"] + [v.label for v in variables]
    for col, (name, label) in enumerate(zip(names, labels)):
        b.text(ws, 1, col, wrap_header(label, _width(col, variables)), b.label_row)
        b.text(ws, 2, col, name, b.name_row)
    ws.set_row(1, 54)
    included = [r for r in records if r.included]
    write_number, write_string, text = ws.write_number, ws.write_string, b.text
    row = 3
    off_route: dict[int, frozenset[str]] = {}  # by route: departments share routes
    for record in included:
        write_string(row, 0, record.bukyoku)
        write_string(row, 1, record.name)
        write_string(row, 2, STATUS_LABELS.get(record.status, record.status))
        col = 3
        answers, route = record.answers, record.route
        off = off_route.get(id(route))
        if off is None:
            off = off_route[id(route)] = frozenset(route.off())
        for question, qvars in by_question:
            if not qvars:
                continue  # a repeat: its rows are on its own sheet
            cells = layout.render(question, answers.get(question.id), question.id in off, qvars)
            for col, (variable, cell) in enumerate(zip(qvars, cells), col):
                if cell is None:
                    continue
                if type(cell) is str:
                    if len(cell) > HALF_LIMIT:  # only a text can be this long: checked and cut if over
                        text(ws, row, col, cell)
                    else:
                        write_string(row, col, cell)
                elif variable.kind == layout.NUMBER:  # an amount: a number cell in its format
                    write_number(row, col, cell, b.amount_decimal if variable.question.decimal else b.amount)
                elif variable.kind == layout.DATE:  # an Excel date cell
                    ws.write_datetime(row, col, datetime.datetime.combine(cell, datetime.time()), b.date)
                else:
                    write_number(row, col, cell)
            col += 1
        row += 1
    sample = included[:300]
    ws.set_column(0, 0, min(max([display_width("部局")] + [display_width(r.bukyoku) for r in sample]) + 2, 24))
    ws.set_column(1, 1, min(max([display_width("所属名")] + [display_width(r.name) for r in sample]) + 2, 30))
    ws.set_column(2, 2, 8)
    for col, _variable in enumerate(variables, start=3):
        ws.set_column(col, col, _width(col, variables))
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, max(row - 1, 3), len(names) - 1)

