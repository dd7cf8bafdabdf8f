"""The database file itself: what is checked before SQLite opens it, SQLite's errors as a
clerk's message in Japanese, and the online copy that backups and migrations make.

No state and no rules of the office: the store (db/store.py) and ``chosho verify`` use these.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from .errors import StoreBusy, StoreError, StoreUnavailable
from .location import SQLITE_PATH_MAX, name_problem

__all__ = ["SQLITE_HEADER", "translate"]  # and the store's checks: _preflight, _check_regular, _copy_database

SQLITE_HEADER = b"SQLite format 3\x00"


def translate(exc: sqlite3.Error, path: Path | str = "", *, doing: str = "save") -> StoreError:
    """A SQLite error as a message for the clerk, worded for what was being done.

    ``doing``: "open" (opening, creating or updating the database), "save" (a write: nothing
    of it was stored), "read", or "backup".
    """
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    where = f"（{path}）" if path else ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        outcome = {
            "open": "開けませんでした。何も変更していません。少し待ってからもう一度開いてください。",
            "read": "読み込めませんでした。少し待ってからもう一度お試しください。",
            "backup": "バックアップできませんでした。少し待ってからもう一度お試しください。",
        }.get(doing, "書き込めませんでした。入力した値は保存されていません。少し待ってからもう一度保存してください。")
        return StoreBusy(f"データベース{where}は他の端末（または別のプログラム）が使用中のため、待ちましたが{outcome}")
    if name == "SQLITE_FULL" or "disk is full" in text:
        if doing == "backup":
            return StoreError(
                f"ディスクがいっぱいのためバックアップ{where}を書けませんでした。空き容量を増やしてからもう一度お試しください。"
            )
        if doing == "open":
            return StoreError(
                f"ディスクがいっぱいのため、データベース{where}を準備できませんでした。何も変更していません。"
                "空き容量を増やしてからもう一度開いてください。"
            )
        return StoreError(
            f"ディスクがいっぱいのため保存できませんでした{where}。入力した値は保存されていません。"
            "空き容量を増やしてからもう一度保存してください（それまでの回答は無事です）。"
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return StoreUnavailable(
            f"データベース{where}が読み取り専用のため保存できません。"
            "ファイルとフォルダに書き込み権限があるか確認してください。"
        )
    if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT") or "not a database" in text or "malformed" in text:
        return StoreUnavailable(
            f"データベース{where}が壊れているか、SQLite のファイルではありません。"
            "バックアップから戻すか、管理者に連絡してください。"
        )
    if name.startswith("SQLITE_CANTOPEN"):
        return StoreUnavailable(f"データベース{where}を開けません。場所と権限を確認してください。")
    if name.startswith("SQLITE_IOERR"):
        return StoreUnavailable(
            f"データベース{where}の読み書きでエラーが起きました（{text}）。"
            "ディスクやネットワークの状態を確認してください。"
        )
    return StoreError(f"データベースのエラーです{where}: {text}")


def _preflight(path: Path) -> None:
    """Refuse, with a message, what SQLite would report cryptically or too late."""
    try:
        _check_place(path)
    except OSError as exc:  # e.g. a folder on the way that this user may not enter
        raise StoreUnavailable(
            f"データベース「{path}」の場所を確認できません（フォルダを開く権限がないか、場所に届きません）。"
            "場所と権限を確認してください。"
        ) from exc


def _check_regular(path: Path) -> None:
    """A FIFO or a device would make SQLite wait forever or read nonsense: only a regular file."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        kind = "名前付きパイプ（FIFO）" if stat.S_ISFIFO(mode) else "デバイス" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "特殊なファイル"
        raise StoreUnavailable(
            f"「{path}」は通常のファイルではありません（{kind}）。データベースのファイルを指定してください。"
        )


def _check_length(path: Path) -> None:
    problem = name_problem(path, "データベース", extra=len("-journal"))
    if problem:
        raise StoreUnavailable(problem)
    full = os.fsencode(os.path.abspath(path))
    if os.name != "nt" and len(full) > SQLITE_PATH_MAX:
        raise StoreUnavailable(
            f"データベースの場所（パス）が長すぎます（{len(full)} バイト。SQLite が扱えるのは {SQLITE_PATH_MAX} バイトまで、"
            "日本語は 1 文字 3 バイトです）。浅いフォルダか短い名前を指定してください。"
        )


def _check_place(path: Path) -> None:
    _check_length(path)
    folder = path.parent
    if not folder.is_dir():
        raise StoreUnavailable(f"フォルダ「{folder}」がありません。データベースの場所を確認してください。")
    if path.is_dir():
        raise StoreUnavailable(f"「{path}」はフォルダです。データベースのファイル名を指定してください。")
    if path.exists():
        _check_regular(path)
        if not os.access(path, os.R_OK):
            raise StoreUnavailable(f"データベース「{path}」を読む権限がありません。")
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
        if head and head != SQLITE_HEADER:
            raise StoreUnavailable(
                f"「{path}」は SQLite のデータベースではありません。"
                "別のファイルを指定しているか、ファイルが壊れています。"
            )
        if not os.access(path, os.W_OK):
            raise StoreUnavailable(
                f"データベース「{path}」が読み取り専用です。ファイルの書き込み権限を確認してください。"
            )
        # Left by a clerk who still has it open (or by another user): SQLite would open and read,
        # then refuse the first save. Say so now.
        for work in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if work.exists() and not os.access(work, os.R_OK | os.W_OK):
                raise StoreUnavailable(
                    f"データベースの作業ファイル「{work}」に書き込めません（別の利用者のファイルです）。"
                    "その人が chosho を閉じるか、管理者に権限を直してもらってください。"
                )
    # WAL keeps -wal and -shm files beside the database: the folder must be writable too.
    if not os.access(folder, os.W_OK):
        raise StoreUnavailable(
            f"フォルダ「{folder}」に書き込めません（読み取り専用）。書き込めるフォルダを指定してください。"
        )


def _integrity_summary(rows: list[tuple]) -> str:
    """The first problem integrity_check reports, and how many more (it can list thousands)."""
    lines = [
        line.strip()
        for row in rows
        for line in str(row[0]).splitlines()
        if line.strip() and not line.startswith("*** in database")
    ]
    if not lines:
        return "詳細不明"
    more = f" ほか {len(lines) - 1} 件" if len(lines) > 1 else ""
    return lines[0][:120] + more


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup of ``source`` into ``target``, which appears only when complete."""
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        dest = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(dest)
        finally:
            dest.close()
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _remove_earlier_copies(kept: Path, prefix: str, suffix: str) -> None:
    """The copies (and half copies) that earlier attempts at the same migration made: the
    database is still at the old version, so those attempts were killed before committing, and
    ``kept`` is a newer copy of the same. One copy stays however often the migration is killed."""
    for path in kept.parent.glob(f"{prefix}*"):
        if path != kept and (path.name.endswith(suffix) or path.name.endswith(suffix + ".part")):
            path.unlink(missing_ok=True)
