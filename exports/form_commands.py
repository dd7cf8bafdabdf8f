"""``chosho forms``, ``chosho attach`` and ``chosho import`` (files, several, or folders):
what they print and the exit codes they return.

Exit codes: 0 done; 1 an import refused a file or part of it (nothing of that file was
written); 3 a file or the database could not be used at all (the message says why).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["run_attach", "run_forms", "run_import_files"]


def run_forms(args: argparse.Namespace, open_store: Callable) -> int:
    from .forms import FormError, write_forms

    with open_store(args) as store:
        try:
            paths = write_forms(store, args.output, department=args.department, blank=args.blank)
        except FormError as exc:
            print(f"chosho: {exc}", file=sys.stderr)
            return 3
    for path in paths:
        print(path)
    print(f"様式を {len(paths)} ファイル出力しました: {args.output}")
    return 0


def run_attach(args: argparse.Namespace, open_store: Callable) -> int:
    from db.originals import attach_file

    from .intake import find_department

    with open_store(args) as store:
        department = find_department(store, args.department)
        if department is None:
            print(f"chosho: 所属「{args.department}」はこのデータベースの所属一覧にありません（同名が複数なら「部局 所属」で指定）。", file=sys.stderr)
            return 3
        original, new = attach_file(store, department.id, args.file, why="原本の添付")
    if new:
        print(f"{department.name}（{department.bukyoku}）の原本として保存しました: {original.name}（{original.size:,} バイト、SHA-256 {original.sha256[:12]}…）")
    else:
        print(f"同じ内容のファイルはすでに {department.name} の原本として保存されています（{original.name}、{original.stored_at[:16].replace('T', ' ')}）。")
    return 0


def run_import_files(args: argparse.Namespace, open_store: Callable) -> int:
    from db.errors import StoreError
    from db.location import name_problem

    from .intake import Unreadable, import_files

    # A name the file system cannot hold is the command's fault, said before anything opens.
    for path in args.files:
        if problem := name_problem(Path(path), "取り込むファイル"):
            raise StoreError(problem)
    with open_store(args) as store:
        reports = import_files(store, list(args.files), check_only=args.check)
    refused = 0
    for report in reports:
        failed = bool(report.refusals) or not report.departments  # nothing to import is no success
        stream = sys.stderr if failed else sys.stdout
        refused += failed
        for line in report.lines():
            print(line, file=stream)
    if len(reports) > 1:
        done = sum(1 for r in reports if r.imported)
        verb = "点検" if args.check else "取り込み"
        print(f"{len(reports)} ファイル: {verb}できた {len(reports) - refused}、取り込めない {refused}" + ("" if args.check else f"（取り込んだ {done}）"))
    if any(isinstance(r, Unreadable) for r in reports):
        return 3
    return 1 if refused else 0
