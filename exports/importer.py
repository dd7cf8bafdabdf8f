"""Import answers in the 回答一覧 layout (xlsx, or CSV in UTF-8 with or without BOM).

Every row is read as the entry screen reads typed input and checked the same way: the
definition's hard rules (a code that is not an option, a count over its ceiling, 非該当 where
the form allows none) and the route (no answer to a question the department's own answers
take it past). Soft warnings are reported and kept, as for typed entry. All or nothing: one
refusal anywhere and nothing is written; otherwise every answer is stored in one transaction,
logged as entered by the person importing.

An import never overwrites: a department that already has answers is refused.
"""

from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.location import name_problem
from survey import InputError, NotApplicable, Value, check_answer, check_form
from survey.validation import Severity

from . import layout
from .layout import SHEET as ROWS

if TYPE_CHECKING:
    from db import Store

__all__ = ["ImportFileError", "ImportReport", "Refusal", "import_answers", "read_table"]

HEADER_SEARCH = 10  # rows searched for the row of column names


class ImportFileError(Exception):
    """The file cannot be read as a 回答一覧 at all; the message says why (Japanese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Refusal:
    row: int  # as numbered in the file (Excel's row number, or the CSV record number)
    department: str
    where: str  # the question or column, or "" for the whole row
    message: str

    def __str__(self) -> str:
        place = f"{self.row} 行目" + (f" {self.department}" if self.department else "")
        return f"{place}{' ' + self.where if self.where else ''}: {self.message}"


@dataclass
class ImportReport:
    path: Path
    imported: bool = False
    checked_only: bool = False
    departments: int = 0  # rows with answers
    answers: int = 0
    empty_rows: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    warnings: list[Refusal] = field(default_factory=list)  # soft checks: kept, for review

    def lines(self) -> list[str]:
        out = []
        if self.refusals:
            out.append(
                f"{self.path.name}: 取り込めない箇所が {len(self.refusals)} 件あるため、何も取り込んでいません。"
            )
            out += [f"  {r}" for r in self.refusals]
        elif self.imported:
            out.append(f"{self.path.name}: {self.departments} 所属の回答 {self.answers} 件を取り込みました。")
        else:
            out.append(
                f"{self.path.name}: 点検のみ。{self.departments} 所属の回答 {self.answers} 件を取り込めます（まだ取り込んでいません）。"
            )
        if self.warnings:
            out.append(f"要確認 {len(self.warnings)} 件（取り込みは妨げません。レビューで確かめてください）:")
            out += [f"  {w}" for w in self.warnings]
        if self.empty_rows:
            out.append(f"空の行 {self.empty_rows} 行は読み飛ばしました。")
        return out


# -- reading the file -------------------------------------------------------------------------


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
    if problem := name_problem(path, "取り込むファイル"):
        raise ImportFileError(problem)
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


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


# -- the import -------------------------------------------------------------------------------


def import_answers(store: Store, path: str | Path, *, check_only: bool = False) -> ImportReport:
    """Read ``path``, check every row, and store all of it or none of it.

    Returns the report (refusals and warnings, each with its row); raises ImportFileError when
    the file cannot be read as a 回答一覧, and the store's errors when the database refuses.
    """
    path = Path(path)
    report = ImportReport(path, checked_only=check_only)
    rows = read_table(path)
    questionnaire = store.questionnaire
    router = store.router
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
    columns: dict[str, int] = {}
    for index, name in enumerate(c.strip() for c in header):
        if not name:
            continue
        if name in columns:
            report.refusals.append(Refusal(header_number, "", name, "同じ列名が二つあります。"))
        elif name not in names and name not in layout.FIXED_COLUMNS:
            report.refusals.append(Refusal(header_number, "", name, "この調書にない列名です（「変数一覧」シート参照）。"))
        columns[name] = index

    departments = store.departments()
    by_pair = {(_key(d.bukyoku), _key(d.name)): d for d in departments}
    by_name: dict[str, list] = {}
    for d in departments:
        by_name.setdefault(_key(d.name), []).append(d)
    existing = {r.department.id: r for r in store.responses()}
    seen: dict[int, int] = {}
    entries: dict[int, dict[str, Value]] = {}
    by_question = [(q, layout.question_variables(q)) for q in questionnaire.questions]

    def get(cells: list[str], name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    for number, cells in rows[header_at + 1 :]:
        if not any(c.strip() for c in cells):
            report.empty_rows += 1
            continue
        name, group = get(cells, "所属").strip(), get(cells, "部局").strip()
        shown = name or "（所属名なし）"
        refuse = lambda where, message: report.refusals.append(Refusal(number, shown, where, message))  # noqa: E731
        if not name:
            if all(not get(cells, v.name).strip() for v in variables) and not group:
                report.empty_rows += 1  # e.g. a label or note row
                continue
            refuse("", "所属名がありません。")
            continue
        if group:
            department = by_pair.get((_key(group), _key(name)))
        else:
            matches = by_name.get(_key(name), [])
            department = matches[0] if len(matches) == 1 else None
        if department is None:
            refuse("", f"所属「{group + ' ' if group else ''}{name}」はこのデータベースの所属一覧にありません。")
            continue
        if department.id in seen:
            refuse("", f"{seen[department.id]} 行目と同じ所属です。一つの所属は一行にしてください。")
            continue
        seen[department.id] = number

        answers: dict[str, Value] = {}
        for question, qvars in by_question:
            texts = [get(cells, v.name) for v in qvars]
            try:
                value = layout.parse(question, texts)
            except InputError as exc:
                refuse(question.label, str(exc))
                continue
            if value is not None:
                answers[question.id] = value
        route = router.route(answers)
        for qid, value in list(answers.items()):
            if route.status(qid) != "off":
                continue
            if isinstance(value, NotApplicable):
                del answers[qid]  # off the route: 非該当 is derived, nothing to store
            else:
                causes = "・".join(questionnaire.question(q).label for q in route.undecided_by) or "前の回答"
                refuse(
                    questionnaire.question(qid).label,
                    f"この所属の回答では経路外（非該当）の設問に回答があります。{causes}などの回答と合わせて用紙を確かめてください。",
                )
        for qid, value in answers.items():
            for problem in check_answer(questionnaire, qid, value):
                if problem.severity is Severity.ERROR:
                    refuse(questionnaire.question(qid).label, problem.message)
        if not answers:
            report.empty_rows += 1
            continue
        response = existing.get(department.id)
        if response is not None and response.status == "final":
            refuse("", "確定済みの所属には取り込めません。")
        elif response is not None and response.answers:
            refuse("", "すでに回答が入力されています。取り込みでは上書きしません。")
        for problem in check_form(questionnaire, answers, route):
            if problem.severity is Severity.WARNING and problem.kind != "not-entered":
                where = questionnaire.question(problem.question).label if problem.question in questionnaire else ""
                report.warnings.append(Refusal(number, shown, where, problem.message))
        if response is not None:
            entries[response.id] = answers

    report.departments = len(entries)
    report.answers = sum(len(a) for a in entries.values())
    if report.refusals or check_only or not entries:
        return report
    store.import_answers(entries, why=f"取り込み: {path.name}")
    report.imported = True
    return report
