"""What a hostile file costs the import, against an ordinary one in the same run, and whether
every import stays within its stated ceiling.

    .venv/bin/python bench/import_bounds.py           # the bombs, the returns and a 2,000-row sheet
    .venv/bin/python bench/import_bounds.py --rows 10000

Each file is built here (openpyxl, xlsxwriter, zipfile), then the import command's own path
(``exports.intake.import_files(..., check_only=True)``) runs in a fresh process that reports
its wall time and peak memory (VmHWM; ru_maxrss where there is no /proc).

The ceilings (checked at the end; the script exits 1 when one is passed): every hostile file —
回答一覧 or returned form — is refused or read with a peak memory at most ``MEMORY_CEILING``
times its baseline's and a wall time at most ``TIME_CEILING`` times its baseline's (the
baseline: a two-row 回答一覧, or one department's filled return, in the same run).

The 回答一覧 baseline is a two-row 回答一覧 (about 5 KB). Its bombs are the same two rows plus:

- ``XFD1048576`` and ``A1048576``: the sheet claims 17 billion or 3 million cells;
- ``lying``: the stray cell at XFD1048576 with the sheet's dimension rewritten to A1:C2, so the
  claimed size passes and only the streamed cells can show it;
- ``row 1M``: one row of a million cells without addresses (48 KB zipped; openpyxl builds the
  whole row before yielding it);
- ``big``: a real sheet of ``--rows`` departments × every column (the largest honest input;
  not a bomb, so held to no ceiling: its time grows with its rows).

The returned-form baseline is one department's form from ``chosho forms``, filled in. Its bombs:
- ``form 1M`` / ``form 3M`` / ``form 8M``: that form plus a row of 1, 3 or 8 million cells
  without addresses (before issue 25: 407 MB, 1.19 GB, 2.37 GB then MemoryError);
- ``form spaces``: 200 MB of whitespace inside the sheet (1.6 GB before);
- ``form laughs``: a document type declaration with nested entities in workbook.xml.

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
from pathlib import Path


def peak_kb():
    # VmHWM: this process's own high-water mark (ru_maxrss keeps the parent's across exec on Linux)
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss



sys.path.insert(0, sys.argv[3])
from db import open_store
from exports.intake import import_files
store = open_store(sys.argv[2], "bench")
import tracemalloc
trace = sys.argv[4] == "trace"
before = peak_kb()
if trace:
    tracemalloc.start()
start = time.perf_counter()
[report] = import_files(store, [Path(sys.argv[1])], check_only=True)
if report.refusals:
    outcome = "refused: " + report.refusals[0].message[:60]
else:
    outcome = f"read: {report.departments} departments"
seconds = time.perf_counter() - start
traced = tracemalloc.get_traced_memory()[1] if trace else 0
tracemalloc.stop()
peak = peak_kb()
print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "import_mb": (peak - before) / 1024, "traced_mb": traced / 2**20, "outcome": outcome}))
"""

MEMORY_CEILING = 1.5  # × the baseline's peak resident memory
TIME_CEILING = 10.0  # × the baseline's wall time

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


def rewrite(path: Path, out: Path, part: str, change) -> Path:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item.filename, change(data) if item.filename == part else data)
    return out


def row_of(cells: int, cell: bytes = b"<c/>"):
    return lambda data: data.replace(b"</sheetData>", b"<row>" + cell * cells + b"</row></sheetData>")


def filled_form(work: Path) -> Path:
    """One department's form, filled as a department fills it (by defined name)."""
    import openpyxl

    from db import open_store
    from exports.forms import excel_name, write_forms

    store = open_store(work / "forms.sqlite", "bench")
    [path] = write_forms(store, work / "forms", department="総務課")
    store.close()
    book = openpyxl.load_workbook(path)
    answers = {"Q1": 2, "Q16": 5, "Q18": 1, "Q19": 1, "Q20": "窓口で案内する。", "Q21": 1, "Q22": "無回答",
               "Q23_respondents": 4, "Q23_line": 0, "Q23_x": 0, "Q23_facebook": 0, "Q23_youtube": 0}
    for variable, value in answers.items():
        (sheet, ref), = book.defined_names[excel_name(variable)].destinations
        book[sheet][ref.replace("$", "")] = value
    out = work / "form.xlsx"
    book.save(out)
    return out


def run(path: Path, work: Path, trace: bool = True) -> dict:
    """Timed in one fresh process, traced (tracemalloc slows it) in another."""
    results = []
    for mode in ("time", "trace") if trace else ("time",):
        database = work / f"{path.stem}.{mode}.sqlite"
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(database), str(ROOT), mode], capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    timed, traced = results if trace else (results[0], {"traced_mb": 0.0})
    return {**timed, "traced_mb": traced["traced_mb"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--no-exit-code", action="store_true", help="report the ceilings without failing (the suite's smoke run)")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run of each file (faster)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = {
            "baseline": workbook(work / "baseline.xlsx", SMALL),
            "XFD1048576": workbook(work / "xfd.xlsx", SMALL, {"XFD1048576": "x"}),
            "A1048576": workbook(work / "a.xlsx", SMALL, {"A1048576": "x"}),
        }
        files["lying"] = lying(workbook(work / "lie.xlsx", SMALL, {"XFD1048576": "x"}))
        files["row 1M"] = rewrite(
            files["baseline"], work / "row.xlsx", "xl/worksheets/sheet1.xml", row_of(1_000_000, b'<c t="inlineStr"><is><t>x</t></is></c>')
        )
        files[f"big {args.rows} rows"] = big(work / "big.xlsx", args.rows)
        form = filled_form(work)
        sheet = "xl/worksheets/sheet1.xml"
        files["form"] = form
        for millions in (1, 3, 8):
            files[f"form {millions}M"] = rewrite(form, work / f"form{millions}m.xlsx", sheet, row_of(millions * 1_000_000))
        files["form spaces"] = rewrite(
            form, work / "spaces.xlsx", sheet, lambda d: d.replace(b"<sheetData>", b"<sheetData>" + b" " * (200 << 20), 1)
        )
        laughs = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        files["form laughs"] = rewrite(form, work / "laughs.xlsx", "xl/workbook.xml", lambda d: laughs + d.split(b"?>", 1)[-1])
        results = {name: run(path, work, trace=not args.no_trace) for name, path in files.items()}
        print(f"{'file':<16} {'KB':>7} {'seconds':>8} {'×base':>6} {'peak MB':>8} {'×base':>6} {'+MB':>6} {'traced':>7}  outcome")
        passed = []
        for name, result in results.items():
            base = results["form" if name.startswith("form") else "baseline"]
            size = files[name].stat().st_size / 1024
            time_ratio, memory_ratio = result["seconds"] / base["seconds"], result["peak_mb"] / base["peak_mb"]
            print(
                f"{name:<16} {size:7.1f} {result['seconds']:8.3f} {time_ratio:6.1f}"
                f" {result['peak_mb']:8.1f} {memory_ratio:6.2f} {result['import_mb']:6.1f} {result['traced_mb']:7.2f}"
                f"  {result['outcome']}"
            )
            if name not in ("baseline", "form") and not name.startswith("big"):
                passed.append((name, memory_ratio <= MEMORY_CEILING and time_ratio <= TIME_CEILING))
        failed = [name for name, ok in passed if not ok]
        print(f"ceilings: peak memory ≤ {MEMORY_CEILING}× and time ≤ {TIME_CEILING}× the baseline's for every hostile file: "
              + ("all within" if not failed else "PASSED BY " + ", ".join(failed)))
        if failed and not args.no_exit_code:
            sys.exit(1)


if __name__ == "__main__":
    main()
