"""Opening a database: refusing what is not ours, too new, damaged or unprotected, WAL, and
creating or migrating it (after a backup) and seeding the questionnaire, all under the write
lock. Functions of the store; ``open_store`` (db/store.py) calls ``prepare``.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from pathlib import Path

from survey import BUILTIN_DEFINITION
from survey.definition_text import DefinitionText

from .errors import StoreUnavailable
from .journal import reconstruct
from .location import network_share
from .schema import (
    APPLICATION_ID, MIGRATION_NAMES, SCHEMA_VERSION, TRIGGERS, ensure_triggers, migrations, trigger_problems,
)
from .sqlite_file import _copy_database, _integrity_summary, _remove_earlier_copies, translate

__all__ = ["prepare"]


def prepare(store, definition: str | Path | DefinitionText | None, defer: bool = False) -> None:
    share = network_share(store.path)
    if share:
        store.warnings.append(
            f"データベースがネットワーク上（{share}）にあります。SQLite の排他制御はネットワーク"
            "共有では確実に働かず、同時に使うとデータが壊れるおそれがあります。各自のPCに置いてください。"
        )
    try:
        conn = store.conn
        conn.execute(f"PRAGMA busy_timeout = {int(store.timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        # Refuse what is not ours, or too new, before writing anything to it (not even WAL).
        _refuse_foreign(store, app_id, version, tables)
        if tables:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            if rows[0][0] != "ok":
                raise StoreUnavailable(
                    f"データベース「{store.path}」が壊れています（整合性検査: {_integrity_summary(rows)}）。"
                    "バックアップから戻すか、管理者に連絡してください。"
                )
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            _switch_to_wal(store)
        conn.execute("PRAGMA synchronous = FULL")
        if version < SCHEMA_VERSION or not _questionnaire_row(store):
            _create_or_migrate(store, definition)
        else:
            _refuse_unprotected(store)
        store._load(defer)
    except sqlite3.Error as exc:
        raise translate(exc, store.path, doing="open") from exc


def _switch_to_wal(store) -> None:
    """Turn WAL on (once per file), waiting like the busy timeout does.

    The switch needs the file to itself, and SQLite answers SQLITE_BUSY at once, without
    its busy handler, when another connection is reading it (two clerks starting chosho on
    a new database at the same moment): so wait here.
    """
    deadline = time.monotonic() + store.timeout
    while True:
        try:
            mode = store.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            break
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorname", "") or "").startswith("SQLITE_BUSY")
            if not busy or time.monotonic() >= deadline:
                raise
            import random

            time.sleep(random.uniform(0.005, 0.03))
    if mode != "wal":
        store.warnings.append(
            f"この場所ではデータベースを WAL 方式にできませんでした（{mode}）。"
            "保存はできますが、同時に使うと待ち時間が長くなります。各自のPCに置いてください。"
        )


def _refuse_foreign(store, app_id: int, version: int, tables: int) -> None:
    if app_id != APPLICATION_ID and (app_id != 0 or tables):
        raise StoreUnavailable(
            f"「{store.path}」は chosho のデータベースではありません（別のアプリのファイルです）。"
            "chosho のデータベースを指定してください。このファイルは変更していません。"
        )
    if version > SCHEMA_VERSION:
        raise StoreUnavailable(
            f"データベース「{store.path}」は新しい版の chosho（形式 {version}）で作られています。"
            f"この chosho（形式 {SCHEMA_VERSION} まで）では開けません。chosho を更新してください。"
        )


def _questionnaire_row(store) -> tuple | None:
    has_table = store.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'questionnaires'"
    ).fetchone()
    if not has_table:
        return None
    return store.conn.execute(
        "SELECT id, source, sha256, title FROM questionnaires ORDER BY id DESC LIMIT 1"
    ).fetchone()


def _missing_triggers(store) -> list[str]:
    present = {row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    return [name for name in TRIGGERS if name not in present]


def _refuse_unprotected(store) -> None:
    """Refuse to write to a database whose audit-log triggers are missing, altered or joined
    by others: whoever took them off could have edited the log, and restoring them would
    hide that. ``chosho verify`` names what differs; a backup from before is the way back."""
    problems = trigger_problems(store.conn)
    if problems:
        raise StoreUnavailable(
            f"データベース「{store.path}」の監査ログの保護（トリガー）が chosho のものと違います（"
            + "、".join(problems)
            + "）。外から変更されたおそれがあるため、書き込み用には開きません。"
            "chosho verify で点検し、変更前のバックアップから戻すか、管理者に連絡してください。"
        )


def _create_or_migrate(store, definition: str | Path | DefinitionText | None) -> None:
    """Create, or bring an older database up to SCHEMA_VERSION (after a backup), and seed it.

    All under the write lock, in one transaction: a second clerk starting chosho at the same
    moment waits, then finds the work done; a crash leaves the database as it was.
    """
    conn = store.conn
    with store._write(doing="open"):
        # Read again under the lock: someone may have created or migrated it meanwhile.
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        _refuse_foreign(store, app_id, version, tables)
        if version < SCHEMA_VERSION:
            if version > 0:
                store.backup_made = _backup_before_migration(store, version)
            from sqlite_utils import Database  # only here: it imports pandas

            migrations().apply(Database(conn))
            ensure_triggers(conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            action = "migrate" if version > 0 else "create"
            store._log(None, None, action, str(version), str(SCHEMA_VERSION), "スキーマ更新")
            if 0 < version <= MIGRATION_NAMES.index("m007_log_record"):  # the log becomes the record:
                # what the older entries lacked, from the tables
                reconstruct(store.journal, store.who)
        if _questionnaire_row(store) is None:
            _seed(store, definition if isinstance(definition, DefinitionText) else Path(definition or BUILTIN_DEFINITION))
        store._load(defer=True)
        store._touched.update(store._stale_progress())  # new, or migrated from before m006
        missing = _missing_triggers(store)
        if missing:  # pragma: no cover - ensure_triggers just ran
            raise StoreUnavailable("監査ログの保護（トリガー）を作れませんでした: " + "、".join(missing))


def _backup_before_migration(store, version: int) -> Path:
    """Copy the database as it is, before the migration touches it.

    The caller holds the write lock, so nobody can write between this copy and the
    migration; the copy is read through a second connection (a connection cannot back
    itself up inside its own write transaction).
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = store.path.with_name(f"{store.path.stem}.v{version}-before-v{SCHEMA_VERSION}-{stamp}{store.path.suffix}")
    reader = sqlite3.connect(store.path, timeout=store.timeout, isolation_level=None)
    try:
        _copy_database(reader, target)
        _remove_earlier_copies(target, f"{store.path.stem}.v{version}-before-v{SCHEMA_VERSION}-", store.path.suffix)
    except OSError as exc:
        raise StoreUnavailable(
            f"形式の更新の前に控え（{target}）を作れなかったため、更新を中止しました。"
            "データベースは変更していません。空き容量と権限を確認してください。"
        ) from exc
    finally:
        reader.close()
    return target


