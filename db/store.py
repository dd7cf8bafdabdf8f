"""The store: every accepted answer committed at once, with who and when, in one SQLite file.

Writes take the write lock up front (BEGIN IMMEDIATE) in short transactions. Each response
carries a version counter, so a second clerk writing the same department is told instead of
silently overwriting. Every change goes to an append-only audit log, with old and new value.

The store enforces the office's rules itself (a finalised form is read-only, no one signs off
their own entry), so every adapter (entry screens, review, import) obeys them alike.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from survey import BUILTIN_DEFINITION, Questionnaire, Router, Value, check_answer, parse_definition
from survey.answers import Blank, Invalid, NotApplicable, decode, encode
from survey.validation import Severity

from .errors import ConflictError, RefusedError, StoreBusy, StoreError, StoreUnavailable
from .location import network_share
from .schema import (
    APPLICATION_ID,
    MIGRATION_NAMES,
    SCHEMA_VERSION,
    STATUS_LABELS,
    ensure_triggers,
    migrations,
)
from .who import os_login

__all__ = [
    "AuditEntry",
    "Department",
    "DepartmentState",
    "Flag",
    "Response",
    "Stamp",
    "Store",
    "open_store",
]

_SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_TIMEOUT = 5.0


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class Department:
    id: int
    bukyoku: str
    name: str
    position: int


@dataclass(frozen=True)
class Stamp:
    who: str
    at: str


@dataclass(frozen=True)
class Response:
    """One department's entry as read at ``version``."""

    id: int
    department: Department
    status: str
    version: int
    answers: Mapping[str, Value]
    stamps: Mapping[str, Stamp]
    updated: Stamp | None = None
    entered: Stamp | None = None
    reviewed: Stamp | None = None
    finalised: Stamp | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class DepartmentState:
    """A line of the department list."""

    department: Department
    response_id: int
    status: str
    version: int
    answered: int
    on_route: int
    updated: Stamp | None
    open_flags: int

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Flag:
    id: int
    response_id: int
    question_id: str
    comment: str
    raised: Stamp
    resolved: Stamp | None = None
    resolution: str | None = None

    @property
    def open(self) -> bool:
        return self.resolved is None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    who: str
    response_id: int | None
    question_id: str | None
    action: str
    old: str | None
    new: str | None
    why: str | None


def _state(value: Value) -> str:
    if isinstance(value, Blank):
        return "blank"
    if isinstance(value, Invalid):
        return "invalid"
    if isinstance(value, NotApplicable):
        return "not_applicable"
    return "answered"


def _dump(value: Value | None) -> str | None:
    return None if value is None else json.dumps(encode(value), ensure_ascii=False, sort_keys=True)


