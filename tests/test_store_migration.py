"""Migrations: an older chosho database is brought up to date on open, after a backup of itself."""

from __future__ import annotations

import re
import json
import sqlite3
from pathlib import Path

import pytest

from db import SCHEMA_VERSION, StoreBusy, StoreUnavailable, open_store
from db.schema import APPLICATION_ID, MIGRATION_NAMES, TRIGGERS, ensure_triggers, migrations
from db.store import Store
from survey import BUILTIN_DEFINITION
from tui.cli import main

from .store_support import (  # noqa: F401 - fixtures
    FORM, db_path, dump, finish, go, ready, recorded_progress, routed_progress, template_db, writer,
)

V1_ANSWERS = {"Q1": FORM[0][1], "Q3": FORM[2][1], "Q10": FORM[9][1]}


def seed_unchained(conn: sqlite3.Connection, who: str) -> None:
    """Seed as chosho did before the audit chain (m003): the same rows, a log entry without a hash."""
    import hashlib

    from survey import load_definition

    source = BUILTIN_DEFINITION.read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    questionnaire = load_definition(BUILTIN_DEFINITION)
    qid = conn.execute(
        "INSERT INTO questionnaires (survey_id, title, sha256, source, loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?, ?)",
        (questionnaire.meta["id"], questionnaire.title, digest, source, "2024-09-30T09:00:00+09:00", who),
    ).lastrowid
    for position, (bukyoku, name) in enumerate(questionnaire.departments, start=1):
        dept = conn.execute(
            "INSERT INTO departments (questionnaire_id, bukyoku, name, position) VALUES (?, ?, ?, ?)",
            (qid, bukyoku, name, position),
        ).lastrowid
        conn.execute("INSERT INTO responses (questionnaire_id, department_id) VALUES (?, ?)", (qid, dept))
    conn.execute(
        "INSERT INTO audit_log (at, who, action, new, why) VALUES ('2024-09-30T09:00:00+09:00', ?, 'seed', ?, ?)",
        (who, digest, f"{len(questionnaire.departments)} 所属を登録"),
    )


def build_v1(path: Path) -> int:
    """A database as the first chosho (schema 1) left it: seeded, with answers. Returns a response id."""
    from sqlite_utils import Database

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    migrations().apply(Database(conn), stop_before="m002_review")
    ensure_triggers(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    seed_unchained(conn, "clerk-v1")
    rid = conn.execute("SELECT id FROM responses ORDER BY id LIMIT 1").fetchone()[0]
    for n, (qid, value) in enumerate(V1_ANSWERS.items(), start=1):  # what version 1 wrote
        conn.execute(
            "INSERT INTO answers VALUES (?, ?, 'answered', ?, 'clerk-v1', '2024-10-01T09:00:00+09:00')",
            (rid, qid, dump(value)),
        )
        conn.execute(
            "INSERT INTO audit_log (at, who, response_id, question_id, action, old, new)"
            " VALUES ('2024-10-01T09:00:00+09:00', 'clerk-v1', ?, ?, 'answer', NULL, ?)",
            (rid, qid, dump(value)),
        )
        conn.execute(
            "UPDATE responses SET version = ?, status = 'in_progress', updated_by = 'clerk-v1' WHERE id = ?",
            (n, rid),
        )
    conn.close()
    return rid


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def names(conn: sqlite3.Connection, kind: str) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}


