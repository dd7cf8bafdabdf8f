"""Folders of returns under faults, and originals from outside (issue 25 items 8–11)."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import db.originals as originals_module
import tui.viewer
from db import open_store
from db.errors import RefusedError, StoreError
from db.originals import add_original, attach_file, originals
from exports.intake import import_files
from tui.cli import main

from .test_returns_hostile import FILLED, answers, form

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "chosho.sqlite"
    open_store(path, "clerk").close()
    return path


def three_returns(db: Path, tmp_path: Path) -> Path:
    back = tmp_path / "back"
    form(db, back, "総務課", FILLED, "1_総務課.xlsx")
    form(db, back, "人事課", FILLED, "2_人事課.xlsx")
    form(db, back, "政策課", FILLED, "3_政策課.xlsx")
    for made in back.glob("ソーシャル*"):
        made.unlink()
    return back


# -- 8. each file its own transaction with its original, reported as done -----------------------


def test_a_broken_name_among_good_files_is_printed_safely_and_all_are_stored(db, tmp_path, capsys):
    back = three_returns(db, tmp_path)
    odd = back / os.fsdecode(b"2_\xff\x1b]0;PWNED\x07.xlsx")
    (back / "2_人事課.xlsx").rename(odd)
    assert main(["--db", str(db), "import", str(back)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b]0;PWNED\\x07" in out and "\\xff" in out
    assert "3 ファイルのうち、取り込んだファイル 3、取り込んでいないファイル 0。" in out
    assert answers(db, "人事課")


def test_a_lock_part_way_is_reported_per_file_and_exactly(db, tmp_path, capsys, monkeypatch):
    """Another program takes the database after the first file: the first is stored and said so,
    the others say they were not, and the last word lists both exactly."""
    back = three_returns(db, tmp_path)
    monkeypatch.setattr("db.store.DEFAULT_TIMEOUT", 0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    import exports.intake as intake

    real = intake._import_one
    calls = []

    def lock_after_first(store, path, **kw):
        calls.append(path)
        if len(calls) == 2:
            store.conn.execute("PRAGMA busy_timeout = 200")
            holder.execute("BEGIN EXCLUSIVE")
        return real(store, path, **kw)

    monkeypatch.setattr(intake, "_import_one", lock_after_first)
    try:
        code = main(["--db", str(db), "import", str(back)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    captured = capsys.readouterr()
    assert code == 3
    assert "1_総務課.xlsx: 総務課（総務部） の回答 8 件を取り込みました。" in captured.out
    assert "このファイルの回答は何も保存していません" in captured.err
    assert "取り込んだファイル: 1_総務課.xlsx" in captured.err
    assert "取り込んでいないファイル（何も保存していません）: 2_人事課.xlsx、3_政策課.xlsx" in captured.err
    assert "入力した値は保存されていません" not in captured.err.split("3 ファイルのうち")[1]
    assert answers(db, "総務課") and not answers(db, "人事課") and not answers(db, "政策課")


def test_a_file_whose_original_cannot_be_kept_leaves_no_answers(db, tmp_path, capsys, monkeypatch):
    """The original is written in the same transaction as the answers: a failure storing it (a
    full disk, here the journal's write of the original failing as SQLite does) leaves neither,
    and the retry is not refused as a duplicate. (A trigger on the database would be refused
    since issue 23: chosho does not write to a database with triggers it did not make.)"""
    from db import journal  # (``db`` here is the fixture: the database's path)

    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    back = three_returns(db, tmp_path)
    monkeypatch.setitem(journal._APPLY, "original", full)
    assert main(["--db", str(db), "import", str(back / "1_総務課.xlsx")]) == 3
    assert "ディスクがいっぱい" in capsys.readouterr().err
    assert not answers(db, "総務課")
    monkeypatch.undo()
    assert main(["--db", str(db), "import", str(back / "1_総務課.xlsx")]) == 0
    with open_store(db, "r") as store:
        assert answers(db, "総務課") and [o.name for o in originals(store)] == ["1_総務課.xlsx"]


def test_each_file_is_reported_as_soon_as_it_is_done(db, tmp_path):
    back = three_returns(db, tmp_path)
    seen: list[tuple[str, int]] = []
    with open_store(db, "clerk") as store:

        def done(report):
            stored = sum(1 for r in store.responses() if r.answers)
            seen.append((report.source, stored))

        import_files(store, [back], done=done)
    assert seen == [("1_総務課.xlsx", 1), ("2_人事課.xlsx", 2), ("3_政策課.xlsx", 3)]


# -- 9. two imports of one department at once -----------------------------------------------------


RACE = """
import pathlib, sys, time
sys.path.insert(0, {root!r})
import db.store
real = db.store.Store._write
here, me, other = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
first = [True]


def _write(self, doing="save"):
    # both imports have read and checked the department before either writes: a real race
    if first[0] and doing == "save":
        first[0] = False
        (here / me).touch()
        deadline = time.monotonic() + 30
        while not (here / other).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    return real(self, doing)


db.store.Store._write = _write
from tui.cli import main
sys.exit(main(sys.argv[4:]))
"""


def test_two_imports_of_one_department_at_once_give_a_per_file_line(db, tmp_path):
    back = three_returns(db, tmp_path)
    path = back / "1_総務課.xlsx"
    code = RACE.format(root=str(ROOT))
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path), f"p{i}", f"p{1 - i}",
                          "--db", str(db), "--user", f"clerk{i}", "import", str(path)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(2)
    ]
    results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
    codes = sorted(code for code, _out, _err in results)
    assert codes == [0, 1], results
    loser = next(err for code, _out, err in results if code == 1)
    assert loser.startswith("1_総務課.xlsx: 取り込めない箇所が 1 件") and "すでに回答が入力されています" in loser, loser
    assert "Traceback" not in loser
    with open_store(db, "r") as store:
        assert len(originals(store)) == 1


# -- 10. attach: regular files only, bounded, unchanged while read ---------------------------------


def _policy(store):
    return next(d for d in store.departments() if d.name == "政策課")


def test_attach_refuses_a_fifo_without_waiting(db, tmp_path, capsys):
    fifo = tmp_path / "scan.pdf"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); from tui.cli import main; sys.exit(main(sys.argv[1:]))",
         "--db", str(db), "attach", "政策課", str(fifo)],
        capture_output=True, text=True, timeout=20,
    )
    assert done.returncode == 3 and "名前付きパイプ（FIFO）" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "/etc/shadow"])
def test_attach_refuses_links_and_devices(db, tmp_path, target):
    link = tmp_path / "scan.pdf"
    link.symlink_to(target)
    with open_store(db, "clerk") as store, pytest.raises(StoreError, match="シンボリックリンク"):
        attach_file(store, _policy(store).id, link)
    with pytest.raises(StoreError, match="デバイスや特殊なファイルで、通常のファイルではありません"):
        originals_module.read_file(Path("/dev/zero"))  # named directly: refused before any byte is read
    with open_store(db, "clerk") as store:
        assert not originals(store)


def test_attach_refuses_a_file_over_the_ceiling_before_reading(db, tmp_path, monkeypatch):
    big = tmp_path / "scan.pdf"
    with open(big, "wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(originals_module.MAX_ORIGINAL_BYTES + 1)
    read = []
    monkeypatch.setattr(originals_module.os, "read", lambda *a: read.append(a) or b"")
    with open_store(db, "clerk") as store, pytest.raises(RefusedError, match="大きすぎる"):
        attach_file(store, _policy(store).id, big)
    assert not read


def test_attach_refuses_a_file_truncated_while_read(db, tmp_path, monkeypatch):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + os.urandom(3 << 20))
    real = os.read
    chunks = []

    def truncating(fd, n):
        chunks.append(n)
        if len(chunks) == 2:
            os.truncate(scan, 1 << 20)  # someone cuts the file while chosho reads it
        return real(fd, n)

    monkeypatch.setattr(originals_module.os, "read", truncating)
    with open_store(db, "clerk") as store, pytest.raises(RefusedError, match="読んでいる間に変わりました"):
        attach_file(store, _policy(store).id, scan)
    with open_store(db, "clerk") as store:
        assert not originals(store)


# -- 11. only an original's kinds, opened only if they are -------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [("evil.bat", b"@echo off\r\ncalc\r\n", "原本として扱える種類のファイルではありません"),
     ("evil.pdf", b"@echo off\r\ncalc\r\n", "中身がPDFではありません"),
     ("scan.png", b"%PDF-1.4 not a png", "中身がPNG 画像ではありません")],
)
def test_attach_takes_only_an_originals_kinds_by_content(db, tmp_path, name, content, said):
    path = tmp_path / name
    path.write_bytes(content)
    with open_store(db, "clerk") as store, pytest.raises(RefusedError, match=said):
        attach_file(store, _policy(store).id, path)


def test_ctrl_o_opens_only_an_originals_kind_and_cleans_up(db, tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(tui.viewer, "opener", opened.append)
    with open_store(db, "reviewer") as store:
        dept = _policy(store)
        # an original stored before kinds were checked (or by hand): never handed to the OS
        with store._write():
            store.conn.execute(
                "INSERT INTO originals (department_id, name, sha256, size, content, stored_by, stored_at)"
                " VALUES (?, 'evil.bat', ?, 4, ?, 'x', '2099-01-01')",
                (dept.id, hashlib.sha256(b"calc").hexdigest(), b"calc"),
            )
        message, severity = tui.viewer.open_original(store, dept.id)
        assert severity == "error" and "evil.bat" in message and not opened
        add_original(store, dept.id, "a.pdf", b"%PDF-1.4 real")
        with store._write():
            store.conn.execute("UPDATE originals SET stored_at = '2100-01-01' WHERE name = 'a.pdf'")
        message, severity = tui.viewer.open_original(store, dept.id)
        assert severity == "information" and len(opened) == 1 and opened[0].exists()
    tui.viewer.remove_copies()  # what the app's exit runs (atexit)
    assert not opened[0].exists() and not opened[0].parent.exists()


def test_the_copies_are_removed_when_the_process_ends(db, tmp_path):
    with open_store(db, "reviewer") as store:
        add_original(store, _policy(store).id, "a.pdf", b"%PDF-1.4 real")
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "import tui.viewer\n"
        "from db import open_store\n"
        "tui.viewer.opener = lambda p: print(p)\n"
        f"store = open_store({str(db)!r}, 'r')\n"
        "dept = next(d for d in store.departments() if d.name == '政策課')\n"
        "tui.viewer.open_original(store, dept.id)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    copy = Path(done.stdout.strip())
    assert copy.name == "a.pdf" and not copy.parent.exists(), done.stderr


def test_a_killed_folder_import_stores_whole_files_only(db, tmp_path):
    """SIGKILL at random moments of a folder import (three runs): every department has its
    answers and its original together, or neither; the next run stores the rest."""
    back = tmp_path / "back"
    names = ["総務課", "人事課", "政策課", "財政課", "課税課", "納税課", "市民課", "保育課"]
    for i, name in enumerate(names):
        form(db, back, name, FILLED, f"{i}_{name}.xlsx")
    for made in back.glob("ソーシャル*"):
        made.unlink()
    rng = random.Random(int(os.environ.get("CHOSHO_KILL_SEED", "25")))
    command = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); from tui.cli import main; sys.exit(main(sys.argv[1:]))",
               "--db", str(db), "import", str(back)]
    for _ in range(3):
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        proc.stdout.readline()  # the first file is done: the run is inside the folder
        time.sleep(rng.uniform(0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        with open_store(db, "checker") as store:
            kept = {o.department_id for o in originals(store)}
            stored = {r.department.id for r in store.responses() if r.answers}
            assert kept == stored  # never answers without their original, nor the reverse
            assert all(len(r.answers) == 8 for r in store.responses() if r.answers)  # never half a file
    done = subprocess.run([*command[:-1], "--replace", str(back)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{len(names)} ファイルのうち、取り込んだファイル {len(names)}、取り込んでいないファイル 0。" in done.stdout
    assert all(answers(db, name) for name in names)
