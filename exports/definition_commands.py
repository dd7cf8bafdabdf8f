"""``chosho new`` (a survey database from a workbook or TOML file) and ``chosho definition``
(the database's questionnaire written as an XLSForm workbook)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def run_new(args: argparse.Namespace) -> int:
    """Check the form first, refuse an existing file, then create and seed the database."""
    from db import database_path, open_store

    from .xlsform import read_definition

    target = database_path(args.db)
    questionnaire, text = read_definition(args.form)  # DefinitionError lists every problem
    try:
        # O_EXCL: the file is ours from here on, so nothing existing is ever overwritten.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        print(
            f"chosho: {target} はすでにあります。上書きしません。別のファイル名を --db で指定してください。",
            file=sys.stderr,
        )
        return 3
    except OSError as exc:
        print(f"chosho: {target} を作れません（{exc.strerror or exc}）。フォルダと権限を確認してください。", file=sys.stderr)
        return 3
    try:
        with open_store(target, args.user, definition=text) as store:
            from .forms import _sha256

            digest = _sha256(store)  # what the forms and returns carry
    except BaseException:  # StoreError, a broken definition, Ctrl+C: no half-made database
        for leftover in (target, target.with_name(f"{target.name}-wal"), target.with_name(f"{target.name}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    print(f"新しい調査のデータベースを作りました: {target}")
    print(f"  {questionnaire.title}（{args.form}）")
    print(f"  設問 {len(questionnaire.questions)} 問、対象所属 {len(questionnaire.departments)}（{len(questionnaire.roster)} 部局）")
    print(f"  調書定義の SHA-256: {digest[:16]}…")
    print(f"入力を始めるには: chosho --db {target}")
    return 0


def run_definition(args: argparse.Namespace, open_) -> int:
    """Write the database's questionnaire as an XLSForm workbook (next year's starts from it)."""
    from .xlsform import write_workbook

    output: Path = args.output
    if output.suffix.lower() != ".xlsx":
        print(f"chosho: 出力先は .xlsx にしてください（{output}）。", file=sys.stderr)
        return 2
    if output.exists() and not args.force:
        print(f"chosho: {output} はすでにあります。上書きするには --force を付けてください。", file=sys.stderr)
        return 3
    with open_(args) as store:
        questionnaire = store.questionnaire
    try:
        write_workbook(questionnaire, output)
    except ValueError as exc:  # a definition XLSForm cannot hold (two checks on one question)
        print(f"chosho: XLSForm に書けません: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"chosho: {output} に書けません（{exc.strerror or exc}）。", file=sys.stderr)
        return 3
    print(f"調書定義を XLSForm のブックに書き出しました: {output}")
    print(f"  {questionnaire.title}（設問 {len(questionnaire.questions)} 問）。Excel で編集し、chosho check で点検できます。")
    return 0
