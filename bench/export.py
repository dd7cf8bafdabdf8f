"""How the export grows with the number of departments, against bare XlsxWriter in the same run.

    .venv/bin/python bench/export.py            # 100, 1,000 and 10,000 departments
    .venv/bin/python bench/export.py 100 1000   # other sizes

For each size a synthetic database is built (the store's schema, filled by direct inserts with
forms drawn along their routes by ``exports.synthetic``), then ``export_workbook`` runs in a
fresh process that reports its time and peak memory (ru_maxrss). At the largest size the cells
the export wrote are recorded and written again with bare XlsxWriter (same sheets, same
values, no formats or charts): the baseline. The last line is ``ratio=<export ÷ baseline>``
at the largest size; the CPU time each child used is printed beside it (less disturbed by other
jobs on a shared machine).
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMS = 400  # distinct synthetic forms, dealt out to the departments in turn


def build(path: Path, departments: int) -> None:
    """A database of ``departments`` departments, most entered, some in progress or signed off."""
    from db import open_store
    from db.store import now
    from exports.synthetic import random_answers
    from survey.answers import Blank, Invalid, NotApplicable, encode

    store = open_store(path, "bench")
    questionnaire, router = store.questionnaire, store.router
    rng = random.Random(2024)
    forms = []
    for i in range(FORMS):
        answers = random_answers(questionnaire, rng, router, stop_after=None if i % 10 else 12)
        forms.append(
            [
                (
                    qid,
                    "blank" if isinstance(v, Blank) else "invalid" if isinstance(v, Invalid)
                    else "not_applicable" if isinstance(v, NotApplicable) else "answered",
                    json.dumps(encode(v), ensure_ascii=False, sort_keys=True),
                )
                for qid, v in answers.items()
            ]
        )
    conn, stamp = store.conn, now()
    conn.execute("BEGIN IMMEDIATE")
    seeded = conn.execute("SELECT count(*) FROM departments").fetchone()[0]
    qid_row = store.questionnaire_id
    for n in range(seeded + 1, departments + 1):
        dept = conn.execute(
            "INSERT INTO departments (questionnaire_id, bukyoku, name, position) VALUES (?, ?, ?, ?)",
            (qid_row, f"合成部{(n - 1) // 50 + 1:03d}", f"合成課{n:05d}", n),
        ).lastrowid
        conn.execute("INSERT INTO responses (questionnaire_id, department_id) VALUES (?, ?)", (qid_row, dept))
    responses = [r[0] for r in conn.execute("SELECT id FROM responses ORDER BY id LIMIT ?", (departments,))]
    for i, rid in enumerate(responses):
        form = forms[i % FORMS]
        status = "in_progress" if i % 10 == 0 else "reviewed" if i % 7 == 0 else "entered"
        conn.executemany(
            "INSERT INTO answers (response_id, question_id, state, value, entered_by, entered_at)"
            " VALUES (?, ?, ?, ?, 'bench', ?)",
            [(rid, qid, state, value, stamp) for qid, state, value in form],
        )
        conn.execute(
            "UPDATE responses SET status = ?, version = 1, updated_by = 'bench', updated_at = ?,"
            " entered_by = 'bench', entered_at = ? WHERE id = ?",
            (status, stamp, stamp, rid),
        )
    conn.execute("COMMIT")
    store.close()


def child_export(db: Path, out: Path, record: Path | None) -> None:
    """In a fresh process: export once; print seconds and peak memory as JSON."""
    from db import open_store
    from exports.workbook import export_workbook

    cells: list = []
    if record is not None:  # record the cells written, for the baseline
        from xlsxwriter.worksheet import Worksheet

        for method in ("write_string", "write_number"):
            original = getattr(Worksheet, method)

            def recorder(self, row, col, value, *rest, _original=original, **kw):
                cells.append((self.name, row, col, value))
                return _original(self, row, col, value, *rest, **kw)

            setattr(Worksheet, method, recorder)
    store = open_store(db, "bench")
    started, cpu = time.perf_counter(), time.process_time()
    export_workbook(store, out)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if record is not None:
        record.write_text(json.dumps(cells, ensure_ascii=False), encoding="utf-8")
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak": peak, "cells": len(cells)}))


def child_bare(record: Path, out: Path) -> None:
    """In a fresh process: write the recorded cells with bare XlsxWriter (default options)."""
    import xlsxwriter

    cells = json.loads(record.read_text(encoding="utf-8"))
    started, cpu = time.perf_counter(), time.process_time()
    book = xlsxwriter.Workbook(str(out))
    sheets: dict = {}
    for name, row, col, value in cells:
        sheet = sheets.get(name) or sheets.setdefault(name, book.add_worksheet(name))
        if isinstance(value, str):
            sheet.write_string(row, col, value)
        else:
            sheet.write_number(row, col, value)
    book.close()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "cells": len(cells)}))


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="chosho-bench-") as tmp:
        folder = Path(tmp)
        results = {}
        for size in sizes:
            db = folder / f"bench-{size}.sqlite"
            started = time.perf_counter()
            build(db, size)
            built = time.perf_counter() - started
            record = folder / "cells.json" if size == max(sizes) else None
            args = ["--child-export", str(db), str(folder / f"out-{size}.xlsx")]
            if record:
                # the recording run is slower: time a clean run separately
                run_child(*args, str(record))
            result = run_child(*args)
            results[size] = result
            mib = result["peak"] / 2**20
            per = result["seconds"] / size * 1000
            print(
                f"{size:>6} departments: export {result['seconds']:6.2f} s ({per:.2f} ms per department),"
                f" peak {mib:6.0f} MiB, file {os.path.getsize(folder / f'out-{size}.xlsx') / 2**20:.1f} MiB"
                f"  [database built in {built:.1f} s]",
                flush=True,
            )
        largest = max(sizes)
        bare = run_child("--child-bare", str(folder / "cells.json"), str(folder / "bare.xlsx"))
        ratio = results[largest]["seconds"] / bare["seconds"]
        print(f"bare XlsxWriter, same {bare['cells']:,} cells at {largest}: {bare['seconds']:.2f} s")
        # CPU time too: another job on the machine slows the wall clock of one child more than
        # the other's; ratio= stays the wall-clock figure
        print(f"CPU time at {largest}: export {results[largest]['cpu']:.2f} s, bare {bare['cpu']:.2f} s,"
              f" ratio {results[largest]['cpu'] / bare['cpu']:.2f}")
        if len(sizes) > 1:
            smallest = min(sizes)
            growth = (results[largest]["seconds"] / largest) / (results[smallest]["seconds"] / smallest)
            print(f"time per department at {largest} ÷ at {smallest}: {growth:.2f} (1.0 = linear)")
        print(f"ratio={ratio:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-export":
        child_export(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]) if len(sys.argv) > 4 else None)
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-bare":
        child_bare(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main([int(a) for a in sys.argv[1:]] or [100, 1000, 10000])
