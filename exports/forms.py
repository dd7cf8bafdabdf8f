"""The 調書 as a fillable workbook (別紙１): one per department, generated from the definition.

The sheet looks like the paper: title, 所属名 filled in, the instructions, each question with
its options and numbers, the skip notes ※…, 【複数回答可】, text boxes, the Q2 matrix and the
Q23 counts with their units. Only answer cells are unlocked (the sheet is protected without a
password); each carries data validation with an input message and a defined name (see
:func:`excel_name`) so a return is read by name, never by position. A hidden sheet records the
questionnaire id, the definition's SHA-256 and the department: a return is matched by identity.

Validation warns rather than stops (``error_type = warning``): the department writes what it
means, and the import reads it exactly as typed entry does, so a full-width ２ or a 無効 answer
such as 「1,2」 reaches the store as what it is instead of being blocked in Excel.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from survey import Question, Questionnaire, QuestionType
from survey.numbers import grouped

from . import layout

if TYPE_CHECKING:
    from db import Store

__all__ = [
    "FORM_SHEET",
    "FormError",
    "ID_SHEET",
    "ID_FIELDS",
    "DEPARTMENT_NAME",
    "TICKS",
    "department_header",
    "excel_name",
    "form_filename",
    "form_layout",
    "form_rows",
    "layout_digest",
    "repeat_cells",
    "write_form",
    "write_forms",
]

FORM_SHEET = "調書"
ID_SHEET = "chosho"  # hidden: identity of the form
ID_FIELDS = ("questionnaire", "title", "sha256", "bukyoku", "department", "generated_at", "variables", "layout_sha256")
HEADER_CELL = "C3"  # the visible 所属名 (a department's form), or its answer cell (a blank one)
DEPARTMENT_NAME = "所属名"  # defined name of the 所属名 cell (typed in on a blank form)
TICKS = ("○", "1")  # offered by the tick cells' list; the import also reads ✓ レ 〇
FONT = "ＭＳ Ｐゴシック"
TEXT_LIMIT = 32_000  # long free text: below Excel's 32,767-character cell limit
BOX_LIMIT = 1_000  # an option's text box

FORM_ROWS = 10  # a repeat's rows on a form when its repeat_count is not a number

# Excel refuses a defined name that reads as a cell reference (Q1, Q10: column Q, row 1 / 10).
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}\d+$|^[RrCc]\d*$|^[Rr]\d+[Cc]\d+$")


def _excel_number(value):
    """A bound as Excel's validation takes it: whole numbers as int, else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def form_rows(question: Question) -> int:
    """How many rows a repeat has on a form: its repeat_count when that is a number, else
    FORM_ROWS (a department with more rows returns a second form or is keyed on screen)."""
    count = question.repeat_count
    return count if isinstance(count, int) else FORM_ROWS


def repeat_cells(questionnaire: Questionnaire) -> list[tuple[str, Question, Question, int]]:
    """Every repeat cell of a form: (variable ``{field}_{row}``, the repeat, the field, row)."""
    return [
        (f"{f.id}_{n}", q, f, n)
        for q in questionnaire.questions if q.type is QuestionType.REPEAT
        for n in range(1, form_rows(q) + 1)
        for f in q.fields
    ]


class FormError(Exception):
    """A form could not be written; the message is Japanese."""


def excel_name(variable: str) -> str:
    """The defined name of a variable's cell: the variable itself, or with a trailing ``_``
    where Excel would read the variable as a cell reference (``Q1`` → ``Q1_``)."""
    return variable + "_" if _CELL_LIKE.match(variable) else variable


