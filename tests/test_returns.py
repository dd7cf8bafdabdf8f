"""Returned forms: filled as departments fill them, imported, and compared with the store."""

from __future__ import annotations

import random
import sqlite3

import openpyxl
import pytest

from db import open_store
from db.originals import attach_file, original_content, originals
from exports.forms import write_form, write_forms
from exports.intake import import_files
from exports.synthetic import random_answers
from survey import Blank, Counts, Grid, Invalid, Multi, Single, Text
from tui.cli import main

from .forms_support import cell_of, cells_for, fill_by_name, put


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "chosho.sqlite", "importer") as store:
        yield store


def _form(store, folder, name):
    [path] = write_forms(store, folder, department=name)
    return path


def _answers(store, name):
    return next(r for r in store.responses() if r.department.name == name)


def test_58_forms_filled_and_imported_in_one_go(store, tmp_path):
    """The whole office: 58 forms out, 58 filled back, one import; nobody retypes an answer."""
    out, back = tmp_path / "out", tmp_path / "back"
    out.mkdir(), back.mkdir()
    paths = write_forms(store, out)
    rng = random.Random(17)
    expected = {}
    for path in paths:
        book = openpyxl.load_workbook(path)
        name = {r[0]: r[1] for r in book["chosho"].iter_rows(max_col=2, values_only=True) if r[0]}["department"]
        answers = random_answers(store.questionnaire, rng, store.router)
        route = store.router.route(answers)
        expected[name] = {q: v for q, v in answers.items() if route.status(q) != "off"}
        fill_by_name(path, cells_for(store.questionnaire, answers, store.router), back / path.name)
    reports = import_files(store, [back])
    assert len(reports) == 58
    assert all(r.imported and not r.refusals for r in reports), [r.lines() for r in reports if r.refusals]
    got = {r.department.name: dict(r.answers) for r in store.responses()}
    # 非該当 judged by the clerk is stored; off-route 非該当 is derived and not
    assert got == {name: {q: v for q, v in a.items()} for name, a in expected.items()}
    # a complete route (every question on it answered, 無回答 or 無効) is 入力済, review can start;
    # only a blank Q1 with no route chosen (the clerk must choose it) stays 入力中, and says so
    unsettled = {n for n, a in expected.items() if store.router.route(a).awaiting_choice}
    assert 0 < len(unsettled) < 5
    assert {r.department.name for r in store.responses() if r.status == "in_progress"} == unsettled
    assert {r.department.name for r in store.responses() if r.status == "entered"} == set(expected) - unsettled
    assert {g.department for r in reports for g in r.gaps} == unsettled
    assert all("経路の選択（Ｑ１）" in g.message for r in reports for g in r.gaps)
    assert sum(r.entered for r in reports) == 58 - len(unsettled)
    # the originals are kept, byte for byte, with who and the file's SHA-256
    kept = originals(store)
    assert len(kept) == 58 and {o.stored_by for o in kept} == {"importer"}
    sample = kept[0]
    assert original_content(store, sample.id) == (back / sample.name).read_bytes()
    history = [e for e in store.history() if e.action == "answer"]
    assert {e.who for e in history} == {"importer"} and all(e.why.startswith("取り込み: ") for e in history)


