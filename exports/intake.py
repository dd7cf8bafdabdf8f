"""Importing files as they come back: one file, several, or a folder of them.

Each file is imported on its own, all or nothing, in its own transaction together with its
original (a file that fails leaves nothing of itself in the store), and reported as it is done: a returned form (``chosho forms``) is read by name and identity, any other xlsx or a
CSV as a 回答一覧. A returned form that is imported is kept as the department's original, with
its SHA-256, who and when, so review can open it.
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from db.location import shown_name

from .import_types import ImportFileError, ImportReport, Refusal

if TYPE_CHECKING:
    from db import Store

__all__ = ["FORM_SUFFIXES", "SCAN_SUFFIXES", "NotStored", "Unreadable", "expand", "import_files", "find_department"]

FORM_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")
SCAN_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the files in it (not below), sorted by name.
    Hidden files and Excel's lock files (~$…) are left out."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p for p in path.iterdir()
                if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() in FORM_SUFFIXES + SCAN_SUFFIXES
            )
        else:
            out.append(path)
    return out


def find_department(store: Store, name: str, bukyoku: str = ""):
    """The department called ``name`` (or 「部局 所属」), or None when it is not exactly one."""
    key = lambda s: unicodedata.normalize("NFKC", s).strip()  # noqa: E731
    name, bukyoku = key(name), key(bukyoku)
    matches = [
        d for d in store.departments()
        if (key(d.name) == name and (not bukyoku or key(d.bukyoku) == bukyoku)) or key(f"{d.bukyoku} {d.name}") == name
    ]
    return matches[0] if len(matches) == 1 else None


class Unreadable(ImportReport):
    """A file that could not be used at all (missing, not a workbook, …): the command exits 3."""


class NotStored(ImportReport):
    """A file the database could not take (busy past the wait, disk full): nothing of it is
    stored; the command exits 3."""


def _failed(path: Path, message: str, kind: type[ImportReport] = Unreadable) -> ImportReport:
    report = kind(shown_name(path.name), path=path)
    report.refusals.append(Refusal(None, "", "", message, shown_name(path.name)))
    return report


def _name_cells(report: ImportReport, cells: dict[str, str]) -> None:
    """Add the cell address to a refusal that names a variable (「Q3_1: …」 → 「…（セル A40）」),
    so the clerk can point at the cell in the department's file."""
    names = sorted(cells, key=len, reverse=True)
    for index, refusal in enumerate(report.refusals):
        named = next((n for n in names if re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", refusal.message)), None)
        if named and f"セル {cells[named]}" not in refusal.message:
            report.refusals[index] = dataclasses.replace(refusal, message=f"{refusal.message}（セル {cells[named]}）")


def import_files(
    store: Store,
    paths: list[Path],
    *,
    check_only: bool = False,
    replace: bool = False,
    done: Callable[[ImportReport], None] | None = None,
) -> list[ImportReport]:
    """Import every file (folders expanded); one report per file, in order.

    Each file is its own transaction, with its original (a returned form): it is stored whole
    or not at all, whatever happens to the files after it. ``done`` is called with each
    file's report as soon as that file is finished, so a run that stops part-way has already
    said what it stored. ``replace``: a corrected return replaces a department's answers.
    """
    from db.errors import StoreError

    reports: list[ImportReport] = []
    files = expand(paths)
    if not files:
        files_none = [_failed(p, "取り込むファイル（xlsx・CSV）がありません。") for p in paths]
        for report in files_none:
            if done:
                done(report)
        return files_none
    for path in files:
        try:
            report = _import_one(store, path, check_only=check_only, replace=replace)
        except ImportFileError as exc:
            report = _failed(path, exc.message)
        except StoreError as exc:  # the database refused the write: nothing of this file is stored
            report = _failed(path, f"{exc}（このファイルの回答は何も保存していません）", NotStored)
        except OSError as exc:
            report = _failed(path, f"「{shown_name(path)}」を読めません（読み込めませんでした。ファイルと権限を確かめてください）。")
        except MemoryError:
            report = _failed(path, f"「{shown_name(path.name)}」は読むためのメモリが足りません。調書の様式か回答一覧か確かめてください。")
        reports.append(report)
        if done:
            done(report)
    return reports


def _import_one(store: Store, path: Path, *, check_only: bool, replace: bool) -> ImportReport:
    from db.errors import StoreError
    from db.originals import read_file

    from .forms import _sha256
    from .importer import import_answers, import_records
    from .returns import MAX_FORM_BYTES, is_form, read_return
    from .tables import file_problem

    name = shown_name(path.name)
    if path.suffix.lower() in SCAN_SUFFIXES:
        return _failed(
            path, "PDF や画像からは回答を読み取れません。原本として保存するには「chosho attach 所属名 ファイル」を使ってください。",
            ImportReport,
        )
    if problem := file_problem(path, 2**62):
        return _failed(path, problem)
    if not is_form(path):
        return import_answers(store, path, check_only=check_only, replace=replace)
    # A return is read from the bytes kept as its original: what is stored is what was read.
    try:
        content, _digest = read_file(path, MAX_FORM_BYTES)
    except StoreError as exc:
        raise ImportFileError(str(exc)) from exc
    returned = read_return(io.BytesIO(content), store.questionnaire, _sha256(store), name=name)
    records = [returned.record] if returned.record is not None else []
    report = import_records(
        store, records, source=name, check_only=check_only, refusals=returned.refusals, replace=replace,
        original=(name, content),
    )
    report.path = path
    report.department = report.department or returned.department
    report.notes += returned.notes
    _name_cells(report, returned.cells)
    if report.imported and report.original_kept:
        report.notes.append("原本として保存しました（レビュー画面の Ctrl+O で開けます）。")
    return report
