"""Other processes: a clerk killed mid-form, two clerks at once, backups, what opening imports.

The writers (tests/store_writer.py) print an answer only after its commit returned, so every
printed answer must be in the database afterwards. Each test runs for a bounded time.
"""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from db import open_store
from survey import Single, Text
from tui.cli import main

from .store_support import (  # noqa: F401 - fixtures
    FORM,
    audit_rows,
    db_path,
    dump,
    finish,
    go,
    read_until,
    ready,
    template_db,
    writer,
)


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# -- killed in the middle of a form ------------------------------------------------------------


def test_a_clerk_killed_mid_form_loses_no_committed_answer(db_path):
    proc = writer("form", db_path, "alice", 0, 1, 30, 100_000)
    ready(proc)
    go(proc)
    # Kill it somewhere in its third form, most likely inside a transaction.
    reported = read_until(proc, lambda lines: len(lines) >= 2 * len(FORM) + 9, timeout=30)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    proc.stdin.close()
    proc.stderr.close()

    assert integrity(db_path) == "ok"
    stored = {}
    with open_store(db_path, "bob") as store:  # reopening works (and recovers the WAL)
        assert store.integrity() == "ok"
        for rid in {r["rid"] for r in reported}:
            stored[rid] = store.response(response_id=rid)
        answer_log = {(e.response_id, e.question_id, e.new) for e in store.history() if e.action == "answer"}
        # and the clerk can carry on
        last = stored[reported[-1]["rid"]]
        store.save_answer(last.id, "Q1", Single(2), expected_version=last.version)
    for r in reported:
        assert dump(stored[r["rid"]].answers[r["qid"]]) == r["value"], r
        assert (r["rid"], r["qid"], r["value"]) in answer_log
    for rid, response in stored.items():
        mine = [r for r in reported if r["rid"] == rid]
        # Committed-but-not-yet-printed is allowed (the kill came between); anything else is not.
        assert response.version in (mine[-1]["version"], mine[-1]["version"] + 1)
        assert len(response.answers) == response.version
        assert response.status == "in_progress"


# -- two clerks at once ----------------------------------------------------------------------------


def test_two_clerks_on_different_departments_lose_nothing(db_path):
    alice = writer("form", db_path, "alice", 0, 2, 1.5, 400)  # departments 1, 3, 5, …
    bob = writer("form", db_path, "bob", 1, 2, 1.5, 400)  # departments 2, 4, 6, …
    ready(alice, bob)
    go(alice, bob)
    reports = {"alice": finish(alice), "bob": finish(bob)}

    assert integrity(db_path) == "ok"
    log = audit_rows(db_path, "answer")
    with open_store(db_path, "carol") as store:
        for who, lines in reports.items():
            saved = [line for line in lines if "qid" in line]
            assert lines[-1] == {"done": len(saved)} and len(saved) >= 20, (who, lines[-1])
            # Exactly what was reported is in the audit log, in order.
            assert [(rid, qid, new) for _, w, rid, qid, _, _, new, _ in log if w == who] == [
                (s["rid"], s["qid"], s["value"]) for s in saved
            ]
            # The latest value of every answer is stored; each department's version counts its saves.
            latest = {(s["rid"], s["qid"]): s["value"] for s in saved}
            for (rid, qid), value in latest.items():
                assert dump(store.response(response_id=rid).answers[qid]) == value
            for rid, count in Counter(s["rid"] for s in saved).items():
                assert store.response(response_id=rid).version == count
    rids = {who: {s["rid"] for s in lines if "rid" in s} for who, lines in reports.items()}
    assert not rids["alice"] & rids["bob"]


def test_the_second_clerk_on_the_same_department_is_told(db_path):
    alice = writer("step", db_path, "alice", 0)
    bob = writer("step", db_path, "bob", 0)
    a_ready, b_ready = ready(alice, bob)
    assert a_ready["read"] == b_ready["read"] == 0  # both screens show version 0
    go(alice)
    (a_done,) = finish(alice)
    go(bob)
    (b_done,) = finish(bob)
    assert a_done == {"ok": dump(Text("alice の入力")), "version": 1}
    assert "上書きせずに止めました" in b_done["conflict"] and "alice さんが変更しました" in b_done["conflict"]
    with open_store(db_path, "carol") as store:
        response = store.response(department_id=store.departments()[0].id)
        assert response.answers == {"Q10": Text("alice の入力")}
        assert [e.who for e in store.history(response.id) if e.action == "answer"] == ["alice"]


def test_two_clerks_racing_on_one_department_never_overwrite_silently(db_path):
    alice = writer("race", db_path, "alice", 0, 1.5)
    bob = writer("race", db_path, "bob", 0, 1.5)
    ready(alice, bob)
    go(alice, bob)
    lines = finish(alice) + finish(bob)
    wins = sorted((line for line in lines if "ok" in line), key=lambda line: line["version"])
    conflicts = [line for line in lines if "conflict" in line]
    assert wins and conflicts, (len(wins), len(conflicts))
    # Every success was made on the version it had read, and each version was given once.
    assert [w["version"] for w in wins] == list(range(1, len(wins) + 1))
    assert all(w["version"] == w["read"] + 1 for w in wins)
    log = [new for _, _, _, qid, _, _, new, _ in audit_rows(db_path, "answer")]
    assert log == [w["ok"] for w in wins]  # every success logged, no refused write logged
    with open_store(db_path, "carol") as store:
        response = store.response(department_id=store.departments()[0].id)
        assert dump(response.answers["Q10"]) == wins[-1]["ok"]
        assert response.version == len(wins)


