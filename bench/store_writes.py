"""One accepted answer stored (Store.save_answer: the write transaction, the journal's entry and
its hash, the recorded progress), against a bare SQLite write transaction in the same run.

    .venv/bin/python bench/store_writes.py [rounds] [--root PATH]

Each round keys the whole Q1 = 1 form (tests/store_support.py's FORM, 23 answers) into a new
database, one ``save_answer`` per answer, and times each call; the baseline is the same number
of bare transactions on a table of the same shape (BEGIN IMMEDIATE, one upsert, COMMIT; WAL,
synchronous FULL, as the store runs). The figure that means something on a noisy machine is the
ratio of the medians; the last line is ``ratio=<number>``. ``--root`` measures another checkout
of chosho (e.g. an export of main) with the same baseline, for a before/after comparison.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _root() -> Path:
    if "--root" in sys.argv:
        return Path(sys.argv[sys.argv.index("--root") + 1]).resolve()
    return Path(__file__).resolve().parent.parent


ROOT = _root()
sys.path.insert(0, str(ROOT))

from db import open_store  # noqa: E402
from tests.store_support import FORM  # noqa: E402


CPU: list[float] = []  # the CPU time of each save_answer (the wall clock is mostly fsync)


def chosho(folder: Path) -> list[float]:
    times = []
    with open_store(folder / "chosho.sqlite", "bench") as store:
        response = store.response(department_id=store.departments()[0].id)
        version = response.version
        for qid, value in FORM:
            start, cpu = time.perf_counter(), time.process_time()
            version = store.save_answer(response.id, qid, value, expected_version=version)
            times.append(time.perf_counter() - start)
            CPU.append(time.process_time() - cpu)
    return times


def bare(folder: Path, n: int) -> list[float]:
    conn = sqlite3.connect(folder / "bare.sqlite", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE answers (response_id INTEGER, question_id TEXT, value TEXT, PRIMARY KEY (response_id, question_id))")
    times = []
    for i in range(n):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO answers VALUES (1, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
            (f"Q{i}", '{"single": 1, "texts": {}}'),
        )
        conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    args = [a for a in args if a != str(ROOT) and Path(a).resolve() != ROOT]
    rounds = int(args[0]) if args else 5
    ours: list[float] = []
    base: list[float] = []
    for _ in range(rounds):  # alternated, so a noisy moment hits both alike
        with tempfile.TemporaryDirectory() as folder:
            ours += chosho(Path(folder))
            base += bare(Path(folder), len(FORM))
    print(f"code measured: {ROOT}")
    print(f"bare SQLite write transaction       median {statistics.median(base) * 1000:6.2f} ms over {len(base)}")
    print(f"chosho save_answer (one answer)     median {statistics.median(ours) * 1000:6.2f} ms over {len(ours)}")
    print(f"chosho save_answer CPU time         median {statistics.median(CPU) * 1000:6.2f} ms")
    print(f"ratio={statistics.median(ours) / statistics.median(base):.2f}")


if __name__ == "__main__":
    main()
