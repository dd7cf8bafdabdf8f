"""``chosho report``: the results chapter drafted from the database, as .docx or Markdown.

Exit codes: 0 written; 3 the database, the phrases file or the target could not be used (the
message says why). The file is written beside the target and moved into place when complete.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

__all__ = ["default_report_name", "run_report", "write_report"]


def default_report_name(title: str, when: datetime | None = None) -> Path:
    """「調書名_報告書下書き_20250127-1530.docx」 in the current folder."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M")
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("_") or "chosho"
    return Path(f"{safe}_報告書下書き_{stamp}.docx")


class ReportError(Exception):
    pass


def _target(path: Path) -> Path:
    from db.location import name_problem

    path = path.expanduser()
    from .leftovers import TEMP_EXTRA

    if problem := name_problem(path, "出力ファイル", extra=TEMP_EXTRA + len(path.suffix)):
        raise ReportError(problem)
    if path.is_dir():
        raise ReportError(f"「{path}」はフォルダです。保存するファイル名を指定してください（.docx または .md）。")
    if not path.parent.is_dir():
        raise ReportError(f"フォルダ「{path.parent}」がありません。保存先を確認してください。")
    return path


def write_report(draft, path: Path) -> Path:
    """Write ``draft`` at ``path``: Word for .docx, Markdown for anything else; all or nothing."""
    from .leftovers import os_reason, sweep, temp_beside
    from .report import render_md

    target = _target(path)
    suffix = f".tmp{target.suffix}"
    sweep(target, suffix)  # what a killed run writing this name left
    temp = temp_beside(target, suffix)
    try:
        if target.suffix.lower() == ".docx":
            from .report_docx import write_docx

            write_docx(draft, temp)
        else:
            temp.write_text(render_md(draft), encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        reason = os_reason(exc)
        raise ReportError(
            f"「{target}」に書き込めませんでした（{reason}）。Word などでこのファイルを開いている場合は閉じてから、"
            "もう一度出力してください。ファイルは作っていません。"
        ) from exc
    finally:
        temp.unlink(missing_ok=True)
    return target


def run_report(args: argparse.Namespace, open_store: Callable) -> int:
    from .records import read_records, scope_statement
    from .report import draft_report
    from .report_phrases import PhrasesError, load_phrases

    with open_store(args) as store:
        questionnaire = store.questionnaire
        try:
            phrases = load_phrases(questionnaire.id, args.phrases, half_width=True if args.half_width else None)
            if args.counts:
                phrases.data["settings"]["single_counts"] = True
        except PhrasesError as exc:
            print(f"chosho: {exc}", file=sys.stderr)
            return 3
        records = read_records(store, confirmed_only=args.confirmed_only)
    scope = scope_statement(list(records), args.confirmed_only)
    try:
        draft = draft_report(questionnaire, records, phrases, scope)
        path = write_report(draft, Path(args.output) if args.output else default_report_name(questionnaire.title))
    except (ReportError, PhrasesError) as exc:
        print(f"chosho: {exc}", file=sys.stderr)
        return 3
    for block in draft.blocks:
        if block.kind == "warning":
            print(f"注意: {block.text}", file=sys.stderr)
    included = sum(1 for r in records if r.included)
    print(f"報告書の下書きを出力しました: {path}（集計対象 {included} 所属／全 {len(records)} 所属）")
    return 0
