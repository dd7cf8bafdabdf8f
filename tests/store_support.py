"""Helpers shared by the store tests: seeded databases, a filled-in form, other processes.

Kept out of conftest.py so the store's fixtures stay with the store's tests.
"""

from __future__ import annotations

import functools
import json
import os
import pwd
import selectors
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from db import Store, open_store
from survey import Counts, Grid, Multi, Single, Text, Value
from survey.answers import encode

HERE = Path(__file__).parent
WRITER = HERE / "store_writer.py"

# A whole form on the Q1 = 1 route, valid for every question (no hard error).
FORM: tuple[tuple[str, Value], ...] = (
    ("Q1", Single(1)),
    ("Q2", Grid({"line": 1, "x": 2, "facebook": 5, "youtube": 3})),
    ("Q3", Multi(frozenset({1, 3}))),
    ("Q4", Multi(frozenset({1}))),
    ("Q5", Single(2)),
    ("Q6", Single(1)),
    ("Q7", Multi(frozenset({2, 14}))),
    ("Q8", Multi(frozenset({1, 2}))),
    ("Q9", Single(1)),
    ("Q10", Text("広報課の職員２名")),
    ("Q11", Text("月に一度")),
    ("Q12", Single(2)),
    ("Q13", Single(3)),
    ("Q14", Multi(frozenset({1, 6}))),
    ("Q15", Single(1)),
    ("Q16", Single(1)),
    ("Q17", Multi(frozenset({2}))),
    ("Q18", Single(4)),
    ("Q19", Single(3)),
    ("Q20", Text("特になし")),
    ("Q21", Single(2)),
    ("Q22", Text("なし")),
    ("Q23", Counts({"respondents": 10, "line": 3, "x": 2, "facebook": 0, "youtube": 1})),
)


def dump(value: Value) -> str:
    """The JSON a value is stored as (what the audit log's old/new hold)."""
    return json.dumps(encode(value), ensure_ascii=False, sort_keys=True)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded database per test session; tests get copies (seeding is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "chosho.sqlite"
    open_store(path, "seed").close()
    # The last connection to close checkpoints the WAL and removes it: one file to copy.
    assert not path.with_name(path.name + "-wal").exists()
    return path


def seeded_copy(template: Path, folder: Path, name: str = "chosho.sqlite") -> Path:
    path = folder / name
    shutil.copyfile(template, path)
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    """A seeded, current chosho database (closed)."""
    return seeded_copy(template_db, tmp_path)


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with open_store(db_path, "alice") as opened:
        yield opened


def answer_rows(path: Path) -> dict[tuple[int, str], str]:
    """(response id, question id) → stored JSON, read with plain sqlite3."""
    conn = sqlite3.connect(path)
    try:
        return {(rid, qid): value for rid, qid, value in conn.execute("SELECT response_id, question_id, value FROM answers")}
    finally:
        conn.close()


def audit_rows(path: Path, action: str | None = None) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        sql = "SELECT id, who, response_id, question_id, action, old, new, why FROM audit_log"
        if action:
            return conn.execute(sql + " WHERE action = ? ORDER BY id", (action,)).fetchall()
        return conn.execute(sql + " ORDER BY id").fetchall()
    finally:
        conn.close()


def pragma(path: Path, name: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


# -- other processes ---------------------------------------------------------------------------


def python(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        **kwargs,
    )


def writer(*args: str) -> subprocess.Popen:
    """tests/store_writer.py in its own process (see its docstring for the modes)."""
    return python(str(WRITER), *map(str, args))


def read_until(proc: subprocess.Popen, done: Callable[[list[dict]], bool], timeout: float) -> list[dict]:
    """JSON lines from ``proc`` until ``done(lines)`` or the timeout (never blocks past it)."""
    lines: list[dict] = []
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while not done(lines):
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise AssertionError(f"no answer from the writer in {timeout} s; so far {lines[-3:]}")
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"the writer ended early: {proc.wait()} {proc.stderr.read()}")
            lines.append(json.loads(line))
    finally:
        selector.close()
    return lines


# -- an unprivileged user ------------------------------------------------------------------------
# Root ignores file modes, so a read-only test run by root proves nothing: the opener runs as
# `nobody` instead (CI may run as root too). Run by anyone else, modes bind already.


def _demote(uid: int, gid: int) -> Callable[[], None]:
    def demote() -> None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

    return demote


@functools.lru_cache(maxsize=1)
def _unprivileged() -> dict:
    """subprocess keyword arguments that run a command without root's privileges."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root and there is no 'nobody' user to test permissions with")
    kwargs = {"preexec_fn": _demote(entry.pw_uid, entry.pw_gid)}
    probe = subprocess.run(
        [sys.executable, "-c", "import os, db, tui.cli; print(os.geteuid())"],
        capture_output=True,
        text=True,
        cwd="/",
        **kwargs,
    )
    if probe.returncode != 0 or probe.stdout.strip() != str(entry.pw_uid):
        pytest.skip(f"cannot run chosho as 'nobody' here: {probe.stderr.strip()[-300:]}")
    return kwargs


def run_unprivileged(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", HOME=str(cwd))
    return subprocess.run(
        args, capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env, timeout=60, **_unprivileged()
    )


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder any user can reach (pytest's own tmp folders are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="chosho-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


OPEN_PROBE = """
import json, sys
from db import StoreError, open_store
try:
    open_store(sys.argv[1], "nobody-clerk").close()
    print(json.dumps({"opened": True}))
except StoreError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}, ensure_ascii=False))
"""