def test_returns_as_departments_fill_them(store, tmp_path):
    out, back = tmp_path / "out", tmp_path / "back"
    out.mkdir(), back.mkdir()
    q = store.questionnaire

    # 政策課: by defined name, full-width digits, ○ / ✓ / レ ticks, text in a text box,
    # a two-number single choice (無効, kept as shown), and an extra sheet.
    path = _form(store, out, "政策課")
    fill_by_name(path, {
        "Q1": "１", "Q2_line": "１", "Q2_x": 2, "Q2_facebook": "５", "Q2_youtube": 5,
        "Q3_1": "○", "Q3_2": "✓", "Q3_5": "レ", "Q3_5_text": "職員採用の案内", "Q4_1": "1",
        "Q5": "1,2", "Q6": 1, "Q7_2": "○", "Q8_1": "○", "Q9": 3, "Q10": "=あとで書く", "Q11": "無回答",
        "Q12": 1, "Q13": 1, "Q14_1": "○", "Q15": 2, "Q19": 1, "Q20": "窓口で案内する。\n掲示もする。",
        "Q21": 1, "Q22": "無回答",
        "Q23_respondents": "１２", "Q23_line": 8, "Q23_x": 3, "Q23_facebook": 0, "Q23_youtube": "２",
    }, back / "01_政策課.xlsx")
    book = openpyxl.load_workbook(back / "01_政策課.xlsx")
    book.create_sheet("メモ")["A1"] = "担当: 山田"
    book.save(back / "01_政策課.xlsx")

    # 秘書広聴課: typed into cells by their address (as seen on the sheet), the Q1 = 2 route.
    path = _form(store, out, "秘書広聴課")
    book = openpyxl.load_workbook(path)
    typed = {"Q1": 2, "Q16": "５", "Q18": 4, "Q18_4_text": "人手が足りない", "Q19": 2, "Q20": "特になし",
             "Q21": 2, "Q22": "研修を希望", "Q23_respondents": 3, "Q23_line": "０", "Q23_x": 0, "Q23_facebook": 0,
             "Q23_youtube": 1}
    where = {v: cell_of(book, v).coordinate for v in typed}
    ws = book["調書"]
    for variable, value in typed.items():
        ws[where[variable]] = value
    book.save(back / "02_秘書広聴課.xlsx")

    # 人事課: only Q1 answered: imported, stays 入力中 with its gaps listed
    fill_by_name(_form(store, out, "人事課"), {"Q1": 2}, back / "03_人事課.xlsx")

    # 財政課: a count above 回答者数 → the file is refused, nothing of it stored
    fill_by_name(_form(store, out, "財政課"), {"Q1": 2, "Q16": 5, "Q18": 1, "Q19": 1, "Q21": 1,
                                              "Q23_respondents": 3, "Q23_line": 5}, back / "04_財政課.xlsx")
    # 課税課: a formula in an answer cell → refused, naming the cell
    path = fill_by_name(_form(store, out, "課税課"), {"Q1": 2}, back / "05_課税課.xlsx")
    book = openpyxl.load_workbook(path)
    formula_at = cell_of(book, "Q16").coordinate
    cell_of(book, "Q16").value = "=1+4"
    book.save(path)
    # a second return of 政策課's form (someone else filled a copy) → not overwritten
    fill_by_name(_form(store, out, "政策課"), {"Q1": 2}, back / "06_政策課_再送.xlsx")
    # a form made from an older definition → refused, naming the version it was made for
    old = write_form(out / "old.xlsx", q, "ab" * 32, "総務部", "総務課")
    fill_by_name(old, {"Q1": 2}, back / "07_総務課_旧版.xlsx")
    # a blank form: the department typed its own name
    [blank] = write_forms(store, out, blank=True)
    fill_by_name(blank, {"所属名": "市民課", "Q1": 2, "Q16": 5, "Q18": 1, "Q19": 1, "Q20": "無回答",
                         "Q21": 1, "Q22": "無回答", "Q23_respondents": 4, "Q23_line": 0, "Q23_x": 0,
                         "Q23_facebook": 0, "Q23_youtube": 0}, back / "08_白紙_市民課.xlsx")
    # a tick that is not a tick → refused with the cell's name
    fill_by_name(_form(store, out, "保育課"), {"Q1": 1, "Q3_1": "はい"}, back / "09_保育課.xlsx")
    # a PDF scan among the returns: not read, and said so
    (back / "10_scan.pdf").write_bytes(b"%PDF-1.4 scan")

    reports = {r.source: r for r in import_files(store, [back])}
    text = {name: "\n".join(r.lines()) for name, r in reports.items()}

    ok = reports["01_政策課.xlsx"]
    assert ok.imported and not ok.refusals, text["01_政策課.xlsx"]
    assert "追加されたシート「メモ」は読んでいません" in text["01_政策課.xlsx"]
    a = _answers(store, "政策課").answers
    assert a["Q1"] == Single(1)
    assert a["Q2"] == Grid({"line": 1, "x": 2, "facebook": 5, "youtube": 5})
    assert a["Q3"] == Multi(frozenset({1, 2, 5}), {5: "職員採用の案内"})
    assert a["Q5"] == Invalid("1,2")
    assert a["Q10"] == Text("=あとで書く") and a["Q11"] == Blank()
    assert a["Q20"] == Text("窓口で案内する。\n掲示もする。")
    assert a["Q23"] == Counts({"respondents": 12, "line": 8, "x": 3, "facebook": 0, "youtube": 2})
    assert _answers(store, "政策課").status == "entered"
    assert any("無効な回答（1,2）" in w.message for w in ok.warnings)

    b = _answers(store, "秘書広聴課")
    assert b.answers["Q16"] == Single(5) and b.answers["Q18"] == Single(4, {4: "人手が足りない"})
    assert b.status == "entered"

    partial = reports["03_人事課.xlsx"]
    assert partial.imported and _answers(store, "人事課").status == "in_progress"
    assert "入力中のまま 1 所属" in text["03_人事課.xlsx"] and "Ｑ１６" in text["03_人事課.xlsx"]

    assert reports["04_財政課.xlsx"].refusals and "回答者数" in text["04_財政課.xlsx"]
    assert not _answers(store, "財政課").answers
    assert f"セル {formula_at}（Q16_）: 数式のセルです（=1+4）" in text["05_課税課.xlsx"]
    assert not _answers(store, "課税課").answers
    assert "上書きしません（訂正された回答で置き換えるには --replace" in text["06_政策課_再送.xlsx"]
    assert "別の版の調書定義（SHA-256 abababababab" in text["07_総務課_旧版.xlsx"]
    assert not _answers(store, "総務課").answers
    assert reports["08_白紙_市民課.xlsx"].imported and _answers(store, "市民課").answers["Q1"] == Single(2)
    book = openpyxl.load_workbook(back / "09_保育課.xlsx")
    assert f"Q3_1: セル {cell_of(book, 'Q3_1').coordinate}（Q3_1）: 「はい」は選択の印として読めません。選ぶ選択肢には ○ を入力" in text["09_保育課.xlsx"]
    assert "PDF" in text["10_scan.pdf"]
    # refused files left nothing, not even an original
    kept = {o.name for o in originals(store)}
    assert kept == {"01_政策課.xlsx", "02_秘書広聴課.xlsx", "03_人事課.xlsx", "08_白紙_市民課.xlsx"}


