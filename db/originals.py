"""The originals: each returned file (a filled form, or a PDF / scan of the paper) kept with its
department — content, name, SHA-256, who and when — so review compares the answers with it.

Stored in the database itself: one file to back up (``chosho backup`` uses SQLite's online
backup, which carries them), and an original can never drift from the answers it belongs to.
Every addition is in the audit log; the same file twice for a department is kept once.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RefusedError, StoreError
from .location import shown_name
from .sqlite_file import translate
from .store import now  # noqa: F401 - the clock tests set here; stamps come from the store's transaction

if TYPE_CHECKING:
    from .store import Store  # noqa: F401 - annotations only (the store never imports this module)

__all__ = [
    "KINDS", "MAX_ORIGINAL_BYTES", "Original", "add_original", "attach_file", "kind_problem", "original_content",
    "originals", "read_file", "store_import",
]

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


# What an original is: the returned form, the paper's scan or PDF. Recognised by the content's
# first bytes, and the name must say the same kind: a viewer is only ever handed one of these.
KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("PDF", (b"%PDF-",)),
    ".xlsx": ("Excel ブック", (b"PK\x03\x04",)),
    ".xlsm": ("Excel ブック", (b"PK\x03\x04",)),
    ".xls": ("Excel ブック（旧形式）", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".ods": ("OpenDocument 表計算", (b"PK\x03\x04",)),
    ".png": ("PNG 画像", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("JPEG 画像", (b"\xff\xd8\xff",)),
    ".jpeg": ("JPEG 画像", (b"\xff\xd8\xff",)),
    ".tif": ("TIFF 画像", (b"II*\x00", b"MM\x00*")),
    ".tiff": ("TIFF 画像", (b"II*\x00", b"MM\x00*")),
}
KINDS_SHOWN = "PDF、Excel ブック（.xlsx .xlsm .xls）、.ods、画像（.png .jpg .tif）"


def kind_problem(name: str, head: bytes) -> str | None:
    """Why a file called ``name`` starting with ``head`` is not an original chosho keeps or opens."""
    suffix = Path(name).suffix.lower()
    kind = KINDS.get(suffix)
    if kind is None:
        return f"「{_shown(name)}」は原本として扱える種類のファイルではありません（扱えるのは {KINDS_SHOWN}）。"
    if not head.startswith(kind[1]):
        return f"「{_shown(name)}」は名前は{kind[0]}ですが、中身が{kind[0]}ではありません。原本として扱えません。"
    return None


def _shown(name: str | Path) -> str:
    return shown_name(name)


def _insert(store: Store, department_id: int, name: str, content: bytes, digest: str, why: str | None) -> tuple[int, bool]:
    """Inside the caller's write transaction: keep the file unless this department has it already."""
    row = store.conn.execute(
        "SELECT id FROM originals WHERE department_id = ? AND sha256 = ?", (department_id, digest)
    ).fetchone()
    if row is not None:
        return row[0], False
    original_id = store.journal.next_id("originals")
    store._log(
        _response_id(store, department_id), None, "original", None, f"{name} sha256:{digest}", why,
        blob=content, original=original_id, department=department_id, name=name, sha256=digest, size=len(content),
    )
    return original_id, True


def add_original(store: Store, department_id: int, name: str, content: bytes, *, why: str | None = None) -> tuple[Original, bool]:
    """Keep ``content`` (a file called ``name``) with the department. Returns the original and
    whether it was new: the same content for the same department is kept once."""
    if len(content) > MAX_ORIGINAL_BYTES:
        raise StoreError(f"「{_shown(name)}」は大きすぎるため原本として保存できません（{len(content):,} バイト）。")
    if problem := kind_problem(name, content[:16]):
        raise RefusedError(problem)
    digest = hashlib.sha256(content).hexdigest()
    with store._write():
        original_id, new = _insert(store, department_id, name, content, digest, why)
    return next(o for o in originals(store, department_id) if o.id == original_id), new


