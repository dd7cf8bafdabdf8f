"""Every fault of the store gives its Japanese message, from open_store and from the command line.

The command line is run as its own process (`python -m tui.cli`): exit code 3, the message on
stderr after "chosho: ", no traceback, and no backup file written.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db import SCHEMA_VERSION, StoreBusy, StoreError, StoreUnavailable, open_store
from db.location import network_share
from db.schema import APPLICATION_ID
from survey import Multi, Single, Text
from tui.cli import main

from .store_support import (  # noqa: F401 - fixtures
    CLI,
    OPEN,
    audit_rows,
    db_path,
    finish,
    go,
    open_dir,
    ready,
    run_unprivileged,
    seeded_copy,
    store,
    template_db,
    writer,
)


def chosho(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        timeout=60,
    )


def assert_refused(result: subprocess.CompletedProcess, message: str, target: Path) -> None:
    assert result.returncode == 3, (result.returncode, result.stderr)
    assert re.search(message, result.stderr), result.stderr
    assert result.stderr.startswith("chosho: ")
    assert "Traceback" not in result.stderr
    assert "バックアップしました" not in result.stdout
    assert not target.exists()


# -- files that are not a usable chosho database ------------------------------------------------


def missing_folder(folder: Path, template: Path) -> Path:
    return folder / "ない" / "chosho.sqlite"


def not_sqlite(folder: Path, template: Path) -> Path:
    path = folder / "名簿.csv"
    path.write_text("部局,所属\n総合政策部,政策課\n", encoding="utf-8")
    return path


def other_app(folder: Path, template: Path) -> Path:
    path = folder / "家計簿.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE expenses (day TEXT, amount INTEGER)")
    conn.execute("INSERT INTO expenses VALUES ('2024-04-01', 1200)")
    conn.commit()
    conn.close()
    return path


def other_app_id(folder: Path, template: Path) -> Path:
    path = folder / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")  # another app's mark, even without tables
    conn.close()
    return path


def newer_chosho(folder: Path, template: Path) -> Path:
    path = seeded_copy(template, folder)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    return path


def _damaged(folder: Path, template: Path, damage) -> Path:
    path = seeded_copy(template, folder)
    with open_store(path, "alice") as store:  # grow it over many pages
        for department in store.departments()[:12]:
            response = store.response(department_id=department.id)
            store.save_answer(response.id, "Q10", Text("用紙の記入内容" * 300), expected_version=response.version)
    data = bytearray(path.read_bytes())
    damage(data, random.Random(7))
    path.write_bytes(bytes(data))
    return path


def _garbage(rnd: random.Random, n: int) -> bytes:
    return bytes(rnd.randrange(256) for _ in range(n))


def corrupt_truncated(folder: Path, template: Path) -> Path:
    return _damaged(folder, template, lambda d, r: d.__delitem__(slice(len(d) // 2, None)))


def corrupt_pages(folder: Path, template: Path) -> Path:
    # Damage data pages, not the schema's: once the schema outgrows page 1 its leaves lie
    # anywhere, and a damaged schema is refused before the integrity check can speak.
    schema: set[int] = set()

    def damage(data: bytearray, rnd: random.Random) -> None:
        page = 4096
        for start in range(3 * page, len(data) - page, 4 * page):  # every fourth page, not the first
            if start // page + 1 not in schema:
                data[start + 8 : start + 400] = _garbage(rnd, 392)

    def read_schema_pages(data: bytearray, rnd: random.Random) -> None:
        probe = folder / "probe.sqlite"
        probe.write_bytes(bytes(data))
        conn = sqlite3.connect(probe)
        try:
            schema.update(n for (n,) in conn.execute("SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'"))
        finally:
            conn.close()
        probe.unlink()
        damage(data, rnd)

    return _damaged(folder, template, read_schema_pages)


def corrupt_header(folder: Path, template: Path) -> Path:
    def damage(data: bytearray, rnd: random.Random) -> None:
        data[16:100] = _garbage(rnd, 84)  # page size, counts, schema cookie: all nonsense

    return _damaged(folder, template, damage)


FAULTS = {
    "missing folder": (missing_folder, StoreUnavailable, r"フォルダ「[^」]*ない」がありません。データベースの場所を確認してください。"),
    "not a SQLite file": (not_sqlite, StoreUnavailable, r"「[^」]*名簿\.csv」は SQLite のデータベースではありません。"),
    "another app's database": (other_app, StoreUnavailable, r"は chosho のデータベースではありません（別のアプリのファイルです）"),
    "another app's mark": (other_app_id, StoreUnavailable, r"は chosho のデータベースではありません（別のアプリのファイルです）"),
    "newer chosho": (
        newer_chosho,
        StoreUnavailable,
        rf"新しい版の chosho（形式 {SCHEMA_VERSION + 1}）で作られています。この chosho（形式 {SCHEMA_VERSION} まで）では開けません。chosho を更新してください。",
    ),
    "truncated": (corrupt_truncated, StoreUnavailable, r"壊れ.*バックアップから戻すか、管理者に連絡してください。"),
    "damaged pages": (corrupt_pages, StoreUnavailable, r"壊れています（整合性検査: .+）。バックアップから戻す"),
    "damaged header": (corrupt_header, StoreUnavailable, r"壊れ.*バックアップから戻すか、管理者に連絡してください。"),
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize("fault", FAULTS)
def test_open_store_refuses_with_a_message_and_changes_nothing(fault, tmp_path, template_db):
    make, error, message = FAULTS[fault]
    path = make(tmp_path, template_db)
    before = snapshot(tmp_path)
    with pytest.raises(error, match=message) as caught:
        open_store(path, "alice")
    assert "Traceback" not in str(caught.value) and "sqlite3" not in str(caught.value)
    assert snapshot(tmp_path) == before  # not even switched to WAL: no -wal, no -shm


@pytest.mark.parametrize("fault", FAULTS)
def test_the_command_line_says_it_too(fault, tmp_path, template_db):
    make, _, message = FAULTS[fault]
    path = make(tmp_path, template_db)
    target = tmp_path / "copy.sqlite"
    assert_refused(chosho("--db", path, "backup", target), message, target)


def test_a_corrupt_integrity_report_is_short(tmp_path, template_db):
    with pytest.raises(StoreUnavailable) as caught:
        open_store(corrupt_pages(tmp_path, template_db), "alice")
    message = str(caught.value)
    assert len(message) < 300 and "\n" not in message
    assert re.search(r"ほか \d+ 件", message)


def test_a_folder_given_as_the_database(tmp_path):
    with pytest.raises(StoreUnavailable, match="はフォルダです。データベースのファイル名を指定してください"):
        open_store(tmp_path, "alice")


def test_an_empty_file_becomes_a_new_database(tmp_path):
    path = tmp_path / "chosho.sqlite"
    path.touch()  # e.g. made by "new file" in Explorer
    with open_store(path, "alice") as store:
        assert len(store.departments()) == 58


# -- permissions: run as a user whom file modes bind ----------------------------------------------


def open_unprivileged(path: Path, cwd: Path) -> dict:
    result = run_unprivileged(OPEN, path, cwd=cwd)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def chosho_unprivileged(cwd: Path, *args) -> subprocess.CompletedProcess:
    return run_unprivileged(CLI, *args, cwd=cwd)


def test_read_only_file(open_dir, template_db):
    folder = open_dir / "書庫"
    folder.mkdir()
    folder.chmod(0o777)  # the folder is writable: only the file is not
    path = seeded_copy(template_db, folder)
    path.chmod(0o444)
    before = path.read_bytes()
    message = r"データベース「[^」]+」が読み取り専用です。ファイルの書き込み権限を確認してください。"
    outcome = open_unprivileged(path, open_dir)
    assert outcome["error"] == "StoreUnavailable" and re.search(message, outcome["message"])
    target = open_dir / "copy.sqlite"
    assert_refused(chosho_unprivileged(open_dir, "--db", path, "backup", target), message, target)
    assert path.read_bytes() == before


@pytest.mark.parametrize("existing", [True, False], ids=["existing database", "new database"])
def test_read_only_folder(open_dir, template_db, existing):
    folder = open_dir / "共有"
    folder.mkdir()
    path = folder / "chosho.sqlite"
    if existing:
        seeded_copy(template_db, folder).chmod(0o666)  # the file itself is writable
    folder.chmod(0o555)
    message = r"フォルダ「[^」]*共有」に書き込めません（読み取り専用）。書き込めるフォルダを指定してください。"
    outcome = open_unprivileged(path, open_dir)
    assert outcome["error"] == "StoreUnavailable" and re.search(message, outcome["message"])
    target = open_dir / "copy.sqlite"
    assert_refused(chosho_unprivileged(open_dir, "--db", path, "backup", target), message, target)
    assert sorted(p.name for p in folder.iterdir()) == (["chosho.sqlite"] if existing else [])


def test_a_folder_this_user_may_not_enter(open_dir, template_db):
    folder = open_dir / "人事"
    folder.mkdir()
    seeded_copy(template_db, folder)
    folder.chmod(0o000)
    outcome = open_unprivileged(folder / "chosho.sqlite", open_dir)
    assert outcome["error"] == "StoreUnavailable"
    assert "の場所を確認できません（フォルダを開く権限がないか、場所に届きません）" in outcome["message"]


def test_work_files_left_by_another_user(open_dir, template_db):
    """Another clerk (here root) has the database open: its -wal and -shm are theirs."""
    folder = open_dir / "共有"
    folder.mkdir()
    folder.chmod(0o777)
    path = seeded_copy(template_db, folder)
    path.chmod(0o666)
    with open_store(path, "root-clerk"):
        # SQLite gives them the database file's mode; a stricter umask or ACL elsewhere does not.
        # (0o444 rather than 0o644: run by a non-root user, the opener is also the files' owner.)
        for work in ("chosho.sqlite-wal", "chosho.sqlite-shm"):
            (folder / work).chmod(0o444)
        outcome = open_unprivileged(path, open_dir)
    assert outcome["error"] == "StoreUnavailable"
    assert re.search(r"作業ファイル「[^」]+-(wal|shm)」に書き込めません（別の利用者のファイルです）", outcome["message"])


# -- locked by another process --------------------------------------------------------------------


def hold_lock(path: Path, mode: str):
    holder = writer("hold", path, mode)
    ready(holder)  # its {"locked": true}
    return holder


def release(holder) -> None:
    go(holder)
    assert finish(holder) == []


def test_saving_while_another_process_holds_the_write_lock(db_path):
    store = open_store(db_path, "alice", timeout=0.3)
    response = store.response(department_id=store.departments()[0].id)
    version = store.save_answer(response.id, "Q1", Single(1), expected_version=response.version)
    log_before = audit_rows(db_path)
    holder = hold_lock(db_path, "write")
    try:
        # Reading still works in WAL: the department list stays on screen.
        assert len(store.overview()) == 58
        started = time.monotonic()
        with pytest.raises(StoreBusy, match="他の端末（または別のプログラム）が使用中のため、待ちましたが書き込めませんでした。入力した値は保存されていません。"):
            store.save_answer(response.id, "Q1", Single(2), expected_version=version)
        assert time.monotonic() - started >= 0.25  # it waited for the busy timeout first
    finally:
        release(holder)
    read = store.response(response_id=response.id)
    assert (read.answers, read.version) == ({"Q1": Single(1)}, version)
    assert audit_rows(db_path) == log_before
    # Usable again: the same save, with the same version, now goes through.
    assert store.save_answer(response.id, "Q1", Single(2), expected_version=version) == version + 1
    assert store.response(response_id=response.id).answers == {"Q1": Single(2)}
    store.close()


def test_opening_a_database_another_program_locked(db_path, tmp_path, monkeypatch, capsys):
    holder = hold_lock(db_path, "file")  # exclusive locking mode: not even readers get in
    try:
        with pytest.raises(StoreBusy, match="使用中のため、待ちましたが開けませんでした。何も変更していません。"):
            open_store(db_path, "alice", timeout=0.3)
        # The command line, with the same short wait.
        import db

        monkeypatch.setattr(db, "open_store", functools.partial(open_store, timeout=0.3))
        target = tmp_path / "copy.sqlite"
        assert main(["--db", str(db_path), "backup", str(target)]) == 3
        err = capsys.readouterr().err
        assert err.startswith("chosho: データベース（") and "開けませんでした" in err
        assert not target.exists()
    finally:
        release(holder)
    with open_store(db_path, "alice", timeout=0.3) as store:
        assert store.integrity() == "ok"


# -- network shares --------------------------------------------------------------------------------

MOUNTS = """\
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
/dev/sda1 / ext4 rw,relatime 0 0
//fileserver/kansa /mnt/kansa cifs rw,relatime,vers=3.0 0 0
/dev/sdb1 /mnt/kansa/local ext4 rw,relatime 0 0
fileserver:/export /srv/nfs nfs4 rw,relatime 0 0
/dev/sdc1 /mnt/my\\040disk ext4 rw 0 0
//server/share\\040two /mnt/share\\040two cifs rw 0 0
//server/tab /mnt/tab\\011dir smb3 rw 0 0
"""


@pytest.mark.parametrize(
    "path, kind",
    [
        ("/mnt/kansa/2024/chosho.sqlite", "cifs"),
        ("/mnt/kansa/chosho.sqlite", "cifs"),
        ("/srv/nfs/chosho.sqlite", "nfs4"),
        ("/mnt/kansa/local/chosho.sqlite", None),  # a local disk mounted inside the share
        ("/mnt/kansa2/chosho.sqlite", None),  # a name that merely starts like the share
        ("/home/clerk/chosho.sqlite", None),
        ("/mnt/my disk/chosho.sqlite", None),
        ("/mnt/share two/chosho.sqlite", "cifs"),
        ("/mnt/tab\tdir/chosho.sqlite", "smb3"),
        ("\\\\fileserver\\kansa\\chosho.sqlite", "UNC パス"),
        ("//fileserver/kansa/chosho.sqlite", "UNC パス"),
    ],
)
def test_network_share_detection(path, kind):
    assert network_share(Path(path), mounts=MOUNTS) == kind


def test_a_database_on_a_share_opens_with_a_warning(tmp_path, monkeypatch, capsys):
    mounts = f"/dev/sda1 / ext4 rw 0 0\n//fileserver/kansa {tmp_path} cifs rw 0 0\n"
    import db.opening

    monkeypatch.setattr(db.opening, "network_share", functools.partial(network_share, mounts=mounts))
    path = tmp_path / "chosho.sqlite"
    with open_store(path, "alice") as store:
        assert len(store.warnings) == 1
        assert "ネットワーク上（cifs）にあります" in store.warnings[0]
        assert "データが壊れるおそれがあります" in store.warnings[0]
    assert main(["--db", str(path), "backup", str(tmp_path / "copy.sqlite")]) == 0
    captured = capsys.readouterr()
    assert "注意: データベースがネットワーク上（cifs）にあります" in captured.err
    assert "バックアップしました" in captured.out


def test_the_command_line_warns_about_a_unc_path(open_dir):
    # On Linux "//tmp/x" is the same file as "/tmp/x", so this is a real run on a UNC-looking path.
    unc = "/" + str(open_dir / "chosho.sqlite")
    result = chosho("--db", unc, "backup", open_dir / "copy.sqlite")
    assert result.returncode == 0, result.stderr
    assert "注意: データベースがネットワーク上（UNC パス）にあります" in result.stderr
    assert (open_dir / "copy.sqlite").is_file()


def test_a_local_database_has_no_warning(db_path):
    with open_store(db_path, "alice") as store:
        assert store.warnings == []


# -- the disk fills up -------------------------------------------------------------------------------


def fill_up(store) -> None:
    """No page may be added from now on: the next growing write hits a full disk."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_loses_nothing_and_half_writes_nothing(db_path):
    store = open_store(db_path, "alice")
    response = store.response(department_id=store.departments()[0].id)
    v = response.version
    for qid, value in [("Q1", Single(1)), ("Q3", Multi(frozenset({2}))), ("Q10", Text("担当２名"))]:
        v = store.save_answer(response.id, qid, value, expected_version=v)
    before = (store.response(response_id=response.id), audit_rows(db_path))
    fill_up(store)
    big = Text("長い記述" * 5000)
    with pytest.raises(StoreError, match="ディスクがいっぱいのため保存できませんでした.*入力した値は保存されていません.*それまでの回答は無事です"):
        store.save_answer(response.id, "Q11", big, expected_version=v)
    # A route change that fails drops nothing either.
    with pytest.raises(StoreError, match="ディスクがいっぱい"):
        store.save_answer(response.id, "Q1", Single(2), expected_version=v, clear=["Q3"], why="経路の変更" * 2000)
    assert (store.response(response_id=response.id), audit_rows(db_path)) == before
    assert store.integrity() == "ok"
    # Space freed: the same save goes through with the same version.
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.save_answer(response.id, "Q11", big, expected_version=v) == v + 1
    store.close()
    with open_store(db_path, "bob") as again:
        assert again.response(response_id=response.id).answers["Q11"] == big


