"""Helpers shared by the store tests: seeded databases, a filled-in form, other processes.

Kept out of conftest.py so the store's fixtures stay with the store's tests.
"""

from __future__ import annotations

import functools
import json
import os
import pwd
import queue
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
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


def recorded_progress(store: Store) -> dict[int, tuple[int, int]]:
    """Each response's progress as recorded with its current version (m006), by response id."""
    rows = store.conn.execute("SELECT id, progress_version IS version, answered, on_route FROM responses")
    return {rid: (answered, on_route) for rid, current, answered, on_route in rows if current}


def routed_progress(store: Store) -> dict[int, tuple[int, int]]:
    """Each response's progress as the routing engine gives it for its answers now."""
    from survey import Router
    from survey.answers import is_complete

    router, progress = Router(store.questionnaire), {}
    for response in store.responses():
        order = router.route(response.answers).order
        answered = sum(is_complete(store.questionnaire.question(q), response.answers.get(q)) for q in order)
        progress[response.id] = (answered, len(order))
    return progress


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


def _line_queue(proc: subprocess.Popen) -> queue.Queue:
    """The process's stdout lines, read by a thread (a select() on the pipe would miss lines
    already pulled into Python's buffer). ``None`` marks the end."""
    lines = getattr(proc, "line_queue", None)
    if lines is None:
        lines = proc.line_queue = queue.Queue()

        def pump() -> None:
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
    return lines


def read_until(proc: subprocess.Popen, done: Callable[[list[dict]], bool], timeout: float) -> list[dict]:
    """JSON lines from ``proc`` until ``done(lines)`` or the timeout (never blocks past it)."""
    lines: list[dict] = []
    source = _line_queue(proc)
    deadline = time.monotonic() + timeout
    while not done(lines):
        try:
            line = source.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no answer from the writer in {timeout} s; so far {lines[-3:]}") from None
        if line is None:
            raise AssertionError(f"the writer ended early ({proc.wait()}): {proc.stderr.read()[-2000:]}")
        lines.append(json.loads(line))
    return lines


def go(*procs: subprocess.Popen) -> None:
    """Let writers waiting after their "ready" line start."""
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()


def finish(proc: subprocess.Popen, timeout: float = 60) -> list[dict]:
    """The rest of a writer's lines once it has ended; it must end well."""
    source = _line_queue(proc)
    returncode = proc.wait(timeout=timeout)
    lines = []
    while (line := source.get(timeout=timeout)) is not None:
        lines.append(json.loads(line))
    assert returncode == 0, (lines[-3:], proc.stderr.read()[-2000:])
    proc.stdin.close()
    proc.stderr.close()
    return lines


def ready(*procs: subprocess.Popen) -> list[dict]:
    """Wait for each writer's "ready" line."""
    return [read_until(proc, lambda lines: bool(lines), timeout=30)[0] for proc in procs]


# -- an unprivileged user ------------------------------------------------------------------------
# Root ignores file modes, so a read-only test run by root proves nothing: the code under test
# runs as `nobody` instead (CI may run as root too). Run by anyone else, the modes bind already.
# The child imports chosho while still root, then gives up root for good (setgroups, setgid,
# setuid) before it touches the database: the interpreter may live where `nobody` cannot read
# (here /root/.pyenv), so a preexec_fn that drops root before exec would not even start Python.

# Everything the child needs, loaded (and argparse's lazy gettext/locale warmed) before leaving root.
_IMPORTS = (
    "import os, sys, json, getpass, locale, gettext, argparse, sqlite3, db, db.store, db.location, survey, tui.cli\n"
    "tui.cli.build_parser().parse_args(['backup', 'x'])\n"
)


@functools.lru_cache(maxsize=1)
def _drop_root() -> str:
    """Python code that leaves root for `nobody` (empty when not root)."""
    if os.geteuid() != 0:
        return ""
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root and there is no 'nobody' user to test permissions with")
    code = f"os.setgroups([])\nos.setgid({entry.pw_gid})\nos.setuid({entry.pw_uid})\n"
    probe = subprocess.run(
        [sys.executable, "-c", _IMPORTS + code + "print(os.getuid(), os.geteuid())"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0 or probe.stdout.split() != [str(entry.pw_uid)] * 2:
        pytest.skip(f"cannot leave root for 'nobody' here: {probe.stderr.strip()[-300:]}")
    return code


def run_unprivileged(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run Python ``code`` (with ``args`` in sys.argv[1:]) as a user whom file modes bind."""
    script = _IMPORTS + _drop_root() + "if os.geteuid() == 0: sys.exit('still root')\n" + code
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", HOME=str(cwd))
    return subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=60,
    )


CLI = "sys.exit(tui.cli.main(sys.argv[1:]))\n"

OPEN = """
try:
    db.open_store(sys.argv[1], "clerk").close()
    print(json.dumps({"opened": True}))
except db.StoreError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}, ensure_ascii=False))
"""


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder any user can reach (pytest's own tmp folders are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="chosho-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        for root, dirs, _ in os.walk(folder):  # top-down: each folder is opened before it is listed
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
        shutil.rmtree(folder, ignore_errors=True)


