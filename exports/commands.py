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

__all__ = ["default_name", "run_export"]


def default_name(title: str, when: datetime | None = None) -> Path:
    """「調書名_集計_20250127-1530.xlsx」 in the current folder."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M")
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("_") or "chosho"
    return Path(f"{safe}_集計_{stamp}.xlsx")


def run_export(args: argparse.Namespace, open_store: Callable) -> int:
    from .leftovers import quiet_collect
    from .workbook import ExportError, export_workbook

    data = getattr(args, "data", None)
    order = getattr(args, "order", None) or "code"
    with open_store(args) as store:
        if data is not None:
            code = _export_data(store, data, args.confirmed_only)
            if code or args.output is None:
                return code
        path = args.output or default_name(store.questionnaire.title)
        failed = None
        with quiet_collect():  # a full disk: the message below, not a second complaint from the zip writer
            try:
                result = export_workbook(store, path, confirmed_only=args.confirmed_only, order=order)
            except ExportError as exc:
                failed = str(exc)
        if failed is not None:
            print(f"chosho: {failed}", file=sys.stderr)
            return 3
    for warning in result.warnings:
        print(f"注意: {warning}", file=sys.stderr)
    print(f"出力しました: {result.path}（集計対象 {result.included} 所属／全 {result.total} 所属）")
    return 0


def _export_data(store, folder: Path, confirmed_only: bool) -> int:
    """``--data DIR``: the analysis files (see ``exports.data``); 3 when the folder is unusable."""
    from .data import write_data
    from .leftovers import os_reason, quiet_collect
    from .records import read_records

    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        print(f"chosho: 「{folder}」はファイルです。分析用データの保存先にはフォルダを指定してください。", file=sys.stderr)
        return 3
    failed = None
    with quiet_collect():
        try:
            result = write_data(folder, store.questionnaire, read_records(store, confirmed_only=confirmed_only))
        except OSError as exc:
            failed = os_reason(exc)
    if failed is not None:
        reason = failed
        print(f"chosho: フォルダ「{folder}」に書き込めませんでした（{reason}）。書き込めるフォルダを指定してください。"
              "ファイルは作っていません。", file=sys.stderr)
        return 3
    names = "、".join(p.name for p in result.files)
    print(f"分析用データを出力しました: {result.folder}（{result.rows} 所属 × {result.variables} 変数: {names}）")
    return 0
