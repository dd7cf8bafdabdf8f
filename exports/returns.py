"""Reading a returned form (the workbook ``chosho forms`` wrote, filled in by a department).

A return is read by identity and by name, never by position, and only after it proves it is the
form chosho made: the hidden sheet says which questionnaire, which version of its definition
(SHA-256) and which department, and records a digest of the form's layout (each variable's
defined name, sheet and cell, the department, the definition's hash). Every defined name must
point at the one cell the definition puts it in, the visible 所属名 must be the department the
hidden sheet names, and the digest must match: a return whose names, cells or identity were
changed is refused, naming what moved.

The file is read as a bounded stream (:mod:`exports.xlsx_cells`): sizes are checked before
anything is unzipped and only the answer cells are kept, so a crafted return cannot take the
memory. Cells follow the one rule of every xlsx import (:func:`exports.tables.cell_problem`),
and every problem of a file is reported at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from db.location import shown_name
from survey import Questionnaire, QuestionType

from . import layout
from .forms import (
    DEPARTMENT_NAME, FORM_SHEET, HEADER_CELL, ID_SHEET, department_header, excel_name, form_layout, layout_digest,
    repeat_cells,
)
from .import_types import ImportFileError, Record, Refusal
from .tables import cell_problem, file_problem
from .xlsx_cells import open_book

__all__ = ["MAX_FORM_BYTES", "Return", "is_form", "read_return"]

MAX_FORM_BYTES = 20 * 1024 * 1024  # a filled form is tens of KB; refused before anything is read
ID_ROWS = 2_000  # rows of the identity sheet read (fields, then one row per variable)
# The marks a form's tick cell takes (its list offers ○ and 1); レ and ✓ are how paper ticks.
TICK_MARKS = {"○", "〇", "1", "✓", "✔", "レ", "ﾚ"}


@dataclass
class Return:
    record: Record | None  # None: the file is refused as a whole (see refusals)
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # harmless things worth saying (an extra sheet)
    cells: dict[str, str] = field(default_factory=dict)  # variable → cell address, for messages
    department: str = ""  # the department the form proves it is for (「部局 所属」)


def is_form(path: Path) -> bool:
    """Whether an xlsx file is a form written by ``chosho forms`` (it has the identity sheet).
    Only the workbook part is read, and only from a regular file of a form's size."""
    if path.suffix.lower() not in (".xlsx", ".xlsm") or file_problem(path, MAX_FORM_BYTES):
        return False
    try:
        book = open_book(path, path.name)
    except ImportFileError:
        return False
    try:
        return ID_SHEET in book.sheets
    finally:
        book.close()


_PLACE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{0,3})\$?(\d{0,7}))?$")


def _destination(text: str) -> tuple[str, str, str | None]:
    """A defined name's formula as (sheet, first cell, the whole range when it is not one cell).
    ``('調書'!$D$118)`` → ("調書", "D118", None); a range, a whole column or row, or anything
    else → its text in the third place."""
    text = text.strip()
    m = _PLACE.match(text)
    if not m:
        return "", "", text.replace("$", "") or "（空）"
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2) or ""
    first = f"{m.group(3)}{m.group(4)}"
    if m.group(5) is not None or m.group(6) is not None:
        return sheet, first, text.split("!", 1)[1].replace("$", "")
    return sheet, first, None


def _text(cell) -> str:
    return "" if cell is None else cell.text


def read_return(path, questionnaire: Questionnaire, sha256: str, *, name: str | None = None) -> Return:
    """Read one returned form (a path, or the file's bytes as a binary stream with its ``name``).
    Raises ImportFileError when the file is not a readable workbook; a form of another
    questionnaire or version, moved names, a changed identity or bad cells come back as
    refusals (all of them)."""
    if isinstance(path, (str, Path)):
        path = Path(path)
        if problem := file_problem(path, MAX_FORM_BYTES):
            raise ImportFileError(problem)
        name = name or shown_name(path.name)
    book = open_book(path, name or "")
    try:
        return _read(book, name, questionnaire, sha256)
    finally:
        book.close()


