"""``chosho export`` and ``chosho import``: what they print and the exit codes they return.

Exit codes: 0 done; 1 the import wrote nothing: it refused rows, or the file has no answers
to import; 3 the file or the database could not be used (the message says why).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

__all__ = ["default_name", "run_export", "run_import"]


def default_name(title: str, when: datetime | None = None) -> Path:
    """「調書名_集計_20250127-1530.xlsx」 in the current folder."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M")
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("_") or "chosho"
    return Path(f"{safe}_集計_{stamp}.xlsx")


def run_export(args: argparse.Namespace, open_store: Callable) -> int:
    from .workbook import ExportError, export_workbook

    with open_store(args) as store:
        path = args.output or default_name(store.questionnaire.title)
        try:
            result = export_workbook(store, path, confirmed_only=args.confirmed_only)
        except ExportError as exc:
            print(f"chosho: {exc}", file=sys.stderr)
            return 3
    for warning in result.warnings:
        print(f"注意: {warning}", file=sys.stderr)
    print(f"出力しました: {result.path}（集計対象 {result.included} 所属／全 {result.total} 所属）")
    return 0


def run_import(args: argparse.Namespace, open_store: Callable) -> int:
    from .importer import ImportFileError, import_answers

    with open_store(args) as store:
        try:
            report = import_answers(store, args.file, check_only=args.check)
        except ImportFileError as exc:
            print(f"chosho: {exc}", file=sys.stderr)
            return 3
    failed = bool(report.refusals) or not report.departments
    stream = sys.stderr if failed else sys.stdout
    for line in report.lines():
        print(line, file=stream)
    return 1 if failed else 0