REAL_DISK = """
import json, os, sys
from pathlib import Path
from db import StoreError, open_store
from survey import Single, Text

mount = Path(sys.argv[1])
filler = mount / "filler"
filler.write_bytes(b"x" * 96 * 1024)  # someone else's file, deleted later to free space
store = open_store(mount / "chosho.sqlite", "alice")
response = store.response(department_id=store.departments()[0].id)
version, saved, error = response.version, [], None
for n in range(1, 400):
    value = Text(f"{n}:" + "記述" * 1500)
    try:
        version = store.save_answer(response.id, "Q10" if n % 2 else "Q11", value, expected_version=version)
        saved.append(n)
    except StoreError as exc:
        error = str(exc)
        break
kept = store.response(response_id=response.id)
log = [e.new for e in store.history(response.id) if e.action == "answer"]
integrity_when_full = store.integrity()
filler.unlink()
after = store.save_answer(response.id, "Q1", Single(1), expected_version=version)
store.close()
reopened = open_store(mount / "chosho.sqlite", "bob")
# The command line's backup onto the full disk: refused with its message, no half copy left.
import contextlib, io
from tui.cli import main
fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
try:
    while os.write(fd, b"x" * 4096):
        pass
except OSError:
    pass
os.close(fd)
err = io.StringIO()
with contextlib.redirect_stderr(err):
    backup_rc = main(["--db", str(mount / "chosho.sqlite"), "backup", str(mount / "copy.sqlite")])
left = sorted(p.name for p in mount.iterdir() if p.name.startswith("copy"))
print(json.dumps({
    "backup_rc": backup_rc, "backup_err": err.getvalue(), "backup_left": left,
    "saved": saved, "error": error, "version": kept.version, "after": after, "log": len(log),
    "Q10": kept.answers["Q10"].text[:6], "Q11": kept.answers["Q11"].text[:6],
    "integrity_when_full": integrity_when_full, "integrity": reopened.integrity(),
    "final": reopened.response(response_id=response.id).answers["Q1"] == Single(1),
}, ensure_ascii=False))
"""