def _read(book, name: str, questionnaire: Questionnaire, sha256: str) -> Return:
    out = Return(None)

    def refuse(where: str, message: str) -> None:
        out.refusals.append(Refusal(None, "", where, message, name))

    if ID_SHEET not in book.sheets:
        refuse("", "chosho forms で作った調書の様式ではありません（様式の識別情報がありません）。")
        return out
    if FORM_SHEET not in book.sheets:
        refuse("", f"「{FORM_SHEET}」シートがありません（シートの名前が変更されたか、削除されています）。")
        return out
    id_cells = book.cells(ID_SHEET, {f"{c}{r}" for r in range(1, ID_ROWS + 1) for c in "AB"})
    ident: dict[str, str] = {}
    for r in range(1, ID_ROWS + 1):
        key = _text(id_cells.get(f"A{r}"))
        if key and key not in ident:
            ident[key] = _text(id_cells.get(f"B{r}"))
    if ident.get("questionnaire") != questionnaire.id:
        refuse("", f"別の調書（{ident.get('title') or ident.get('questionnaire') or '不明'}）の様式です。")
        return out
    if ident.get("sha256") != sha256:
        made = ident.get("generated_at", "")[:16].replace("T", " ")
        refuse(
            "",
            f"この様式は別の版の調書定義（SHA-256 {ident.get('sha256', '')[:12]}…、{made or '作成日不明'} 作成）で"
            f"作られています。現在の定義は {sha256[:12]}… です。chosho forms で作り直した様式で回答してもらってください。",
        )
        return out
    for extra in book.order:
        if extra not in (FORM_SHEET, ID_SHEET):
            out.notes.append(f"追加されたシート「{extra}」は読んでいません（回答は「{FORM_SHEET}」シートの名前付きセルから読みます）。")

    bukyoku, department = ident.get("bukyoku", ""), ident.get("department", "")
    blank = not department
    expected = form_layout(questionnaire, blank=blank)
    variables = layout.variables(questionnaire)
    wanted_names = ([(DEPARTMENT_NAME, DEPARTMENT_NAME)] if blank else []) + [(v.name, excel_name(v.name)) for v in variables]
    table_cells = repeat_cells(questionnaire)  # a repeat's table: {field}_{row}, read by name too
    wanted_names += [(variable, excel_name(variable)) for variable, *_ in table_cells]

    # The layout: every name where the definition puts it, on the form sheet, one cell each.
    cells: dict[str, str] = {}
    for variable, defined in wanted_names:
        where = expected.get(variable)
        formula = book.names.get(defined)
        if formula is None:
            refuse(variable, f"名前「{defined}」がありません（様式では セル {where}）。様式の名前が削除・変更されています。")
            continue
        sheet, first, whole = _destination(formula)
        if whole is not None:
            refuse(variable, f"名前「{defined}」が一つのセルではなく「{whole}」を指しています（様式では セル {where}）。")
        elif sheet != FORM_SHEET:
            refuse(variable, f"名前「{defined}」が「{sheet}」シートの {first} を指しています（様式では「{FORM_SHEET}」シートの セル {where}）。")
        elif first != where:
            refuse(variable, f"名前「{defined}」が セル {first} を指しています（様式では セル {where}）。名前が付け替えられています。")
        else:
            cells[variable] = first
    recorded = ident.get("layout_sha256", "")
    digest = layout_digest(questionnaire.id, sha256, bukyoku, department, form_layout(questionnaire, blank=blank))
    read = book.cells(FORM_SHEET, set(cells.values()) | {HEADER_CELL})
    header = _text(read.get(HEADER_CELL)).strip()
    if not blank and _key(header) != _key(department_header(bukyoku or None, department)):
        refuse(
            "所属名",
            f"非表示の識別シートの所属「{department_header(bukyoku or None, department)}」と、様式に見える所属名「{header or '（空）'}」が"
            "一致しません。識別情報が書き換えられています。",
        )
    elif not recorded:
        refuse("", "様式の配置の記録（ダイジェスト）がありません。この版の chosho forms で作り直した様式で回答してもらってください。")
    elif recorded != digest:
        refuse(
            "",
            "様式の識別情報（調書・定義の版・部局・所属）が、様式を作ったときの記録（ダイジェスト）と一致しません。"
            "非表示の識別シートが書き換えられています。",
        )
    if out.refusals:  # not proven to be this department's form: no cell of it is read
        out.department = department_header(bukyoku or None, department) if department else ""
        _stamp(out, department)
        return out

    unreadable: set[str] = set()
    texts: dict[str, str] = {}
    kinds = {v.name: v.kind for v in variables}
    kinds |= {variable: layout.DATE for variable, _q, f, _n in table_cells if f.type is QuestionType.DATE}
    for variable, address in cells.items():
        out.cells[variable] = address
        cell = read.get(address)
        if cell is None:
            continue
        date_cell = cell.kind == "d" and kinds.get(variable) == layout.DATE  # Excel's own date: read as the day
        problem = None if date_cell else cell_problem(cell.kind, cell.text)
        if problem:
            refuse(variable, f"セル {address}（{excel_name(variable)}）: {problem}")
            unreadable.add(variable)
            continue
        text = layout.serial_day(cell.text) if date_cell else cell.text
        if kinds.get(variable) == layout.TICK and text.strip() and not layout.is_state_word(text.strip()):
            mark = unicodedata.normalize("NFKC", text).strip()
            if text.strip() in TICK_MARKS or mark in TICK_MARKS:
                text = "1"
            elif mark == "0":
                text = "0"
            else:
                refuse(
                    variable,
                    f"セル {address}（{excel_name(variable)}）: 「{text.strip()[:20]}」は選択の印として読めません。"
                    "選ぶ選択肢には ○ を入力してください（選ばない選択肢は空欄のまま）。",
                )
                unreadable.add(variable)
                continue
        texts[variable] = text
    if blank:
        department = texts.pop(DEPARTMENT_NAME, "").strip()
        if not department:
            refuse("所属名", "白紙の様式ですが、所属名が記入されていません。")
    # A form's tick column is the paper's checkbox: among ticked options an empty box is "not
    # ticked" (0). A question with no box ticked stays empty: 未入力, for the clerk to confirm.
    for question in questionnaire.questions:
        ticks = [v.name for v in layout.question_variables(question) if v.kind == layout.TICK]
        if any(texts.get(n) for n in ticks):
            for n in ticks:
                texts.setdefault(n, "0")
    tables, sheets = _tables(table_cells, texts, cells)
    out.department = department_header(bukyoku or None, department) if department else ""
    out.record = Record(name, None, bukyoku, department, texts, unreadable=unreadable, tables=tables, table_sheets=sheets)
    _stamp(out, department)
    return out


def _tables(table_cells, texts: dict[str, str], cells: dict[str, str]):
    """A repeat's filled rows of the form, in order (empty rows between are left out), as the
    import reads a repeat's sheet: (Excel row, 行, field -> text). A refused cell is refused
    with the return already, so nothing of it is stored."""
    rows: dict[tuple[str, int], dict[str, str]] = {}
    where: dict[tuple[str, int], int] = {}
    for variable, question, field, n in table_cells:
        rows.setdefault((question.id, n), {})[field.id] = texts.pop(variable, "")
        if variable in cells:
            where.setdefault((question.id, n), int("".join(ch for ch in cells[variable] if ch.isdigit())))
    tables: dict[str, list] = {}
    for (qid, n), row in rows.items():
        if any(text.strip() for text in row.values()):
            table = tables.setdefault(qid, [])
            table.append((where.get((qid, n), 0), len(table) + 1, row))
    return tables, {qid: FORM_SHEET for qid in tables}


def _stamp(out: Return, department: str) -> None:
    out.refusals = [Refusal(None, department, r.where, r.message, r.source) for r in out.refusals]


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").strip()
