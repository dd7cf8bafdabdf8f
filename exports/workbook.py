"""The consolidated workbook the audit report is written from.

Sheets: 集計 (every question: base, counts, shares, a native chart), 部局別 (the questions every
department answers, by 部局), 自由記述 (every text, to quote), the counts sheet (e.g. 職員登録状況),
回答一覧 (one row per department, the import layout), 変数一覧 (the codebook) and 入力状況.

Every cell is written by type with XlsxWriter in a workbook whose string conversions are off:
user text is always ``write_string`` (an answer "=1+1" or a URL stays text), never ``write()``
or pandas' ``to_excel``, which turn such text into formulas and links. Text over Excel's cell
limit is cut with a visible mark and reported. The file is written beside the target and moved
into place only when complete, so a failed export never leaves half a workbook.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from db.location import name_problem
from survey import Question, Questionnaire, QuestionType, Router

from . import layout
from .records import read_records, scope_statement
from .tally import (
    ANSWERED,
    BASE_STATES,
    BLANK,
    INVALID,
    MISSING,
    OUTSIDE_STATES,
    STATE_LABELS,
    DepartmentRecord,
    QuestionTally,
    classify,
    common_questions,
    skipped_by,
    tally_question,
    text_entries,
)

if TYPE_CHECKING:
    from db import Store

__all__ = ["CELL_LIMIT", "ExportError", "ExportResult", "export_workbook", "read_records", "save_workbook"]

FONT = "ＭＳ Ｐゴシック"
# 集計 is laid out for A4 landscape: tables in columns A–D, charts beside them from F.
TABLE_CHARS = 64  # narrow characters across columns A–D (a little under their width)
PAGE_LAST_COL, PAGE_CHARS = 11, 140  # notes run across A–L
# Printed at a fixed scale so that whole question blocks can be kept on one page.
SUMMARY_SCALE = 70
PAGE_POINTS = 470 * 100 / SUMMARY_SCALE  # printable height of A4 landscape, in row points
DEFAULT_ROW_POINTS = 15.0
LABEL_WIDTH = 46  # 集計's column B: option labels
CHART_COL = 27  # 集計's hidden column AB: short labels for the charts' categories and legends
CELL_LIMIT = 32_767  # Excel's limit on the characters (UTF-16 units) of one cell
LIST_LIMIT = 30  # names listed in one warning before "ほか N 所属"

SUMMARY, BY_GROUP, TEXTS, CODEBOOK, PROGRESS = "集計", "部局別", "自由記述", "変数一覧", "入力状況"
ROWS = layout.SHEET
COUNTS_DEFAULT = "人数集計"

Progress = Callable[[int, int], None]


class ExportError(Exception):
    """The workbook could not be written; the message says why and what to do (Japanese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ExportResult:
    path: Path
    warnings: tuple[str, ...] = ()
    included: int = 0  # departments counted on the summary sheets
    total: int = 0  # departments in the database
    not_entered: tuple[str, ...] = ()  # "所属（状態）" of departments not yet 入力済
    long_texts: tuple[str, ...] = ()  # texts cut at Excel's cell limit, each named
    sheets: tuple[str, ...] = ()


# -- helpers ----------------------------------------------------------------------------------


_WIDE: re.Pattern[str] | None = None


def _wide() -> re.Pattern[str]:
    """Characters that take two columns: East Asian wide, full-width and ambiguous (○ ※ ①,
    which Japanese fonts draw wide), from unicodedata, as one character class (built once)."""
    global _WIDE
    if _WIDE is None:
        ranges, start = [], None
        for code in range(0x10000):
            wide = unicodedata.east_asian_width(chr(code)) in "WFA" and not 0xD800 <= code <= 0xDFFF
            if wide and start is None:
                start = code
            elif not wide and start is not None:
                ranges.append((start, code - 1))
                start = None
        if start is not None:
            ranges.append((start, 0xFFFF))
        parts = [f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges]
        _WIDE = re.compile("[" + "".join(parts) + "\\U00010000-\\U0010ffff]")
    return _WIDE


def display_width(text: str) -> int:
    """Width in narrow characters of the widest line: wide characters count two."""
    wide = _wide()
    return max(len(line) + len(wide.findall(line)) for line in text[:3000].split("\n"))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    """The longest head of ``text`` within ``limit`` UTF-16 units, never splitting a character."""
    head = text[:limit]
    while utf16_length(head) > limit:
        head = head[:-1]
    return head


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _names(records: Sequence[DepartmentRecord], describe: Callable[[DepartmentRecord], str]) -> str:
    shown = "、".join(describe(r) for r in records[:LIST_LIMIT])
    more = len(records) - LIST_LIMIT
    return shown + (f" ほか {more} 所属（「{PROGRESS}」シート参照）" if more > 0 else "")


def _stamp_text(at: str | None) -> str:
    if not at:
        return ""
    try:
        return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


class _Book:
    """The workbook with its formats, and the one door user text goes through."""

    def __init__(self, path: Path, questionnaire: Questionnaire, author: str) -> None:
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_format_properties": {"font_name": FONT, "font_size": 10},
            },
        )
        self.wb.set_properties(
            {
                "title": f"{questionnaire.title} 集計",
                "subject": questionnaire.title,
                "author": author,
                "comments": "chosho で作成",
            }
        )
        add = self.wb.add_format
        base = {"font_name": FONT, "font_size": 10}
        self.title = add({**base, "bold": True, "font_size": 14})
        self.heading = add({**base, "bold": True, "font_size": 11})
        self.note = add(base)
        self.warn = add({**base, "bold": True, "font_color": "#C00000"})
        self.header = add(
            {**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        )
        self.cell = add({**base, "border": 1, "valign": "top"})
        self.code = add({**base, "border": 1, "align": "center", "valign": "top"})
        self.wrap = add({**base, "border": 1, "text_wrap": True, "valign": "top"})
        self.number = add({**base, "border": 1, "num_format": "#,##0"})
        self.percent = add({**base, "border": 1, "num_format": "0.0%"})
        self.dash = add({**base, "border": 1, "align": "center"})
        self.total_label = add({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2"})
        self.total_number = add({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0"})
        self.total_percent = add({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2", "num_format": "0.0%"})
        self.state_label = add({**base, "border": 1, "font_color": "#595959"})
        self.note_wrap = add({**base, "text_wrap": True, "valign": "top"})
        self.warn_wrap = add({**base, "bold": True, "font_color": "#C00000", "text_wrap": True, "valign": "top"})
        self.heights: dict[str, dict[int, float]] = {}
        self.heading_wrap = add({**base, "bold": True, "font_size": 11, "text_wrap": True, "valign": "top"})
        self.label_row = add({**base, "text_wrap": True, "valign": "top", "font_size": 9, "bg_color": "#F2F2F2"})
        self.name_row = add({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1})

    def text(self, ws, row: int, col: int, value: str, fmt=None) -> None:
        """Write text as text. Over Excel's cell limit it is cut with a visible mark (the answers
        that are cut are listed in the export's warnings beforehand, see ``_long_texts``)."""
        if not value:
            ws.write_blank(row, col, None, fmt)
            return
        if len(value) * 2 > CELL_LIMIT and utf16_length(value) > CELL_LIMIT:
            mark = f"［…以下省略: 全 {len(value):,} 文字。Excel の 1 セルの上限 {CELL_LIMIT:,} 文字を超えるため］"
            value = _cut(value, CELL_LIMIT - utf16_length(mark)) + mark
        ws.write_string(row, col, value, fmt)

    def paragraph(self, ws, row: int, first_col: int, last_col: int, text: str, fmt, chars: int) -> None:
        """Text wrapped across merged columns about ``chars`` narrow characters wide; the row is
        made tall enough for it (Excel does not size merged rows itself)."""
        if last_col > first_col:
            ws.merge_range(row, first_col, row, last_col, "", fmt)
        self.text(ws, row, first_col, text, fmt)
        lines = sum(max(1, -(-display_width(line) // chars)) for line in text.split("\n"))
        if lines > 1:
            self.set_height(ws, row, 14.5 * lines + 2)

    def fit_row(self, ws, row: int, cells: Iterable[tuple[str, float]]) -> None:
        """Make a row tall enough for its wrapped cells: (text, column width) pairs. Excel and
        LibreOffice do not reliably size such rows themselves when opening a file."""
        lines = 1
        for text, width in cells:
            chars = max(1, int(width) - 1)
            if 2 * len(text) <= chars and "\n" not in text:
                continue  # fits on one line whatever its characters
            lines = max(lines, sum(max(1, -(-display_width(line) // chars)) for line in text[:3000].split("\n")))
        if lines > 1:
            self.set_height(ws, row, min(409, 13.5 * lines + 3))

    def set_height(self, ws, row: int, points: float) -> None:
        ws.set_row(row, points)
        self.heights.setdefault(ws.name, {})[row] = points

    def rows_height(self, ws, first: int, end: int) -> float:
        """Points from row ``first`` up to (not including) ``end``."""
        heights = self.heights.get(ws.name, {})
        return sum(heights.get(r, DEFAULT_ROW_POINTS) for r in range(first, end))

    def share(self, ws, row: int, col: int, value: float | None, fmt=None) -> None:
        if value is None:
            ws.write_string(row, col, "－", self.dash)
        else:
            ws.write_number(row, col, value, fmt or self.percent)

    def setup(
        self, ws, *, landscape: bool = True, fit_width: bool = True, repeat: tuple[int, int] | None = None,
        scale: int | None = None,
    ) -> None:
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        if scale:
            ws.set_print_scale(scale)
        elif fit_width:
            ws.fit_to_pages(1, 0)
        if repeat:
            ws.repeat_rows(*repeat)
        ws.set_header(f"&L&\"{FONT}\"&A")
        ws.set_footer("&C&P / &N")

    def chart(self, kind: str, subtype: str | None = None):
        options = {"type": kind}
        if subtype:
            options["subtype"] = subtype
        return self.wb.add_chart(options)


def _font(size: int = 9, bold: bool = False) -> dict:
    return {"name": FONT, "size": size, "bold": bold}


def _widths(ws, widths: dict[int, float], fmt=None) -> None:
    for col, width in widths.items():
        ws.set_column(col, col, width, fmt)


# -- 集計 -------------------------------------------------------------------------------------


class _Summary:
    def __init__(self, book: _Book, questionnaire: Questionnaire) -> None:
        self.book = book
        self.q = questionnaire
        self.ws = book.wb.add_worksheet(SUMMARY)
        self.charts = 0
        self.blocks: list[tuple[int, int]] = []  # (first row, end row) of each question's block

    def preamble(self, scope: str, warnings: Sequence[str]) -> int:
        ws, b = self.ws, self.book
        b.setup(ws, scale=SUMMARY_SCALE)
        ws.set_column(0, 0, 6)
        ws.set_column(1, 1, LABEL_WIDTH)
        ws.set_column(2, CHART_COL - 1, 10)
        ws.set_column(CHART_COL, CHART_COL, 20, None, {"hidden": True})
        b.text(ws, 0, 0, f"{self.q.title}　集計", b.title)
        b.paragraph(ws, 1, 0, PAGE_LAST_COL, scope, b.note_wrap, PAGE_CHARS)
        notes = [
            "基数（Ｎ）: その設問が経路上にある所属の数です。非該当（経路外、または所属の判断で非該当と記録した所属）は基数に含みません。",
            "無回答（用紙が空欄）・無効（読み取れない回答）・未入力（まだ入力していない）は基数に含め、それぞれ行を分けて示します。",
            "経路未確定: 分岐を決める設問が無回答で経路も選ばれていない所属では、後の設問の経路が決まりません。"
            "その設問に回答（無効を含む）が記録されていれば基数に含め、無回答か未入力なら「経路未確定」として基数に含めません。",
            "割合は基数に対する比率です。複数回答の設問は選んだ所属数の基数に対する比率で、合計は100％を超えることがあります。",
            "自由記述の設問は記入の有無を数え、記述は「自由記述」シートに所属名とともに載せています。",
        ]
        row = 2
        for note in notes:
            b.paragraph(ws, row, 0, PAGE_LAST_COL, "※ " + note, b.note_wrap, PAGE_CHARS)
            row += 1
        for warning in warnings:
            b.paragraph(ws, row, 0, PAGE_LAST_COL, "⚠ " + warning, b.warn_wrap, PAGE_CHARS)
            row += 1
        ws.freeze_panes(1, 0)
        return row + 1

    def base_line(self, row: int, t: QuestionTally) -> None:
        outside = [f"{STATE_LABELS[s]} {t.states[s]}" for s in OUTSIDE_STATES if t.states[s]]
        text = f"基数 Ｎ＝{t.base} 所属"
        if outside:
            text += "（基数に含まない: " + "、".join(outside) + "）"
        self.book.text(self.ws, row, 1, text, self.book.note)

    def title_line(self, row: int, question: Question) -> None:
        suffix = "【複数回答可】" if question.type is QuestionType.MULTI else ""
        optional = "（任意）" if not question.required else ""
        text = f"{question.label}　{question.text}{suffix}{optional}"
        self.book.paragraph(self.ws, row, 0, 3, text, self.book.heading_wrap, TABLE_CHARS)

    def block(self, row: int, t: QuestionTally) -> int:
        self.title_line(row, t.question)
        self.base_line(row + 1, t)
        kind = t.question.type
        if kind is QuestionType.MATRIX:
            end, chart_rows = self.matrix(row + 2, t)
        elif kind is QuestionType.COUNTS:
            end, chart_rows = self.counts(row + 2, t)
        elif kind is QuestionType.TEXT:
            end, chart_rows = self.text_question(row + 2, t), 0
        else:
            end, chart_rows = self.choices(row + 2, t)
        end = max(end, row + 2 + chart_rows)
        self.blocks.append((row, end))
        return end + 2

    def page_breaks(self, preamble_end: int) -> None:
        """Break pages between question blocks so that none (with its chart) is cut in two."""
        used = self.book.rows_height(self.ws, 0, preamble_end)
        breaks = []
        for first, end in self.blocks:
            height = self.book.rows_height(self.ws, first, end + 2)
            if used and used + height > PAGE_POINTS:
                breaks.append(first)
                used = 0
            used += height
        self.ws.set_h_pagebreaks(breaks[:1023])

    def _state_rows(self, row: int, t: QuestionTally, first_col: int = 1) -> int:
        b, ws = self.book, self.ws
        for state in BASE_STATES:
            b.text(ws, row, first_col - 1, "", b.state_label)
            b.text(ws, row, first_col, STATE_LABELS[state], b.state_label)
            self.chart_label(row, STATE_LABELS[state])
            ws.write_number(row, first_col + 1, t.states[state], b.number)
            b.share(ws, row, first_col + 2, t.share(t.states[state]))
            row += 1
        return row

    def choices(self, row: int, t: QuestionTally) -> tuple[int, int]:
        b, ws, question = self.book, self.ws, t.question
        multi = question.type is QuestionType.MULTI
        for col, head in enumerate(("番号", "選択肢", "所属数", "割合")):
            b.text(ws, row, col, head, b.header)
        first = row + 1
        r = first
        for option in question.options:
            ws.write_number(r, 0, option.code, b.code)
            b.text(ws, r, 1, option.label, b.wrap)
            b.fit_row(ws, r, [(option.label, LABEL_WIDTH)])
            self.chart_label(r, f"{option.code} {option.label}")
            ws.write_number(r, 2, t.options[option.code], b.number)
            b.share(ws, r, 3, t.share(t.options[option.code]))
            r += 1
        r = self._state_rows(r, t)
        last = r - 1
        if multi:
            b.text(ws, r, 0, "", b.total_label)
            b.text(ws, r, 1, "基数（回答対象の所属）", b.total_label)
            ws.write_number(r, 2, t.base, b.total_number)
            b.text(ws, r, 3, "", b.total_label)
        else:
            b.text(ws, r, 0, "", b.total_label)
            b.text(ws, r, 1, "計", b.total_label)
            ws.write_number(r, 2, t.base, b.total_number)
            b.share(ws, r, 3, 1.0 if t.base else None, b.total_percent)
        r += 1
        if multi:
            b.text(ws, r, 1, f"※ 割合は基数 Ｎ＝{t.base} に対する比率。複数回答のため合計は100％を超えることがあります。", b.note)
            r += 1
        if t.unknown_codes:
            b.text(ws, r, 1, f"※ 選択肢にない番号の回答 {t.unknown_codes} 件を無効として数えています。", b.warn)
            r += 1
        counts = [t.options[o.code] for o in question.options] + [t.states[s] for s in BASE_STATES]
        chart_rows = self.choice_chart(question, first, last, counts, multi, t.base)
        return r, chart_rows

    def chart_label(self, row: int, text: str) -> None:
        """A short label for a chart, in the hidden column (long option labels crowd a chart)."""
        self.book.text(self.ws, row, CHART_COL, _short(text, 18))

    def _chart_title(self, question: Question) -> str:
        return _short(f"{question.label}　{question.text}", 46)

    def _place(self, chart, row: int, col: int, height: int, width: int = 520) -> int:
        chart.show_hidden_data()  # the short labels live in a hidden column
        chart.set_size({"width": width, "height": height})
        chart.set_chartarea({"border": {"none": True}})
        self.ws.insert_chart(row, col, chart, {"x_offset": 8, "y_offset": 4, "object_position": 1})
        self.charts += 1
        return height // 20 + 1

    def choice_chart(self, question: Question, first: int, last: int, counts: list[int], multi: bool, base: int) -> int:
        b = self.book
        n_options = len(question.options)
        if multi:
            chart = b.chart("bar")
            chart.add_series(
                {
                    "name": "割合",
                    "categories": [SUMMARY, first, CHART_COL, last, CHART_COL],
                    "values": [SUMMARY, first, 3, last, 3],
                    "data_labels": {"value": True, "num_format": "0%", "font": _font(8)},
                    "fill": {"color": "#4472C4"},
                    "gap": 60,
                }
            )
            chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": _font(8)})
            chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": _font(8), "major_gridlines": {"visible": True}})
            chart.set_legend({"none": True})
            height = max(240, 70 + 26 * (last - first + 1))
        else:
            chart = b.chart("pie")
            custom = [
                {"delete": True} if count == 0 else None
                for count in counts
            ]
            chart.add_series(
                {
                    "name": question.label,
                    "categories": [SUMMARY, first, CHART_COL, last, CHART_COL],
                    "values": [SUMMARY, first, 2, last, 2],
                    "data_labels": {
                        "percentage": True,
                        "leader_lines": True,
                        "position": "best_fit",
                        "font": _font(8),
                        "custom": custom,
                    },
                }
            )
            hidden = [i for i, count in enumerate(counts) if count == 0 and i >= n_options]
            chart.set_legend({"position": "right", "font": _font(8), "delete_series": hidden})
            height = 300
        chart.set_title({"name": self._chart_title(question), "name_font": _font(10, True)})
        if not base:
            chart.set_title({"name": self._chart_title(question) + "（基数 0）", "name_font": _font(10, True)})
        return self._place(chart, first - 1, 5, height)

    def matrix(self, row: int, t: QuestionTally) -> tuple[int, int]:
        b, ws, question = self.book, self.ws, t.question
        rows = question.rows
        n = len(rows)
        counts_col, shares_col = 2, 2 + n
        ws.merge_range(row, counts_col, row, counts_col + n - 1, "所属数", b.header)
        ws.merge_range(row, shares_col, row, shares_col + n - 1, "割合", b.header)
        b.text(ws, row, 0, "", b.header)
        b.text(ws, row, 1, "", b.header)
        header = row + 1
        b.text(ws, header, 0, "番号", b.header)
        b.text(ws, header, 1, "選択肢", b.header)
        for i, r_ in enumerate(rows):
            b.text(ws, header, counts_col + i, r_.label, b.header)
            b.text(ws, header, shares_col + i, r_.label, b.header)
        self.book.set_height(ws, header, 44)
        first = header + 1
        r = first
        keys: list[tuple[str, int | str]] = [(f"{o.code}", o.code) for o in question.options]
        keys += [("", s) for s in BASE_STATES]
        for code_text, key in keys:
            if code_text:
                ws.write_number(r, 0, int(code_text), b.code)
                b.text(ws, r, 1, question.option(key).label, b.wrap)
                b.fit_row(ws, r, [(question.option(key).label, LABEL_WIDTH)])
                self.chart_label(r, f"{key} {question.option(key).label}")
            else:
                b.text(ws, r, 0, "", b.state_label)
                b.text(ws, r, 1, STATE_LABELS[key], b.state_label)
                self.chart_label(r, STATE_LABELS[key])
            for i, r_ in enumerate(rows):
                count = t.cells.get(r_.id, {}).get(key, 0)
                ws.write_number(r, counts_col + i, count, b.number)
                b.share(ws, r, shares_col + i, t.share(count))
            r += 1
        b.text(ws, r, 0, "", b.total_label)
        b.text(ws, r, 1, "計（基数）", b.total_label)
        for i in range(n):
            ws.write_number(r, counts_col + i, t.base, b.total_number)
            b.share(ws, r, shares_col + i, 1.0 if t.base else None, b.total_percent)
        r += 1
        chart = b.chart("bar", "percent_stacked")
        for k, (_code_text, key) in enumerate(keys):
            total = sum(t.cells.get(r_.id, {}).get(key, 0) for r_ in rows)
            if isinstance(key, str) and total == 0:
                continue  # an empty state adds nothing but a legend entry
            chart.add_series(
                {
                    "name": [SUMMARY, first + k, CHART_COL],
                    "categories": [SUMMARY, header, counts_col, header, counts_col + n - 1],
                    "values": [SUMMARY, first + k, counts_col, first + k, counts_col + n - 1],
                    "gap": 50,
                }
            )
        chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": _font(8)})
        chart.set_x_axis({"num_format": "0%", "num_font": _font(8)})
        chart.set_legend({"position": "bottom", "font": _font(8)})
        chart.set_title({"name": self._chart_title(question), "name_font": _font(10, True)})
        height = max(300, 120 + 40 * n)
        chart_rows = self._place(chart, r + 1, 1, height, 640)  # below: the table is wide already
        return r + 1 + chart_rows, 0

    def text_question(self, row: int, t: QuestionTally) -> int:
        b, ws = self.book, self.ws
        for col, head in enumerate(("", "区分", "所属数", "割合")):
            b.text(ws, row, col, head, b.header)
        r = row + 1
        b.text(ws, r, 0, "", b.cell)
        b.text(ws, r, 1, "記入あり", b.cell)
        ws.write_number(r, 2, t.states[ANSWERED], b.number)
        b.share(ws, r, 3, t.share(t.states[ANSWERED]))
        r = self._state_rows(r + 1, t)
        b.text(ws, r, 0, "", b.total_label)
        b.text(ws, r, 1, "計", b.total_label)
        ws.write_number(r, 2, t.base, b.total_number)
        b.share(ws, r, 3, 1.0 if t.base else None, b.total_percent)
        return r + 1

    def counts(self, row: int, t: QuestionTally) -> tuple[int, int]:
        b, ws, question = self.book, self.ws, t.question
        ceilings = {i.at_most for i in question.items if i.at_most}
        rate_head = "割合"
        if len(ceilings) == 1:
            rate_head = f"割合（対 {question.item(next(iter(ceilings))).label}）"
        for col, head in enumerate(("", "項目", "合計", "記入所属数", rate_head)):
            b.text(ws, row, col, head, b.header)
        first = row + 1
        r = first
        for item in question.items:
            b.text(ws, r, 0, "", b.cell)
            b.text(ws, r, 1, f"{item.label}（{item.unit}）" if item.unit else item.label, b.cell)
            ws.write_number(r, 2, t.sums[item.id], b.number)
            ws.write_number(r, 3, t.filled[item.id], b.number)
            if item.at_most:
                b.share(ws, r, 4, t.rate(item.id))
            else:
                b.text(ws, r, 4, "", b.cell)
            r += 1
        last = r - 1
        r += 1
        b.text(ws, r, 1, "所属の回答状況", b.header)
        b.text(ws, r, 2, "所属数", b.header)
        b.text(ws, r, 3, "割合", b.header)
        r += 1
        b.text(ws, r, 1, "記入あり", b.cell)
        ws.write_number(r, 2, t.states[ANSWERED], b.number)
        b.share(ws, r, 3, t.share(t.states[ANSWERED]))
        r = self._state_rows(r + 1, t)
        if ceilings:
            b.text(
                ws, r, 1,
                "※ 割合＝各項目の合計÷上限の項目の合計（両方を記入した所属について）。所属ごとの数は「"
                + counts_sheet_name(self.q) + "」シート。",
                b.note,
            )
            r += 1
        rated = [i for i in question.items if i.at_most]
        chart = b.chart("bar")
        if rated:
            positions = [first + question.items.index(i) for i in rated]
            lo, hi = min(positions), max(positions)
            chart.add_series(
                {
                    "name": rate_head,
                    "categories": [SUMMARY, lo, 1, hi, 1],
                    "values": [SUMMARY, lo, 4, hi, 4],
                    "data_labels": {"value": True, "num_format": "0.0%", "font": _font(8)},
                    "fill": {"color": "#4472C4"},
                    "gap": 60,
                }
            )
            chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": _font(8)})
        else:
            chart.add_series(
                {
                    "name": "合計",
                    "categories": [SUMMARY, first, 1, last, 1],
                    "values": [SUMMARY, first, 2, last, 2],
                    "data_labels": {"value": True, "num_format": "#,##0", "font": _font(8)},
                    "gap": 60,
                }
            )
            chart.set_x_axis({"num_font": _font(8)})
        chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": _font(8)})
        chart.set_legend({"none": True})
        chart.set_title({"name": self._chart_title(question), "name_font": _font(10, True)})
        height = max(240, 80 + 30 * max(1, len(rated) or len(question.items)))
        return r, self._place(chart, first - 1, 6, height)


# -- the other sheets -------------------------------------------------------------------------


def counts_sheet_name(questionnaire: Questionnaire) -> str:
    """The counts sheet's name: the definition's ``counts_sheet`` (e.g. 職員登録状況) or 人数集計."""
    name = str(questionnaire.meta.get("counts_sheet") or COUNTS_DEFAULT)
    name = re.sub(r"[\[\]:*?/\\]", "・", name)[:31]
    return name if name not in (SUMMARY, BY_GROUP, TEXTS, ROWS, CODEBOOK, PROGRESS) else COUNTS_DEFAULT


def _groups(records: Sequence[DepartmentRecord]) -> list[tuple[str, list[DepartmentRecord]]]:
    groups: dict[str, list[DepartmentRecord]] = {}
    for record in records:
        groups.setdefault(record.bukyoku, []).append(record)
    return list(groups.items())


def _by_group(book: _Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str, router: Router) -> None:
    b = book
    ws = b.wb.add_worksheet(BY_GROUP)
    b.setup(ws)
    questions = [q for q in common_questions(questionnaire, router) if q.type is QuestionType.SINGLE]
    included = [r for r in records if r.included]
    groups = _groups(included)
    b.text(ws, 0, 0, f"部局別の回答（全所属が回答する単一回答の設問: {'・'.join(q.label for q in questions) or 'なし'}）", b.title)
    b.text(ws, 1, 0, scope, b.note)
    b.text(ws, 2, 0, "※ 基数は各部局で回答対象の所属の数（非該当・経路未確定を除く）。割合は部局ごとの基数に対する比率です。", b.note)
    width_group = max([display_width("部局")] + [display_width(g) for g, _ in groups]) + 2
    ws.set_column(0, 0, min(width_group, 30))
    ws.set_column(1, 40, 9)
    row = 4
    for question in questions:
        b.text(ws, row, 0, f"{question.label}　{question.text}", b.heading)
        row += 1
        heads = ["部局", "基数"]
        heads += [f"{o.code} {_short(o.label, 14)}" for o in question.options]
        heads += [STATE_LABELS[s] for s in BASE_STATES]
        heads += [f"{o.code} の割合" for o in question.options]
        for col, head in enumerate(heads):
            b.text(ws, row, col, head, b.header)
        ws.set_row(row, 42)
        row += 1
        total = tally_question(question, included)
        for name, members, is_total in [(g, m, False) for g, m in groups] + [("合計", included, True)]:
            t = total if is_total else tally_question(question, members)
            label_fmt, num_fmt, pct_fmt = (
                (b.total_label, b.total_number, b.total_percent) if is_total else (b.cell, b.number, b.percent)
            )
            b.text(ws, row, 0, name, label_fmt)
            ws.write_number(row, 1, t.base, num_fmt)
            col = 2
            for option in question.options:
                ws.write_number(row, col, t.options[option.code], num_fmt)
                col += 1
            for state in BASE_STATES:
                ws.write_number(row, col, t.states[state], num_fmt)
                col += 1
            for option in question.options:
                b.share(ws, row, col, t.share(t.options[option.code]), pct_fmt)
                col += 1
            row += 1
        row += 2


def _texts(book: _Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str) -> None:
    b = book
    ws = b.wb.add_worksheet(TEXTS)
    b.setup(ws, repeat=(3, 3))
    b.text(ws, 0, 0, "自由記述（設問ごと・所属順）", b.title)
    b.text(ws, 1, 0, scope + " 経路外・経路未確定の設問の記述は載せていません。", b.note)
    heads = ("設問", "記入欄", "選択", "部局", "所属", "記述")
    for col, head in enumerate(heads):
        b.text(ws, 3, col, head, b.header)
    row = 4
    included = [r for r in records if r.included]
    widths = {3: display_width("部局"), 4: display_width("所属")}
    for question in questionnaire.questions:
        if question.type is not QuestionType.TEXT and not question.text_boxes:
            continue
        found: list[tuple[int, int | None, DepartmentRecord, str, bool]] = []
        box_order = {box.option: i for i, box in enumerate(question.text_boxes)}
        for record in included:
            value = record.answers.get(question.id)
            if classify(question, record.route, value) != ANSWERED:
                continue
            for code, text, chosen in text_entries(question, value):
                found.append((box_order.get(code, -1) if code is not None else -1, code, record, text, chosen))
        found.sort(key=lambda f: (f[0], f[2].position))
        for _order, code, record, text, chosen in found:
            if code is None:
                where = _short(question.text, 60)
                mark = ""
            else:
                box = question.text_box(code)
                option = question.option(code)
                where = f"{code} {option.label if option else ''}：{box.prompt if box else ''}"
                mark = "〇" if chosen else "未選択"
            ws.write_string(row, 0, question.label, b.cell)
            ws.write_string(row, 1, where, b.wrap)
            ws.write_string(row, 2, mark, b.cell)
            ws.write_string(row, 3, record.bukyoku, b.cell)
            ws.write_string(row, 4, record.name, b.cell)
            b.text(ws, row, 5, text, b.wrap)  # the answer: checked against the cell limit
            b.fit_row(ws, row, ((where, 30), (text, 80)))
            row += 1
    if row == 4:
        b.text(ws, row, 0, "（記述はありません）", b.note)
    ws.set_column(0, 0, 7)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 6)
    sample = included[:300]
    ws.set_column(3, 3, min(max([widths[3]] + [display_width(r.bukyoku) for r in sample]) + 2, 24))
    ws.set_column(4, 4, min(max([widths[4]] + [display_width(r.name) for r in sample]) + 2, 30))
    ws.set_column(5, 5, 80)
    ws.freeze_panes(4, 0)
    ws.autofilter(3, 0, max(row - 1, 4), len(heads) - 1)


def _counts_sheet(book: _Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str) -> bool:
    questions = [q for q in questionnaire.questions if q.type is QuestionType.COUNTS]
    if not questions:
        return False
    b = book
    name = counts_sheet_name(questionnaire)
    ws = b.wb.add_worksheet(name)
    b.setup(ws)
    included = [r for r in records if r.included]
    b.text(ws, 0, 0, name, b.title)
    b.text(ws, 1, 0, scope, b.note)
    row = 3
    filtered = False
    width_name = max([display_width("所属")] + [display_width(r.name) for r in included[:2000]]) + 2
    width_group = max([display_width("部局")] + [display_width(r.bukyoku) for r in included[:2000]]) + 2
    ws.set_column(0, 0, min(width_group, 24))
    ws.set_column(1, 1, min(width_name, 30))
    ws.set_column(2, 30, 11)
    for question in questions:
        t = tally_question(question, included)
        b.text(ws, row, 0, f"{question.label}　{question.text}", b.heading)
        row += 1
        b.text(ws, row, 0, f"基数 Ｎ＝{t.base} 所属（記入あり {t.states[ANSWERED]}、無回答 {t.states[BLANK]}、"
               f"無効 {t.states[INVALID]}、未入力 {t.states[MISSING]}）", b.note)
        row += 2
        rated = [i for i in question.items if i.at_most]
        for col, head in enumerate(("項目", "合計", "記入所属数", "割合")):
            b.text(ws, row, col, head, b.header)
        row += 1
        for item in question.items:
            b.text(ws, row, 0, item.label, b.cell)
            ws.write_number(row, 1, t.sums[item.id], b.number)
            ws.write_number(row, 2, t.filled[item.id], b.number)
            if item.at_most:
                b.share(ws, row, 3, t.rate(item.id))
            else:
                b.text(ws, row, 3, "", b.cell)
            row += 1
        if rated:
            ceiling = {question.item(i.at_most).label for i in rated}
            b.text(ws, row, 0, f"※ 割合＝各項目の合計÷{'・'.join(sorted(ceiling))}の合計（両方を記入した所属について）。", b.note)
            row += 1
        row += 1
        heads = ["部局", "所属"] + [i.label for i in question.items] + [f"{i.label} 割合" for i in rated] + ["状態"]
        header = row
        for col, head in enumerate(heads):
            b.text(ws, row, col, head, b.header)
        ws.set_row(row, 30)
        row += 1
        for record in included:
            value = record.answers.get(question.id)
            state = classify(question, record.route, value)
            b.text(ws, row, 0, record.bukyoku, b.cell)
            b.text(ws, row, 1, record.name, b.cell)
            values = getattr(value, "values", {}) if state == ANSWERED else {}
            col = 2
            for item in question.items:
                number = values.get(item.id)
                if isinstance(number, int):
                    ws.write_number(row, col, number, b.number)
                else:
                    b.text(ws, row, col, "", b.cell)
                col += 1
            for item in rated:
                number, ceiling = values.get(item.id), values.get(item.at_most)
                if isinstance(number, int) and isinstance(ceiling, int) and ceiling:
                    ws.write_number(row, col, number / ceiling, b.percent)
                else:
                    b.text(ws, row, col, "", b.cell)
                col += 1
            b.text(ws, row, col, "" if state == ANSWERED else STATE_LABELS[state], b.cell)
            row += 1
        if not filtered:
            ws.freeze_panes(header + 1, 2)
            ws.autofilter(header, 0, max(row - 1, header + 1), len(heads) - 1)
            b.setup(ws, repeat=(header, header))
            filtered = True
        row += 2
    return True


def _rows(book: _Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str) -> None:
    """回答一覧: the import layout. Rows 1–2 say what it is; row 2 labels, row 3 variable names."""
    from db import STATUS_LABELS

    b = book
    ws = b.wb.add_worksheet(ROWS)
    b.setup(ws, scale=60, repeat=(1, 2))
    ws.repeat_columns(0, 1)
    variables = layout.variables(questionnaire)
    by_question = [(q, layout.question_variables(q)) for q in questionnaire.questions]
    b.text(
        ws, 0, 0,
        f"回答一覧（1 行 1 所属。{scope} 空欄＝未入力または経路未確定、無回答・無効・非該当は文字で表記。"
        f"各列の意味は「{CODEBOOK}」シート。3 行目の列名のまま「chosho import」で取り込めます）",
        b.note,
    )
    names = list(layout.FIXED_COLUMNS) + [v.name for v in variables]
    labels = ["部局", "所属名", "状態"] + [v.label for v in variables]
    for col, (name, label) in enumerate(zip(names, labels)):
        b.text(ws, 1, col, label, b.label_row)
        b.text(ws, 2, col, name, b.name_row)
    ws.set_row(1, 54)
    included = [r for r in records if r.included]
    write_number, write_string, text = ws.write_number, ws.write_string, b.text
    row = 3
    for record in included:
        write_string(row, 0, record.bukyoku)
        write_string(row, 1, record.name)
        write_string(row, 2, STATUS_LABELS.get(record.status, record.status))
        col = 3
        answers, route = record.answers, record.route
        for question, qvars in by_question:
            off = route.status(question.id) == "off"
            cells = layout.render(question, answers.get(question.id), off, qvars)
            for variable, cell in zip(qvars, cells):
                if cell is None:
                    pass
                elif type(cell) is int:
                    write_number(row, col, cell)
                elif variable.kind in (layout.TEXT, layout.BOX) and len(cell) * 2 > CELL_LIMIT:
                    text(ws, row, col, cell)
                else:
                    write_string(row, col, cell)
                col += 1
        row += 1
    sample = included[:300]
    ws.set_column(0, 0, min(max([display_width("部局")] + [display_width(r.bukyoku) for r in sample]) + 2, 24))
    ws.set_column(1, 1, min(max([display_width("所属名")] + [display_width(r.name) for r in sample]) + 2, 30))
    ws.set_column(2, 2, 8)
    for col, variable in enumerate(variables, start=3):
        if variable.kind in (layout.TEXT, layout.BOX):
            width = 24
        else:
            width = max(8, display_width(variable.name) + 2)
        ws.set_column(col, col, width)
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, max(row - 1, 3), len(names) - 1)


def route_condition(questionnaire: Questionnaire, question: Question) -> str:
    """When a question is 非該当, in the definition's own words (the skips passing over it)."""
    skips = skipped_by(questionnaire, question.id)
    if not skips:
        return "全所属（分岐なし）"
    parts = []
    for skip in skips:
        judged = "。所属の判断による非該当あり" if skip.respondent_judgement else ""
        parts.append(f"{skip.when_text} のとき非該当（{skip.at}→{skip.to}{judged}）")
    return "\n".join(parts)


CODEBOOK_WIDTHS = (16, 8, 14, 50, 40, 40)


def _codebook(book: _Book, questionnaire: Questionnaire) -> None:
    b = book
    ws = b.wb.add_worksheet(CODEBOOK)
    b.setup(ws, repeat=(2, 2))
    b.text(ws, 0, 0, f"変数一覧（「{ROWS}」シートの列の意味）", b.title)
    b.text(ws, 1, 0, f"「{ROWS}」は 2 行目が見出し、3 行目が列名（変数名）、4 行目から 1 行 1 所属です。", b.note)
    heads = ("変数名", "設問", "種類", "内容", "値", "経路（非該当となる条件）")
    for col, head in enumerate(heads):
        b.text(ws, 2, col, head, b.header)
    row = 3
    widths = [display_width(h) for h in heads]
    for question in questionnaire.questions:
        condition = route_condition(questionnaire, question)
        for variable in layout.question_variables(question):
            kind = question.type.label + ("・任意" if not question.required else "")
            if variable.kind == layout.TICK:
                option = question.option(variable.key)
                content = f"{question.text}\n選択肢 {option.code} {option.label}"
                values = "1 選択／0 非選択"
            elif variable.kind == layout.BOX:
                option, box = question.option(variable.key), question.text_box(variable.key)
                content = f"{question.text}\n選択肢 {option.code} {option.label} の記入欄: {box.prompt}"
                values = "文字"
            elif variable.kind == layout.ROW:
                content = f"{question.text}\n行: {question.row(variable.key).label}"
                values = "\n".join(f"{o.code} {o.label}" for o in question.options)
            elif variable.kind == layout.ITEM:
                item = question.item(variable.key)
                ceiling = f"（{question.item(item.at_most).label}以下）" if item.at_most else ""
                content = f"{question.text}\n項目: {item.label}{ceiling}"
                values = f"0 以上の整数（{item.unit}）" if item.unit else "0 以上の整数"
            elif variable.kind == layout.CODE:
                content = question.text
                values = "\n".join(f"{o.code} {o.label}" for o in question.options)
                if question.chooses_route_when_blank:
                    values += "\n（無回答・無効のとき @番号 で経路を選んだもの）"
            else:
                content = question.text
                values = "文字"
            cells = (variable.name, question.label, kind, content, values, condition)
            for col, value in enumerate(cells):
                b.text(ws, row, col, value, b.wrap)
            widths[0] = max(widths[0], display_width(variable.name))
            b.fit_row(ws, row, zip(cells[2:], CODEBOOK_WIDTHS[2:]))
            row += 1
    last = row - 1
    row += 1
    b.text(ws, row, 0, "表記", b.header)
    b.text(ws, row, 1, "意味", b.header)
    legend = [
        ("（空欄）", "未入力（まだ入力していない）。経路が決まらない設問では経路未確定"),
        (layout.BLANK_WORD, "無回答: 用紙が空欄"),
        (f"{layout.INVALID_WORD}（…）", "無効: 読み取れない回答。（ ）内は用紙の記載"),
        (layout.NA_WORD, "非該当: 経路外、または所属の判断で回答しなかった設問"),
        ("無回答@1", "無回答だが、経路は選択肢 1 として進めたもの（要確認）"),
    ]
    for word, meaning in legend:
        row += 1
        b.text(ws, row, 0, word, b.cell)
        b.text(ws, row, 1, meaning, b.cell)  # runs on over the empty columns
    ws.set_column(0, 0, min(widths[0] + 2, 24))
    for col, width in enumerate(CODEBOOK_WIDTHS[1:], start=1):
        ws.set_column(col, col, width)
    ws.freeze_panes(3, 1)
    ws.autofilter(2, 0, last, len(heads) - 1)


def _progress_sheet(book: _Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], display: Callable[[str], str]) -> None:
    from db import STATUS_LABELS, STATUSES

    b = book
    ws = b.wb.add_worksheet(PROGRESS)
    b.setup(ws, repeat=(2, 2))
    counts = {s: sum(1 for r in records if r.status == s) for s in STATUSES}
    b.text(ws, 0, 0, "入力状況", b.title)
    head = getattr(records, "audit_head", None)  # read with the records (exports/records.py)
    if head is not None:  # pins the history this report came from: `chosho verify --head N:HASH`
        b.text(ws, 0, 2, f"監査ログ {head[0]} 件　末尾のハッシュ {head[1]}　点検: chosho verify --head {head[0]}:{head[1][:16]}", b.note)
    b.text(
        ws, 1, 0,
        "／".join(f"{STATUS_LABELS[s]} {counts[s]}" for s in STATUSES) + f"（計 {len(records)} 所属）",
        b.note,
    )
    heads = (
        "部局", "所属", "状態", "集計に含む", "回答済／経路上", "経路未確定",
        "入力者", "入力済の日時", "確認者", "確認日時", "確定者", "確定日時",
        "最終更新者", "最終更新日時", "未解決の疑義",
    )
    for col, head in enumerate(heads):
        b.text(ws, 2, col, head, b.header)
    row = 3
    for record in records:
        route = record.route
        answered = sum(1 for qid in route.order if qid in record.answers)
        undecided = "、".join(questionnaire.question(q).label for q in route.undecided_by) if record.answers else ""
        values: list[Any] = [
            record.bukyoku, record.name, STATUS_LABELS.get(record.status, record.status),
            "〇" if record.included else "－", f"{answered}／{len(route.order)}", undecided,
        ]
        for stamp in (record.entered, record.reviewed, record.finalised, record.updated):
            values += [display(stamp[0]) if stamp else "", _stamp_text(stamp[1]) if stamp else ""]
        for col, value in enumerate(values):
            b.text(ws, row, col, value, b.cell)
        ws.write_number(row, len(values), record.open_flags, b.number)
        row += 1
    sample = records[:300]
    ws.set_column(0, 0, min(max([4] + [display_width(r.bukyoku) for r in sample]) + 2, 24))
    ws.set_column(1, 1, min(max([4] + [display_width(r.name) for r in sample]) + 2, 30))
    ws.set_column(2, 3, 10)
    ws.set_column(4, 4, 14)
    ws.set_column(5, 5, 16)
    ws.set_column(6, 13, 16)
    ws.set_column(14, 14, 10)
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, max(row - 1, 3), len(heads) - 1)


# -- warnings ---------------------------------------------------------------------------------


def _warnings(
    questionnaire: Questionnaire, records: Sequence[DepartmentRecord], confirmed_only: bool
) -> tuple[list[str], list[str]]:
    from db import STATUS_LABELS

    warnings: list[str] = []
    not_entered = [r for r in records if r.status in ("not_started", "in_progress")]
    listed = [f"{r.name}（{STATUS_LABELS[r.status]}）" for r in not_entered]
    if confirmed_only:
        excluded = [r for r in records if not r.included]
        if excluded:
            warnings.append(
                f"確認済・確定でない {len(excluded)} 所属は集計に含めていません: "
                + _names(excluded, lambda r: f"{r.name}（{STATUS_LABELS[r.status]}）")
            )
    elif not_entered:
        warnings.append(
            f"入力済でない所属が {len(not_entered)} あります（未入力は集計に含まず、入力中は入力済みの回答だけを集計）: "
            + _names(not_entered, lambda r: f"{r.name}（{STATUS_LABELS[r.status]}）")
        )
    included = [r for r in records if r.included]
    awaiting = [r for r in included if r.route.awaiting_choice]
    if awaiting:
        warnings.append(
            f"経路が決まっていない所属が {len(awaiting)} あります（分岐を決める設問が無回答で経路が未選択。"
            "後の設問は回答があるものだけを集計）: "
            + _names(awaiting, lambda r: f"{r.name}（{'・'.join(questionnaire.question(q).label for q in r.route.awaiting_choice)}）")
        )
    off = sum(
        1 for r in included for qid in r.answers if r.route.status(qid) == "off"
    )
    if off:
        warnings.append(f"経路外の設問に記録された回答が {off} 件あります（集計にも回答一覧にも含めていません）。")
    return warnings, listed


def _long_texts(records: Sequence[DepartmentRecord], questionnaire: Questionnaire) -> list[str]:
    found = []
    for record in records:
        if not record.included:
            continue
        for question in questionnaire.questions:
            value = record.answers.get(question.id)
            for code, text, _chosen in text_entries(question, value):
                if len(text) * 2 > CELL_LIMIT and utf16_length(text) > CELL_LIMIT:
                    variable = question.id if code is None else f"{question.id}_{code}_text"
                    found.append(
                        f"{record.name} {variable}: 記述が {len(text):,} 文字あり、Excel の 1 セルの上限"
                        f"（{CELL_LIMIT:,} 文字）を超えるため、先頭だけを書き「…以下省略」と記しました（全文はデータベースにあります）。"
                    )
    return found


# -- the whole workbook -----------------------------------------------------------------------


def _write_workbook(
    path: Path,
    questionnaire: Questionnaire,
    records: Sequence[DepartmentRecord],
    *,
    confirmed_only: bool = False,
    author: str = "",
    display: Callable[[str], str] = lambda name: name,
    progress: Progress | None = None,
    router: Router | None = None,
) -> ExportResult:
    """Write the workbook at ``path`` as it is (``save_workbook`` adds the temporary file)."""
    router = router or Router(questionnaire)
    questions = questionnaire.questions
    has_counts = any(q.type is QuestionType.COUNTS for q in questions)
    total_steps = len(questions) + (6 if has_counts else 5) + 1
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total_steps)

    if progress is not None:
        progress(0, total_steps)
    scope = scope_statement(list(records), confirmed_only)
    warnings, not_entered = _warnings(questionnaire, records, confirmed_only)
    long_texts = _long_texts(records, questionnaire)
    book = _Book(path, questionnaire, author)
    summary = _Summary(book, questionnaire)
    row = preamble_end = summary.preamble(scope, warnings + long_texts)
    included = [r for r in records if r.included]
    for question in questions:
        row = summary.block(row, tally_question(question, included))
        step()
    summary.page_breaks(preamble_end)
    _by_group(book, questionnaire, records, scope, router)
    step()
    _texts(book, questionnaire, records, scope)
    step()
    if _counts_sheet(book, questionnaire, records, scope):
        step()
    _rows(book, questionnaire, records, scope)
    step()
    _codebook(book, questionnaire)
    step()
    _progress_sheet(book, questionnaire, records, display)
    step()
    book.wb.close()
    step()
    sheets = tuple(ws.name for ws in book.wb.worksheets())
    return ExportResult(
        path=path,
        warnings=tuple(warnings + long_texts),
        included=len(included),
        total=len(records),
        not_entered=tuple(not_entered),
        long_texts=tuple(long_texts),
        sheets=sheets,
    )


def _target(path: str | Path) -> Path:
    path = Path(path).expanduser()
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    if problem := name_problem(path, "出力ファイル", extra=_TEMP_EXTRA):
        raise ExportError(problem)
    if path.is_dir():
        raise ExportError(f"「{path}」はフォルダです。保存するファイル名を指定してください。")
    if not path.parent.is_dir():
        raise ExportError(f"フォルダ「{path.parent}」がありません。保存先を確認してください。")
    if path.exists() and not os.access(path, os.W_OK):
        raise ExportError(
            f"「{path}」は読み取り専用のため上書きできません。別のファイル名を指定するか、書き込み権限を確認してください。"
        )
    return path


# The workbook is first written as ".NAME.0123abcd.tmp.xlsx" beside the target: 14 bytes more.
_TEMP_EXTRA = 14


def _unwritable(path: Path, exc: BaseException) -> ExportError:
    reason = getattr(exc, "strerror", None) or str(exc)
    return ExportError(
        f"「{path}」に書き込めませんでした（{reason}）。Excel などでこのファイルを開いている場合は閉じてから、"
        "もう一度出力してください。保存先のフォルダに書き込めるかも確認してください。ファイルは作っていません。"
    )


def export_workbook(
    store: Store,
    path: str | Path,
    *,
    confirmed_only: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the consolidated workbook of ``store`` to ``path`` (".xlsx" is added if missing).

    ``confirmed_only``: count only departments 確認済 or 確定 (default: everything entered).
    ``progress(done, total)`` is called as each question and sheet is written.
    The workbook is written to a temporary file beside ``path`` and moved into place when
    complete; on any failure nothing is left behind and ExportError says why, in Japanese.

    This reads through ``store``, so it runs in the thread that owns the store's connection.
    To write in a worker thread, read first and hand the records over::

        records = read_records(store, confirmed_only=...)        # in the store's thread, fast
        save_workbook(path, store.questionnaire, records, ...)   # anywhere: no database
    """
    target = _target(path)
    records = read_records(store, confirmed_only=confirmed_only)
    names = {name: (display or name) for name, display, _ in store.users()}
    return save_workbook(
        target,
        store.questionnaire,
        records,
        confirmed_only=confirmed_only,
        author=store.who,
        display=lambda name: names.get(name, name),
        progress=progress,
        router=store.router,
    )


def save_workbook(
    path: str | Path,
    questionnaire: Questionnaire,
    records: Sequence[DepartmentRecord],
    *,
    confirmed_only: bool = False,
    author: str = "",
    display: Callable[[str], str] = lambda name: name,
    progress: Progress | None = None,
    router: Router | None = None,
) -> ExportResult:
    """The workbook of ``records`` (see ``read_records``) at ``path``, all or nothing."""
    target = _target(path)
    temp = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.tmp.xlsx")
    try:
        with open(temp, "xb"):  # can we write here at all? (before spending time on the workbook)
            pass
    except OSError as exc:
        raise _unwritable(target, exc) from exc
    try:
        result = _write_workbook(
            temp, questionnaire, records, confirmed_only=confirmed_only, author=author,
            display=display, progress=progress, router=router,
        )
        try:
            os.replace(temp, target)
        except OSError as exc:
            raise _unwritable(target, exc) from exc
    except (XlsxWriterException, OSError) as exc:
        temp.unlink(missing_ok=True)
        raise _unwritable(target, exc) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return replace(result, path=target)