def read_file(path: Path, limit: int = MAX_ORIGINAL_BYTES) -> tuple[bytes, str]:
    """The bytes of a regular file and their SHA-256, hashed while reading.

    Only a regular file is read (a FIFO would wait forever, /dev/zero never ends, a symbolic
    link is not followed), at most ``limit`` bytes, and the file must not change while it is
    read: its size and modification time before and after, and the bytes read, must agree.
    """
    shown = _shown(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        if path.is_symlink():
            raise RefusedError(f"「{shown}」はシンボリックリンクです。リンク先のファイルそのものを指定してください。")
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise StoreError(f"ファイル「{shown}」がありません。") from exc
    except IsADirectoryError as exc:
        raise StoreError(f"「{shown}」はフォルダです。ファイルを指定してください。") from exc
    except PermissionError as exc:
        raise StoreError(f"「{shown}」を読む権限がありません。") from exc
    except OSError as exc:
        raise StoreError(f"「{shown}」を開けません（読み込めませんでした。ファイルと権限を確かめてください）。") from exc
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            kind = "フォルダ" if stat.S_ISDIR(before.st_mode) else "名前付きパイプ（FIFO）" if stat.S_ISFIFO(before.st_mode) else "デバイスや特殊なファイル"
            raise RefusedError(f"「{shown}」は{kind}で、通常のファイルではありません。原本にできるのは通常のファイルだけです。")
        if before.st_size > limit:
            raise RefusedError(f"「{shown}」は大きすぎるため原本として保存できません（{before.st_size:,} バイト、上限 {limit:,} バイト）。")
        digest = hashlib.sha256()
        chunks: list[bytes] = []
        read = 0
        while chunk := os.read(fd, 1024 * 1024):
            read += len(chunk)
            if read > before.st_size or read > limit:
                raise RefusedError(f"「{shown}」は読んでいる間に大きくなりました。書き込みが終わってから保存してください。")
            digest.update(chunk)
            chunks.append(chunk)
        after = os.fstat(fd)
    except OSError as exc:
        raise StoreError(f"「{shown}」を読めません（読み込めませんでした。ファイルと権限を確かめてください）。") from exc
    finally:
        os.close(fd)
    if read != before.st_size or after.st_size != before.st_size or after.st_mtime_ns != before.st_mtime_ns:
        raise RefusedError(
            f"「{shown}」は読んでいる間に変わりました（{before.st_size:,} バイトのはずが {read:,} バイト）。"
            "書き込みやコピーが終わってから、もう一度保存してください。何も保存していません。"
        )
    return b"".join(chunks), digest.hexdigest()


def attach_file(store: Store, department_id: int, path: str | Path, *, why: str | None = None) -> tuple[Original, bool]:
    """Keep the file at ``path`` as the department's original: a regular file of an original's
    kind (:data:`KINDS`, by its content), at most ``MAX_ORIGINAL_BYTES``, unchanged while read."""
    path = Path(path)
    if path.suffix.lower() not in KINDS:  # the name first: nothing is read for a wrong kind
        raise RefusedError(kind_problem(path.name, b"") or "")
    content, digest = read_file(path, MAX_ORIGINAL_BYTES)
    if problem := kind_problem(path.name, content[:16]):
        raise RefusedError(problem)
    with store._write():
        original_id, new = _insert(store, department_id, shown_name(path.name), content, digest, why)
    return next(o for o in originals(store, department_id) if o.id == original_id), new


def store_import(
    store: Store,
    entries: dict[int, dict],
    *,
    why: str,
    entered: Collection[int] = (),
    replace: bool = False,
    original: tuple[int, str, bytes] | None = None,
) -> int:
    """Store one file's answers and its original in one transaction: both or neither.

    ``entries``: response id → answers. A department that already has answers is refused unless
    ``replace`` (a corrected return): then every answer that differs is written through the
    store's audit-logged write (its old value in the log) and answers the return no longer has
    are cleared; a department signed off (確認済) or finalised (確定) is refused either way.
    ``original``: (department id, file name, content), kept as the department's original.
    Returns the number of answers written.
    """
    from .answers import check_imported

    check_imported(store, entries)
    if original is not None:
        department_id, _name, content = original
        if problem := kind_problem(_name, content[:16]):
            raise RefusedError(problem)
    written = 0
    with store._write():
        for response_id, answers in entries.items():
            if not answers:
                continue
            status = store._refuse_if_final(response_id)
            before = store._answers(response_id)[0]
            name = store.conn.execute(
                "SELECT d.name FROM responses r JOIN departments d ON d.id = r.department_id WHERE r.id = ?", (response_id,)
            ).fetchone()[0]
            if before and not replace:
                raise RefusedError(
                    f"{name} にはすでに回答が入力されています。取り込みでは上書きしません"
                    "（訂正された回答で置き換えるには --replace を付けます）。"
                )
            if before and status == "reviewed":
                raise RefusedError(f"{name} は確認済みのため置き換えられません。確認を取り消してから取り込んでください。")
            store._bump(response_id, None)
            if status == "not_started":
                store._set_status(response_id, status, "in_progress", why)
            for question_id in before:
                if question_id not in answers:
                    store._clear(response_id, question_id, why)
                    written += 1
            for question_id, value in answers.items():
                if before.get(question_id) != value:
                    store._put(response_id, question_id, value, why)
                    written += 1
            now_status = store._status(response_id)
            if response_id in entered and now_status != "entered":
                store._set_status(response_id, now_status, "entered", why, stamp=["entered"])
            elif response_id not in entered and now_status == "entered":
                store._set_status(response_id, now_status, "in_progress", why + "（経路に未入力の設問があるため入力中に戻す）")
        if original is not None:
            _insert(store, department_id, original[1], content, hashlib.sha256(content).hexdigest(), why)
    return written


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