def test_a_really_full_disk(tmp_path):
    """A tiny tmpfs, in a private mount namespace (gone with the process); skipped where not allowed."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    script = tmp_path / "full.py"
    script.write_text(REAL_DISK, encoding="utf-8")
    try:
        result = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             f'mount -t tmpfs -o size=512k tmpfs "{mount}" || exit 97; exec "{sys.executable}" "{script}" "{mount}"'],
            capture_output=True, text=True, encoding="utf-8", timeout=120,
        )  # fmt: skip
    except FileNotFoundError:
        pytest.skip("unshare is not installed")
    if result.returncode == 97 or "unshare failed" in result.stderr or "Operation not permitted" in result.stderr:
        pytest.skip("no permission to mount a small filesystem here")
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    saved = outcome["saved"]
    assert len(saved) >= 3 and outcome["error"] is not None, outcome
    assert "ディスクがいっぱいのため保存できませんでした" in outcome["error"]
    assert outcome["version"] == len(saved) == outcome["log"]  # every earlier answer, nothing of the failed one
    last_q10 = max(n for n in saved if n % 2)
    last_q11 = max(n for n in saved if not n % 2)
    assert outcome["Q10"].startswith(f"{last_q10}:") and outcome["Q11"].startswith(f"{last_q11}:")
    assert outcome["integrity_when_full"] == "ok" and outcome["integrity"] == "ok"
    assert outcome["after"] == len(saved) + 1 and outcome["final"]
    assert outcome["backup_rc"] == 3 and outcome["backup_left"] == []
    assert outcome["backup_err"].startswith("chosho: ディスクがいっぱいのためバックアップ（")
    assert "を書けませんでした" in outcome["backup_err"]


def test_any_failure_inside_a_change_undoes_the_whole_change(store, db_path, monkeypatch):
    """A route change is one transaction: if its last step fails, the answers it cleared come back."""
    response = store.response(department_id=store.departments()[0].id)
    v = store.save_answer(response.id, "Q1", Single(1), expected_version=response.version)
    v = store.save_answer(response.id, "Q3", Multi(frozenset({1})), expected_version=v)
    before = (store.response(response_id=response.id), audit_rows(db_path))
    log = store._log

    def failing_log(response_id, question_id, action, *rest, **payload):
        if action == "answer":  # after the clear of Q3 was written and logged
            raise sqlite3.OperationalError("disk I/O error")
        return log(response_id, question_id, action, *rest, **payload)

    monkeypatch.setattr(store, "_log", failing_log)
    with pytest.raises(StoreError, match="disk I/O error"):
        store.save_answer(response.id, "Q1", Single(2), expected_version=v, clear=["Q3"])
    assert not store.conn.in_transaction
    assert (store.response(response_id=response.id), audit_rows(db_path)) == before


def test_a_stored_answer_that_no_longer_reads_is_reported(tmp_path):
    import sqlite3

    from db import StoreUnavailable, open_store
    from survey import Single

    path = tmp_path / "chosho.sqlite"
    store = open_store(path, "clerk-a")
    response = store.response(department_id=store.departments()[0].id)
    store.save_answer(response.id, "Q1", Single(1), expected_version=response.version)
    raw = sqlite3.connect(path)
    raw.execute("UPDATE answers SET value = '{\"single\": ' WHERE question_id = 'Q1'")
    raw.commit()
    raw.close()
    with pytest.raises(StoreUnavailable, match="Q1 の保存内容が読めません"):
        store.response(response_id=response.id)
    store.close()
