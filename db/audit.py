"""The audit log as a hash chain: each entry stores a SHA-256 over its own content and the
previous entry's hash, so a changed, removed or inserted entry shows where it happened.

Triggers refuse UPDATE, DELETE and REPLACE in the database itself, but anyone with the file can
drop a trigger; the chain is what makes such an edit visible (``chosho verify``). A chain cannot
show its own tail removed, nor tell a wholly recomputed chain from an honest one: a seal
(``seal``: entry number and the first 12 hex digits of its hash) written down outside the file
after a sign-off, 確定 or backup, or the head printed on a report, pins the history up to it
(docs/audit-log.md says what is and is not detectable).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import NamedTuple

__all__ = [
    "COLUMNS", "GENESIS", "ChainBreak", "append_many", "chain_rows", "entry_hash", "first_break", "head", "seal",
]

# The entry's content, in the order it is hashed (the hash column itself excluded).
COLUMNS = ("id", "at", "who", "response_id", "question_id", "action", "old", "new", "why")
GENESIS = "0" * 64  # the "previous hash" of the first entry


def entry_hash(row: Iterable, previous: str, payload: str | None = None) -> str:
    """SHA-256 of the entry (COLUMNS, in order, then its payload when it has one: m007) and the
    previous entry's hash, as hex. ``row`` may also end with the payload (as ``chain_rows`` reads).

    JSON keeps the types apart (1 is not "1", NULL is not ""), so no two contents hash alike.
    An entry without payload hashes as before m007, so older chains still verify.
    """
    import hashlib  # only when writing or verifying: it loads OpenSSL
    import json

    row = list(row)
    if len(row) > len(COLUMNS):
        payload = row.pop()
    content = [*row, payload] if payload is not None else row
    text = json.dumps([*content, previous], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def append_many(conn: sqlite3.Connection, entries: list[tuple]) -> tuple[int, str]:
    """Append entries (COLUMNS without id, then the payload JSON), chained; the caller holds
    the write lock. Returns (id, hash) of the last."""
    last = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    entry_id, previous = (last[0], last[1] or GENESIS) if last else (0, GENESIS)
    rows = []
    for entry in entries:
        entry_id += 1
        row = (entry_id, *entry[:-1])
        previous = entry_hash(row, previous, entry[-1])
        rows.append((*row, entry[-1], previous))
    conn.executemany(
        f"INSERT INTO audit_log ({', '.join(COLUMNS)}, payload, hash) VALUES ({', '.join('?' * (len(COLUMNS) + 2))})",
        rows,
    )
    return entry_id, previous


def seal(entry_id: int, digest: str) -> str:
    """The short anchor a reviewer writes down: entry number and the hash's first 12 hex digits."""
    return f"{entry_id}:{digest[:12]}"


def chain_rows(conn: sqlite3.Connection) -> Iterable[tuple]:
    """Each entry as (COLUMNS…, payload, hash), in order (the payload column exists from m007)."""
    has_payload = any(row[1] == "payload" for row in conn.execute("PRAGMA table_info(audit_log)"))
    payload = "payload" if has_payload else "NULL"
    return conn.execute(f"SELECT {', '.join(COLUMNS)}, {payload}, hash FROM audit_log ORDER BY id")


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """(number of entries, the last entry's hash): what a printed report pins."""
    count, = conn.execute("SELECT count(*) FROM audit_log").fetchone()
    last = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return count, (last[0] or "") if last else GENESIS


class ChainBreak(NamedTuple):
    """The first entry that does not match: its position (1-based), id and row, and why."""

    position: int
    entry_id: int | None
    row: tuple | None
    reason: str

    def describe(self) -> str:
        if self.row is None:
            return f"監査ログの {self.position} 件目: {self.reason}"
        _, at, who, _rid, qid, action, *_ = self.row
        what = f"{action}{' ' + qid if qid else ''}"
        return (
            f"監査ログの {self.position} 件目（番号 {self.entry_id}、{(at or '')[:19].replace('T', ' ')}、"
            f"{who}、{what}）: {self.reason}"
        )


def first_break(rows: Iterable[tuple]) -> tuple[int, str, ChainBreak | None]:
    """Walk the whole chain: (entries, last hash, the first break or None)."""
    previous, expected_id, count = GENESIS, 1, 0
    for count, (*row, stored) in enumerate(rows, start=1):
        entry_id = row[0]
        if entry_id != expected_id:
            missing = f"番号 {expected_id}" + (f"～{entry_id - 1}" if entry_id - 1 > expected_id else "")
            return count, stored, ChainBreak(
                count, entry_id, tuple(row), f"直前の記録（{missing}）がありません。削除されています。"
            )
        if not stored:
            return count, "", ChainBreak(count, entry_id, tuple(row), "ハッシュがありません（連鎖の外で追加された記録です）。")
        if entry_hash(row, previous) != stored:
            return count, stored, ChainBreak(
                count, entry_id, tuple(row),
                "内容がハッシュと一致しません。この記録か、その直前の記録が書き換えられています。",
            )
        previous, expected_id = stored, entry_id + 1
    return count, previous, None