def test_check_only_stores_nothing(store, tmp_path):
    path = fill_by_name(_form(store, tmp_path, "政策課"), {"Q1": 2})
    [report] = import_files(store, [path], check_only=True)
    assert not report.imported and not report.refusals and report.departments == 1
    assert not _answers(store, "政策課").answers and not originals(store)


def test_import_command_exit_codes(tmp_path, capsys):
    db = str(tmp_path / "chosho.sqlite")
    assert main(["--db", db, "--user", "clerk", "forms", "-o", str(tmp_path), "--department", "政策課"]) == 0
    [form] = tmp_path.glob("*政策課.xlsx")
    fill_by_name(form, {"Q1": 9})
    capsys.readouterr()
    assert main(["--db", db, "import", str(form)]) == 1
    assert "9 は選択肢にありません" in capsys.readouterr().err
    fill_by_name(form, {"Q1": 2})
    assert main(["--db", db, "import", str(form), str(tmp_path / "missing.xlsx")]) == 3  # a file unusable
    captured = capsys.readouterr()
    assert "取り込みました" in captured.out and "missing.xlsx" in captured.err


def test_attach_and_backup_keep_originals(store, tmp_path, capsys):
    scan = tmp_path / "政策課_回答.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    dept = next(d for d in store.departments() if d.name == "政策課")
    original, new = attach_file(store, dept.id, scan, why="原本の添付")
    assert new and original.size == scan.stat().st_size and len(original.sha256) == 64
    again, new = attach_file(store, dept.id, scan)
    assert not new and again.id == original.id  # the same file is kept once
    assert [e.action for e in store.history() if e.action == "original"] == ["original"]
    backup = store.backup(tmp_path / "backup.sqlite")
    with sqlite3.connect(backup) as copy:
        name, content = copy.execute("SELECT name, content FROM originals").fetchone()
    assert name == scan.name and content == scan.read_bytes()
    # the command line
    db = str(tmp_path / "cli.sqlite")
    assert main(["--db", db, "--user", "clerk", "attach", "政策課", str(scan)]) == 0
    assert "原本として保存しました" in capsys.readouterr().out
    assert main(["--db", db, "attach", "ない課", str(scan)]) == 3
    assert main(["--db", db, "attach", "政策課", str(tmp_path / "none.pdf")]) == 3
    assert "がありません" in capsys.readouterr().err