def test_v1_fixture_is_really_the_older_schema(tmp_path):
    path = tmp_path / "chosho.sqlite"
    build_v1(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "flags" not in names(conn, "table")
    assert "reviewed_by" not in columns(conn, "responses")
    conn.close()


def test_an_older_database_is_migrated_after_a_backup(tmp_path):
    path = tmp_path / "chosho.sqlite"
    rid = build_v1(path)
    with open_store(path, "alice") as store:
        backup = store.backup_made
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.response(response_id=rid).answers == V1_ANSWERS
        assert store.response(response_id=rid).version == len(V1_ANSWERS)
        assert {"flags"} <= names(store.conn, "table")
        assert columns(store.conn, "responses")[-7:] == [
            "reviewed_by", "reviewed_at", "finalised_by", "finalised_at", "progress_version", "answered", "on_route"
        ]
        # m006: every department's progress is recorded with its version, as routing gives it.
        assert recorded_progress(store) == routed_progress(store)
        assert recorded_progress(store)[rid] != recorded_progress(store)[rid + 1]  # the v1 answers count
        assert set(TRIGGERS) <= names(store.conn, "trigger")
        with pytest.raises(sqlite3.IntegrityError, match="監査ログは削除できません"):
            store.conn.execute("DELETE FROM audit_log")
        applied = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == list(MIGRATION_NAMES)
        log = [(e.who, e.action, e.old, e.new) for e in store.history()]
        assert log[0][:2] == ("clerk-v1", "seed")  # the old log is kept
        migrate = next(i for i, e in enumerate(log) if e[1] == "migrate")
        assert log[migrate] == ("alice", "migrate", "1", str(SCHEMA_VERSION))
        # m007: what the old log could not say, rebuilt from the tables and marked so
        rebuilt = store.history()[migrate + 1:]
        assert rebuilt and {e.action for e in rebuilt} == {"reconstructed"}
        assert all("再構成" in e.why for e in rebuilt)
        assert {json.loads(e.payload)["table"] for e in rebuilt} >= {"questionnaires", "responses", "answers"}
        # The migrated database works: the review columns are written.
        v = store.mark_entered(rid, expected_version=len(V1_ANSWERS))
        assert store.response(response_id=rid).entered.who == "alice" and v == len(V1_ANSWERS) + 1

    assert backup is not None and backup.parent == tmp_path
    assert re.fullmatch(rf"chosho\.v1-before-v{SCHEMA_VERSION}-\d{{8}}-\d{{6}}\.sqlite", backup.name)
    # m007 (issue 23): from the migration on, the log is the record — verify replays it, and an
    # answer changed behind chosho's back afterwards is named.
    from db.verify import verify_database

    result = verify_database(path)
    assert result.ok, result.report()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE answers SET value = '{\"single\": 2, \"texts\": {}}' WHERE response_id = ? AND question_id = 'Q1'", (rid,))
    raw.commit()
    raw.close()
    result = verify_database(path)
    assert not result.ok and "Q1: 回答の値が監査ログと違います" in result.report()
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "flags" not in names(old, "table")
    assert dict(old.execute("SELECT question_id, value FROM answers WHERE response_id = ?", (rid,))) == {
        q: dump(v) for q, v in V1_ANSWERS.items()
    }
    old.close()
    assert not list(tmp_path.glob("*.part"))


def test_migration_happens_once(tmp_path):
    path = tmp_path / "chosho.sqlite"
    build_v1(path)
    open_store(path, "alice").close()
    with open_store(path, "bob") as again:
        assert again.backup_made is None
        assert [e.action for e in again.history()].count("migrate") == 1
    assert len(list(tmp_path.glob("chosho.v1-before-*.sqlite"))) == 1


def test_the_command_line_reports_the_migration_backup(tmp_path, capsys):
    path = tmp_path / "chosho.sqlite"
    build_v1(path)
    assert main(["--db", str(path), "backup", str(tmp_path / "copy.sqlite")]) == 0
    err = capsys.readouterr().err
    (made,) = tmp_path.glob("chosho.v1-before-*.sqlite")
    assert f"データベースの形式を更新しました。更新前の控え: {made}" in err


def test_a_migration_that_cannot_get_the_lock_changes_nothing(tmp_path):
    path = tmp_path / "chosho.sqlite"
    rid = build_v1(path)
    holder = writer("hold", path, "write")
    ready(holder)
    try:
        with pytest.raises(StoreBusy, match="開けませんでした。何も変更していません"):
            open_store(path, "alice", timeout=0.2)
    finally:
        go(holder)
        assert finish(holder) == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()
    assert not list(tmp_path.glob("chosho.v1-before-*"))  # the copy is made under the lock only
    with open_store(path, "alice") as store:  # and later it goes through
        assert store.response(response_id=rid).answers == V1_ANSWERS


def test_ensure_triggers_recreates_what_transform_dropped(db_path):
    from sqlite_utils import Database

    conn = sqlite3.connect(db_path, isolation_level=None)
    Database(conn)["audit_log"].transform(types={"why": str}, column_order=["id", "at", "who"])
    assert names(conn, "trigger") == set()  # transform() dropped them silently
    conn.execute("DELETE FROM audit_log WHERE action = 'seed'")  # and nothing protected the log
    assert sorted(ensure_triggers(conn)) == sorted(TRIGGERS)
    assert names(conn, "trigger") == set(TRIGGERS)
    with pytest.raises(sqlite3.IntegrityError, match="監査ログは変更できません"):
        conn.execute("UPDATE audit_log SET who = 'x'")
    assert ensure_triggers(conn) == []  # nothing missing: nothing done
    conn.close()


@pytest.mark.parametrize(
    "sql, named",
    [
        ("DROP TRIGGER audit_log_no_update", "audit_log_no_update がありません"),
        (
            "DROP TRIGGER audit_log_no_delete; CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
            " WHEN 0 BEGIN SELECT RAISE(ABORT, 'x'); END",
            "audit_log_no_delete が書き換えられています",
        ),
        ("CREATE TRIGGER sneaky AFTER INSERT ON answers BEGIN SELECT 1; END", "chosho にないトリガー sneaky"),
    ],
    ids=["dropped", "altered", "added"],
)
def test_opening_for_writing_refuses_missing_or_altered_triggers(db_path, sql, named, capsys):
    """Issue 23, item 3: the app does not restore the protection someone took off (that would hide
    it): it refuses to write, in Japanese, exit 3, and the file is left as it was."""
    from tui.cli import main

    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.executescript(sql)
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreUnavailable, match=named) as refused:
        open_store(db_path, "alice")
    assert "書き込み用には開きません" in str(refused.value)
    assert main(["--db", str(db_path), "--user", "alice", "backup", str(db_path.with_name("b.sqlite"))]) == 3
    assert "書き込み用には開きません" in capsys.readouterr().err
    assert db_path.read_bytes() == before
