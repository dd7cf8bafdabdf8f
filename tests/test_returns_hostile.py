"""Returned forms attacked from outside (issue 25 items 1–7): memory, identity, names, cells.

Memory cases run the real command in a child process under ``resource.setrlimit`` (address
space), so a reader that loads the crafted workbook whole dies there instead of passing.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from db import open_store
from db.originals import originals
from exports.forms import ID_SHEET, write_forms
from exports.intake import import_files
from survey import Blank, Text
from tui.cli import main

from .forms_support import cell_of, fill_by_name

ROOT = Path(__file__).resolve().parents[1]
FILLED = {"Q1": 2, "Q16": 5, "Q18": 1, "Q19": 1, "Q20": "無回答", "Q21": 1, "Q22": "無回答",
          "Q23_respondents": 4, "Q23_line": 0, "Q23_x": 0, "Q23_facebook": 0, "Q23_youtube": 0}


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "chosho.sqlite"
    open_store(path, "clerk").close()
    return path


def form(db: Path, folder: Path, name: str = "総務課", cells: dict | None = None, out: str | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    with open_store(db, "clerk") as store:
        [path] = write_forms(store, folder, department=name)
    if cells is not None:
        fill_by_name(path, cells, folder / (out or path.name))
        return folder / (out or path.name)
    return path


def rewrite(path: Path, out: Path, part: str, change) -> Path:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item.filename, change(data) if item.filename == part else data)
    return out


def answers(db: Path, name: str) -> dict:
    with open_store(db, "reader") as store:
        return dict(next(r for r in store.responses() if r.department.name == name).answers)


def run_limited(args: list[str], limit_mb: int) -> subprocess.CompletedProcess:
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({limit_mb} << 20, {limit_mb} << 20))\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from tui.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


# -- 1. memory ------------------------------------------------------------------------------------

LIMIT_MB = 600  # the command's own address space is about 250 MB; the crafted files took GBs


@pytest.mark.parametrize("cells", [1_000_000, 3_000_000])
def test_a_million_cells_without_addresses_stay_within_memory(db, tmp_path, cells):
    filled = form(db, tmp_path / "f", cells=FILLED)
    bomb = rewrite(
        filled, tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"</sheetData>", b"<row>" + b"<c/>" * cells + b"</row></sheetData>"),
    )
    assert bomb.stat().st_size < 200_000  # a small file on disk
    done = run_limited(["--db", str(db), "import", str(bomb)], LIMIT_MB)
    assert done.returncode == 3, done.stderr
    assert "50,000 を超えるセル" in done.stderr and "Traceback" not in done.stderr + done.stdout
    assert not answers(db, "総務課")


def test_compressed_whitespace_is_refused_by_its_unzipped_size(db, tmp_path):
    filled = form(db, tmp_path / "f", cells=FILLED)
    bomb = rewrite(
        filled, tmp_path / "spaces.xlsx", "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"<sheetData>", b"<sheetData>" + b" " * (200 << 20), 1),
    )
    done = run_limited(["--db", str(db), "import", str(bomb)], LIMIT_MB)
    assert done.returncode == 3 and "展開すると" in done.stderr, done.stderr


def test_a_huge_file_is_refused_before_it_is_read(db, tmp_path):
    filled = form(db, tmp_path / "f", cells=FILLED)
    sparse = tmp_path / "huge.xlsx"
    with open(sparse, "wb") as f:
        f.truncate(1 << 30)  # 1 GB of (sparse) zeros before a real form: still a readable zip
        f.seek(1 << 30)
        f.write(filled.read_bytes())
    done = run_limited(["--db", str(db), "import", str(sparse)], LIMIT_MB)
    assert done.returncode == 3 and "大きすぎます" in done.stderr, done.stderr


def test_entities_in_a_return_are_refused(db, tmp_path):
    filled = form(db, tmp_path / "f", cells=FILLED)
    laughs = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    bomb = rewrite(filled, tmp_path / "laughs.xlsx", "xl/workbook.xml", lambda d: laughs + (d.split(b"?>", 1)[1] if d.startswith(b"<?xml") else d))
    with open_store(db, "clerk") as store:
        [report] = import_files(store, [bomb])
    assert report.refusals and not report.imported


# -- 2. identity ----------------------------------------------------------------------------------


def _edit(path: Path, change) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def _ident_row(book, key: str):
    return next(r for r in book[ID_SHEET].iter_rows(max_col=2) if r[0].value == key)


def test_a_changed_hidden_department_is_refused_naming_both(db, tmp_path):
    path = form(db, tmp_path / "f", cells=FILLED)
    _edit(path, lambda book: setattr(_ident_row(book, "department")[1], "value", "人事課"))
    with open_store(db, "clerk") as store:
        [report] = import_files(store, [path])
    text = "\n".join(report.lines())
    assert not report.imported and "人事課" in text and "総務課（総務部）" in text and "一致しません" in text
    assert not answers(db, "人事課") and not answers(db, "総務課")


def test_identity_changed_everywhere_still_fails_the_digest(db, tmp_path):
    path = form(db, tmp_path / "f", cells=FILLED)

    def forge(book):
        _ident_row(book, "department")[1].value = "人事課"
        book["調書"]["C3"].value = "人事課（総務部）"

    _edit(path, forge)
    with open_store(db, "clerk") as store:
        [report] = import_files(store, [path])
    assert not report.imported and "ダイジェスト" in "\n".join(report.lines())
    assert not answers(db, "人事課")


def test_swapped_and_moved_names_are_refused_naming_what_moved(db, tmp_path):
    path = form(db, tmp_path / "f", cells={**FILLED, "Q1": 1, "Q12": 1, "Q13": 2})
    book = openpyxl.load_workbook(path)
    q12, q13, q10 = (cell_of(book, v).coordinate for v in ("Q12", "Q13", "Q10"))

    def swap(book):
        names = book.defined_names
        names["Q12_"].attr_text, names["Q13_"].attr_text = names["Q13_"].attr_text, names["Q12_"].attr_text
        names["Q10_"].attr_text = "'調書'!$A$2"

    _edit(path, swap)
    with open_store(db, "clerk") as store:
        [report] = import_files(store, [path])
    text = "\n".join(report.lines())
    assert not report.imported
    assert f"名前「Q12_」が セル {q13} を指しています（様式では セル {q12}）" in text
    assert f"名前「Q13_」が セル {q12} を指しています（様式では セル {q13}）" in text
    assert f"名前「Q10_」が セル A2 を指しています（様式では セル {q10}）" in text
    assert not answers(db, "総務課")


def test_the_report_names_the_department_stored_under(db, tmp_path):
    path = form(db, tmp_path / "f", cells=FILLED)
    with open_store(db, "clerk") as store:
        [report] = import_files(store, [path])
    assert report.imported and report.lines()[0].startswith(f"{path.name}: 総務課（総務部） の回答 ")


# -- 3. a defined name pointing at a range -------------------------------------------------------


@pytest.mark.parametrize("target", ["'調書'!$D$118:$D$119", "'調書'!$D:$D", "'調書'!$118:$118"])
def test_a_name_pointing_at_a_range_is_refused_not_a_crash(db, tmp_path, capsys, target):
    path = form(db, tmp_path / "f", cells=FILLED)
    _edit(path, lambda book: setattr(book.defined_names["Q16_"], "attr_text", target))
    assert main(["--db", str(db), "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "名前「Q16_」が一つのセルではなく" in err and target.split("!")[1].replace("$", "") in err
    assert "Traceback" not in err and "Error" not in err


# -- 4. one cell rule -----------------------------------------------------------------------------


def _typed(book, variable, value, kind=None):
    cell = cell_of(book, variable)
    cell.value = value
    if kind:
        cell.data_type = kind


@pytest.mark.parametrize(
    ("value", "kind", "rule"),
    [("#N/A", "e", "e"), (datetime(2024, 1, 1), None, "d"), (False, None, "b")],
)
def test_error_date_and_false_cells_are_refused_in_a_form_as_in_a_list(db, tmp_path, value, kind, rule):
    path = form(db, tmp_path / "f", cells=FILLED)
    _edit(path, lambda book: _typed(book, "Q20", value, kind))
    with open_store(db, "clerk") as store:
        [report] = import_files(store, [path])
    from exports.tables import cell_problem  # the one rule (new with issue 25)

    expected = cell_problem(rule, "FALSE" if value is False else str(value))
    assert not report.imported and any(expected in r.message for r in report.refusals), report.lines()
    assert not answers(db, "総務課")
    # the 回答一覧 path says the same of the same cell
    listing = tmp_path / "list.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "回答一覧"
    ws.append(["部局", "所属", "Q1", "Q20"])
    ws.append(["総務部", "総務課", 2, None])
    ws["D2"] = value
    if kind:
        ws["D2"].data_type = kind
    book.save(listing)
    with open_store(db, "clerk") as store:
        [report] = import_files(store, [listing])
    assert any(expected in r.message for r in report.refusals), report.lines()


# -- 5. the tick cell's message names the form's own mark ---------------------------------------


def test_a_tick_that_is_not_a_tick_names_the_mark_the_form_asks_for(db, tmp_path):
    path = form(db, tmp_path / "f", cells={"Q1": 1, "Q3_1": "x"})
    with open_store(db, "clerk") as store:
        [report] = import_files(store, [path])
    [refusal] = [r for r in report.refusals if r.where == "Q3_1"]
    assert "「x」は選択の印として読めません。選ぶ選択肢には ○ を入力してください" in refusal.message
    assert "1（選択）か 0（非選択）" not in "\n".join(report.lines())


# -- 6. every problem of a file at once ----------------------------------------------------------


def test_every_problem_of_a_form_is_reported_in_one_run(db, tmp_path):
    path = form(db, tmp_path / "f", cells={**FILLED, "Q1": 1, "Q2_line": 9, "Q3_1": "x", "Q23_respondents": "たくさん"})
    _edit(path, lambda book: setattr(cell_of(book, "Q9"), "value", "=1+2"))
    with open_store(db, "clerk") as store:
        [report] = import_files(store, [path])
    text = "\n".join(report.lines())
    assert not report.imported
    assert "数式" in text and "Q2_line" in text and "「x」" in text and "たくさん" in text, text


# -- 7. a corrected return replaces the first one, explicitly ------------------------------------


def test_replace_a_corrected_return_logged_with_old_values(db, tmp_path, capsys):
    first = form(db, tmp_path / "f", cells=FILLED, out="first.xlsx")
    assert main(["--db", str(db), "--user", "clerk", "import", str(first)]) == 0
    corrected = form(db, tmp_path / "f", cells={**FILLED, "Q23_respondents": 6, "Q20": "窓口で案内する"}, out="second.xlsx")
    capsys.readouterr()
    assert main(["--db", str(db), "--user", "clerk", "import", str(corrected)]) == 1
    assert "--replace" in capsys.readouterr().err
    assert answers(db, "総務課")["Q20"] == Blank()
    assert main(["--db", str(db), "--user", "clerk", "import", "--replace", str(corrected)]) == 0
    out = capsys.readouterr().out
    assert "総務課（総務部） の回答を置き換えました（変わった回答 2 件" in out
    got = answers(db, "総務課")
    assert got["Q23"].values["respondents"] == 6 and got["Q20"] == Text("窓口で案内する")
    with open_store(db, "reader") as store:
        changes = [e for e in store.history() if e.action == "answer" and e.why.startswith("取り込み（置き換え）")]
        assert {e.question_id for e in changes} == {"Q23", "Q20"}
        assert all(e.old for e in changes)  # the old value is in the log
        assert {o.name for o in originals(store)} == {"first.xlsx", "second.xlsx"}
        response = next(r for r in store.responses() if r.department.name == "総務課")
    # signed off (確認済; the screens' sign-off needs every question shown): a replacement is refused
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE responses SET status = 'reviewed' WHERE id = ?", (response.id,))
    third = form(db, tmp_path / "f", cells={**FILLED, "Q20": "三度目"}, out="third.xlsx")
    assert main(["--db", str(db), "--user", "clerk", "import", "--replace", str(third)]) == 1
    assert "確認済み" in capsys.readouterr().err
    assert answers(db, "総務課")["Q20"] == Text("窓口で案内する")


def test_a_list_with_a_row_of_a_million_cells_stays_within_memory(db, tmp_path):
    """The 回答一覧 path too: openpyxl builds a whole row before yielding it (950 MB, 21 s for
    this 113 KB file before issue 25); the cells are counted first, keeping nothing."""
    listing = tmp_path / "list.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "回答一覧"
    ws.append(["部局", "所属", "Q1"])
    ws.append(["総務部", "総務課", 2])
    book.save(listing)
    bomb = rewrite(
        listing, tmp_path / "row.xlsx", "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"</sheetData>", b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 1_000_000 + b"</row></sheetData>"),
    )
    done = run_limited(["--db", str(db), "import", str(bomb)], LIMIT_MB)
    assert done.returncode == 3 and "16,384 を超えるセル" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_form_damaged_anywhere_is_a_report_never_an_exception(db, tmp_path):
    """Bytes of a filled form changed at random (200 files, seeded): each is read or refused in
    Japanese, never raises (zip directory, deflate stream, XML, shared strings, names)."""
    import random

    filled = form(db, tmp_path / "f", cells=FILLED)
    data = filled.read_bytes()
    rng = random.Random(25)
    with open_store(db, "clerk") as store:
        for i in range(200):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            path = tmp_path / f"damaged{i}.xlsx"
            path.write_bytes(bytes(damaged))
            [report] = import_files(store, [path], check_only=True)
            assert report.refusals or report.departments == 1
            assert not any(word in "\n".join(report.lines()) for word in ("Error", "Traceback", "Errno"))