def translate(exc: sqlite3.Error, path: Path | str = "") -> StoreError:
    """A SQLite error as a message for the clerk (nothing was written)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    where = f"（{path}）" if path else ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return StoreBusy(
            f"データベース{where}は他の端末が書き込み中のため、待ちましたが使えませんでした。"
            "入力した値は保存されていません。少し待ってからもう一度保存してください。"
        )
    if name == "SQLITE_FULL" or "full" in text:
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
    folder = path.parent
    if not folder.is_dir():
        raise StoreUnavailable(f"フォルダ「{folder}」がありません。データベースの場所を確認してください。")
    if path.is_dir():
        raise StoreUnavailable(f"「{path}」はフォルダです。データベースのファイル名を指定してください。")
    if path.exists():
        if not os.access(path, os.R_OK):
            raise StoreUnavailable(f"データベース「{path}」を読む権限がありません。")
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_HEADER))
        if head and head != _SQLITE_HEADER:
            raise StoreUnavailable(
                f"「{path}」は SQLite のデータベースではありません。"
                "別のファイルを指定しているか、ファイルが壊れています。"
            )
        if not os.access(path, os.W_OK):
            raise StoreUnavailable(
                f"データベース「{path}」が読み取り専用です。ファイルの書き込み権限を確認してください。"
            )
    # WAL keeps -wal and -shm files beside the database: the folder must be writable too.
    if not os.access(folder, os.W_OK):
        raise StoreUnavailable(
            f"フォルダ「{folder}」に書き込めません（読み取り専用）。書き込めるフォルダを指定してください。"
        )


def open_store(
    path: str | Path,
    who: str | None = None,
    *,
    definition: str | Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Store:
    """Open the database at ``path``, creating and seeding it if it is new or empty.

    ``definition``: the questionnaire to seed a new database with (default: the built-in one).
    Raises a StoreError subclass, with its Japanese message, for every fault it can foresee.
    """
    path = Path(path)
    _preflight(path)
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    store = Store(conn, path, who or os_login(), timeout=timeout)
    try:
        store._prepare(definition)
    except BaseException:
        conn.close()
        raise
    return store


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path, who: str, *, timeout: float) -> None:
        self.conn = conn
        self.path = path
        self.who = who
        self.timeout = timeout
        self.warnings: list[str] = []
        self.backup_made: Path | None = None
        self.questionnaire_id = 0
        self._questionnaire: Questionnaire | None = None
        self._router: Router | None = None

    # -- opening -------------------------------------------------------------------------

    def _prepare(self, definition: str | Path | None) -> None:
        share = network_share(self.path)
        if share:
            self.warnings.append(
                f"データベースがネットワーク上（{share}）にあります。SQLite の排他制御はネットワーク"
                "共有では確実に働かず、同時に使うとデータが壊れるおそれがあります。各自のPCに置いてください。"
            )
        try:
            conn = self.conn
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app_id != APPLICATION_ID and (app_id != 0 or tables):
                raise StoreUnavailable(
                    f"「{self.path}」は chosho のデータベースではありません（別のアプリのファイルです）。"
                )
            if version > SCHEMA_VERSION:
                raise StoreUnavailable(
                    f"データベース「{self.path}」は新しい版の chosho（形式 {version}）で作られています。"
                    f"この chosho（形式 {SCHEMA_VERSION} まで）では開けません。chosho を更新してください。"
                )
            if tables:
                result = conn.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    raise StoreUnavailable(
                        f"データベース「{self.path}」の整合性検査で異常が見つかりました（{result}）。"
                        "バックアップから戻すか、管理者に連絡してください。"
                    )
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            if version < SCHEMA_VERSION:
                self._migrate(version)
            self._load_or_seed(definition)
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    def _migrate(self, version: int) -> None:
        """Bring an older (or new, empty) database to SCHEMA_VERSION, after a backup."""
        from sqlite_utils import Database  # only here: it imports pandas

        if version > 0:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            target = self.path.with_name(f"{self.path.stem}.before-v{SCHEMA_VERSION}-{stamp}{self.path.suffix}")
            self.backup(target)
            self.backup_made = target
        db = Database(self.conn)
        with self._write():
            migrations().apply(db)
            ensure_triggers(self.conn)
            self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._log(None, None, "migrate", str(version), str(SCHEMA_VERSION), "スキーマ更新")
        missing = ensure_triggers(self.conn)
        if missing:  # pragma: no cover - ensure_triggers ran inside the transaction
            raise StoreUnavailable("監査ログの保護（トリガー）を作れませんでした: " + "、".join(missing))

    def _load_or_seed(self, definition: str | Path | None) -> None:
        row = self.conn.execute(
            "SELECT id, source, sha256 FROM questionnaires ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            self._seed(Path(definition) if definition else BUILTIN_DEFINITION)
            return
        self.questionnaire_id = row[0]
        self._questionnaire = parse_definition(tomllib.loads(row[1]), source=f"db:{row[2][:12]}")

    def _seed(self, definition: Path) -> None:
        from survey import load_definition

        questionnaire = load_definition(definition)
        source = definition.read_text(encoding="utf-8")
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        with self._write():
            cursor = self.conn.execute(
                "INSERT INTO questionnaires (survey_id, title, sha256, source, loaded_at, loaded_by)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    str(questionnaire.meta.get("id", definition.stem)),
                    str(questionnaire.meta.get("title", definition.stem)),
                    digest,
                    source,
                    now(),
                    self.who,
                ),
            )
            qid = cursor.lastrowid
            for position, (bukyoku, name) in enumerate(questionnaire.departments, start=1):
                dept = self.conn.execute(
                    "INSERT INTO departments (questionnaire_id, bukyoku, name, position) VALUES (?, ?, ?, ?)",
                    (qid, bukyoku, name, position),
                ).lastrowid
                self.conn.execute(
                    "INSERT INTO responses (questionnaire_id, department_id) VALUES (?, ?)", (qid, dept)
                )
            self._log(None, None, "seed", None, digest, f"{len(questionnaire.departments)} 所属を登録")
        self.questionnaire_id = qid
        self._questionnaire = questionnaire

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------

    @property
    def questionnaire(self) -> Questionnaire:
        assert self._questionnaire is not None
        return self._questionnaire

    @property
    def router(self) -> Router:
        if self._router is None:
            self._router = Router(self.questionnaire)
        return self._router

    @contextmanager
    def _write(self) -> Iterator[None]:
        """A short write transaction holding the write lock from its start."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc
        try:
            yield
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if isinstance(exc, sqlite3.Error):
                raise translate(exc, self.path) from exc
            raise

    def _read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    def _log(
        self,
        response_id: int | None,
        question_id: str | None,
        action: str,
        old: str | None,
        new: str | None,
        why: str | None = None,
    ) -> None:
        self.conn.execute(
            "INSERT INTO audit_log (at, who, response_id, question_id, action, old, new, why)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (now(), self.who, response_id, question_id, action, old, new, why),
        )

    def _bump(self, response_id: int, expected_version: int | None, status: str | None = None) -> int:
        """Check the response was not changed by someone else, then stamp and version it."""
        row = self.conn.execute(
            "SELECT r.version, r.updated_by, r.updated_at, d.name FROM responses r"
            " JOIN departments d ON d.id = r.department_id WHERE r.id = ?",
            (response_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"回答票 {response_id} がありません。")
        version, by, at, name = row
        if expected_version is not None and version != expected_version:
            raise ConflictError(
                f"{name} の回答は、画面を開いた後に {by or '他の人'} さんが変更しました（{at}）。"
                "上書きせずに止めました。最新の内容を読み込み直してから、もう一度入力してください。"
            )
        stamp = now()
        self.conn.execute(
            "UPDATE responses SET version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?",
            (self.who, stamp, response_id),
        )
        if status is not None:
            self.conn.execute(
                "UPDATE responses SET status = ?, status_by = ?, status_at = ? WHERE id = ?",
                (status, self.who, stamp, response_id),
            )
        return version + 1

    def _status(self, response_id: int) -> str:
        row = self.conn.execute("SELECT status FROM responses WHERE id = ?", (response_id,)).fetchone()
        if row is None:
            raise StoreError(f"回答票 {response_id} がありません。")
        return row[0]

    def _set_status(self, response_id: int, old: str, new: str, why: str | None) -> None:
        self.conn.execute(
            "UPDATE responses SET status = ?, status_by = ?, status_at = ? WHERE id = ?",
            (new, self.who, now(), response_id),
        )
        self._log(response_id, None, "status", old, new, why)

    # -- users -----------------------------------------------------------------------------

    def remember_user(self, name: str | None = None, display_name: str | None = None) -> None:
        """Record who is working (and their display name); later writes are stamped with them."""
        if name:
            self.who = name
        stamp = now()
        with self._write():
            self.conn.execute(
                "INSERT INTO users (name, display_name, first_seen, last_seen) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET last_seen = excluded.last_seen,"
                " display_name = coalesce(excluded.display_name, users.display_name)",
                (self.who, display_name, stamp, stamp),
            )

    def users(self) -> list[tuple[str, str | None, str]]:
        """(name, display name, last seen), most recent first."""
        return [tuple(r) for r in self._read("SELECT name, display_name, last_seen FROM users ORDER BY last_seen DESC")]

    def display_name(self, name: str | None) -> str:
        if not name:
            return ""
        row = self._read("SELECT display_name FROM users WHERE name = ?", (name,))
        return row[0][0] if row and row[0][0] else name

    # -- reading ---------------------------------------------------------------------------

    def departments(self) -> list[Department]:
        rows = self._read(
            "SELECT id, bukyoku, name, position FROM departments WHERE questionnaire_id = ? ORDER BY position",
            (self.questionnaire_id,),
        )
        return [Department(*row) for row in rows]

    def _answers(self, response_id: int) -> tuple[dict[str, Value], dict[str, Stamp]]:
        answers: dict[str, Value] = {}
        stamps: dict[str, Stamp] = {}
        for qid, value, who, at in self._read(
            "SELECT question_id, value, entered_by, entered_at FROM answers WHERE response_id = ?",
            (response_id,),
        ):
            answers[qid] = decode(json.loads(value))
            stamps[qid] = Stamp(who, at)
        return answers, stamps

    def response(self, *, department_id: int | None = None, response_id: int | None = None) -> Response:
        where, key = ("r.department_id", department_id) if department_id is not None else ("r.id", response_id)
        rows = self._read(
            "SELECT r.id, d.id, d.bukyoku, d.name, d.position, r.status, r.version,"
            " r.updated_by, r.updated_at, r.entered_by, r.entered_at, r.reviewed_by, r.reviewed_at,"
            " r.finalised_by, r.finalised_at"
            f" FROM responses r JOIN departments d ON d.id = r.department_id WHERE {where} = ?",
            (key,),
        )
        if not rows:
            raise StoreError("指定の所属の回答票がありません。")
        (rid, did, bukyoku, name, position, status, version, *stamp_cols) = rows[0]
        stamps_pairs = [
            Stamp(stamp_cols[i], stamp_cols[i + 1]) if stamp_cols[i] else None for i in range(0, 8, 2)
        ]
        answers, stamps = self._answers(rid)
        return Response(
            rid, Department(did, bukyoku, name, position), status, version, answers, stamps, *stamps_pairs
        )

    def overview(self) -> list[DepartmentState]:
        """Every department with its status, progress on its own route and open flags."""
        rows = self._read(
            "SELECT d.id, d.bukyoku, d.name, d.position, r.id, r.status, r.version, r.updated_by, r.updated_at,"
            " (SELECT count(*) FROM flags f WHERE f.response_id = r.id AND f.resolved_at IS NULL)"
            " FROM departments d JOIN responses r ON r.department_id = d.id"
            " WHERE d.questionnaire_id = ? ORDER BY d.position",
            (self.questionnaire_id,),
        )
        answers_by: dict[int, dict[str, Value]] = {}
        for rid, qid, value in self._read(
            "SELECT a.response_id, a.question_id, a.value FROM answers a"
            " JOIN responses r ON r.id = a.response_id WHERE r.questionnaire_id = ?",
            (self.questionnaire_id,),
        ):
            answers_by.setdefault(rid, {})[qid] = decode(json.loads(value))
        states = []
        untouched = None  # every department not yet started shares one route
        for did, bukyoku, name, position, rid, status, version, by, at, flags in rows:
            answers = answers_by.get(rid, {})
            if answers:
                route = self.router.route(answers)
            else:
                untouched = untouched or self.router.route({})
                route = untouched
            answered = sum(1 for qid in route.order if qid in answers)
            states.append(
                DepartmentState(
                    Department(did, bukyoku, name, position),
                    rid,
                    status,
                    version,
                    answered,
                    len(route.order),
                    Stamp(by, at) if by else None,
                    flags,
                )
            )
        return states

    def responses(self) -> list[Response]:
        """Every department's response with its answers, in roster order: two queries in all.

        For the export, which reads every department at once; ``response()`` reads one.
        """
        answers_by: dict[int, dict[str, Value]] = {}
        stamps_by: dict[int, dict[str, Stamp]] = {}
        for rid, qid, value, who, at in self._read(
            "SELECT a.response_id, a.question_id, a.value, a.entered_by, a.entered_at FROM answers a"
            " JOIN responses r ON r.id = a.response_id WHERE r.questionnaire_id = ?",
            (self.questionnaire_id,),
        ):
            answers_by.setdefault(rid, {})[qid] = decode(json.loads(value))
            stamps_by.setdefault(rid, {})[qid] = Stamp(who, at)
        rows = self._read(
            "SELECT r.id, d.id, d.bukyoku, d.name, d.position, r.status, r.version,"
            " r.updated_by, r.updated_at, r.entered_by, r.entered_at, r.reviewed_by, r.reviewed_at,"
            " r.finalised_by, r.finalised_at"
            " FROM responses r JOIN departments d ON d.id = r.department_id"
            " WHERE d.questionnaire_id = ? ORDER BY d.position",
            (self.questionnaire_id,),
        )
        result = []
        for rid, did, bukyoku, name, position, status, version, *cols in rows:
            stamps = [Stamp(cols[i], cols[i + 1]) if cols[i] else None for i in range(0, 8, 2)]
            result.append(
                Response(
                    rid, Department(did, bukyoku, name, position), status, version,
                    answers_by.get(rid, {}), stamps_by.get(rid, {}), *stamps,
                )
            )
        return result

    def history(self, response_id: int | None = None) -> list[AuditEntry]:
        if response_id is None:
            rows = self._read("SELECT * FROM audit_log ORDER BY id")
        else:
            rows = self._read("SELECT * FROM audit_log WHERE response_id = ? ORDER BY id", (response_id,))
        return [AuditEntry(*row) for row in rows]

    def editors(self, response_id: int) -> set[str]:
        """Everyone who entered or changed this department's answers."""
        return {
            row[0]
            for row in self._read(
                "SELECT DISTINCT who FROM audit_log WHERE response_id = ? AND action IN ('answer', 'clear')",
                (response_id,),
            )
        }

    # -- entering --------------------------------------------------------------------------

    def _refuse_if_final(self, response_id: int) -> str:
        status = self._status(response_id)
        if status == "final":
            raise RefusedError(
                "この所属は確定済みのため編集できません。修正が必要な場合は、理由を記録して確定を解除してください。"
            )
        return status

    def save_answer(
        self,
        response_id: int,
        question_id: str,
        value: Value,
        *,
        expected_version: int | None,
        clear: Iterable[str] = (),
        why: str | None = None,
    ) -> int:
        """Store one accepted answer at once; ``clear`` drops answers that left the route.

        Returns the response's new version. Hard errors are refused here too, so no adapter
        can store what the form does not allow.
        """
        errors = [p for p in check_answer(self.questionnaire, question_id, value) if p.severity is Severity.ERROR]
        if errors:
            raise RefusedError("\n".join(p.message for p in errors))
        with self._write():
            status = self._refuse_if_final(response_id)
            new_status = {"not_started": "in_progress", "reviewed": "entered"}.get(status)
            version = self._bump(response_id, expected_version)
            if new_status:
                reason = "回答の変更により確認を取り消し" if status == "reviewed" else None
                self._set_status(response_id, status, new_status, reason)
            for qid in clear:
                self._clear(response_id, qid, why or "経路の変更により非該当")
            old = self.conn.execute(
                "SELECT value FROM answers WHERE response_id = ? AND question_id = ?", (response_id, question_id)
            ).fetchone()
            new = _dump(value)
            self.conn.execute(
                "INSERT INTO answers (response_id, question_id, state, value, entered_by, entered_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(response_id, question_id) DO UPDATE SET"
                " state = excluded.state, value = excluded.value,"
                " entered_by = excluded.entered_by, entered_at = excluded.entered_at",
                (response_id, question_id, _state(value), new, self.who, now()),
            )
            self._log(response_id, question_id, "answer", old[0] if old else None, new, why)
        return version

    def _clear(self, response_id: int, question_id: str, why: str | None) -> bool:
        old = self.conn.execute(
            "SELECT value FROM answers WHERE response_id = ? AND question_id = ?", (response_id, question_id)
        ).fetchone()
        if old is None:
            return False
        self.conn.execute(
            "DELETE FROM answers WHERE response_id = ? AND question_id = ?", (response_id, question_id)
        )
        self._log(response_id, question_id, "clear", old[0], None, why)
        return True

    def clear_answers(
        self, response_id: int, question_ids: Iterable[str], *, expected_version: int | None, why: str | None = None
    ) -> int:
        """Remove recorded answers (kept in the audit log with their old value)."""
        with self._write():
            self._refuse_if_final(response_id)
            version = self._bump(response_id, expected_version)
            for qid in question_ids:
                self._clear(response_id, qid, why)
        return version

    def mark_entered(self, response_id: int, *, expected_version: int | None) -> int:
        """The clerk has entered the whole form: 入力済."""
        with self._write():
            status = self._refuse_if_final(response_id)
            if status in ("entered", "reviewed"):
                return self._current_version(response_id)
            version = self._bump(response_id, expected_version)
            self._set_status(response_id, status, "entered", None)
            self.conn.execute(
                "UPDATE responses SET entered_by = ?, entered_at = ? WHERE id = ?", (self.who, now(), response_id)
            )
        return version

    def _current_version(self, response_id: int) -> int:
        return self.conn.execute("SELECT version FROM responses WHERE id = ?", (response_id,)).fetchone()[0]

    def import_answers(self, entries: Mapping[int, Mapping[str, Value]], *, why: str) -> int:
        """Store imported answers for many departments in one transaction: all or nothing.

        ``entries`` maps a response id to its answers. Each value is checked like a typed one
        (hard errors refuse the whole import); a department that is finalised or already has
        answers is refused too, so an import never overwrites. Every answer is logged as an
        ``answer`` by this person (who then may not sign those departments off), with ``why``.
        Returns the number of answers stored.
        """
        problems = []
        for response_id, answers in entries.items():
            for question_id, value in answers.items():
                problems += [
                    f"{question_id}: {p.message}"
                    for p in check_answer(self.questionnaire, question_id, value)
                    if p.severity is Severity.ERROR
                ]
        if problems:
            raise RefusedError("取り込めない回答があります。\n" + "\n".join(problems))
        stored = 0
        with self._write():
            for response_id, answers in entries.items():
                if not answers:
                    continue
                status = self._refuse_if_final(response_id)
                existing = self.conn.execute(
                    "SELECT count(*) FROM answers WHERE response_id = ?", (response_id,)
                ).fetchone()[0]
                if existing:
                    name = self.conn.execute(
                        "SELECT d.name FROM responses r JOIN departments d ON d.id = r.department_id"
                        " WHERE r.id = ?",
                        (response_id,),
                    ).fetchone()[0]
                    raise RefusedError(f"{name} にはすでに回答が入力されています。取り込みでは上書きしません。")
                self._bump(response_id, None)
                if status == "not_started":
                    self._set_status(response_id, status, "in_progress", why)
                stamp = now()
                for question_id, value in answers.items():
                    new = _dump(value)
                    self.conn.execute(
                        "INSERT INTO answers (response_id, question_id, state, value, entered_by, entered_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (response_id, question_id, _state(value), new, self.who, stamp),
                    )
                    self._log(response_id, question_id, "answer", None, new, why)
                    stored += 1
        return stored

    # -- review ----------------------------------------------------------------------------

    def flags(self, response_id: int | None = None, *, open_only: bool = False) -> list[Flag]:
        sql = "SELECT id, response_id, question_id, comment, raised_by, raised_at, resolved_by, resolved_at, resolution FROM flags"
        clauses, params = [], []
        if response_id is not None:
            clauses.append("response_id = ?")
            params.append(response_id)
        if open_only:
            clauses.append("resolved_at IS NULL")
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        flags = []
        for fid, rid, qid, comment, rby, rat, sby, sat, resolution in self._read(sql + " ORDER BY id", params):
            flags.append(Flag(fid, rid, qid, comment, Stamp(rby, rat), Stamp(sby, sat) if sat else None, resolution))
        return flags

    def raise_flag(self, response_id: int, question_id: str, comment: str) -> int:
        comment = comment.strip()
        if not comment:
            raise RefusedError("疑義の内容を入力してください。")
        if self.questionnaire.question(question_id) is None:
            raise RefusedError(f"{question_id} という問いはありません。")
        with self._write():
            fid = self.conn.execute(
                "INSERT INTO flags (response_id, question_id, comment, raised_by, raised_at) VALUES (?, ?, ?, ?, ?)",
                (response_id, question_id, comment, self.who, now()),
            ).lastrowid
            self._log(response_id, question_id, "flag", None, comment, None)
        return fid

    def resolve_flag(self, flag_id: int, resolution: str) -> None:
        resolution = resolution.strip()
        if not resolution:
            raise RefusedError("疑義をどう解決したかを入力してください。")
        with self._write():
            row = self.conn.execute(
                "SELECT response_id, question_id, comment, resolved_at FROM flags WHERE id = ?", (flag_id,)
            ).fetchone()
            if row is None:
                raise RefusedError(f"疑義 {flag_id} がありません。")
            if row[3] is not None:
                raise RefusedError("この疑義はすでに解決済みです。")
            self.conn.execute(
                "UPDATE flags SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ?",
                (self.who, now(), resolution, flag_id),
            )
            self._log(row[0], row[1], "resolve", row[2], resolution, None)

    def hard_errors(self, response: Response) -> list[str]:
        """Stored answers the form does not allow (e.g. entered before a definition fix)."""
        messages = []
        for qid, value in response.answers.items():
            for problem in check_answer(self.questionnaire, qid, value):
                if problem.severity is Severity.ERROR:
                    messages.append(f"{qid}: {problem.message}")
        return messages

    def sign_off_refusals(self, response_id: int) -> list[str]:
        """Why this person may not sign this department off now (empty: they may)."""
        response = self.response(response_id=response_id)
        reasons = []
        if response.status != "entered":
            reasons.append(f"状態が「{response.status_label}」です。確認できるのは「入力済」の所属だけです。")
        if self.who in self.editors(response_id):
            reasons.append(f"{self.who} さんはこの所属の回答を入力・変更しているため、自分で確認済にはできません。")
        open_flags = self.flags(response_id, open_only=True)
        if open_flags:
            reasons.append(
                f"未解決の疑義が {len(open_flags)} 件あります（" + "、".join(f.question_id for f in open_flags) + "）。"
            )
        errors = self.hard_errors(response)
        if errors:
            reasons.append("誤りのある回答があります: " + " / ".join(errors))
        return reasons

    def sign_off(self, response_id: int, *, expected_version: int | None) -> int:
        with self._write():
            reasons = self.sign_off_refusals(response_id)
            if reasons:
                raise RefusedError("確認済にできません。\n" + "\n".join(reasons))
            version = self._bump(response_id, expected_version)
            self._set_status(response_id, "entered", "reviewed", None)
            self.conn.execute(
                "UPDATE responses SET reviewed_by = ?, reviewed_at = ? WHERE id = ?", (self.who, now(), response_id)
            )
        return version

    def finalise(self, response_id: int, *, expected_version: int | None) -> int:
        with self._write():
            status = self._status(response_id)
            if status != "reviewed":
                raise RefusedError(
                    f"状態が「{STATUS_LABELS[status]}」のため確定できません。確定できるのは「確認済」の所属だけです。"
                )
            version = self._bump(response_id, expected_version)
            self._set_status(response_id, "reviewed", "final", None)
            self.conn.execute(
                "UPDATE responses SET finalised_by = ?, finalised_at = ? WHERE id = ?", (self.who, now(), response_id)
            )
        return version

    def unlock(self, response_id: int, reason: str, *, expected_version: int | None) -> int:
        """Reopen a finalised department; its sign-off is cancelled, the reason logged."""
        reason = reason.strip()
        if not reason:
            raise RefusedError("確定を解除する理由を入力してください。")
        with self._write():
            status = self._status(response_id)
            if status != "final":
                raise RefusedError(f"状態が「{STATUS_LABELS[status]}」のため、解除するものがありません。")
            version = self._bump(response_id, expected_version)
            self._set_status(response_id, "final", "entered", reason)
            self.conn.execute(
                "UPDATE responses SET reviewed_by = NULL, reviewed_at = NULL,"
                " finalised_by = NULL, finalised_at = NULL WHERE id = ?",
                (response_id,),
            )
        return version

    # -- safety ----------------------------------------------------------------------------

    def backup(self, target: str | Path) -> Path:
        """A consistent copy through SQLite's online backup (a file copy of a WAL database loses data)."""
        target = Path(target)
        if target.resolve() == self.path.resolve():
            raise StoreError("バックアップ先が元のデータベースと同じです。別のファイル名を指定してください。")
        if not target.parent.is_dir():
            raise StoreUnavailable(f"フォルダ「{target.parent}」がありません。")
        partial = target.with_name(target.name + ".part")
        try:
            dest = sqlite3.connect(partial)
            try:
                self.conn.backup(dest)
            finally:
                dest.close()
            os.replace(partial, target)
        except sqlite3.Error as exc:
            partial.unlink(missing_ok=True)
            raise translate(exc, target) from exc
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise StoreError(f"バックアップを書けませんでした（{target}）: {exc.strerror or exc}") from exc
        return target

    def integrity(self) -> str:
        return self._read("PRAGMA integrity_check")[0][0]


__all__ += ["translate", "now", "MIGRATION_NAMES"]
