"""The originals: each returned file (a filled form, or a PDF / scan of the paper) kept with its
department — content, name, SHA-256, who and when — so review compares the answers with it.

Stored in the database itself: one file to back up (``chosho backup`` uses SQLite's online
backup, which carries them), and an original can never drift from the answers it belongs to.
Every addition is in the audit log; the same file twice for a department is kept once.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StoreError
from .sqlite_file import translate

if TYPE_CHECKING:
    from .store import Store  # noqa: F401 - annotations only (the store never imports this module)

__all__ = ["MAX_ORIGINAL_BYTES", "Original", "add_original", "attach_file", "original_content", "originals"]

MAX_ORIGINAL_BYTES = 200 * 1024 * 1024  # a scanned PDF of a few pages is a few MB


@dataclass(frozen=True)
class Original:
    id: int
    department_id: int
    name: str
    sha256: str
    size: int
    stored_by: str
    stored_at: str
    why: str | None


def _response_id(store: Store, department_id: int) -> int | None:
    row = store.conn.execute("SELECT id FROM responses WHERE department_id = ?", (department_id,)).fetchone()
    return row[0] if row else None


def add_original(store: Store, department_id: int, name: str, content: bytes, *, why: str | None = None) -> tuple[Original, bool]:
    """Keep ``content`` (a file called ``name``) with the department. Returns the original and
    whether it was new: the same content for the same department is kept once."""
    if len(content) > MAX_ORIGINAL_BYTES:
        raise StoreError(f"「{name}」は大きすぎるため原本として保存できません（{len(content):,} バイト）。")
    digest = hashlib.sha256(content).hexdigest()
    with store._write():
        row = store.conn.execute(
            "SELECT id FROM originals WHERE department_id = ? AND sha256 = ?", (department_id, digest)
        ).fetchone()
        if row is not None:
            new = False
            original_id = row[0]
        else:
            new = True
            original_id = store.journal.next_id("originals")
            store._log(
                _response_id(store, department_id), None, "original", None, f"{name} sha256:{digest}", why,
                blob=content, original=original_id, department=department_id, name=name, sha256=digest,
                size=len(content),
            )
    return next(o for o in originals(store, department_id) if o.id == original_id), new


def attach_file(store: Store, department_id: int, path: str | Path, *, why: str | None = None) -> tuple[Original, bool]:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_ORIGINAL_BYTES:
            raise StoreError(f"「{path.name}」は大きすぎるため原本として保存できません（{path.stat().st_size:,} バイト）。")
        content = path.read_bytes()
    except FileNotFoundError as exc:
        raise StoreError(f"ファイル「{path}」がありません。") from exc
    except IsADirectoryError as exc:
        raise StoreError(f"「{path}」はフォルダです。ファイルを指定してください。") from exc
    except OSError as exc:
        raise StoreError(f"「{path}」を読めません: {exc.strerror or exc}") from exc
    return add_original(store, department_id, path.name, content, why=why)


def originals(store: Store, department_id: int | None = None) -> list[Original]:
    """The department's originals (or all), newest first."""
    sql = "SELECT id, department_id, name, sha256, size, stored_by, stored_at, why FROM originals"
    params: tuple = ()
    if department_id is not None:
        sql += " WHERE department_id = ?"
        params = (department_id,)
    try:
        rows = store.conn.execute(sql + " ORDER BY stored_at DESC, id DESC", params).fetchall()
    except sqlite3.Error as exc:
        raise translate(exc, store.path, doing="read") from exc
    return [Original(*row) for row in rows]


def original_content(store: Store, original_id: int) -> bytes:
    row = store.conn.execute("SELECT content, sha256 FROM originals WHERE id = ?", (original_id,)).fetchone()
    if row is None:
        raise StoreError(f"原本 {original_id} がありません。")
    content = bytes(row[0])
    digest = hashlib.sha256(content).hexdigest()
    if digest != row[1] or digest != (_logged_digest(store, original_id) or digest):
        raise StoreError(
            f"原本 {original_id} の内容が保存時と一致しません（SHA-256 が監査ログの記録と不一致）。"
            "外から差し替えられたおそれがあります。chosho verify で点検し、バックアップから戻してください。"
        )
    return content


def _logged_digest(store: Store, original_id: int) -> str | None:
    """The SHA-256 the audit log recorded when the original was stored (None before m007's
    entries: then the row's own digest is all there is)."""
    row = store.conn.execute(
        "SELECT json_extract(payload, '$.sha256') FROM audit_log"
        " WHERE action = 'original' AND json_extract(payload, '$.original') = ? ORDER BY id LIMIT 1",
        (original_id,),
    ).fetchone()
    return row[0] if row else None
