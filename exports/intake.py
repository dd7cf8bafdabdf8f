"""Importing files as they come back: one file, several, or a folder of them.

Each file is imported on its own, all or nothing (a file that fails leaves nothing of itself in
the store): a returned form (``chosho forms``) is read by name and identity, any other xlsx or a
CSV as a 回答一覧. A returned form that is imported is kept as the department's original, with
its SHA-256, who and when, so review can open it.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from .import_types import ImportFileError, ImportReport, Refusal

if TYPE_CHECKING:
    from db import Store

__all__ = ["FORM_SUFFIXES", "SCAN_SUFFIXES", "Unreadable", "expand", "import_files", "find_department"]

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


def _failed(path: Path, message: str, kind: type[ImportReport] = Unreadable) -> ImportReport:
    report = kind(path.name, path=path)
    report.refusals.append(Refusal(None, "", "", message, path.name))
    return report


def _name_cells(report: ImportReport, cells: dict[str, str]) -> None:
    """Add the cell address to a refusal that names a variable (「Q3_1: …」 → 「…（セル A40）」),
    so the clerk can point at the cell in the department's file."""
    names = sorted(cells, key=len, reverse=True)
    for index, refusal in enumerate(report.refusals):
        named = next((n for n in names if re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", refusal.message)), None)
        if named and f"セル {cells[named]}" not in refusal.message:
            report.refusals[index] = dataclasses.replace(refusal, message=f"{refusal.message}（セル {cells[named]}）")


def import_files(store: Store, paths: list[Path], *, check_only: bool = False) -> list[ImportReport]:
    """Import every file (folders expanded); one report per file, in order."""
    from .forms import _sha256
    from .importer import import_answers, import_records
    from .returns import is_form, read_return

    reports: list[ImportReport] = []
    files = expand(paths)
    if not files:
        return [_failed(p, "取り込むファイル（xlsx・CSV）がありません。") for p in paths]
    sha = _sha256(store)
    for path in files:
        suffix = path.suffix.lower()
        try:
            if suffix in SCAN_SUFFIXES:
                reports.append(_failed(
                    path, "PDF や画像からは回答を読み取れません。原本として保存するには「chosho attach 所属名 ファイル」を使ってください。",
                    ImportReport,
                ))
            elif is_form(path):
                content = path.read_bytes()
                returned = read_return(path, store.questionnaire, sha)
                records = [returned.record] if returned.record is not None else []
                report = import_records(store, records, source=path.name, check_only=check_only, refusals=returned.refusals)
                report.path = path
                report.notes += returned.notes
                _name_cells(report, returned.cells)
                if report.imported and returned.record is not None:
                    from db.originals import add_original

                    department = find_department(store, returned.record.name, returned.record.bukyoku)
                    if department is not None:
                        add_original(store, department.id, path.name, content, why=f"取り込み: {path.name}")
                        report.notes.append("原本として保存しました（レビュー画面の Ctrl+O で開けます）。")
                reports.append(report)
            else:
                reports.append(import_answers(store, path, check_only=check_only))
        except ImportFileError as exc:
            reports.append(_failed(path, exc.message))
        except OSError as exc:
            reports.append(_failed(path, f"「{path}」を読めません: {exc.strerror or exc}"))
    return reports
