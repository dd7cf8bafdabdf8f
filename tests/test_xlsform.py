"""The questionnaire from an XLSForm workbook: the built-in 調書 as a workbook equals its TOML,
a questionnaire survives TOML → workbook → questionnaire, pyxform accepts the workbook, and a
broken workbook gets every fault at once with its sheet, row and column."""

from __future__ import annotations

import pytest

import survey
from exports.xlsform import read_cells, read_definition, write_workbook
from survey import BUILTIN_DEFINITION, BUILTIN_WORKBOOK, DefinitionError, load_definition
from survey.xlsform import questionnaire_from_cells
from tui.cli import main

from .conftest import FIXTURES
from .xlsform_support import ROSTER, SETTINGS, broken_workbook, write_sheets


def _same(a, b) -> None:
    assert a.questions == b.questions
    assert a.sections == b.sections
    assert a.skips == b.skips
    assert a.checks == b.checks
    assert a.roster == b.roster
    assert (a.id, a.title, a.meta) == (b.id, b.title, b.meta)
    assert a == b


def test_the_shipped_workbook_is_the_builtin_questionnaire():
    workbook, _ = read_definition(BUILTIN_WORKBOOK)
    _same(workbook, survey.builtin())


def test_show_prints_the_same_for_the_workbook_and_the_toml(capsys):
    assert main(["show", "--definition", str(BUILTIN_DEFINITION)]) == 0
    from_toml = capsys.readouterr().out
    assert main(["show", "--definition", str(BUILTIN_WORKBOOK)]) == 0
    assert capsys.readouterr().out == from_toml
    assert "Ｑ２３（人数・任意）" in from_toml


def test_the_shipped_workbook_keeps_todays_variable_names():
    cells = read_cells(BUILTIN_WORKBOOK)
    names = [row[1] for _, row in cells["survey"][1:] if len(row) > 1 and row[1]]
    assert "Q2_line" in names and "Q3_5_text" in names and "Q23_respondents" in names
    q = survey.builtin().question("Q2")
    assert q.row_variable(q.rows[0]) == "Q2_line"


@pytest.mark.parametrize("definition", [BUILTIN_DEFINITION, FIXTURES / "training.toml"], ids=["niiza", "training"])
def test_toml_to_workbook_to_questionnaire_is_the_same(tmp_path, definition):
    questionnaire = load_definition(definition)
    path = write_workbook(questionnaire, tmp_path / "form.xlsx")
    again, _ = read_definition(path)
    _same(again, questionnaire)


def test_pyxform_converts_the_shipped_workbook(tmp_path):
    from pyxform.xls2xform import convert

    result = convert(xlsform=str(BUILTIN_WORKBOOK))
    assert "<h:title>ソーシャルメディアの利活用に関する調書</h:title>" in result.xform
    # Every ${name} resolved to its place in the groups: the skips, boxes and ceilings are XLSForm's.
    assert "relevant=\"selected( /data/used/Q3 , '5')\"" in result.xform
    assert "relevant=\"not( /data/Q1  = '2')\"" in result.xform
    assert 'constraint=". &lt;=  /data/common/Q23/Q23_respondents "' in result.xform


def test_the_digest_is_of_the_questionnaire_not_the_bytes(tmp_path):
    """Re-saving in Excel (here: openpyxl, which rewrites every part) keeps the digest."""
    import hashlib

    import openpyxl

    _, first = read_definition(BUILTIN_WORKBOOK)
    book = openpyxl.load_workbook(BUILTIN_WORKBOOK)
    book["survey"].column_dimensions["A"].width = 40  # an edit that is not the form
    book.save(tmp_path / "resaved.xlsx")
    assert (tmp_path / "resaved.xlsx").read_bytes() != BUILTIN_WORKBOOK.read_bytes()
    _, second = read_definition(tmp_path / "resaved.xlsx")
    assert hashlib.sha256(first.text.encode()).digest() == hashlib.sha256(second.text.encode()).digest()
    book["survey"]["C2"] = "変えた問いの文"
    book.save(tmp_path / "changed.xlsx")
    assert read_definition(tmp_path / "changed.xlsx")[1].text != first.text


def test_check_lists_every_fault_with_its_cell(tmp_path, capsys):
    path = broken_workbook(tmp_path / "broken.xlsx")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    expected = [
        "survey シートの 3 行目 type 列: リスト「nolist」が choices シートにありません",
        "survey シートの 4 行目 name 列: name「Q2」が 2 回使われています",
        "survey シートの 5 行目 relevant 列: ${Q4} はこの問いより後ろ",
        "survey シートの 6 行目 relevant 列: ${Q9} = '1' … 1 文字目: ${Q9} という名前の問いがありません",
        "survey シートの 7 行目 relevant 列: ${Q1} = = '1' … 9 文字目",
        "survey シートの 8 行目 type 列: 型「date」は chosho では読めません",
        "survey シートの 9 行目 type 列: グループ「sec」が end_group で閉じられていません",
        "choices シートの 3 行目 name 列: リスト yn の選択肢 1 が重複しています（2 行目にもあります）",
        "choices シートの 4 行目 label 列: リスト yn の選択肢 2 に label がありません",
    ]
    for message in expected:
        assert message in err, message
    assert "Traceback" not in err and "Error" not in err


