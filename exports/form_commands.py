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
    from .leftovers import quiet_collect

    failed = None
    with open_store(args) as store, quiet_collect():
        try:
            paths = write_forms(store, args.output, department=args.department, blank=args.blank)
        except FormError as exc:
            failed = str(exc)
    if failed is not None:
        print(f"chosho: {failed}", file=sys.stderr)
        return 3
    for path in paths:
        print(path)
    print(f"様式を {len(paths)} ファイル出力しました: {args.output}")
    return 0


def run_attach(args: argparse.Namespace, open_store: Callable) -> int:
    from db.location import shown_name
    from db.originals import attach_file

    from .intake import find_department

    with open_store(args) as store:
        department = find_department(store, args.department)
        if department is None:
            print(f"chosho: 所属「{shown_name(args.department)}」はこのデータベースの所属一覧にありません（同名が複数なら「部局 所属」で指定）。", file=sys.stderr)
            return 3
        original, new = attach_file(store, department.id, args.file, why="原本の添付")
    name = shown_name(original.name)
    if new:
        print(f"{department.name}（{department.bukyoku}）の原本として保存しました: {name}（{original.size:,} バイト、SHA-256 {original.sha256[:12]}…）")
    else:
        print(f"同じ内容のファイルはすでに {department.name} の原本として保存されています（{name}、{original.stored_at[:16].replace('T', ' ')}）。")
    return 0


def run_import_files(args: argparse.Namespace, open_store: Callable) -> int:
    from db.errors import StoreError
    from db.location import name_problem

    from .intake import NotStored, Unreadable, import_files

    # A name the file system cannot hold is the command's fault, said before anything opens.
    for path in args.files:
        if problem := name_problem(Path(path), "取り込むファイル"):
            raise StoreError(problem)
    check = args.check

    def done(report) -> None:  # each file as soon as it is finished: a stop part-way hides nothing
        failed = bool(report.refusals) or not report.departments  # nothing to import is no success
        stream = sys.stderr if failed else sys.stdout
        for line in report.lines():
            print(line, file=stream, flush=True)

    with open_store(args) as store:
        reports = import_files(store, list(args.files), check_only=check, replace=getattr(args, "replace", False), done=done)
    refused = [r for r in reports if r.refusals or not r.departments]
    if len(reports) > 1 or any(isinstance(r, NotStored) for r in reports):
        print(_summary(reports, check), file=sys.stderr if refused else sys.stdout)
    if any(isinstance(r, (Unreadable, NotStored)) for r in reports):
        return 3
    return 1 if refused else 0


def _summary(reports: list, check: bool) -> str:
    """The last word of a run: exactly which files were stored (or would be) and which not."""
    if check:
        ok = [r.source for r in reports if not r.refusals and r.departments]
        label = ("取り込めるファイル", "取り込めないファイル")
    else:
        ok = [r.source for r in reports if r.imported]
        label = ("取り込んだファイル", "取り込んでいないファイル")
    rest = [r.source for r in reports if r.source not in ok]
    lines = [f"{len(reports)} ファイルのうち、{label[0]} {len(ok)}、{label[1]} {len(rest)}。"]
    if ok:
        lines.append(f"{label[0]}: " + "、".join(ok))
    if rest:
        lines.append(f"{label[1]}（何も保存していません）: " + "、".join(rest))
    return "\n".join(lines)