def _seed(store, definition: Path | DefinitionText) -> None:
    """Register the questionnaire and its departments (the caller holds the write lock).

    ``definition``: a TOML file, or a definition already read (``DefinitionText``: a
    workbook's canonical TOML, whose digest does not change when Excel re-saves the file).
    """
    import hashlib

    if isinstance(definition, DefinitionText):
        import tomllib

        from survey import parse_definition

        source = definition.text
        questionnaire = parse_definition(tomllib.loads(source), source=definition.name)
        definition = Path(definition.name)
    else:
        from survey import load_definition

        questionnaire = load_definition(definition)
        source = definition.read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    journal = store.journal
    qid, first_dept, first_response = (
        journal.next_id(t) for t in ("questionnaires", "departments", "responses")
    )
    record = {
        "id": qid,
        "survey_id": str(questionnaire.meta.get("id", definition.stem)),
        "title": str(questionnaire.meta.get("title", definition.stem)),
        "sha256": digest,
        "source": source,
    }
    departments = [
        [first_dept + i, bukyoku, name, i + 1, first_response + i]
        for i, (bukyoku, name) in enumerate(questionnaire.departments)
    ]
    store._log(
        None, None, "seed", None, digest, f"{len(questionnaire.departments)} 所属を登録",
        questionnaire=record, departments=departments,
    )
    store._questionnaire = questionnaire

