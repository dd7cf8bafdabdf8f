"""What every sheet shares: the workbook with its formats and the one door user text goes
through, the page setup, widths of Japanese text, and the sheet names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, time
from pathlib import Path

import xlsxwriter

from survey import Question, Questionnaire

from .. import layout
from ..tally import DepartmentRecord

FONT = "ＭＳ Ｐゴシック"
DEFAULT_ROW_POINTS = 15.0
CELL_LIMIT = 32_767  # Excel's limit on the characters (UTF-16 units) of one cell
LIST_LIMIT = 30  # names listed in one warning before "ほか N 所属"

SUMMARY, BY_GROUP, TEXTS, CODEBOOK, PROGRESS = "集計", "部局別", "自由記述", "変数一覧", "入力状況"
ROWS = layout.SHEET
COUNTS_DEFAULT = "人数集計"

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


def cut(text: str, limit: int) -> str:
    """The longest head of ``text`` within ``limit`` UTF-16 units, never splitting a character."""
    head = text[:limit]
    while utf16_length(head) > limit:
        head = head[:-1]
    return head


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def names(records: Sequence[DepartmentRecord], describe: Callable[[DepartmentRecord], str]) -> str:
    shown = "、".join(describe(r) for r in records[:LIST_LIMIT])
    more = len(records) - LIST_LIMIT
    return shown + (f" ほか {more} 所属（「{PROGRESS}」シート参照）" if more > 0 else "")


def stamp_text(at: str | None) -> str:
    if not at:
        return ""
    try:
        return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


class Book:
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
        # 回答一覧's amounts (issue 27): grouped, a decimal question's digits shown as stored.
        self.amount = add({**base, "num_format": "#,##0"})
        self.amount_decimal = add({**base, "num_format": "#,##0.0#########"})
        self.date = add({**base, "num_format": "yyyy-mm-dd", "align": "left"})
        self.percent = add({**base, "border": 1, "num_format": "0.0%"})
        self.whole = add({**base, "border": 1, "num_format": "0%"})
        self.total_whole = add({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2", "num_format": "0%"})
        self.dash = add({**base, "border": 1, "align": "center"})
        self.total_label = add({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2"})
        self.total_number = add({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2", "num_format": "#,##0"})
        self.total_percent = add({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2", "num_format": "0.0%"})
        self.state_label = add({**base, "border": 1, "font_color": "#595959"})
        self.note_wrap = add({**base, "text_wrap": True, "valign": "top"})
        self.warn_wrap = add({**base, "bold": True, "font_color": "#C00000", "text_wrap": True, "valign": "top"})
        self.heights: dict[str, dict[int, float]] = {}
        self.grid_border = add({"border": 1})
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
            value = cut(value, CELL_LIMIT - utf16_length(mark)) + mark
        ws.write_string(row, col, value, fmt)

    def texts(self, ws, row: int, first_col: int, values: Sequence[str], fmt=None, *, blanks: bool = True) -> None:
        """``text`` for a run of cells in one format: the export's hot loops (one row per
        department) write short texts, so only a long one takes ``text``'s checks.
        ``blanks=False``: an empty value writes no cell (its table's border comes from ``grid``)."""
        write_string, write_blank = ws.write_string, ws.write_blank
        for col, value in enumerate(values, first_col):
            if not value:
                if blanks:
                    write_blank(row, col, None, fmt)
            elif len(value) * 2 > CELL_LIMIT:
                self.text(ws, row, col, value, fmt)
            else:
                write_string(row, col, value, fmt)

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
            lines = max(lines, sum(
                1 if 2 * len(line) <= chars else max(1, -(-display_width(line) // chars))  # short: no measuring
                for line in text[:3000].split("\n")
            ))
        if lines > 1:
            self.set_height(ws, row, min(409, 13.5 * lines + 3))

    def grid(self, ws, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Thin borders on every cell of a table, empty ones included, as one conditional format
        over its range: a table of one row per department leaves tens of thousands of cells empty,
        and writing each as a bordered blank cell costs as much as writing a value."""
        if last_row >= first_row:
            ws.conditional_format(first_row, first_col, last_row, last_col,
                                  {"type": "no_errors", "format": self.grid_border})

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

    def number_stats(self, ws, row: int, col: int, stats, *, counted: str, unit: str | None, decimal: bool) -> int:
        """An amount's count, sum, mean, median, least and most (``stats``: ``number_stats()``
        of a tally) as a table from (row, col): the 集計 sheet's and a repeat's alike, ``counted``
        naming what was counted. Returns the row after it."""
        for i, head in enumerate(("統計量", f"値（{unit}）" if unit else "値")):
            self.text(ws, row, col + i, head, self.header)
        grouped = self.amount_decimal if decimal else self.number
        r = row + 1
        for key, name in (("count", counted), ("sum", "合計"), ("mean", "平均"), ("median", "中央値"),
                          ("min", "最小"), ("max", "最大")):
            self.text(ws, r, col, name, self.cell)
            value = stats[key]
            if value is None:
                ws.write_string(r, col + 1, "－", self.dash)
            elif key == "count":
                ws.write_number(r, col + 1, value, self.number)
            else:
                ws.write_number(r, col + 1, float(value), self.amount_decimal if key == "mean" else grouped)
            r += 1
        return r

    def date_range(self, ws, row: int, col: int, days, *, counted: str) -> int:
        """The earliest and the latest of ``days`` as a table from (row, col), 和暦 beside each
        date cell, after how many were written (``counted``). Returns the row after it."""
        from survey.dates import wareki

        for i, head in enumerate(("統計量", "日付", "和暦")):
            self.text(ws, row, col + i, head, self.header)
        r = row + 1
        self.text(ws, r, col, counted, self.cell)
        ws.write_number(r, col + 1, len(days), self.number)
        r += 1
        for name, day in (("最も早い日", min(days, default=None)), ("最も遅い日", max(days, default=None))):
            self.text(ws, r, col, name, self.cell)
            if day is None:
                ws.write_string(r, col + 1, "－", self.dash)
            else:
                ws.write_datetime(r, col + 1, datetime.combine(day, time()), self.date)
                self.text(ws, r, col + 2, wareki(day), self.cell)
            r += 1
        return r

    def rate_cells(self, ws, row: int, col: int, parts: tuple[int, int, int] | None, rate: float | None) -> None:
        """A rate as the report can check it: numerator, denominator, departments, then the share;
        ``parts`` None (an item without a ceiling) leaves the four cells empty."""
        if parts is None:
            for c in range(col, col + 4):
                self.text(ws, row, c, "", self.cell)
            return
        for c, number in enumerate(parts, col):
            ws.write_number(row, c, number, self.number)
        self.share(ws, row, col + 3, rate)

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


def font(size: int = 9, bold: bool = False) -> dict:
    return {"name": FONT, "size": size, "bold": bold}


def widths(ws, widths: dict[int, float], fmt=None) -> None:
    for col, width in widths.items():
        ws.set_column(col, col, width, fmt)



def groups(records: Sequence[DepartmentRecord]) -> list[tuple[str, list[DepartmentRecord]]]:
    groups: dict[str, list[DepartmentRecord]] = {}
    for record in records:
        groups.setdefault(record.bukyoku, []).append(record)
    return list(groups.items())



def rate_rule(question: Question) -> str:
    """Which departments a counts rate is over, in plain Japanese (the same words on every sheet)."""
    ceilings = sorted({question.item(i.at_most).label for i in question.items if i.at_most})
    ceiling = "・".join(ceilings)
    return (
        f"割合＝各項目の人数の合計÷{ceiling}の合計。{ceiling}とその項目の両方を記入した所属だけで計算しています"
        "（分子・分母・所属数は表のとおり。片方だけ記入した所属は割合に含めず、「合計」には含めます）。"
    )


_SEGMENT = re.compile(r"（[^）]*）[。、・]?|[^（\s・、。]+[\s・、。]*|[\s・、。]+")


def header_segments(text: str) -> list[str]:
    """A heading cut where a line may break: before 「（」, after 「・」「、」 and spaces."""
    return _SEGMENT.findall(text) or [text]


def header_width(text: str, least: float = 8, most: float = 24) -> float:
    """A column width that holds the heading's longest unbreakable part (Ｆａｃｅｂｏｏｋ whole)."""
    longest = max((display_width(part.strip()) for part in header_segments(text)), default=0)
    return max(least, min(most, longest + 2))


def wrap_header(text: str, width: float) -> str:
    """The heading with explicit line breaks between its parts, so that neither Excel nor
    LibreOffice breaks a word in the middle (``Ｆａｃｅｂｏ|ｏｋ``)."""
    limit = max(1, int(width) - 1)
    lines, line = [], ""
    for part in header_segments(text):
        if line and display_width((line + part).rstrip()) > limit:
            lines.append(line.rstrip())
            line = part.lstrip()
        else:
            line += part
    lines.append(line.rstrip())
    return "\n".join(l for l in lines if l)
