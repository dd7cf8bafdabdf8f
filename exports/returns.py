"""Reading a returned form (the workbook ``chosho forms`` wrote, filled in by a department).

A return is read by identity and by name, never by position: the hidden sheet says which
questionnaire, which version of its definition (SHA-256) and which department the form was
made for, and every answer cell is found through its defined name. Cells become a
:class:`Record` whose cells are keyed by 回答一覧 variable, checked like every other import
by :func:`exports.importer.import_records`. Nothing is guessed here: a formula in an answer
cell, a missing name or a form of another version is refused, naming the cell or the version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey import Questionnaire

from . import layout
from .forms import DEPARTMENT_NAME, FORM_SHEET, ID_SHEET, excel_name
from .import_types import ImportFileError, Record, Refusal
from .tables import _text as _cell

__all__ = ["MAX_FORM_BYTES", "Return", "is_form", "read_return"]

MAX_FORM_BYTES = 20 * 1024 * 1024  # a filled form is tens of KB; refuse before loading a giant


@dataclass
class Return:
    record: Record | None  # None: the file is refused as a whole (see refusals)
    refusals: list[Refusal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # harmless things worth saying (an extra sheet)
    cells: dict[str, str] = field(default_factory=dict)  # variable → cell address, for messages


def _load(path: Path):
    import openpyxl

    if not path.is_file():
        raise ImportFileError(f"ファイル「{path}」がありません。")
    if path.stat().st_size > MAX_FORM_BYTES:
        raise ImportFileError(f"「{path.name}」は調書の様式としては大きすぎます（{path.stat().st_size:,} バイト）。")
    try:
        return openpyxl.load_workbook(path, data_only=False)
    except OSError as exc:
        raise ImportFileError(f"「{path}」を読めません: {exc.strerror or exc}") from exc
    except Exception as exc:  # noqa: BLE001 - a damaged file is one the clerk must replace
        raise ImportFileError(f"「{path.name}」を Excel ブックとして読めません（{type(exc).__name__}）。") from exc


def is_form(path: Path) -> bool:
    """Whether an xlsx file is a form written by ``chosho forms`` (it has the identity sheet)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            book = z.read("xl/workbook.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return f'name="{ID_SHEET}"' in book


def _identity(book) -> dict[str, str]:
    sheet = book[ID_SHEET]
    out: dict[str, str] = {}
    for row in sheet.iter_rows(min_row=1, max_row=200, max_col=2, values_only=True):
        if row and row[0]:
            out[str(row[0])] = "" if row[1] is None else str(row[1])
    return out


def _destination(book, name: str) -> tuple[str, str] | None:
    defined = book.defined_names.get(name)
    if defined is None:
        return None
    places = list(defined.destinations)
    if len(places) != 1:
        return None
    sheet, ref = places[0]
    return sheet, ref.replace("$", "")


def _text(value: Any) -> str:
    return _cell(value).strip() if not isinstance(value, str) else value


def read_return(path: str | Path, questionnaire: Questionnaire, sha256: str) -> Return:
    """Read one returned form. Raises ImportFileError when the file is not a readable workbook;
    a form of another questionnaire or version, or with a bad cell, comes back with refusals."""
    path = Path(path)
    book = _load(path)
    out = Return(None)

    def refuse(where: str, message: str, department: str = "") -> Return:
        out.refusals.append(Refusal(None, department, where, message, path.name))
        return out

    if ID_SHEET not in book.sheetnames or FORM_SHEET not in book.sheetnames:
        return refuse("", "chosho forms で作った調書の様式ではありません（様式の識別情報がありません）。")
    ident = _identity(book)
    if ident.get("questionnaire") != questionnaire.id:
        return refuse("", f"別の調書（{ident.get('title') or ident.get('questionnaire') or '不明'}）の様式です。")
    if ident.get("sha256") != sha256:
        made = ident.get("generated_at", "")[:16].replace("T", " ")
        return refuse(
            "",
            f"この様式は別の版の調書定義（SHA-256 {ident.get('sha256', '')[:12]}…、{made or '作成日不明'} 作成）で"
            f"作られています。現在の定義は {sha256[:12]}… です。chosho forms で作り直した様式で回答してもらってください。",
        )
    for extra in book.sheetnames:
        if extra not in (FORM_SHEET, ID_SHEET):
            out.notes.append(f"追加されたシート「{extra}」は読んでいません（回答は「{FORM_SHEET}」シートの名前付きセルから読みます）。")

    def value_at(variable: str, name: str) -> str | None:
        place = _destination(book, name)
        if place is None or place[0] != FORM_SHEET:
            refuse(variable, f"名前「{name}」のセルがありません（様式の行や名前が変更されています）。作り直した様式で回答してもらってください。")
            return None
        cell = book[FORM_SHEET][place[1]]
        out.cells[variable] = place[1]
        raw = cell.value
        if cell.data_type == "f" or type(raw).__name__ in ("ArrayFormula", "DataTableFormula"):
            formula = raw if isinstance(raw, str) else getattr(raw, "text", "")
            refuse(variable, f"セル {place[1]}（{name}）に数式「{formula}」が入っています。数式ではなく値を入力してもらってください。")
            return None
        return _text(raw)

    bukyoku, department = ident.get("bukyoku", ""), ident.get("department", "")
    if not department:  # a blank form: the department typed its own name
        department = (value_at(DEPARTMENT_NAME, DEPARTMENT_NAME) or "").strip()
        if not department and not out.refusals:
            refuse("所属名", "白紙の様式ですが、所属名が記入されていません。")
    cells: dict[str, str] = {}
    for variable in layout.variables(questionnaire):
        text = value_at(variable.name, excel_name(variable.name))
        if text:
            cells[variable.name] = text
    # A form's tick column is the paper's checkbox: among ticked options an empty box is "not
    # ticked" (0). A question with no box ticked stays empty: 未入力, for the clerk to confirm.
    for question in questionnaire.questions:
        ticks = [v.name for v in layout.question_variables(question) if v.kind == layout.TICK]
        if any(cells.get(n) for n in ticks):
            for n in ticks:
                cells.setdefault(n, "0")
    if out.refusals:
        for r in range(len(out.refusals)):
            out.refusals[r] = Refusal(None, department, out.refusals[r].where, out.refusals[r].message, path.name)
        return out
    out.record = Record(path.name, None, bukyoku, department, cells)
    return out
