"""The benchmarks under bench/ still run (their figures are in the README; nothing here is timed):
one short round each, checking only what they print."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=REPO, timeout=300, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_startup_bench_reaches_both_first_screens_without_pandas():
    out = _bench("bench/startup.py", "1")
    assert "chosho → who is entering" in out and "department list (58 rows)" in out
    assert "pandas imported before the first screen: no" in out
    assert re.search(r"^ratio=\d+\.\d\d$", out, flags=re.M), out


def test_next_question_bench_runs_against_its_baseline():
    out = _bench("bench/next_question.py", "1")
    assert re.search(r"^ratio=\d+\.\d\d$", out, flags=re.M), out


def test_open_department_bench_runs_against_its_baseline():
    out = _bench("bench/open_department.py", "1")
    for measure in ("wall clock, to the first frame", "CPU time, to the first frame", "CPU time, settled"):
        assert re.search(rf"^{measure} +bare screen push +\d+\.\d ms +chosho department +\d+\.\d ms .*×\d+\.\d\d$", out, flags=re.M), out
    assert re.search(r"^first_frame_ratio=\d+\.\d\d$", out, flags=re.M) and re.search(r"^ratio=\d+\.\d\d$", out, flags=re.M), out


def test_store_writes_bench_runs_against_its_baseline():
    out = _bench("bench/store_writes.py", "1")
    assert "chosho save_answer (one answer)" in out and "over 23" in out
    assert re.search(r"^ratio=\d+\.\d\d$", out, flags=re.M), out


def test_import_bounds_bench_runs_every_hostile_file():
    """Runs the files and prints the ceilings' verdict; the verdict itself is the bench's to judge."""
    out = _bench("bench/import_bounds.py", "--rows", "60", "--no-exit-code", "--no-trace")
    for name in ("row 1M", "form 1M", "form 3M", "form 8M", "form spaces", "form laughs"):
        assert re.search(rf"^{re.escape(name)}\s.*refused: ", out, flags=re.M), out
    assert re.search(r"^form\s.*read: 1 departments", out, flags=re.M), out
    assert "ceilings: peak memory ≤ 1.5× and time ≤ 10.0×" in out


def test_serve_bench_keys_two_sessions_and_loses_nothing():
    """Two people at once over chosho serve's WebSocket: the figures are printed, and the store
    must hold both departments exactly as keyed, each stamped with its person."""
    out = _bench("bench/serve.py", "--quick")
    assert re.search(r"^key → screen settled +median \d+\.\d ms, 95th \d+\.\d ms, worst \d+\.\d ms over 112 keys", out, flags=re.M), out
    assert "keys without a screen change: 0" in out
    assert re.search(r"^first screen after login with 2 sessions open: \d+\.\d\d s", out, flags=re.M), out
    assert re.search(r"^RSS per session: median \d+ MB, max \d+ MB over 3 app processes", out, flags=re.M), out
    assert "answers: 2/2 departments exactly as keyed and stamped with their person; lost or crossed 0" in out
    assert re.search(r"^ratio=\d+\.\d\d$", out, flags=re.M), out
