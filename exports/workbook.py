"""The consolidated workbook the audit report is written from.

Sheets: 集計 (every question: base, counts, shares, a native chart), 部局別 (the questions every
department answers, by 部局), 自由記述 (every text, to quote), the counts sheet (e.g. 職員登録状況),
回答一覧 (one row per department, the import layout), 変数一覧 (the codebook), 疑義 (every flag
with its thread, when there is one), 入力状況 and 入力者統計 (each keyer's speed and error rates from the double entry's keying events).

Every cell is written by type with XlsxWriter in a workbook whose string conversions are off:
user text is always ``write_string`` (an answer "=1+1" or a URL stays text), never ``write()``
or pandas' ``to_excel``, which turn such text into formulas and links. Text over Excel's cell
limit is cut with a visible mark and reported. The file is written beside the target and moved
into place only when complete, so a failed export never leaves half a workbook.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from xlsxwriter.exceptions import XlsxWriterException

from db.location import name_problem
from survey import Questionnaire, QuestionType, Router

from .records import read_records, scope_statement
from .sheets import by_group, codebook, counts, keyers, repeats, rows, summary, texts
from .sheets import flags as flags_sheet
from .sheets import progress as progress_sheet
from .sheets.common import CELL_LIMIT, Book, names, utf16_length
from .leftovers import TEMP_EXTRA, os_reason, sweep, temp_beside
from .tally import DepartmentRecord, Tallies

if TYPE_CHECKING:
    from db import Store

__all__ = ["CELL_LIMIT", "ExportError", "ExportResult", "export_workbook", "read_records", "save_workbook"]


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
                + names(excluded, lambda r: f"{r.name}（{STATUS_LABELS[r.status]}）")
            )
    elif not_entered:
        warnings.append(
            f"入力済でない所属が {len(not_entered)} あります（未入力は集計に含まず、入力中は入力済みの回答だけを集計）: "
            + names(not_entered, lambda r: f"{r.name}（{STATUS_LABELS[r.status]}）")
        )
    included = [r for r in records if r.included]
    awaiting = [r for r in included if r.route.awaiting_choice]
    if awaiting:
        warnings.append(
            f"経路が決まっていない所属が {len(awaiting)} あります（分岐を決める設問が無回答で経路が未選択。"
            "後の設問は回答があるものだけを集計）: "
            + names(awaiting, lambda r: f"{r.name}（{'・'.join(questionnaire.question(q).label for q in r.route.awaiting_choice)}）")
        )
    off = sum(
        1 for r in included for qid in r.answers if r.route.status(qid) == "off"
    )
    if off:
        warnings.append(f"経路外の設問に記録された回答が {off} 件あります（集計にも回答一覧にも含めていません）。")
    return warnings, listed


def _long_texts(tallies: Tallies) -> list[str]:
    found = []
    for question in tallies.questionnaire.questions:
        for entry in tallies.texts(question):
            text = entry.text
            if len(text) * 2 > CELL_LIMIT and utf16_length(text) > CELL_LIMIT:
                variable = question.id if entry.code is None else question.box_variable(entry.code)
                found.append((
                    entry.record.position,
                    f"{entry.record.name} {variable}: 記述が {len(text):,} 文字あり、Excel の 1 セルの上限"
                    f"（{CELL_LIMIT:,} 文字）を超えるため、先頭だけを書き「…以下省略」と記しました（全文はデータベースにあります）。",
                ))
    return [text for _, text in sorted(found, key=lambda f: f[0])]


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
    order: str = "code",
) -> ExportResult:
    """Write the workbook at ``path`` as it is (``save_workbook`` adds the temporary file)."""
    router = router or Router(questionnaire)
    questions = questionnaire.questions
    has_counts = any(q.type is QuestionType.COUNTS for q in questions)
    has_flags = flags_sheet.any_flags(records)
    total_steps = len(questions) + (7 if has_counts else 6) + 1 + has_flags
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
    tallies = Tallies(questionnaire, records)  # every sheet's numbers, classified once
    long_texts = _long_texts(tallies)
    book = Book(path, questionnaire, author)
    sheet = summary.Summary(book, questionnaire, order)
    row = preamble_end = sheet.preamble(scope, warnings + long_texts)
    included = tallies.records
    for question in questions:
        row = sheet.block(row, tallies.question(question))
        step()
    sheet.print_layout(preamble_end)
    by_group.write(book, questionnaire, records, scope, router, tallies=tallies)
    step()
    texts.write(book, questionnaire, records, scope, tallies=tallies)
    step()
    if counts.write(book, questionnaire, records, scope, tallies=tallies):
        step()
    rows.write(book, questionnaire, records, scope)
    step()
    repeats.write(book, questionnaire, records)  # each repeat's rows and tallies (no step: few)
    codebook.write(book, questionnaire)
    step()
    if has_flags:
        flags_sheet.write(book, questionnaire, records, display)
        step()
    progress_sheet.write(book, questionnaire, records, display)
    step()
    keyers.write(book, records, display)
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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while the workbook is read and written.

    An export makes a million small objects that all stay alive until the file is closed (every
    cell XlsxWriter holds, every answer read): each of the collector's full passes walks them
    all again, for nothing — about a fifth of the export's time at 10,000 departments. What the
    export leaves behind is freed when the collector runs next."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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


# The workbook is first written as ".NAME.<pid>.tmp.xlsx" beside the target (see exports.leftovers).
_TEMP_EXTRA = TEMP_EXTRA


def _unwritable(path: Path, exc: BaseException) -> ExportError:
    reason = os_reason(exc)
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
    order: str = "code",
) -> ExportResult:
    """Write the consolidated workbook of ``store`` to ``path`` (".xlsx" is added if missing).

    ``confirmed_only``: count only departments 確認済 or 確定 (default: everything entered).
    ``order``: "code" (the paper's order, default) or "frequency" (options most chosen first,
    as the report prints some questions) for the tables and charts of 集計.
    ``progress(done, total)`` is called as each question and sheet is written.
    The workbook is written to a temporary file beside ``path`` and moved into place when
    complete; on any failure nothing is left behind and ExportError says why, in Japanese.

    This reads through ``store``, so it runs in the thread that owns the store's connection.
    To write in a worker thread, read first and hand the records over::

        records = read_records(store, confirmed_only=...)        # in the store's thread, fast
        save_workbook(path, store.questionnaire, records, ...)   # anywhere: no database
    """
    target = _target(path)
    with _collector_paused():
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
            order=order,
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
    order: str = "code",
) -> ExportResult:
    """The workbook of ``records`` (see ``read_records``) at ``path``, all or nothing."""
    target = _target(path)
    sweep(target, ".tmp.xlsx")  # what a killed export to this name left
    temp = temp_beside(target, ".tmp.xlsx")
    try:
        with open(temp, "xb"):  # can we write here at all? (before spending time on the workbook)
            pass
    except OSError as exc:
        raise _unwritable(target, exc) from exc
    try:
        with _collector_paused():
            result = _write_workbook(
                temp, questionnaire, records, confirmed_only=confirmed_only, author=author,
                display=display, progress=progress, router=router, order=order,
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
