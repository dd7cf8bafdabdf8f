"""Issue 13, item 6: faults when opening or naming files, each with its Japanese message and exit
code 3, never a traceback or a hang."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db.location import SQLITE_PATH_MAX
from tui.cli import main

from .store_support import db_path, template_db  # noqa: F401 - fixtures

LONG = "長" * 90  # 270 bytes in UTF-8: over any file system's 255


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.err


def test_a_stored_definition_that_is_not_toml_is_a_damaged_database(db_path, capsys):
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE questionnaires SET source = '[[[questions'")
    conn.commit()
    conn.close()
    code, err = run(capsys, "--db", str(db_path), "backup", str(db_path.with_name("copy.sqlite")))
    assert code == 3
    assert err.startswith(f"chosho: データベース「{db_path}」に保存されている調書定義が読めません（")
    assert "バックアップから戻すか、管理者に連絡してください" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_database_is_refused_at_once(tmp_path):
    fifo = tmp_path / "chosho.sqlite"
    os.mkfifo(fifo)
    # In a process of its own: before the fix it waited forever for a writer on the pipe.
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(fifo), "backup", str(tmp_path / "b.sqlite")],
        capture_output=True, text=True, encoding="utf-8", timeout=60, cwd=Path(__file__).parents[1],
    )
    assert done.returncode == 3
    assert done.stderr == f"chosho: 「{fifo}」は通常のファイルではありません（名前付きパイプ（FIFO））。データベースのファイルを指定してください。\n"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_as_database_is_refused(device, capsys):
    code, err = run(capsys, "--db", device, "verify")
    assert code == 3 and "は通常のファイルではありません（デバイス）" in err
    code, err = run(capsys, "--db", device, "backup", "/tmp/never.sqlite")
    assert code == 3 and "は通常のファイルではありません（デバイス）" in err


@pytest.mark.parametrize(
    "argv, what, limit",
    [
        (lambda d: ["backup", str(d / f"{LONG}.sqlite")], "バックアップ", 250),
        (lambda d: ["export", "-o", str(d / f"{LONG}.xlsx")], "出力ファイル", 241),
        (lambda d: ["import", str(d / f"{LONG}.csv")], "取り込むファイル", 255),
    ],
    ids=["backup", "export", "import"],
)
def test_a_file_name_over_255_bytes_is_named_not_a_traceback(db_path, tmp_path, capsys, argv, what, limit):
    code, err = run(capsys, "--db", str(db_path), *argv(tmp_path))
    assert code == 3, err
    assert err.startswith(f"chosho: {what}の名前「{LONG[:40]}…」が長すぎます（")
    assert f"ここで使えるのは {limit} バイトまで" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chosho.sqlite"]  # nothing left behind


def test_a_name_that_fits_but_leaves_no_room_for_the_work_file_is_refused_too(db_path, tmp_path, capsys):
    name = "x" * 245 + ".xlsx"  # 250 bytes: the workbook's temporary twin would need 264
    code, err = run(capsys, "--db", str(db_path), "export", "-o", str(tmp_path / name))
    assert code == 3 and "ここで使えるのは 241 バイトまで" in err


def test_a_database_name_over_the_limit(tmp_path, capsys):
    code, err = run(capsys, "--db", str(tmp_path / f"{LONG}.sqlite"), "backup", str(tmp_path / "b.sqlite"))
    assert code == 3 and err.startswith(f"chosho: データベースの名前「{LONG[:40]}…」が長すぎます（")


@pytest.mark.skipif(os.name == "nt", reason="SQLite's limit on Windows is another")
def test_a_database_path_over_sqlites_limit_names_the_real_cause(tmp_path, capsys):
    folder = tmp_path
    while len(os.fsencode(folder)) < SQLITE_PATH_MAX:
        folder = folder / ("d" * 100)
    folder.mkdir(parents=True)
    path = folder / "chosho.sqlite"
    code, err = run(capsys, "--db", str(path), "backup", str(tmp_path / "b.sqlite"))
    assert code == 3
    assert "データベースの場所（パス）が長すぎます（" in err and f"SQLite が扱えるのは {SQLITE_PATH_MAX} バイトまで" in err
    assert not path.exists()
    # Just inside the limit it opens: the limit is SQLite's, not a guess.
    short = tmp_path / ("e" * 200) / ("f" * (SQLITE_PATH_MAX - len(os.fsencode(tmp_path)) - 202))
    short.parent.mkdir()
    assert len(os.fsencode(short)) == SQLITE_PATH_MAX
    assert main(["--db", str(short), "backup", str(tmp_path / "c.sqlite")]) == 0
