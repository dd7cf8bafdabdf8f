"""chosho forms: the 調書 as a fillable workbook, read back with openpyxl and opened in LibreOffice."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import openpyxl
import pytest

from db import open_store
from exports import layout
from exports.forms import DEPARTMENT_NAME, FORM_SHEET, ID_SHEET, FormError, excel_name, write_form, write_forms
from survey import BUILTIN_DEFINITION
from tui.cli import main

from .forms_support import cell_of


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "chosho.sqlite", "clerk") as store:
        yield store


def test_excel_name_avoids_cell_references():
    assert [excel_name(v) for v in ("Q1", "Q10", "Q2_line", "Q3_1", "Q3_5_text", "Q23_respondents", "R1C1", "C")] == [
        "Q1_", "Q10_", "Q2_line", "Q3_1", "Q3_5_text", "Q23_respondents", "R1C1_", "C_"
    ]


def test_one_form_per_department(store, tmp_path):
    out = tmp_path / "forms"
    out.mkdir()
    paths = write_forms(store, out)
    assert len(paths) == 58 == len({p.name for p in paths})
    assert all(p.is_file() for p in paths)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temporary file left
    assert any("総合政策部_政策課" in p.name for p in paths)


def test_form_structure(store, tmp_path):
    [path] = write_forms(store, tmp_path, department="政策課")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [FORM_SHEET, ID_SHEET]
    ws, ident = book[FORM_SHEET], book[ID_SHEET]
    # identity, hidden
    assert ident.sheet_state == "hidden"
    fields = {r[0]: r[1] for r in ident.iter_rows(max_col=2, values_only=True) if r[0]}
    digest = hashlib.sha256(BUILTIN_DEFINITION.read_text(encoding="utf-8").encode()).hexdigest()
    assert fields["questionnaire"] == "niiza-fy2024-social-media"
    assert fields["sha256"] == digest
    assert (fields["bukyoku"], fields["department"]) == ("総合政策部", "政策課")
    # looks like the paper: title, department, instructions, questions, notes, 【複数回答可】, units
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    joined = "\n".join(texts)
    assert "ソーシャルメディアの利活用に関する調書" in texts and "別紙１「提出資料⑺」" in texts
    assert "政策課（総合政策部）" in texts
    assert "単一回答の場合は回答欄にＢ列の該当番号を入力してください" in joined
    assert "※　Ｑ１で２と回答した場合はＱ１６に進んでください。" in texts
    assert "Ｑ３　発信する情報の目的はなんですか。【複数回答可】" in texts
    assert "当該媒体では期間内に情報発信をしていない。" in texts and "人" in texts
    # protected without a password; only answer cells unlocked
    assert ws.protection.sheet and not ws.protection.password
    variables = layout.variables(store.questionnaire)
    answer_cells = {cell_of(book, v.name).coordinate for v in variables}
    assert len(answer_cells) == len(variables)
    assert all(not cell_of(book, v.name).protection.locked for v in variables)
    locked_text = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert locked_text and all(c.protection.locked for c in locked_text)
    assert DEPARTMENT_NAME not in book.defined_names  # the department is printed, not typed
    # validation with an input message on every answer cell
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            rules[ref] = dv
    assert set(rules) == answer_cells
    assert all(dv.prompt and dv.showInputMessage for dv in rules.values())
    q1 = rules[cell_of(book, "Q1").coordinate]
    assert (q1.type, q1.formula1) == ("list", '"1,2"')
    tick = rules[cell_of(book, "Q3_1").coordinate]
    assert (tick.type, tick.formula1) == ("list", '"○,1"')
    count = rules[cell_of(book, "Q23_line").coordinate]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    text = rules[cell_of(book, "Q3_5_text").coordinate]
    assert text.type == "textLength" and int(text.formula1) > 0
    assert rules[cell_of(book, "Q10").coordinate].type == "textLength"
    # A4, as wide as one page
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    setup = ws.page_setup  # fitToWidth 1 is the default, left out of the file
    assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0


def test_blank_form_and_one_department(store, tmp_path):
    [blank] = write_forms(store, tmp_path, blank=True)
    book = openpyxl.load_workbook(blank)
    fields = {r[0]: r[1] for r in book[ID_SHEET].iter_rows(max_col=2, values_only=True) if r[0]}
    assert not fields.get("department")
    assert not cell_of(book, DEPARTMENT_NAME).protection.locked
    with pytest.raises(FormError, match="所属「存在しない課」"):
        write_forms(store, tmp_path, department="存在しない課")
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(FormError, match="フォルダではありません"):
        write_forms(store, tmp_path / "a_file")


def test_forms_command(tmp_path, capsys):
    db = str(tmp_path / "chosho.sqlite")
    (tmp_path / "out").mkdir()
    assert main(["--db", db, "--user", "clerk", "forms", "-o", str(tmp_path / "out"), "--department", "政策課"]) == 0
    assert "1 ファイル" in capsys.readouterr().out
    # a folder that does not exist yet is made (issue 22 item 13), and paths print once-slashed
    assert main(["--db", db, "forms", "-o", str(tmp_path / "new" / "forms") + "/", "--department", "政策課"]) == 0
    out = capsys.readouterr().out
    assert "//" not in out and len(list((tmp_path / "new" / "forms").glob("*政策課.xlsx"))) == 1


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_form_opens_in_libreoffice(store, tmp_path):
    soffice = _soffice()
    if soffice is None:
        pytest.skip("soffice (LibreOffice) is not installed")
    path = write_form(tmp_path / "調書.xlsx", store.questionnaire, "0" * 64, "総合政策部", "政策課")
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(path)],
        capture_output=True, text=True, timeout=180,
    )
    pdf = tmp_path / "pdf" / "調書.pdf"
    # soffice exits 0 even when it could not load the file: the PDF is the proof
    assert pdf.is_file() and pdf.stat().st_size > 10_000, result.stdout + result.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
