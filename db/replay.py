"""Replaying the audit log: what the tables must hold, made from the entries alone.

``replay(entries)`` applies every entry, from the first, to an empty database of chosho's own
schema (``journal.apply``, the function the store writes with), and ``differences(actual,
replayed)`` names, in Japanese, each department and question whose stored state is not what
the log says, with both values. ``chosho verify`` uses both; so does the property test that
random sequences of store operations leave the tables equal to their replay.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from functools import lru_cache

from .journal import Entry, apply
from .schema import STATUS_LABELS

__all__ = ["COMPARED", "differences", "logged_definition_digest", "replay"]


@lru_cache(maxsize=1)
def _schema_sql() -> tuple[str, ...]:
    """The CREATE statements of a database the migrations build (sqlite-utils, once a process)."""
    from sqlite_utils import Database

    from .schema import ensure_triggers, migrations

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrations().apply(Database(conn))
        ensure_triggers(conn)
        return tuple(
            sql for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            )
        )
    finally:
        conn.close()


def replay(entries: Iterable[Entry]) -> sqlite3.Connection:
    """An in-memory database holding what ``entries`` (in order) make. A pure function of them."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for sql in _schema_sql():
        conn.execute(sql)
    conn.execute("BEGIN")
    for entry in entries:
        apply(conn, entry)
    conn.execute("COMMIT")
    return conn


def logged_definition_digest(entries: Iterable[Entry]) -> str | None:
    """The questionnaire's SHA-256 as the first seed entry logged it (before m007: its ``new``)."""
    for entry in entries:
        if entry.action == "seed":
            if entry.payload and "questionnaire" in entry.payload:
                return entry.payload["questionnaire"]["sha256"]
            return entry.new
    return None


# table → (its name in Japanese, key columns, columns not compared: caches and what the log
# holds only as a digest)
COMPARED: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "questionnaires": ("調書定義", ("id",), ()),
    "departments": ("所属", ("id",), ()),
    "responses": ("回答票", ("id",), ("progress_version", "answered", "on_route")),
    "answers": ("回答", ("response_id", "question_id"), ()),
    "flags": ("疑義", ("id",), ()),
    "originals": ("原本", ("id",), ("content",)),
    "verification_plans": ("照合入力の抽出", ("id",), ()),
    "verification_targets": ("照合入力の対象", ("department_id",), ()),
    "keyings": ("照合入力", ("id",), ()),
    "keyed_answers": ("照合入力の回答", ("keying_id", "question_id"), ()),
    "resolutions": ("突合の選択", ("keying_id", "variable"), ()),
    "key_events": ("入力者統計の記録", ("id",), ()),
    "users": ("作業者", ("name",), ()),
    "accounts": ("アカウント", ("name",), ()),
}

_COLUMN_NAMES = {
    "status": "状態", "version": "版", "value": "値", "state": "種別", "entered_by": "入力者",
    "entered_at": "入力日時", "reviewed_by": "確認者", "reviewed_at": "確認日時", "finalised_by": "確定者",
    "finalised_at": "確定日時", "updated_by": "更新者", "updated_at": "更新日時", "status_by": "状態の変更者",
    "status_at": "状態の変更日時", "comment": "疑義の内容", "resolution": "解決の内容", "resolved_by": "解決者",
    "resolved_at": "解決日時", "reply": "回答", "replied_by": "回答者", "raised_by": "疑義を付けた人",
    "sha256": "SHA-256", "source": "本文", "name": "名前", "keyer": "入力者", "completed_at": "完了日時",
    "adjudicated_by": "突合した人", "choice": "選択", "cell": "値", "reason": "理由", "display_name": "表示名",
    "why": "理由", "stored_by": "保存者", "stored_at": "保存日時", "size": "大きさ", "department_id": "所属",
    "question_id": "問い", "response_id": "回答票", "made_by": "作成者", "made_at": "作成日時", "rule": "抽出方法",
    "parameter": "抽出の値", "seed": "シード", "description": "説明", "chosen": "選ばれた所属", "plan_id": "抽出",
    "live": "その場で照合", "started_at": "開始日時", "adjudicated_at": "突合日時", "person": "作業者",
    "at": "日時", "kind": "種類", "field": "問い", "first_seen": "最初に使った日時", "last_seen": "最後に使った日時",
    "loaded_at": "登録日時", "loaded_by": "登録者", "survey_id": "調書の識別子", "title": "表題", "bukyoku": "部局",
    "position": "順番", "raised_at": "疑義の日時", "replied_at": "回答日時", "questionnaire_id": "調書",
    "id": "番号", "keying_id": "照合入力", "variable": "変数", "resolved_at": "解決日時",
    "key": "照合用の名前", "password_hash": "パスワードのハッシュ", "admin": "管理者", "disabled": "使用停止",
    "created_at": "作成日時", "created_by": "作成者",
}


