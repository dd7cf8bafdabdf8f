"""The store: every accepted answer committed at once, with who and when, in one SQLite file.

Writes take the write lock up front (BEGIN IMMEDIATE) in short transactions. Each response
carries a version counter, so a second clerk writing the same department is told instead of
silently overwriting. Every change goes to an append-only audit log, with old and new value.

The store enforces the office's rules itself (a finalised form is read-only, no one signs off
their own entry), so every adapter (entry screens, review, import) obeys them alike.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import partialmethod
from pathlib import Path
from typing import TYPE_CHECKING

# The questionnaire's classes are imported where they are used, not here: the app's first
# screen (who is entering) opens the store before it needs them (see Store.questionnaire).
from survey import DefinitionError
from survey.definition_text import DefinitionText

from . import answers, audit, opening, review, table_rows, verification
from .errors import ConflictError, RefusedError, StoreError, StoreUnavailable
from .location import name_problem
from .sqlite_file import _copy_database, _preflight, translate
from .schema import MIGRATION_NAMES, SCHEMA_VERSION
from .journal import Journal
from .records import AuditEntry, Department, DepartmentState, Response, load_value
from .review import Flag
from .who import Stamp, check_name, os_login, person_key

if TYPE_CHECKING:
    from survey import Questionnaire, Router, Value

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

DEFAULT_TIMEOUT = 5.0


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def open_store(
    path: str | Path,
    who: str | None = None,
    *,
    definition: str | Path | DefinitionText | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    defer_definition: bool = False,
) -> Store:
    """Open the database at ``path``, creating and seeding it if it is new or empty.

    ``definition``: the questionnaire to seed a new database with (default: the built-in one): a
    TOML file, or a ``DefinitionText`` (a workbook read by ``exports.xlsform.read_definition``).
    ``defer_definition``: read the stored questionnaire at its first use, not now (the app's
    "who is entering" screen shows only its title); a damaged one is then reported there.
    Raises a StoreError subclass, with its Japanese message, for every fault it can foresee.
    """
    path = Path(path)
    who = who or os_login()
    check_name(who)  # every write is stamped with this name: it must name one visible person
    _preflight(path)
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise translate(exc, path, doing="open") from exc
    store = Store(conn, path, who, timeout=timeout)
    try:
        store._prepare(definition, defer_definition)
    except BaseException:
        conn.close()
        raise
    return store


class Store:
    """One open database: opening and migrating it, the write transaction and the journal that
    every write goes through, and the reads the screens and the export make.

    Entering (db/answers.py), review (db/review.py) and double entry (db/verification.py) are
    modules of functions that take the store; each is offered here as a method of the same name
    and signature (``partialmethod``), so adapters call ``store.sign_off(...)`` as before.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, who: str, *, timeout: float) -> None:
        self.conn = conn
        self.path = path
        self.who = who
        self.timeout = timeout
        self.warnings: list[str] = []
        self.backup_made: Path | None = None
        self.questionnaire_id = 0
        self._questionnaire: Questionnaire | None = None
        self._source = self._sha256 = self._title = ""
        self._router: Router | None = None
        self._touched: set[int] = set()  # responses changed in the write transaction under way
        self.journal = Journal(conn)  # the one writer of what the log determines (db/journal.py)
        self._writing = False

    # -- opening (db/opening.py) ------------------------------------------------------

    _prepare = partialmethod(opening.prepare)
    _questionnaire_row = partialmethod(opening._questionnaire_row)

    def _load(self, defer: bool = False) -> None:
        row = self._questionnaire_row()
        assert row is not None
        self.questionnaire_id, self._source, self._sha256, self._title = row
        if not defer:
            self._parse_definition()

    def _parse_definition(self) -> Questionnaire:
        """The stored definition, read once (StoreUnavailable, in Japanese, when it cannot be)."""
        if self._questionnaire is None:
            import tomllib

            from survey import parse_definition

            try:
                self._questionnaire = parse_definition(tomllib.loads(self._source), source=f"db:{self._sha256[:12]}")
            except (tomllib.TOMLDecodeError, DefinitionError, TypeError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise StoreUnavailable(
                    f"データベース「{self.path}」に保存されている調書定義が読めません（{first[:200]}）。"
                    "データベースが壊れているか、外から書き換えられています。"
                    "バックアップから戻すか、管理者に連絡してください（chosho verify で点検できます）。"
                ) from exc
        return self._questionnaire

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------

    @property
    def questionnaire(self) -> Questionnaire:
        """The questionnaire, read from the database at the first use when opened with
        ``defer_definition`` (raises StoreUnavailable if it cannot be read)."""
        return self._questionnaire or self._parse_definition()

    @property
    def title(self) -> str:
        """The questionnaire's title, without reading the whole definition."""
        return self._questionnaire.title if self._questionnaire else self._title

    @property
    def router(self) -> Router:
        if self._router is None:
            from survey import Router

            self._router = Router(self.questionnaire)
        return self._router

    @contextmanager
    def _write(self, doing: str = "save") -> Iterator[None]:
        """A short write transaction holding the write lock from its start.

        BEGIN IMMEDIATE waits (busy timeout) for the lock up front: a deferred transaction that
        read first would fail at once in WAL when another process committed in between.
        On any error everything since BEGIN is rolled back: nothing is half-written.
        """
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise translate(exc, self.path, doing=doing) from exc
        self.journal.begin(now())
        self._writing = True
        try:
            yield
            if self._touched:
                self._record_progress(self._touched)
            appended = self.journal.flush(self.who)
            conn.execute("COMMIT")
            if appended is not None:
                self.journal.last = appended
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if isinstance(exc, sqlite3.Error):
                raise translate(exc, self.path, doing=doing) from exc
            raise
        finally:
            self._touched.clear()
            self._writing = False
            self.journal.discard()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Several reads from one snapshot (WAL): what a report counts and the audit head it prints agree."""
        if self.conn.in_transaction:  # already inside a transaction: that is the snapshot
            yield
            return
        try:
            self.conn.execute("BEGIN")
        except sqlite3.Error as exc:
            raise translate(exc, self.path, doing="read") from exc
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def _now(self) -> str:
        """The write transaction's one time stamp, else the clock (looked up at call time: tests
        set the clock by replacing db.store.now)."""
        return self.journal.at if self._writing else now()

    def _read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise translate(exc, self.path, doing="read") from exc

    def _log(
        self,
        response_id: int | None,
        question_id: str | None,
        action: str,
        old: str | None,
        new: str | None,
        why: str | None = None,
        *,
        blob: bytes | None = None,
        effect: bool = True,
        **payload,
    ) -> None:
        """Make one change and log it (inside ``_write``): the entry's kind ``action`` and its
        ``payload`` are documented in db/journal.py, whose ``apply`` makes the change."""
        self.journal.record(self.who, response_id, question_id, action, old, new, why, payload, blob=blob, effect=effect)

    @property
    def last_seal(self) -> str:
        """The seal (entry number:first 12 hex digits) of this store's last write, else of the
        log's head: what a reviewer writes on the paper after a sign-off or 確定."""
        if self.journal.last is not None:
            return audit.seal(*self.journal.last)
        return audit.seal(*self.audit_head())

    def _bump(self, response_id: int, expected_version: int | None) -> int:
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
                f"{name} の回答は、画面を開いた後に {self.display_name(by) or '他の人'} さんが変更しました"
                f"（{(at or '')[:16].replace('T', ' ')}）。"
                "上書きせずに止めました。最新の内容を読み込み直してから、もう一度入力してください。"
            )
        self.journal.bump(self.who, response_id, version + 1)
        self._touched.add(response_id)  # its progress is recorded as the transaction commits
        return version + 1

    def _status(self, response_id: int) -> str:
        row = self.conn.execute("SELECT status FROM responses WHERE id = ?", (response_id,)).fetchone()
        if row is None:
            raise StoreError(f"回答票 {response_id} がありません。")
        return row[0]

    def _set_status(self, response_id: int, old: str, new: str, why: str | None, **stamps) -> None:
        """A status move; ``stamps``: stamp= / unstamp= (entered, reviewed, finalised), signed=."""
        self._log(response_id, None, "status", old, new, why, **stamps)

    # -- users -----------------------------------------------------------------------------

    def remember_user(self, name: str | None = None, display_name: str | None = None) -> None:
        """Record who is working (and their display name); later writes are stamped with them."""
        who = name or self.who
        check_name(who)
        with self._write():
            key = person_key(who)
            same = [row[0] for row in self.conn.execute("SELECT name FROM users") if row[0] != who and person_key(row[0]) == key]
            if same:
                raise RefusedError(
                    f"「{who}」は登録済みの作業者「{same[0]}」と同じ名前とみなされます（大文字・小文字、全角・半角、"
                    f"空白の違いや、他の文字体系の似た文字は区別しません）。「{same[0]}」を選ぶか、別の名前にしてください。"
                )
            self.who = who
            extra = {"display_name": display_name} if display_name is not None else {}
            self._log(None, None, "user", None, who, None, name=who, **extra)

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
            answers[qid] = load_value(value, qid)
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
        """Every department with its status, progress on its own route and open flags.

        Progress is read as recorded with each change (``_record_progress``), so the list needs
        no routing; a row recorded at another version than its own is routed now."""
        rows = self._read(
            "SELECT d.id, d.bukyoku, d.name, d.position, r.id, r.status, r.version, r.updated_by, r.updated_at,"
            " (SELECT count(*) FROM flags f WHERE f.response_id = r.id AND f.resolved_at IS NULL),"
            " r.progress_version IS r.version, r.answered, r.on_route"
            " FROM departments d JOIN responses r ON r.department_id = d.id"
            " WHERE d.questionnaire_id = ? ORDER BY d.position",
            (self.questionnaire_id,),
        )
        stale = {row[4]: self._progress(self._answers(row[4])[0]) for row in rows if not row[10]}
        return [
            DepartmentState(
                Department(did, bukyoku, name, position),
                rid,
                status,
                version,
                *(stale[rid] if rid in stale else (answered, on_route)),
                Stamp(by, at) if by else None,
                flags,
            )
            for did, bukyoku, name, position, rid, status, version, by, at, flags, _, answered, on_route in rows
        ]

    def _progress(self, answers: Mapping[str, Value]) -> tuple[int, int]:
        """(answered, on the route): the questions on the route of ``answers`` entered in full, and all of them."""
        from survey.answers import is_complete

        route = self.router.route(answers)
        answered = sum(1 for qid in route.order if is_complete(self.questionnaire.question(qid), answers.get(qid)))
        return answered, len(route.order)

    def _record_progress(self, response_ids: Iterable[int]) -> None:
        """Record the progress of these responses with their current version (in a write)."""
        for rid in response_ids:
            self.journal.record_progress(rid, *self._progress(self._answers(rid)[0]))

    def _stale_progress(self) -> list[int]:
        """Responses whose recorded progress is missing or from another version."""
        return [
            row[0]
            for row in self._read("SELECT id FROM responses WHERE progress_version IS NOT version ORDER BY id")
        ]

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
            answers_by.setdefault(rid, {})[qid] = load_value(value, qid)
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
        columns = ", ".join(audit.COLUMNS) + ", hash, payload"
        if response_id is None:
            rows = self._read(f"SELECT {columns} FROM audit_log ORDER BY id")
        else:
            rows = self._read(f"SELECT {columns} FROM audit_log WHERE response_id = ? ORDER BY id", (response_id,))
        return [AuditEntry(*row) for row in rows]

    def audit_head(self) -> tuple[int, str]:
        """(entries in the audit log, the last entry's hash): printed on reports to pin the history."""
        try:
            return audit.head(self.conn)
        except sqlite3.Error as exc:
            raise translate(exc, self.path, doing="read") from exc

    # -- entering, review, double entry: functions of the store, offered as its methods ------

    save_answer = partialmethod(answers.save_answer)
    save_row = partialmethod(table_rows.save_row)
    remove_row = partialmethod(table_rows.remove_row)
    row_log = partialmethod(table_rows.row_log)
    clear_answers = partialmethod(answers.clear_answers)
    mark_entered = partialmethod(answers.mark_entered)
    import_answers = partialmethod(answers.import_answers)
    unfinished = partialmethod(answers.unfinished)
    _refuse_if_final = partialmethod(answers._refuse_if_final)
    _refuse_unknown = partialmethod(answers._refuse_unknown)
    _put = partialmethod(answers._put)
    _clear = partialmethod(answers._clear)
    _withdraw_sign_off = partialmethod(answers._withdraw_sign_off)

    editors = partialmethod(review.editors)
    is_editor = partialmethod(review.is_editor)
    unseen = partialmethod(review.unseen)
    record_shown = partialmethod(review.record_shown)
    flags = partialmethod(review.flags)
    raise_flag = partialmethod(review.raise_flag)
    may_close = partialmethod(review.may_close)
    reply_flag = partialmethod(review.reply_flag)
    resolve_flag = partialmethod(review.resolve_flag)
    hard_errors = partialmethod(review.hard_errors)
    sign_off_refusals = partialmethod(review.sign_off_refusals)
    finalise_refusal = partialmethod(review.finalise_refusal)
    unlock_refusal = partialmethod(review.unlock_refusal)
    sign_off = partialmethod(review.sign_off)
    finalise = partialmethod(review.finalise)
    unlock = partialmethod(review.unlock)

    comparer = property(verification.comparer)
    choose_for_verification = partialmethod(verification.choose_for_verification)
    verification_plans = partialmethod(verification.verification_plans)
    verification_targets = partialmethod(verification.verification_targets)
    first_keyers = partialmethod(verification.first_keyers)
    second_keying = partialmethod(verification.second_keying)
    live_checked = partialmethod(verification.live_checked)
    blind_refusal = partialmethod(verification.blind_refusal)
    second_keying_refusal = partialmethod(verification.second_keying_refusal)
    start_second_keying = partialmethod(verification.start_second_keying)
    save_second_answer = partialmethod(verification.save_second_answer)
    clear_second_answers = partialmethod(verification.clear_second_answers)
    completion_refusal = partialmethod(verification.completion_refusal)
    complete_second_keying = partialmethod(verification.complete_second_keying)
    finish_refusal = partialmethod(verification.finish_refusal)
    comparison = partialmethod(verification.comparison)
    resolutions = partialmethod(verification.resolutions)
    adjudicator_problem = partialmethod(verification.adjudicator_problem)
    adjudication = partialmethod(verification.adjudication)
    resolve = partialmethod(verification.resolve)
    finish_adjudication = partialmethod(verification.finish_adjudication)
    verification_states = partialmethod(verification.verification_states)
    verification_state = partialmethod(verification.verification_state)
    verification_refusal = partialmethod(verification.verification_refusal)
    record_events = partialmethod(verification.record_events)
    key_events = partialmethod(verification.key_events)
    _insert_events = partialmethod(verification._insert_events)

    # -- safety ----------------------------------------------------------------------------

    def backup(self, target: str | Path) -> Path:
        """A consistent copy through SQLite's online backup (a file copy of a WAL database loses data).

        It includes every commit, also those still in the -wal file. The copy is written to
        ``target.part`` and renamed when complete, so ``target`` is never half a database.
        """
        target = Path(target)
        problem = name_problem(target, "バックアップ", extra=len(".part"))
        if problem:
            raise StoreError(problem)
        own = [self.path] + [self.path.with_name(self.path.name + s) for s in ("-wal", "-shm", "-journal")]
        try:
            resolved = target.resolve()
            same = any(resolved == p.resolve() for p in own) or (
                target.exists() and os.path.samefile(target, self.path)
            )
        except OSError:
            same = False
        if same:
            raise StoreError(
                f"バックアップ先「{target}」は元のデータベース（またはその作業ファイル）と同じです。"
                "別のファイル名を指定してください。"
            )
        if target.is_dir():
            raise StoreError(f"バックアップ先「{target}」はフォルダです。ファイル名まで指定してください。")
        if not target.parent.is_dir():
            raise StoreUnavailable(f"バックアップ先のフォルダ「{target.parent}」がありません。場所を確認してください。")
        if not os.access(target.parent, os.W_OK):
            raise StoreUnavailable(f"バックアップ先のフォルダ「{target.parent}」に書き込めません（読み取り専用）。")
        try:
            _copy_database(self.conn, target)
        except sqlite3.Error as exc:
            raise translate(exc, target, doing="backup") from exc
        except OSError as exc:
            raise StoreError(
                f"バックアップ「{target}」を書けませんでした。空き容量と書き込み権限を確認してください。"
            ) from exc
        return target

    def integrity(self) -> str:
        return self._read("PRAGMA integrity_check")[0][0]


__all__ += ["translate", "now", "MIGRATION_NAMES", "SCHEMA_VERSION"]