def form_filename(bukyoku: str | None, name: str | None, title: str) -> str:
    safe = lambda s: re.sub(r'[\\/:*?"<>|\s]+', "_", s).strip("_")  # noqa: E731
    if name:
        return f"{safe(title)}_{safe(bukyoku or '')}_{safe(name)}.xlsx".replace("__", "_")
    return f"{safe(title)}_白紙.xlsx"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _lines(text: str, cells: int) -> int:
    return max(1, sum(-(-max(1, _width(part)) // cells) for part in text.split("\n")))


class _Formats:
    def __init__(self, wb) -> None:
        base = {"font_name": FONT, "font_size": 10, "valign": "top", "text_wrap": True}
        self.text = wb.add_format(base)
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.right = wb.add_format({**base, "align": "right"})
        self.bold = wb.add_format({**base, "bold": True})
        self.section = wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2"})
        self.note = wb.add_format({**base, "font_color": "#404040"})
        self.code = wb.add_format({**base, "align": "center", "border": 1})
        self.label = wb.add_format({**base, "border": 1})
        self.department = wb.add_format({**base, "bottom": 1, "bold": True})
        answer = {**base, "locked": False, "border": 2, "bg_color": "#FFFFE0"}
        self.answer = wb.add_format({**answer, "align": "center", "valign": "vcenter"})
        self.answer_text = wb.add_format(answer)


class _Form:
    """One form sheet being written: rows go down, answer cells get names and validation."""

    def __init__(self, wb, questionnaire: Questionnaire) -> None:
        self.wb, self.q = wb, questionnaire
        self.f = _Formats(wb)
        self.ws = wb.add_worksheet(FORM_SHEET)
        self.row = 0
        self.last_col = 4  # the printed width: E, or the last column of a repeat's table
        self.names: list[tuple[str, str]] = []  # (variable, cell) in form order

    def line(self, text: str, fmt=None, *, first: int = 1, last: int = 4, height_cells: int = 86) -> None:
        ws = self.ws
        if first == last:
            ws.write_string(self.row, first, text, fmt or self.f.text)
        else:
            ws.merge_range(self.row, first, self.row, last, text, fmt or self.f.text)
        ws.set_row(self.row, 15 * _lines(text, height_cells))
        self.row += 1

    def answer(self, variable: str, col: int, validation: dict, *, fmt=None, last_col: int | None = None) -> None:
        ws, row = self.ws, self.row
        fmt = fmt or self.f.answer
        if last_col is not None and last_col > col:
            ws.merge_range(row, col, row, last_col, "", fmt)
        else:
            ws.write_blank(row, col, None, fmt)
        ws.data_validation(row, col, row, col, {"error_type": "warning", **validation})
        from xlsxwriter.utility import xl_rowcol_to_cell

        cell = xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
        self.wb.define_name(excel_name(variable), f"='{FORM_SHEET}'!{cell}")
        self.names.append((variable, cell.replace("$", "")))

    def header(self, bukyoku: str | None, department: str | None) -> None:
        meta, f, ws = self.q.meta, self.f, self.ws
        ws.set_column(0, 0, 5)  # A: tick boxes
        ws.set_column(1, 1, 5)  # B: numbers
        ws.set_column(2, 2, 58)  # C: texts
        ws.set_column(3, 3, 16)  # D: answers
        ws.set_column(4, 4, 5)  # E: units
        self.line(str(meta.get("form_label", "")), f.right)
        self.line(self.q.title, f.title, first=0)
        ws.set_row(self.row - 1, 26)
        ws.write_string(self.row, 1, "所属名：", f.bold)
        if department:
            shown = f"{department}（{bukyoku}）" if bukyoku else department
            ws.merge_range(self.row, 2, self.row, 3, shown, f.department)
            self.row += 1
        else:
            self.answer(
                DEPARTMENT_NAME, 2,
                {"validate": "length", "criteria": "between", "minimum": 1, "maximum": 100,
                 "input_title": "所属名", "input_message": "貴所属の名前を入力してください。"},
                fmt=f.answer_text, last_col=3,
            )
            self.row += 1
        self.row += 1
        if meta.get("instructions"):
            self.line(str(meta["instructions"]))
        for note in meta.get("notes", []) or []:
            self.line(str(note), f.note)
        self.row += 1

    def number(self, q: Question) -> None:
        """An amount / number cell: Excel checks the kind and the bounds as the clerk's screen
        does (the import checks again: a validation is only a hint Excel shows)."""
        self.ws.write_string(self.row, 2, "回答", self.f.right)
        self.answer(q.id, 3, {**_number_rule(q), "input_title": _title(f"{q.label} 回答")})
        if q.unit:
            self.ws.write_string(self.row, 4, q.unit, self.f.text)
        self.row += 1

    def repeat(self, q: Question) -> None:
        """A repeat as a table: 行 in column B, a column per field from C on, ``form_rows`` rows;
        each cell named ``{field}_{row}`` with the validation its type takes."""
        f, ws = self.f, self.ws
        rows = form_rows(q)
        count = q.repeat_count
        said = (f"{count} 行" if isinstance(count, int) else f"{rows} 行まで（足りない場合は担当課にご連絡ください）")
        self.line(f"１行に１件ずつ記入してください（{said}）。", f.note)
        ws.write_string(self.row, 1, "行", f.code)
        for col, field in enumerate(q.fields, start=2):
            head = f"{field.text}（{field.unit}）" if field.unit else field.text
            ws.write_string(self.row, col, head, f.label)
            if field.relevant_text:
                ws.write_comment(self.row, col, f"{field.relevant_text} の行だけ記入")
        self.last_col = max(self.last_col, 1 + len(q.fields))
        self.row += 1
        for n in range(1, rows + 1):
            ws.write_number(self.row, 1, n, f.code)
            for col, field in enumerate(q.fields, start=2):
                title = _title(f"{q.label} {n} 行目 {field.text}")
                self.answer(f"{field.id}_{n}", col, {**_field_rule(field), "input_title": title},
                            fmt=f.answer_text if field.type is QuestionType.TEXT else None)
            self.row += 1

    def question(self, question: Question) -> None:
        f, q = self.f, question
        multi = q.type is QuestionType.MULTI
        self.line(f"{q.label}　{q.text}" + ("【複数回答可】" if multi and "複数回答可" not in q.text else ""), f.bold)
        for note in q.notes:
            self.line(note, f.note)
        if q.type in (QuestionType.SINGLE, QuestionType.MULTI, QuestionType.MATRIX):
            for option in q.options:
                if multi:
                    self.answer(
                        q.option_variable(option.code), 0,
                        {"validate": "list", "source": list(TICKS), "input_title": f"{q.label} {option.code}",
                         "input_message": "選ぶ場合は ○（または 1）を入力してください。選ばない場合は空欄のまま。"},
                    )
                self.ws.write_number(self.row, 1, option.code, f.code)
                self.ws.write_string(self.row, 2, option.label, f.label)
                self.ws.set_row(self.row, 15 * _lines(option.label, 58))
                self.row += 1
        codes = [o.code for o in q.options]
        choose = {"validate": "list", "source": [str(c) for c in codes]}
        if q.type is QuestionType.SINGLE:
            self.ws.write_string(self.row, 2, "回答（Ｂ列の番号）", f.right)
            self.answer(q.id, 3, {**choose, "input_title": f"{q.label} 回答",
                                  "input_message": f"Ｂ列の番号を一つ入力してください（{_codes(codes)}）。"})
            self.row += 1
        elif q.type is QuestionType.MATRIX:
            for r in q.rows:
                self.ws.write_string(self.row, 2, f"回答　{r.label}", f.right)
                self.answer(q.row_variable(r), 3, {**choose, "input_title": _title(f"{q.label} {r.label}"),
                                                  "input_message": f"{r.label}について、番号を一つ入力してください（{_codes(codes)}）。"})
                self.row += 1
        elif q.type is QuestionType.TEXT:
            self.ws.set_row(self.row, 120)
            self.answer(q.id, 1, {"validate": "length", "criteria": "<=", "value": TEXT_LIMIT,
                                  "input_title": f"{q.label} 記入欄", "input_message": "自由に記入してください（改行は Alt+Enter）。"},
                        fmt=f.answer_text, last_col=4)
            self.row += 1
        elif q.type is QuestionType.COUNTS:
            for item in q.items:
                self.ws.write_string(self.row, 2, item.label, f.right)
                limit = next((i.label for i in q.items if i.id == item.at_most), None)
                message = "0 以上の整数を入力してください" + (f"（{limit}以下）。" if limit else "。")
                self.answer(q.item_variable(item), 3, {"validate": "integer", "criteria": ">=", "value": 0,
                                                     "input_title": _title(f"{q.label} {item.label}"), "input_message": message})
                if item.unit:
                    self.ws.write_string(self.row, 4, item.unit, f.text)
                self.row += 1
        elif q.type is QuestionType.NUMBER:
            self.number(q)
        elif q.type is QuestionType.DATE:
            self.ws.write_string(self.row, 2, "回答（日付）", self.f.right)
            self.answer(q.id, 3, {**_DATE_RULE, "input_title": _title(f"{q.label} 日付")})
            self.row += 1
        elif q.type is QuestionType.REPEAT:
            self.repeat(q)
        if q.text_instruction and q.text_boxes:
            self.line(q.text_instruction, f.note)
        for box in q.text_boxes:
            self.line(box.prompt, f.note)
            self.ws.set_row(self.row, 60)
            self.answer(q.box_variable(box.option), 1,
                        {"validate": "length", "criteria": "<=", "value": BOX_LIMIT, "input_title": _title(f"{q.label} {box.option} 記入欄"),
                         "input_message": f"{box.option} を選んだ場合に記入してください。"},
                        fmt=f.answer_text, last_col=4)
            self.row += 1
        for skip in self.q.skips:
            if skip.at == q.id and skip.note:
                self.line(skip.note, f.note)
        self.row += 1


def _number_rule(q: Question) -> dict:
    rule: dict = {"validate": "decimal" if q.decimal else "integer"}
    low, high = q.minimum, q.maximum
    excel = {"minimum": _excel_number(low), "maximum": _excel_number(high)}
    if low is not None and high is not None:
        rule.update(criteria="between", **excel)
    elif low is not None or high is not None:
        rule.update(criteria=">=" if low is not None else "<=", value=excel["minimum" if low is not None else "maximum"])
    else:
        rule.update(criteria="between", minimum=-(10**15), maximum=10**15)
    span = "".join(
        part for part in (f"{grouped(low)}{q.unit} 以上" if low is not None else "",
                          f"{grouped(high)}{q.unit} 以下" if high is not None else "") if part
    )
    kind = "数値（小数可）" if q.decimal else "整数"
    rule["input_message"] = f"{kind}を数字で入力してください" + (f"（{span}）" if span else "") + "。「万」は使えません。"
    return rule


_DATE_RULE = {"validate": "date", "criteria": ">=", "value": date(1873, 1, 1),
              "input_message": "日付を入力してください（2024/4/1、令和6年4月1日、R6.4.1 など）。"}


def _field_rule(field: Question) -> dict:
    """A repeat cell's validation: as the same type's question has."""
    if field.type is QuestionType.NUMBER:
        return _number_rule(field)
    if field.type is QuestionType.DATE:
        return dict(_DATE_RULE)
    if field.type is QuestionType.SINGLE:
        return {"validate": "list", "source": [str(o.code) for o in field.options],
                "input_message": f"番号を一つ入力してください（{_codes(list(field.codes))}）。"}
    if field.type is QuestionType.MULTI:
        return {"validate": "length", "criteria": "<=", "value": 100,
                "input_message": f"番号を「,」で区切って入力してください（{_codes(list(field.codes))}）。"}
    return {"validate": "length", "criteria": "<=", "value": BOX_LIMIT, "input_message": "記入してください。"}


def _codes(codes: list[int]) -> str:
    return "、".join(str(c) for c in codes)


def _title(text: str) -> str:
    return text[:32]  # Excel's limit for an input message's title


def _build(wb, questionnaire: Questionnaire, bukyoku: str | None, department: str | None) -> _Form:
    """The form sheet in ``wb``: every cell, name and validation (the identity sheet apart)."""
    form = _Form(wb, questionnaire)
    form.header(bukyoku, department)
    current = None
    sections = {s.id: s.title for s in questionnaire.sections}
    for question in questionnaire.questions:
        if question.section and question.section != current:
            current = question.section
            form.line(sections.get(current, current), form.f.section)
        form.question(question)
    return form


_LAYOUTS: dict[tuple[int, bool], tuple[Questionnaire, tuple[tuple[str, str], ...]]] = {}


def _layout(questionnaire: Questionnaire, blank: bool) -> tuple[tuple[str, str], ...]:
    import io

    import xlsxwriter

    kept = _LAYOUTS.get((id(questionnaire), blank))
    if kept is None or kept[0] is not questionnaire:
        wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})  # never closed: no file is made
        kept = _LAYOUTS[(id(questionnaire), blank)] = (questionnaire, tuple(_build(wb, questionnaire, None, None if blank else "所属").names))
    return kept[1]


def form_layout(questionnaire: Questionnaire, *, blank: bool) -> dict[str, str]:
    """Where ``chosho forms`` puts each answer cell (variable → cell, e.g. "Q12" → "D118"), for
    a department's form or (``blank``) a blank one: fixed by the definition alone."""
    return dict(_layout(questionnaire, blank))


def layout_digest(questionnaire_id: str, sha256: str, bukyoku: str, department: str, cells: dict[str, str]) -> str:
    """SHA-256 over what makes a form this form: the questionnaire, its definition's hash, the
    department, and each variable's defined name, sheet and cell. Recorded on the form; a
    return whose identity or names were changed no longer matches it."""
    import hashlib
    import json

    text = json.dumps(
        [questionnaire_id, sha256, bukyoku, department, [[v, excel_name(v), FORM_SHEET, c] for v, c in cells.items()]],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def department_header(bukyoku: str | None, department: str) -> str:
    """The visible 所属名 on a department's form (cell ``HEADER_CELL``)."""
    return f"{department}（{bukyoku}）" if bukyoku else department


def write_form(
    path: str | Path, questionnaire: Questionnaire, sha256: str,
    bukyoku: str | None = None, department: str | None = None,
) -> Path:
    """Write one form to ``path``: for ``department`` (of ``bukyoku``), or blank when None.
    Written to ``path.part`` and renamed; on any failure nothing of it is left."""
    import xlsxwriter

    from .leftovers import os_reason, sweep, temp_beside

    path = Path(path)
    sweep(path, ".xlsx.part")  # what a killed run writing this form left
    part = temp_beside(path, ".xlsx.part")
    wb = xlsxwriter.Workbook(
        str(part),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
         "default_format_properties": {"font_name": FONT, "font_size": 10}},
    )
    wb.set_properties({"title": questionnaire.title, "subject": department or "白紙", "comments": "chosho で作成"})
    form = _build(wb, questionnaire, bukyoku, department)
    ws = form.ws
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)
    ws.fit_to_pages(1, 0)  # as wide as the page, as many pages as it takes
    ws.print_area(0, 0, form.row, form.last_col)
    if form.last_col > 4:  # a repeat's table: its columns after D as wide as a date or an amount
        ws.set_column(4, form.last_col, 12)
    ws.set_footer("&C&P / &N")
    ws.activate()

    ident = wb.add_worksheet(ID_SHEET)
    digest = layout_digest(questionnaire.id, sha256, bukyoku or "", department or "", dict(form.names))
    values = (questionnaire.id, questionnaire.title, sha256, bukyoku or "", department or "",
              datetime.now().isoformat(timespec="seconds"), str(len(form.names)), digest)
    for row, (key, value) in enumerate(zip(ID_FIELDS, values, strict=True)):
        ident.write_string(row, 0, key)
        ident.write_string(row, 1, value)
    for row, (variable, cell) in enumerate(form.names, start=len(ID_FIELDS) + 1):
        ident.write_string(row, 0, variable)
        ident.write_string(row, 1, cell)
    ident.protect("")
    ident.hide()
    try:
        wb.close()
        part.replace(path)
    except Exception as exc:  # noqa: BLE001 - xlsxwriter wraps the OS's errors in its own classes
        part.unlink(missing_ok=True)
        raise FormError(f"様式「{path}」を書けませんでした（{os_reason(exc)}）。この実行で作った様式は消しました。") from exc
    return path