def _rows(conn: sqlite3.Connection, table: str, skip: tuple[str, ...]) -> tuple[list[str], dict[tuple, tuple]]:
    columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")') if row[1] not in skip]
    keys = COMPARED[table][1]
    rows = {}
    for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table}"):
        record = dict(zip(columns, row))
        rows[tuple(record[k] for k in keys)] = tuple(row)
    return columns, rows


_CODES = {
    "status": STATUS_LABELS,
    "state": {"answered": "回答", "blank": "無回答", "invalid": "無効", "not_applicable": "非該当"},
    "admin": {0: "一般", 1: "管理者"},
    "disabled": {0: "使用中", 1: "使用停止"},
}


def _shown(column: str, value: object) -> object:
    """A stored code as the screens say it (状態「確定」, not ``final``)."""
    return _CODES.get(column, {}).get(value, value) if isinstance(value, (str, int)) else value


def _short(value: object, limit: int = 200) -> str:
    if value is None:
        return "（なし）"
    text = str(value).replace("\n", "⏎")
    return text if len(text) <= limit else text[:limit] + "…"


class _Names:
    """Department names for the messages, from the replayed database (what the log says)."""

    def __init__(self, replayed: sqlite3.Connection) -> None:
        self.by_response = dict(replayed.execute(
            "SELECT r.id, d.name FROM responses r JOIN departments d ON d.id = r.department_id"
        ).fetchall())
        self.by_department = dict(replayed.execute("SELECT id, name FROM departments").fetchall())
        self.by_keying = {
            kid: self.by_department.get(did, f"所属 {did}")
            for kid, did in replayed.execute("SELECT id, department_id FROM keyings")
        }
        self.by_flag = dict(replayed.execute("SELECT id, response_id FROM flags").fetchall())

    def where(self, table: str, record: dict) -> str:
        if table in ("answers", "responses", "flags"):
            rid = record.get("response_id") if table != "responses" else record.get("id")
            name = self.by_response.get(rid, f"回答票 {rid}")
            question = f" {record['question_id']}" if record.get("question_id") else ""
            flag = f" 疑義 {record['id']}" if table == "flags" else ""
            return f"{name}{question}{flag}"
        if table in ("originals", "verification_targets", "departments"):
            did = record.get("department_id", record.get("id"))
            return self.by_department.get(did, f"所属 {did}") + (f"「{record.get('name')}」" if table == "originals" else "")
        if table in ("keyings", "keyed_answers", "resolutions"):
            kid = record.get("keying_id", record.get("id"))
            detail = record.get("question_id") or record.get("variable") or ""
            return f"{self.by_keying.get(kid, f'照合入力 {kid}')}{' ' + detail if detail else ''}"
        if table == "users":
            return f"作業者 {record.get('name')}"
        if table == "accounts":
            return f"アカウント {record.get('name')}"
        return f"{COMPARED[table][0]} {record.get('id', '')}".strip()


def differences(actual: sqlite3.Connection, replayed: sqlite3.Connection) -> list[str]:
    """Each stored row that differs from the replayed one, in Japanese with both values."""
    names = _Names(replayed)
    found: list[str] = []
    for table, (label, _keys, skip) in COMPARED.items():
        columns, stored = _rows(actual, table, skip)
        logged_columns, logged = _rows(replayed, table, skip)
        if columns != logged_columns:
            found.append(f"{label}: 表の列が chosho の定義と違います")
            continue
        for key in sorted(set(stored) | set(logged), key=repr):
            have, want = stored.get(key), logged.get(key)
            if have == want:
                continue
            record = dict(zip(columns, want if want is not None else have))
            where = names.where(table, record)
            if want is None:
                found.append(f"{where}: 監査ログにない{label}があります（" + _describe(columns, have) + "）")
            elif have is None:
                found.append(f"{where}: 監査ログにある{label}がデータベースにありません（" + _describe(columns, want) + "）")
            else:
                for column, a, b in zip(columns, have, want):
                    if a != b:
                        found.append(
                            f"{where}: {label}の{_COLUMN_NAMES.get(column, column)}が監査ログと違います"
                            f"（データベース「{_short(_shown(column, a))}」、監査ログ「{_short(_shown(column, b))}」）"
                        )
    return found


def _describe(columns: list[str], row: tuple) -> str:
    shown = [
        f"{_COLUMN_NAMES.get(c, c)} {_short(_shown(c, v), 40)}"
        for c, v in zip(columns, row)
        if c in _COLUMN_NAMES and c != "source" and v is not None
    ]
    return "、".join(shown[:4]) or "内容なし"
