"""Each repeat's two sheets: its rows in long format (the sheet named by the repeat's ``name``:
部局, 所属, 行, then each field by name; amounts as numbers, dates as Excel date cells; the
import layout of the repeat) and its tallies (``{name}_集計``: choices over all rows, the base
stated in rows, and per department; amounts' count, sum, mean, median, least and most; dates'
earliest and latest day)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from survey import Question, Questionnaire, QuestionType

from ..repeat_tally import FIXED, cell_of, repeats, table_rows, tally_repeat
from ..tally import DepartmentRecord
from .common import Book, display_width

__all__ = ["write", "tally_sheet_name"]


def tally_sheet_name(question: Question) -> str:
    return f"{question.id}_集計"[:31]


def write(book: Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord]) -> int:
    """Both sheets of every repeat; returns how many repeats there were."""
    found = repeats(questionnaire)
    for question in found:
        _rows(book, question, records)
        _tally(book, question, records)
    return len(found)


def _rows(book: Book, question: Question, records: Sequence[DepartmentRecord]) -> None:
    from survey.routing import row_route

    b = book
    ws = b.wb.add_worksheet(question.id[:31])
    b.setup(ws, repeat=(0, 0))
    names = [*FIXED, *(f.id for f in question.fields)]
    for col, name in enumerate(names):
        b.text(ws, 0, col, name, b.name_row)
    r = 1
    for record, n, row in table_rows(question, records):
        ws.write_string(r, 0, record.bukyoku)
        ws.write_string(r, 1, record.name)
        ws.write_number(r, 2, n)
        status = row_route(question, row)
        for col, f in enumerate(question.fields, start=3):
            cell = cell_of(f, row, status[f.id])
            if cell is None:
                continue
            if isinstance(cell, str):
                b.text(ws, r, col, cell)
            elif isinstance(cell, datetime.date):
                ws.write_datetime(r, col, datetime.datetime.combine(cell, datetime.time()), b.date)
            elif f.type is QuestionType.NUMBER:
                ws.write_number(r, col, cell, b.amount_decimal if f.decimal else b.amount)
            else:
                ws.write_number(r, col, cell)
        r += 1
    ws.set_column(0, 1, 16)
    ws.set_column(2, 2, 5)
    for col, f in enumerate(question.fields, start=3):
        ws.set_column(col, col, 24 if f.type is QuestionType.TEXT else max(12, display_width(f.id) + 2))
    ws.freeze_panes(1, 3)
    ws.autofilter(0, 0, max(r - 1, 1), len(names) - 1)


def _tally(book: Book, question: Question, records: Sequence[DepartmentRecord]) -> None:
    b = book
    ws = b.wb.add_worksheet(tally_sheet_name(question))
    b.setup(ws)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 8, 14)
    t = tally_repeat(question, records)
    b.text(ws, 0, 0, f"{question.label}　{question.text}", b.heading)
    b.text(ws, 1, 0, f"基数: 行（表の行の数）。計 {t.rows} 行、{len(t.departments)} 所属。"
                     f"行の一覧は「{question.id}」シート", b.note)
    r = 3
    for header, col in (("所属", 0), ("部局", 1), ("行数", 2)):
        b.text(ws, r, col, header, b.header)
    r += 1
    for (bukyoku, name), rows in t.departments.items():
        b.text(ws, r, 0, name, b.cell)
        b.text(ws, r, 1, bukyoku, b.cell)
        ws.write_number(r, 2, rows, b.number)
        r += 1
    r += 1
    for ft in t.fields:
        f = ft.field
        b.text(ws, r, 0, f"{f.text}（{f.id}）", b.heading)
        b.text(ws, r + 1, 0, f"基数 Ｎ＝{ft.base} 行（この列を記入する行。無回答 {ft.blank} 行、無効 {ft.invalid} 行）", b.note)
        r += 2
        if f.type in (QuestionType.SINGLE, QuestionType.MULTI):
            r = _choices(b, ws, r, ft, t)
        elif f.type is QuestionType.NUMBER:
            r = _numbers(b, ws, r, ft)
        elif f.type is QuestionType.DATE:
            r = _dates(b, ws, r, ft)
        else:
            b.text(ws, r, 0, "記入あり（行）", b.cell)
            ws.write_number(r, 1, ft.written, b.number)
            r += 1
        r += 1


def _choices(b: Book, ws, r: int, ft, t) -> int:
    """Each option over all rows (base: rows), then rows per department for each option."""
    f = ft.field
    for col, head in enumerate(("選択肢", "行数", "割合")):
        b.text(ws, r, col, head, b.header)
    r += 1
    for option in f.options:
        count = ft.options[option.code]
        b.text(ws, r, 0, f"{option.code} {option.label}", b.cell)
        ws.write_number(r, 1, count, b.number)
        if ft.base:
            ws.write_number(r, 2, count / ft.base, b.percent)
        else:
            b.text(ws, r, 2, "－", b.dash)
        r += 1
    b.text(ws, r, 0, "計（基数）", b.total_label)
    ws.write_number(r, 1, ft.base, b.total_number)
    r += 2
    b.text(ws, r, 0, "所属別（行数）", b.header)
    for col, option in enumerate(f.options, start=1):
        b.text(ws, r, col, f"{option.code} {option.short_label}", b.header)
    r += 1
    for where in t.departments:
        b.text(ws, r, 0, where[1], b.cell)
        counts = ft.by_department.get(where, {})
        for col, option in enumerate(f.options, start=1):
            ws.write_number(r, col, counts.get(option.code, 0), b.number)
        r += 1
    return r


def _numbers(b: Book, ws, r: int, ft) -> int:
    f = ft.field
    return b.number_stats(ws, r, 0, ft.number_stats(), counted="記入行数", unit=f.unit, decimal=f.decimal)


def _dates(b: Book, ws, r: int, ft) -> int:
    return b.date_range(ws, r, 0, ft.days, counted="記入行数")