def test_two_clerks_starting_chosho_at_once_in_an_empty_folder(tmp_path):
    """Both create the same new file at the same moment: one seeds it, both get it, no error.

    Several rounds, since the race is narrow (it once made one of them fail, 1 run in ~10).
    """
    rounds = [tmp_path / f"round{n}" / "chosho.sqlite" for n in range(6)]
    for path in rounds:
        path.parent.mkdir()
    procs = [writer("open", who, *rounds) for who in ("alice", "bob")]
    for _ in rounds:
        ready(*procs)
        go(*procs)
        assert [read_until(p, lambda lines: bool(lines), timeout=30) for p in procs] == [[{"opened": 58}]] * 2
    for proc in procs:
        assert finish(proc) == []
    for path in rounds:
        conn = sqlite3.connect(path)
        counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("questionnaires", "departments", "responses")]
        assert counts == [1, 58, 58]
        assert [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY id")] == ["create", "seed"]
        conn.close()


# -- backups -------------------------------------------------------------------------------------------


def test_a_backup_holds_commits_still_in_the_wal(db_path, tmp_path):
    store = open_store(db_path, "alice")
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")  # keep every commit in the -wal file
    response = store.response(department_id=store.departments()[0].id)
    v = response.version
    for qid, value in FORM:
        v = store.save_answer(response.id, qid, value, expected_version=v)
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.stat().st_size > 0
    # A plain copy of the database file misses them: the reason for SQLite's backup.
    shutil.copyfile(db_path, tmp_path / "plain-copy.sqlite")
    plain = sqlite3.connect(tmp_path / "plain-copy.sqlite")
    assert plain.execute("SELECT count(*) FROM answers").fetchone()[0] == 0
    plain.close()

    target = tmp_path / "バックアップ" / "2024-10-01.sqlite"
    target.parent.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db_path), "backup", str(target)],
        capture_output=True, text=True, encoding="utf-8", timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    first, seal = result.stdout.strip().splitlines()
    assert first == f"バックアップしました: {target}"
    assert seal.startswith("監査ログの封印: ")  # issue 23: the anchor to write down
    store.close()

    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = dict(copy.execute("SELECT question_id, value FROM answers WHERE response_id = ?", (response.id,)))
    assert stored == {qid: dump(value) for qid, value in FORM}
    copy.close()
    assert not list(target.parent.glob("*.part"))
    with open_store(target, "bob") as restored:  # a backup is itself a chosho database
        assert restored.response(response_id=response.id).version == len(FORM)


def test_backup_refuses_the_database_itself(db_path, tmp_path, capsys):
    before = db_path.read_bytes()
    for target in (db_path, tmp_path / "." / db_path.name, Path(f"{db_path}-wal")):
        assert main(["--db", str(db_path), "backup", str(target)]) == 3
        err = capsys.readouterr().err
        assert "は元のデータベース（またはその作業ファイル）と同じです。別のファイル名を指定してください。" in err
    assert db_path.read_bytes() == before
    with open_store(db_path, "alice") as store:
        assert store.integrity() == "ok"


def test_backup_into_a_missing_folder_or_onto_a_folder(db_path, tmp_path, capsys):
    missing = tmp_path / "ない" / "copy.sqlite"
    assert main(["--db", str(db_path), "backup", str(missing)]) == 3
    assert f"バックアップ先のフォルダ「{missing.parent}」がありません。" in capsys.readouterr().err
    folder = tmp_path / "控え"
    folder.mkdir()
    assert main(["--db", str(db_path), "backup", str(folder)]) == 3
    assert "はフォルダです。ファイル名まで指定してください。" in capsys.readouterr().err
    assert list(folder.iterdir()) == []


def test_a_backup_replaces_an_older_one_whole(db_path, tmp_path):
    target = tmp_path / "copy.sqlite"
    target.write_bytes(b"an older, unrelated file")
    with open_store(db_path, "alice") as store:
        assert store.backup(target) == target
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM departments").fetchone()[0] == 58
    conn.close()


# -- what opening imports ---------------------------------------------------------------------------

IMPORT_PROBE = """
import json, sys
from db import open_store
from survey import Single
with open_store(sys.argv[1], "alice") as store:
    response = store.response(department_id=store.departments()[0].id)
    store.save_answer(response.id, "Q1", Single(1), expected_version=response.version)
    store.overview()
existing = sorted(m for m in ("sqlite_utils", "pandas", "numpy") if m in sys.modules)
open_store(sys.argv[2], "alice").close()
created = sorted(m for m in ("sqlite_utils", "pandas") if m in sys.modules)
print(json.dumps({"existing": existing, "created": created}))
"""


def test_opening_an_existing_database_imports_neither_sqlite_utils_nor_pandas(db_path, tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, str(db_path), str(tmp_path / "new.sqlite")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["existing"] == []  # nothing heavy on the way to the first screen
    # Creating a database does need sqlite-utils: the probe sees it (so it would see a leak too).
    assert "sqlite_utils" in loaded["created"]