def _cells(survey_rows, choices=None):
    return {
        "survey": list(enumerate(survey_rows, start=1)),
        "choices": list(enumerate(choices or [["list_name", "name", "label"], ["yn", "1", "はい"], ["yn", "2", "いいえ"]], start=1)),
        "settings": list(enumerate(SETTINGS, start=1)),
        "所属一覧": list(enumerate(ROSTER, start=1)),
    }


def test_relevant_becomes_skips_and_boxes_and_japanese_labels_are_read():
    rows = [
        ["type", "name", "label::日本語 (ja)", "relevant", "required", "chosho_skip_note"],
        ["select_multiple yn", "A", "どれ", "", "yes", ""],
        ["text", "A_other", "その他の内容", "selected(${A}, '2')", "", ""],
        ["select_one yn", "B", "使うか", "", "yes", "※ 2 なら D へ"],
        ["text", "C", "理由", "${B} != '2'", "", ""],
        ["select_one yn", "D", "最後", "not(count-selected(${A}) >= 2) or ${B} = '1'", "", ""],
        ["text", "E", "感想", "", "", ""],
    ]
    with pytest.raises(DefinitionError) as caught:
        questionnaire_from_cells(_cells(rows))
    assert "survey シートの 6 行目 relevant 列: count-selected は relevant には使えません" in str(caught.value)
    rows[5][3] = "${B} = '1' or selected(${A}, '1')"
    q = questionnaire_from_cells(_cells(rows))
    assert q.ids == ("A", "B", "C", "D", "E")
    assert q.question("A").text_boxes[0].option == 2
    assert q.question("A").box_variable(2) == "A_other"  # the author's name is the variable
    assert [(s.at, s.to, s.when_text, s.note) for s in q.skips] == [
        ("B", "D", "B = 2", "※ 2 なら D へ"),
        ("C", "E", "not (B = 1 or A has 1)", ""),
    ]
    assert q.question("C").required is False  # XLSForm's default


def test_warn_if_is_a_soft_check_and_may_count():
    rows = [
        ["type", "name", "label", "chosho_warn_if", "chosho_warn_message"],
        ["select_multiple yn", "A", "どれ", "count-selected(${A}) > 1", "二つ選んでいます"],
        ["select_one yn", "B", "次", "", ""],
    ]
    q = questionnaire_from_cells(_cells(rows))
    assert [(c.at, c.when_text, c.message) for c in q.checks] == [("A", "count(A) > 1", "二つ選んでいます")]
    from survey import Multi, check_form

    problems = check_form(q, {"A": Multi(frozenset({1, 2}))})
    assert any("二つ選んでいます" in str(p) for p in problems)


def test_what_is_not_a_workbook_is_refused_in_japanese(tmp_path, capsys):
    import os

    (tmp_path / "text.xlsx").write_text("これはブックではない", encoding="utf-8")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "folder.xlsx").mkdir()
    os.mkfifo(tmp_path / "fifo.xlsx")  # would block a reader for ever
    os.mkfifo(tmp_path / "fifo.toml")
    expected = {
        "text.xlsx": "Excel のブック（.xlsx）として読めません",
        "empty.xlsx": "Excel のブック（.xlsx）として読めません",
        "folder.xlsx": "フォルダです",
        "fifo.xlsx": "通常のファイルではありません",
        "fifo.toml": "通常のファイルではありません",
        "missing.xlsx": "ファイルがありません",
    }
    for name, message in expected.items():
        assert main(["check", str(tmp_path / name)]) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (name, err)


def test_an_authors_workbook_survives_being_written_back(tmp_path):
    """chosho definition -o of a survey started from an author's workbook reads back the same:
    the author's names, groups and relevant become the same questionnaire again."""
    authored, _ = read_definition(FIXTURES / "vehicles.xlsx")
    again, _ = read_definition(write_workbook(authored, tmp_path / "again.xlsx"))
    _same(again, authored)
    assert authored.question("usage").row_variable(authored.question("usage").rows[0]) == "use_sedan"
    assert authored.question("inspection").box_variable(4) == "inspection_other"


def test_pyxform_converts_the_authors_workbook_and_what_chosho_writes_of_it(tmp_path):
    from pyxform.xls2xform import convert

    assert "<h:title>公用車の管理に関する調書</h:title>" in convert(xlsform=str(FIXTURES / "vehicles.xlsx")).xform
    authored, _ = read_definition(FIXTURES / "vehicles.xlsx")
    written = write_workbook(authored, tmp_path / "written.xlsx")
    result = convert(xlsform=str(written))
    assert "relevant=\"not( /data/own  != '1')\"" in result.xform and not result.warnings


def test_settings_take_xlsforms_own_columns_and_refuse_chosho_names_that_are_not_extras():
    rows = [["type", "name", "label"], ["select_one yn", "A", "どれ"]]
    cells = _cells(rows)
    cells["settings"] = list(enumerate([
        ["form_id", "form_title", "instance_name", "chosho_fiscal_year", "chosho_notes"],
        ["f", "t", "concat(${A})", "令和７年度", "一行"],
    ], start=1))
    with pytest.raises(DefinitionError) as caught:
        questionnaire_from_cells(cells)
    assert str(caught.value).count("\n") == 1  # one problem: instance_name is XLSForm's own
    assert "settings シートの 2 行目 chosho_notes 列: chosho_notes は使えません" in str(caught.value)
    cells["settings"] = [(n, row[:4]) for n, row in cells["settings"]]
    assert questionnaire_from_cells(cells).meta["fiscal_year"] == "令和７年度"
