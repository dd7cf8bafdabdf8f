"""What a hostile workbook costs the import, against an ordinary one in the same run.

    .venv/bin/python bench/import_bounds.py           # the bombs and a 2,000-row sheet
    .venv/bin/python bench/import_bounds.py --rows 10000

Each file is built here (openpyxl), then ``import_answers(..., check_only=True)`` runs in a fresh
process that reports its wall time and peak memory (ru_maxrss). The baseline is a two-row
回答一覧 (about 5 KB). The bombs are the same two rows plus one stray cell:

- ``XFD1048576`` and ``A1048576``: the sheet claims 17 billion or 3 million cells;
- ``lying``: the stray cell at XFD1048576 with the sheet's dimension rewritten to A1:C2, so the
  claimed size passes and only the streamed cells can show it;
- ``big``: a real sheet of ``--rows`` departments × every column (the largest honest input).

Printed per file: seconds, peak MB, both as a ratio to the baseline, and +MB: how much the peak
grew during the import call itself, and traced: the peak of Python allocations during the call
(tracemalloc, in a second process so that it does not slow the timed one; the process's peak is
set by opening the store). Flat memory means the bombs' peak stays at the baseline's.
In ``big`` the rows after the roster's 58 are refused as duplicates before their answers are
parsed: it measures reading and the row checks of a sheet that size, not 2,000 departments' checks.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from db import open_store
from exports.importer import ImportFileError, import_answers
store = open_store(sys.argv[2], "bench")
import tracemalloc
trace = sys.argv[4] == "trace"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if trace:
    tracemalloc.start()
start = time.perf_counter()
try:
    report = import_answers(store, sys.argv[1], check_only=True)
    outcome = f"read: {len(report.refusals)} refusals, {report.departments} departments"
except ImportFileError as exc:
    outcome = "refused: " + exc.message[:60]
seconds = time.perf_counter() - start
traced = tracemalloc.get_traced_memory()[1] if trace else 0
tracemalloc.stop()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "import_mb": (peak - before) / 1024, "traced_mb": traced / 2**20, "outcome": outcome}))
"""

SMALL = [["部局", "所属", "Q1"], ["総合政策部", "政策課", 1]]


def workbook(path: Path, rows, extra: dict | None = None) -> Path:
    import openpyxl

    book = openpyxl.Workbook(write_only=False)
    ws = book.active
    ws.title = "回答一覧"
    for row in rows:
        ws.append(row)
    for address, value in (extra or {}).items():
        ws[address] = value
    book.save(path)
    return path


def lying(path: Path) -> Path:
    out = path.with_name("lying.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:C2"/>', data)
            dst.writestr(item, data)
    return out


def big(path: Path, rows: int) -> Path:
    """``rows`` departments (the roster's names repeated: the rows are refused as duplicates,
    which still reads and checks every cell) with every column of the form filled."""
    import random

    from db import open_store
    from exports import layout
    from exports.synthetic import random_answers

    store = open_store(path.with_suffix(".sqlite"), "bench")
    questionnaire, router = store.questionnaire, store.router
    variables = layout.variables(questionnaire)
    rng = random.Random(14)
    names = [(d.bukyoku, d.name) for d in store.departments()]
    table = [["部局", "所属"] + [v.name for v in variables]]
    for i in range(rows):
        answers = random_answers(questionnaire, rng, router)
        route = router.route(answers)
        cells = []
        for question in questionnaire.questions:
            cells += layout.render(question, answers.get(question.id), route.status(question.id) == "off")
        table.append(list(names[i % len(names)]) + cells)
    store.close()
    return workbook(path, table)


def run(path: Path, work: Path) -> dict:
    """Timed in one fresh process, traced (tracemalloc slows it) in another."""
    results = []
    for mode in ("time", "trace"):
        database = work / f"{path.stem}.{mode}.sqlite"
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(database), str(ROOT), mode], capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    timed, traced = results
    return {**timed, "traced_mb": traced["traced_mb"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = {
            "baseline": workbook(work / "baseline.xlsx", SMALL),
            "XFD1048576": workbook(work / "xfd.xlsx", SMALL, {"XFD1048576": "x"}),
            "A1048576": workbook(work / "a.xlsx", SMALL, {"A1048576": "x"}),
        }
        files["lying"] = lying(workbook(work / "lie.xlsx", SMALL, {"XFD1048576": "x"}))
        files[f"big {args.rows} rows"] = big(work / "big.xlsx", args.rows)
        results = {name: run(path, work) for name, path in files.items()}
        base = results["baseline"]
        print(f"{'file':<16} {'KB':>7} {'seconds':>8} {'×base':>6} {'peak MB':>8} {'×base':>6} {'+MB':>6} {'traced':>7}  outcome")
        for name, result in results.items():
            size = files[name].stat().st_size / 1024
            print(
                f"{name:<16} {size:7.1f} {result['seconds']:8.3f} {result['seconds'] / base['seconds']:6.1f}"
                f" {result['peak_mb']:8.1f} {result['peak_mb'] / base['peak_mb']:6.2f} {result['import_mb']:6.1f} {result['traced_mb']:7.2f}"
                f"  {result['outcome']}"
            )


if __name__ == "__main__":
    main()
