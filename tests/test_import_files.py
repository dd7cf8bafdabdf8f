"""The files offices actually send, and the files that must be refused (issue 14): each built
here, each refused or warned by name with the database unchanged, none crashing the import."""

from __future__ import annotations

import copy

import pytest
from openpyxl.utils import get_column_letter

from db import open_store
from exports.form_commands import run_import_files
from exports.importer import ImportFileError, import_answers
from exports.workbook import export_workbook
from survey import Text

from .export_helpers import scenario_store
from .import_files import (
    ENGLISH_ERROR,
    answer_rows,
    column,
    empty_store,
    rewrite_sheet,
    row_of,
    scenario_rows,
    write_csv,
    write_xlsx,
)


def stored(store) -> dict[str, dict]:
    return {r.department.name: dict(r.answers) for r in store.responses() if r.answers}


def on_route(store) -> dict[str, dict]:
    out = {}
    for name, answers in stored(store).items():
        route = store.router.route(answers)
        out[name] = {q: v for q, v in answers.items() if route.status(q) != "off"}
    return out


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scenario")
    source, rows = scenario_rows(tmp)
    return on_route(source), rows


def refused(store, path) -> list[str]:
    """The import's refusals, after checking it wrote nothing."""
    report = import_answers(store, path)
    assert not report.imported and report.refusals, report.lines()
    assert stored(store) == {}
    assert not ENGLISH_ERROR.search("\n".join(report.lines()))
    return [str(r) for r in report.refusals]


# -- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_csv_encodings_import_identically(tmp_path, scenario, encoding):
    expected, rows = scenario
    path = tmp_path / "回答.csv"
    if encoding.endswith("-bom"):
        codec = encoding.removesuffix("-bom")
        write_csv(path, rows, codec)
        path.write_bytes(("\ufeff".encode(codec)) + path.read_bytes())
    else:
        write_csv(path, rows, encoding)
    store = empty_store(tmp_path)
    report = import_answers(store, path)
    assert report.imported, report.lines()
    assert stored(store) == expected


def test_undecodable_csv_names_the_first_bad_line(tmp_path):
    store = empty_store(tmp_path)
    path = tmp_path / "bad.csv"
    path.write_bytes("所属,Q1\n政策課,1\n".encode() + b"\x80\xff\xfe,1\n")
    with pytest.raises(ImportFileError, match="3 行目が UTF-8 としても Shift_JIS"):
        import_answers(store, path)
    path.write_bytes("所属,Q1\n政策課,1\n".encode("utf-16-le"))  # UTF-16 without its BOM
    with pytest.raises(ImportFileError, match="BOM のない UTF-16"):
        import_answers(store, path)


# -- bounded reading -----------------------------------------------------------------------------

SMALL = [["部局", "所属", "Q1"], ["総合政策部", "政策課", 1]]


@pytest.mark.parametrize("far", ["XFD1048576", "A1048576", "DA3"])
def test_far_cells_refused_by_sheet_and_cell(tmp_path, far):
    """One stray cell makes the sheet claim a huge range: refused, naming that cell."""
    path = write_xlsx(tmp_path / "bomb.xlsx", SMALL, {far: "x"})
    with pytest.raises(ImportFileError) as caught:
        import_answers(empty_store(tmp_path), path)
    assert caught.value.message.startswith(f"「bomb.xlsx」の「回答一覧」シートのセル {far} に値があります。")
    assert "104 列（CZ）× 10,000 行まで" in caught.value.message and "不要な行・列を削除" in caught.value.message