def _sha256(store: Store) -> str:
    row = store.conn.execute("SELECT sha256 FROM questionnaires WHERE id = ?", (store.questionnaire_id,)).fetchone()
    return row[0]


def write_forms(store: Store, folder: str | Path, *, department: str | None = None, blank: bool = False) -> list[Path]:
    """Write the forms into ``folder``: every department's, one department's (by name, or
    「部局 所属」), or (``blank``) one without a department. Returns the files written."""
    folder = Path(folder)
    questionnaire, sha = store.questionnaire, _sha256(store)
    layout.variables(questionnaire)  # refuses clashing variable names before any file is written
    if blank:
        jobs = [(folder / form_filename(None, None, questionnaire.title), None, None)]
    else:
        departments = store.departments()
        if department is not None:
            key = unicodedata.normalize("NFKC", department).strip()
            departments = [
                d for d in departments
                if key in (unicodedata.normalize("NFKC", d.name), unicodedata.normalize("NFKC", f"{d.bukyoku} {d.name}"))
            ]
            if not departments:
                raise FormError(f"所属「{department}」はこのデータベースの所属一覧にありません。")
        jobs = [(folder / form_filename(d.bukyoku, d.name, questionnaire.title), d.bukyoku, d.name) for d in departments]
    made_folder = _make_folder(folder)
    written: list[Path] = []
    try:
        for path, bukyoku, name in jobs:
            written.append(write_form(path, questionnaire, sha, bukyoku, name))
    except BaseException:  # a full disk, Ctrl+C: a run leaves all its forms or none
        for path in written:
            path.unlink(missing_ok=True)
        if made_folder:
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    return written


def _make_folder(folder: Path) -> bool:
    """Create the output folder (and its parents) when missing; True when this run made it."""
    if folder.is_dir():
        return False
    if folder.exists():
        raise FormError(f"出力先「{folder}」はフォルダではありません。")
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        from .leftovers import os_reason

        raise FormError(f"出力先のフォルダ「{folder}」を作れませんでした（{os_reason(exc)}）。") from exc
    return True
