"""Issue 13, items 1–2: the audit log refuses REPLACE for any program, and is a hash chain that
``chosho verify`` checks end to end (and a printed report pins by its head)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from db import open_store
from db.audit import GENESIS, entry_hash
from db.schema import MIGRATION_NAMES, SCHEMA_VERSION, TRIGGERS, migrations
from tests.review_support import fill, shown_all
from tui.cli import main

from .store_support import db_path, store, template_db  # noqa: F401 - fixtures
from .test_store_migration import seed_unchained

FORGERIES = (
    "INSERT OR REPLACE INTO audit_log (id, at, who, action, hash) VALUES (2, '2000-01-01', 'forger', 'seed', 'x')",
    "REPLACE INTO audit_log (id, at, who, action, hash) VALUES (2, '2000-01-01', 'forger', 'seed', 'x')",
    "INSERT INTO audit_log (id, at, who, action, hash) VALUES (2, '2000-01-01', 'forger', 'seed', 'x')"
    " ON CONFLICT(id) DO UPDATE SET who = excluded.who",
)


def log_rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("sql", FORGERIES, ids=["insert-or-replace", "replace", "upsert"])
@pytest.mark.parametrize("recursive", [False, True])
def test_replace_into_the_log_is_refused_by_the_database(db_path, sql, recursive):
    before = log_rows(db_path)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute(f"PRAGMA recursive_triggers = {int(recursive)}")
    with pytest.raises(sqlite3.IntegrityError, match="監査ログ"):
        conn.execute(sql)
    conn.close()
    assert log_rows(db_path) == before


def test_an_entry_outside_the_chain_is_refused(db_path):
    conn = sqlite3.connect(db_path, isolation_level=None)
    with pytest.raises(sqlite3.IntegrityError, match="ハッシュの連鎖が必要です"):
        conn.execute("INSERT INTO audit_log (at, who, action) VALUES ('2000-01-01', 'forger', 'answer')")
    conn.close()


def test_every_entry_is_chained_to_the_one_before(store):
    rid = store.response(department_id=store.departments()[0].id).id
    fill(store, store.departments()[0].id)
    entries = store.history()
    assert len(entries) > 20
    previous = GENESIS
    for entry in entries:
        row = (entry.id, entry.at, entry.who, entry.response_id, entry.question_id, entry.action, entry.old, entry.new, entry.why)
        assert entry.hash == entry_hash(row, previous, entry.payload)
        previous = entry.hash
    assert store.audit_head() == (len(entries), previous)
    assert any(e.response_id == rid for e in entries)


def verify(path: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["--db", str(path), "verify", *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_verify_passes_on_a_fresh_database(tmp_path, capsys):
    path = tmp_path / "new.sqlite"
    open_store(path, "clerk").close()
    code, text = verify(path, capsys)
    assert code == 0, text
    assert "問題はありません。" in text
    assert "監査ログの連鎖: 2 件すべて一致" in text
    assert f"監査ログの保護（トリガー）: {len(TRIGGERS)} 件すべてあり" in text


@pytest.fixture
def a_day_of_entry(db_path):
    """Two clerks and a reviewer: forms entered, flagged, answered, signed off, finalised."""
    with open_store(db_path, "佐藤") as a, open_store(db_path, "田中") as c, open_store(db_path, "鈴木") as b:
        departments = a.departments()
        for dept in departments[:4]:
            fill(a, dept.id)
        fill(c, departments[4].id, until="Q5")
        rid = a.response(department_id=departments[0].id).id
        fid = b.raise_flag(rid, "Q3", "用紙と違います")
        a.reply_flag(fid, "用紙どおりです")
        b.resolve_flag(fid, "確認しました")
        for dept in departments[:2]:
            response = b.response(department_id=dept.id)
            shown_all(b, response.id)
            version = b.sign_off(response.id, expected_version=response.version)
        b.finalise(rid, expected_version=b.response(response_id=rid).version)
        head = b.audit_head()
    return db_path, head


def test_verify_passes_after_a_day_of_entry_and_prints_the_head(a_day_of_entry, capsys):
    path, (count, last) = a_day_of_entry
    assert count > 100
    code, text = verify(path, capsys)
    assert code == 0, text
    assert f"監査ログの連鎖: {count} 件すべて一致（末尾のハッシュ {last}、封印 {count}:{last[:12]}）" in text
    code, text = verify(path, capsys, "--head", f"{count}:{last[:16]}")
    assert code == 0 and "連鎖の中にあります（その後の追記なし）" in text


def tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for name in TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in statements:
        conn.execute(sql)
    conn.close()


def test_verify_names_the_entry_altered_behind_the_triggers(a_day_of_entry, capsys):
    path, (count, _) = a_day_of_entry
    target = log_rows(path)[40]
    tamper(path, f"UPDATE audit_log SET who = '偽造者' WHERE id = {target[0]}")
    code, text = verify(path, capsys)
    assert code == 1
    assert f"✕ 監査ログの {target[0]} 件目（番号 {target[0]}、" in text
    assert "偽造者" in text and "内容がハッシュと一致しません" in text
    assert "audit_log_no_update がありません" in text


def test_verify_names_a_removed_entry(a_day_of_entry, capsys):
    path, _ = a_day_of_entry
    tamper(path, "DELETE FROM audit_log WHERE id IN (30, 31)")
    code, text = verify(path, capsys)
    assert code == 1 and "直前の記録（番号 30～31）がありません。削除されています。" in text


def test_verify_finds_a_rewritten_chain_by_the_printed_head(a_day_of_entry, capsys):
    """Whoever rebuilds the whole chain after an edit is caught by the head printed on the report."""
    path, (count, last) = a_day_of_entry
    conn = sqlite3.connect(path, isolation_level=None)
    tamper(path, f"UPDATE audit_log SET why = '書き換え' WHERE id = 10")
    previous = GENESIS
    for row in conn.execute("SELECT id, at, who, response_id, question_id, action, old, new, why, payload FROM audit_log ORDER BY id").fetchall():
        previous = entry_hash(row, previous)
        conn.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (previous, row[0]))
    conn.close()
    code, text = verify(path, capsys, "--head", f"{count}:{last}")
    assert code == 1
    assert f"封印 {count}:{last[:12]}（監査ログの {count} 件目）が、この連鎖にありません。" in text


def test_verify_reports_a_changed_definition_and_a_foreign_trigger(db_path, capsys):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("UPDATE questionnaires SET source = source || '\n# 追記'")
    conn.execute("CREATE TRIGGER sneaky AFTER INSERT ON answers BEGIN SELECT 1; END")
    conn.close()
    code, text = verify(db_path, capsys)
    assert code == 1
    assert "調書定義の内容が監査ログに記録された SHA-256 と一致しません" in text
    assert "chosho にないトリガー sneaky があります" in text


def test_verify_changes_nothing_and_refuses_a_missing_file(db_path, tmp_path, capsys):
    before = db_path.read_bytes()
    tamper(db_path)  # triggers gone: verify says so, and does not put them back
    assert verify(db_path, capsys)[0] == 1
    assert verify(db_path, capsys)[0] == 1
    code, text = verify(tmp_path / "none.sqlite", capsys)
    assert code == 3 and "がありません" in text
    assert not (tmp_path / "none.sqlite").exists()
    assert before  # the file was there to begin with


def build_v2(path: Path) -> int:
    """A database as chosho with schema 2 (review, no chain) left it, with a few log entries."""
    from sqlite_utils import Database

    from db.schema import APPLICATION_ID, ensure_triggers

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    migrations().apply(Database(conn), stop_before="m003_audit_chain")
    ensure_triggers(conn)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    seed_unchained(conn, "clerk-v2")
    for n in range(5):
        conn.execute(
            "INSERT INTO audit_log (at, who, response_id, question_id, action, old, new)"
            " VALUES ('2024-10-01T09:00:00+09:00', 'clerk-v2', 1, 'Q1', 'answer', NULL, ?)",
            (f'{{"single": {n % 2 + 1}, "texts": {{}}}}',),
        )
    count = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    conn.close()
    return count


def test_an_existing_database_is_chained_after_a_backup(tmp_path, capsys):
    path = tmp_path / "chosho.sqlite"
    old_count = build_v2(path)
    old_rows = log_rows(path)
    with open_store(path, "alice") as store:
        assert store.backup_made is not None
        assert re.fullmatch(rf"chosho\.v2-before-v{SCHEMA_VERSION}-\d{{8}}-\d{{6}}\.sqlite", store.backup_made.name)
        entries = store.history()
        assert [(e.id, e.who, e.action, e.new) for e in entries[:old_count]] == [(r[0], r[2], r[5], r[7]) for r in old_rows]
        assert all(e.hash for e in entries)
        new = [e.action for e in entries[old_count:]]
        assert new[0] == "migrate" and set(new[1:]) == {"reconstructed"}, new  # m007: what the log lacked
        applied = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == list(MIGRATION_NAMES)
        with pytest.raises(sqlite3.IntegrityError, match="監査ログは変更できません"):
            store.conn.execute("UPDATE audit_log SET hash = NULL")
    code, text = verify(path, capsys)
    assert code == 0, text
    backup = sqlite3.connect(store.backup_made)
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 2
    assert backup.execute("SELECT count(*) FROM audit_log").fetchone()[0] == old_count
    backup.close()


def test_verify_refuses_an_older_database_until_it_is_migrated(tmp_path, capsys):
    path = tmp_path / "chosho.sqlite"
    build_v2(path)
    code, text = verify(path, capsys)
    assert code == 1 and "形式 2 です" in text


def test_the_workbook_prints_the_chain_head(a_day_of_entry, tmp_path, capsys):
    from openpyxl import load_workbook

    from exports import export_workbook

    path, (count, last) = a_day_of_entry
    with open_store(path, "鈴木") as store:
        export_workbook(store, tmp_path / "集計.xlsx")
        assert store.audit_head() == (count, last)  # exporting writes nothing to the log
    sheet = load_workbook(tmp_path / "集計.xlsx", read_only=True)["入力状況"]
    cell = next(sheet.iter_rows(min_row=1, max_row=1, min_col=3, max_col=3, values_only=True))[0]
    assert f"監査ログ {count} 件" in cell and f"末尾のハッシュ {last}" in cell
    printed = re.search(r"--head (\d+):([0-9a-f]+)", cell)
    assert verify(path, capsys, "--head", f"{printed[1]}:{printed[2]}")[0] == 0