def test_a_huge_claimed_range_is_refused_even_with_no_value_in_it(tmp_path):
    import re

    path = write_xlsx(tmp_path / "claims.xlsx", SMALL)
    edited = rewrite_sheet(path, lambda xml: re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:XFD1048576"/>', xml))
    with pytest.raises(ImportFileError, match="使用範囲が A1:XFD1048576 と記録されています（値のあるセルはその内側です）"):
        import_answers(empty_store(tmp_path), edited)


@pytest.mark.parametrize("claimed", ["A1:B2", None], ids=["lying", "absent"])
def test_a_false_or_missing_dimension_does_not_hide_a_far_cell(tmp_path, claimed):
    """The claimed size is checked first; the cells themselves are bounded too, as they stream."""
    import re

    path = write_xlsx(tmp_path / "bomb.xlsx", SMALL, {"XFD1048576": "x"})

    def change(xml: bytes) -> bytes:
        replacement = b"" if claimed is None else f'<dimension ref="{claimed}"/>'.encode()
        return re.sub(rb"<dimension [^>]*/>", replacement, xml)

    edited = rewrite_sheet(path, change)
    with pytest.raises(ImportFileError, match="セル XFD1048576 に値があります"):
        import_answers(empty_store(tmp_path), edited)


def test_formatted_empty_rows_far_down_are_harmless(tmp_path):
    """A cell that only carries a style (no value) says nothing; it is not an answer."""
    path = write_xlsx(tmp_path / "styled.xlsx", SMALL)

    def change(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b'<row r="9000" s="1" customFormat="1"><c r="C9000" s="1"/></row></sheetData>')

    store = empty_store(tmp_path)
    report = import_answers(store, rewrite_sheet(path, change))
    assert report.imported, report.lines()


# -- silent cases, now said ---------------------------------------------------------------------


def test_formula_cells_are_refused_by_name(tmp_path, scenario):
    _, rows = scenario
    rows = copy.deepcopy(rows)
    at = row_of(rows, "政策課")
    cell = f"{get_column_letter(column(rows, 'Q10') + 1)}{at + 1}"
    formula = {cell: '=HYPERLINK("https://example.com","広報")'}
    messages = refused(empty_store(tmp_path), write_xlsx(tmp_path / "f.xlsx", rows, formula))
    assert len(messages) == 1
    assert messages[0].startswith(f"{at + 1} 行目 政策課 Q10: セル {cell}: 数式のセルです"), messages


def test_error_and_date_cells_are_refused(tmp_path, scenario):
    from datetime import datetime

    _, rows = scenario
    rows = copy.deepcopy(rows)
    at = row_of(rows, "政策課")
    rows[at][column(rows, "Q11")] = datetime(2024, 4, 1)
    path = write_xlsx(tmp_path / "d.xlsx", rows)
    messages = refused(empty_store(tmp_path), path)
    assert any("Q11" in m and "日付・時刻のセル" in m for m in messages), messages


def test_blank_tick_among_ticks_is_refused(tmp_path, scenario):
    _, rows = scenario
    rows = copy.deepcopy(rows)
    at = row_of(rows, "政策課")
    assert rows[at][column(rows, "Q3_1")] == 1
    rows[at][column(rows, "Q3_3")] = ""
    messages = refused(empty_store(tmp_path), write_csv(tmp_path / "t.csv", rows))
    assert messages == [
        f"{at + 1} 行目 政策課 Ｑ３: Q3_3 が空です。複数回答は選択肢ごとに 1（選択）か 0（非選択）をすべての列に書いてください"
        "（全部空なら未入力、用紙が空欄なら全部「無回答」）。"
    ]


def test_short_csv_row_is_refused(tmp_path, scenario):
    _, rows = scenario
    rows = copy.deepcopy(rows)
    at = row_of(rows, "政策課")
    rows[at] = rows[at][:40]
    messages = refused(empty_store(tmp_path), write_csv(tmp_path / "s.csv", rows))
    assert messages == [
        f"{at + 1} 行目 政策課: この行は 40 列しかありません（列名の行は {len(rows[0])} 列）。"
        "区切りの「,」が欠けていないか確かめてください（足りない列を空として読むことはしません）。"
    ]


def test_long_csv_row_and_unnamed_column_are_refused(tmp_path, scenario):
    _, rows = scenario
    rows = copy.deepcopy(rows)
    at = row_of(rows, "政策課")
    rows[at] = rows[at] + ["", "はみ出し"]
    messages = refused(empty_store(tmp_path), write_csv(tmp_path / "l.csv", rows))
    assert messages == [f"{at + 1} 行目 政策課: {at + 1} 行目の {len(rows[0]) + 2} 列目: 列名のない列に値（はみ出し）があります。"]


def test_text_cut_at_the_cell_limit_is_refused(tmp_path):
    source = scenario_store(tmp_path / "source.sqlite", {"政策課": {"Q22": Text("長" * 33_000)}})
    exported = export_workbook(source, tmp_path / "long.xlsx")
    messages = refused(empty_store(tmp_path), exported.path)
    assert len(messages) == 1 and "政策課 Ｑ２２: Q22: Excel の 1 セルの上限で切り詰められた文字です" in messages[0]


def test_required_answers_left_empty_are_counted(tmp_path):
    store = empty_store(tmp_path)
    path = write_csv(tmp_path / "p.csv", [["所属", "Q1", "Q16"], ["政策課", "2", "5"], ["総務課", "2", ""]])
    report = import_answers(store, path)
    assert report.imported, report.lines()
    text = "\n".join(report.lines())
    # 政策課: Q18–Q22 on the Q1 = 2, Q16 = 5 route; 総務課: Q16, Q18–Q22 (Q17 waits on Q16: not counted)
    assert "経路上の必須の設問で空のセルが 11 件（2 所属）あります。未入力として取り込みました。" in text
    assert "用紙が空欄なら、そのセルに「無回答」と書いて" in text
    assert "2 行目 政策課: Ｑ１８・Ｑ１９・Ｑ２０・Ｑ２１・Ｑ２２\n" in text
    assert "3 行目 総務課: Ｑ１６・Ｑ１８・Ｑ１９・Ｑ２０・Ｑ２１・Ｑ２２" in text


def test_header_only_file_has_nothing_to_import(tmp_path, capsys):
    store = empty_store(tmp_path)
    path = write_csv(tmp_path / "h.csv", [["部局", "所属", "Q1"]])
    report = import_answers(store, path)
    assert report.lines() == ["h.csv: 取り込む回答がありません（列名の行のほかに、回答のある行がありません）。何も取り込んでいません。"]

    class Args:
        files, check = [path], False

    assert run_import_files(Args(), lambda _args: store) == 1  # nothing written is not a success
    assert "取り込む回答がありません" in capsys.readouterr().err


@pytest.mark.parametrize("q1", ["1,2", "無回答", ""])
def test_open_route_is_said_on_q1(tmp_path, scenario, q1):
    """An export of a Q1 = 1 form with Q1 then changed: Q16–Q18 say 非該当, which only an
    answer to Q1 can justify."""
    _, rows = scenario
    rows = copy.deepcopy(rows)
    at = row_of(rows, "政策課")
    rows[at][column(rows, "Q1")] = q1
    messages = refused(empty_store(tmp_path), write_csv(tmp_path / "q1.csv", rows))
    assert messages[0].startswith(f"{at + 1} 行目 政策課 Ｑ１: "), messages
    assert "Ｑ１６・Ｑ１７・Ｑ１８" in messages[0] and "@1" in messages[0]


def test_off_route_refusal_quotes_the_skip(tmp_path):
    path = write_csv(tmp_path / "o.csv", [["所属", "Q1", "Q6"], ["政策課", "2", "1"]])
    messages = refused(empty_store(tmp_path), path)
    assert messages == [
        "2 行目 政策課 Ｑ６: この所属の回答では経路外（非該当）の設問に回答があります。"
        "経路は「※　Ｑ１で２と回答した場合はＱ１６に進んでください。」で決まります。その設問の回答と合わせて用紙を確かめてください。"
    ]


@pytest.mark.parametrize(
    ("where", "text", "expected"),
    [
        ("Q1", "፩", "Ｑ１: 「፩」は番号ではありません"),
        ("Q23_line", "9" * 5000, "Ｑ２３: Q23_line（Ｑ２３ ＬＩＮＥ）: 5000 桁の数は大きすぎます"),
        ("Q2_x", "፩", "Ｑ２: Q2_x（Ｑ２ Ｘ（旧Ｔｗｉｔｔｅｒ））: 「፩」は番号ではありません"),
    ],
)
def test_unreadable_numbers_report_row_and_column(tmp_path, where, text, expected):
    path = write_csv(tmp_path / "n.csv", [["所属", "Q1", "Q2_x", "Q23_respondents", "Q23_line"], ["政策課", "1", "", "", ""]])
    rows = [["所属", "Q1", "Q2_x", "Q23_respondents", "Q23_line"], ["政策課", "1", "", "", ""]]
    rows[1][rows[0].index(where)] = text
    messages = refused(empty_store(tmp_path), write_csv(path, rows))
    assert any(m.startswith("2 行目 政策課 ") and expected in m for m in messages), messages


def test_circled_digit_is_read_as_its_number(tmp_path):
    store = empty_store(tmp_path)
    report = import_answers(store, write_csv(tmp_path / "c.csv", [["所属", "Q1"], ["政策課", "❶"]]))
    assert report.imported, report.lines()
    assert stored(store)["政策課"]["Q1"].code == 1


# -- every message Japanese --------------------------------------------------------------------


def _bad_files(tmp_path):
    yield "empty.csv", b""
    yield "quote.csv", '所属,Q1\n政策課,"1\n'.encode()
    yield "nul.csv", "所属,Q1\n政策課,1\n".encode("utf-16-le")
    yield "binary.csv", bytes(range(256))
    yield "broken.xlsx", b"not a zip"
    yield "half.xlsx", (tmp_path / "half.bin").read_bytes()
    yield "old.xls", b"\xd0\xcf\x11\xe0"
    yield "sheet.ods", b"PK"
    yield "header.csv", "部局,所属,Q1\n".encode()
    yield "ragged.csv", "所属,Q1\n政策課\n総務課,1,2,3\n".encode()
    yield "unknown.csv", "所属,Q1,Q1\n政策課,x\n".encode()


def test_no_message_names_an_exception(tmp_path, capsys):
    good = write_xlsx(tmp_path / "good.xlsx", SMALL)
    (tmp_path / "half.bin").write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    database = tmp_path / "db.sqlite"
    open_store(database, "clerk").close()
    seen = 0
    for name, data in _bad_files(tmp_path):
        path = tmp_path / name
        path.write_bytes(data)

        class Args:
            files, check = [path], False

        code = run_import_files(Args(), lambda _args: open_store(database, "clerk"))
        out = capsys.readouterr()
        text = out.out + out.err
        assert code in (1, 3), (name, text)
        assert text.strip() and not ENGLISH_ERROR.search(text), (name, text)
        assert any("\u3040" <= ch <= "\u30ff" for ch in text), (name, text)  # kana: Japanese, not a raw error
        seen += 1
    assert seen == 11


def test_messages_never_embed_exception_names():
    """No message in the import is built from an exception's class name or English text."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "exports"
    import re

    for module in ("tables.py", "answer_file.py", "importer.py", "import_types.py", "layout.py", "commands.py"):
        source = (root / module).read_text(encoding="utf-8")
        assert not re.search(r"type\(\w+\)\.__name__|__class__\.__name__|exc\.args|strerror or exc", source), module


def test_a_sheet_of_formulas_is_refused_in_bounded_words(tmp_path):
    """Every cell a formula: each row names its first few, counts the rest; the report lists
    the first 500 refusals and counts the others."""
    header = ["部局", "所属", "Q1", "Q10", "Q11", "Q20", "Q22", "Q2_line", "Q2_x"]
    rows = [header] + [["総合政策部", "政策課"] + [""] * 7 for _ in range(600)]
    formulas = {f"{get_column_letter(c)}{r}": "=1" for r in range(2, 602) for c in range(3, 10)}
    report = import_answers(empty_store(tmp_path), write_xlsx(tmp_path / "all.xlsx", rows, formulas))
    assert not report.imported and len(report.refusals) == 600 * 6
    assert "この行にはほかに 2 箇所、同じような問題があります。" in str(report.refusals[5])
    lines = report.lines()
    assert len(lines) == 1 + 500 + 1 and lines[-1].startswith("  …ほか 3,100 件")


def test_a_csv_line_of_many_fields_is_bounded(tmp_path):
    store = empty_store(tmp_path)
    trailing = write_csv(tmp_path / "trailing.csv", [["所属", "Q1"] + [""] * 500, ["政策課", "1"] + [""] * 500])
    assert import_answers(store, trailing, check_only=True).departments == 1  # empty trailing fields say nothing
    far = tmp_path / "far.csv"
    far.write_bytes(("所属,Q1\n政策課,1" + "," * 5000 + "x\n").encode())
    with pytest.raises(ImportFileError, match="2 行目の 5002 列目に値があります。回答一覧として読めるのは 104 列まで"):
        import_answers(store, far)
