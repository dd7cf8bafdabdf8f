"""chosho report: the results chapter drafted as the audit report words it, with the workbook's
numbers. The report's own sentences and percentages are the fixtures (tests/fixtures/report_results.toml);
the data set is built from the counts that give the report's published percentages."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from exports.records import scope_statement
from exports.report import draft_report, render_md
from exports.report_command import write_report
from exports.report_docx import WARNING_RED
from exports.report_phrases import PhrasesError, load_phrases
from exports.tally import DepartmentRecord
from exports.workbook import save_workbook
from survey import Multi, Router, Single, builtin

from .conftest import FIXTURES
from .export_helpers import blocks, synthetic_records

RESULTS = tomllib.loads((FIXTURES / "report_results.toml").read_text(encoding="utf-8"))["questions"]
BY_LABEL = {q["label"]: q for q in RESULTS}
REPO = Path(__file__).resolve().parents[1]


def _published_records(status: str = "final") -> list[DepartmentRecord]:
    """The 58 departments of the roster answering as the report's percentages say: the first 35
    used social media (Q1 = 1), the other 23 did not; each question's counts dealt out in order."""
    questionnaire = builtin()
    router = Router(questionnaire)
    names = [(g.name, d) for g in questionnaire.roster for d in g.departments]
    assert len(names) == 58
    answers: list[dict] = [{"Q1": Single(1 if i < 35 else 2)} for i in range(58)]
    used, not_used = list(range(35)), list(range(35, 58))
    for spec in RESULTS:
        question = next(q for q in questionnaire.questions if q.label == spec["label"])
        if question.id == "Q1":
            continue
        who = {58: list(range(58)), 35: used, 23: not_used}[spec["base"]]
        codes = [int(code) for code, n in spec["counts"].items() for _ in range(n)]
        assert len(codes) == len(who), spec["label"]
        for i, code in zip(who, codes):
            answers[i][question.id] = Multi(frozenset({code})) if spec.get("multi") else Single(code)
    return [
        DepartmentRecord(
            response_id=i + 1, bukyoku=group, name=name, position=i + 1, status=status,
            answers=answers[i], route=router.route(answers[i]),
        )
        for i, (group, name) in enumerate(names)
    ]


@pytest.fixture(scope="module")
def published():
    questionnaire = builtin()
    records = _published_records()
    draft = draft_report(questionnaire, records, load_phrases(questionnaire.id), scope_statement(records, False))
    return questionnaire, records, draft


def _sentence(draft, label: str) -> str:
    return " ".join(b.text for b in draft.question(label) if b.kind == "sentence")


def _in_order(text: str, parts: list[str]) -> bool:
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


@pytest.mark.parametrize("label", ["Ｑ１", "Ｑ９", "Ｑ１２", "Ｑ１３", "Ｑ１７", "Ｑ１８", "Ｑ１９", "Ｑ２１"])
def test_the_draft_holds_the_reports_percentages_in_its_order(published, label):
    _q, _r, draft = published
    spec = BY_LABEL[label]
    sentence = _sentence(draft, label)
    assert _in_order(sentence, spec["percents"]), (sentence, spec["percents"])
    # the fixture is the report's: every percentage it lists stands in the report's sentence
    for percent in spec["percents"]:
        assert percent in spec["report"]
    if "options" in spec:
        assert _in_order(sentence, [f"「{o}」" for o in spec["options"]])


def test_single_choice_is_worded_as_the_report_words_it(published):
    _q, _r, draft = published
    assert _sentence(draft, "Ｑ１") == "「行った」が６０％、「行っていない」が４０％であった。"
    assert _sentence(draft, "Ｑ１８") == (
        "「適する内容があればすぐにでも使ってみたい」が５６％、「使う予定はない」が３５％、"
        "「教えてもらえれば使ってみたい」が９％、「その他」が０％であった。"
    )
    # ties keep the form's order: 2 配慮しているが、不安がある before 4 そのような情報を発信しない
    q13 = _sentence(draft, "Ｑ１３")
    assert _in_order(q13, ["しっかり配慮している」が６６％", "不安がある」が１７％", "発信しない」が１７％", "意識していない」が０％"])


def test_multiple_choice_names_the_most_chosen_first_and_says_the_shares_do_not_add_up(published):
    _q, _r, draft = published
    blocks_ = draft.question("Ｑ１７")
    sentence = _sentence(draft, "Ｑ１７")
    assert sentence.startswith("最も多かったのは『ＳＮＳで広く周知する内容ではなかった』で ７８％（１８所属）、次いで『")
    assert "『その他』９％（２所属）" in sentence and "ＨＰから連携する方法が分からなかった』１３％（３所属）" in sentence
    assert "ＳＮＳでの発信に不安があった" not in sentence  # chosen by no one: not named
    note = next(b.text for b in blocks_ if b.kind == "sentence" and b.text.startswith("※"))
    assert "２３所属" in note and "１００％にならない" in note


def test_headings_and_bases_are_the_reports(published):
    _q, _r, draft = published
    headings = [b.text for b in draft.blocks if b.kind == "heading"]
    assert "Ｑ１８ 今後ソーシャルメディアを利用したいか" in headings
    assert "Ｑ１７ ホームページを更新したが、ソーシャルメディアへの連携を行わなかった理由（複数回答可）" in headings
    base = next(b.text for b in draft.question("Ｑ１８") if b.kind == "base")
    assert base.startswith("回答対象 ２３所属（非該当（経路外） ３５所属を除く）")
    assert "Ｑ１で１と回答した場合はＱ１９に進んでください" in base  # why they are excluded
    assert next(b.text for b in draft.question("Ｑ１") if b.kind == "base") == "回答対象 ５８所属"


def test_the_drafts_percentages_are_the_workbooks(published, tmp_path):
    """One computation: every whole percent in the draft's tables is the one the 集計 sheet shows."""
    questionnaire, records, _ = published
    for records_ in (records, synthetic_records()):
        draft = draft_report(questionnaire, records_, load_phrases(questionnaire.id, half_width=True), "")
        path = tmp_path / "book.xlsx"
        save_workbook(path, questionnaire, records_)
        summary = blocks(openpyxl.load_workbook(path)["集計"])
        for question in questionnaire.questions:
            if question.type.value not in ("single", "multi", "text"):
                continue
            table = next((b.rows for b in draft.question(question.label) if b.kind == "table"), None)
            if table is None:  # nobody to count: no table, and the sheet's base is 0
                assert summary[question.label]["base"] == 0
                continue
            drafted = {row[0]: row[2] for row in table[1:-1]}
            label = {"記入あり": "記入あり"}
            sheet = {k: f"{round(100 * v)}%" for k, v in summary[question.label]["whole"].items()}
            assert {label.get(k, k): v for k, v in drafted.items()} == sheet, question.id


def test_counts_give_totals_and_rates_with_numerator_and_denominator_from_the_same_departments():
    questionnaire = builtin()
    records = synthetic_records()
    draft = draft_report(questionnaire, records, load_phrases(questionnaire.id, half_width=True), "")
    counts = next(q for q in questionnaire.questions if q.type.value == "counts")
    text = _sentence(draft, counts.label)
    from exports.tally import Tallies

    t = Tallies(questionnaire, records).question(counts)
    for item in counts.items:
        assert f"{item.label}は合計{t.sums[item.id]:,}{item.unit}" in text
        if item.at_most:
            numerator, denominator, departments = t.rate_parts[item.id]
            assert f"{item.label}{numerator:,}{item.unit}÷回答者数{denominator:,}{item.unit}" in text
            assert f"{departments}所属で計算" in text
            assert f"{100 * numerator / denominator:.1f}%" in text


def test_matrix_names_each_rows_most_frequent_answer():
    questionnaire = builtin()
    draft = draft_report(questionnaire, synthetic_records(), load_phrases(questionnaire.id), "")
    matrix = next(q for q in questionnaire.questions if q.type.value == "matrix")
    sentence = _sentence(draft, matrix.label)
    for row in matrix.rows:
        assert f"{row.short_label}は" in sentence
    assert "最も多く" in sentence


def test_free_text_counts_the_writers_and_quotes_them_with_their_department():
    questionnaire = builtin()
    records = synthetic_records()
    draft = draft_report(questionnaire, records, load_phrases(questionnaire.id), "")
    text_q = next(q for q in questionnaire.questions if q.type.value == "text")
    under = draft.question(text_q.label)
    assert re.fullmatch(r"回答対象 [０-９]+所属のうち、[０-９]+所属が記述した。", under[1].text)
    quotes = [b.text for b in under if b.kind == "quote"]
    assert quotes and all(re.search(r"（[^（）]+・[^（）]+）$", q) for q in quotes)
    written = int(re.search(r"うち、([０-９]+)所属", under[1].text).group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    assert written == len(quotes)


def test_warnings_at_the_top_where_numbers_are_not_final():
    questionnaire = builtin()
    records = _published_records()
    records[0] = records[0].__class__(**{**records[0].__dict__, "status": "entered", "open_flags": 2})
    records[1] = records[1].__class__(**{**records[1].__dict__, "answers": {**records[1].answers, "Q12": __import__("survey").Invalid("1,2")}})
    draft = draft_report(questionnaire, records, load_phrases(questionnaire.id), "")
    kinds = [b.kind for b in draft.blocks]
    assert kinds[:2] == ["title", "warning_heading"]
    warnings = draft.texts("warning")
    assert any("確認済・確定でない所属が １所属" in w and "政策課（入力済）" in w for w in warnings)
    assert any("未解決の疑義が ２件" in w and "政策課（２件）" in w for w in warnings)
    assert any("無効の回答がある設問: Ｑ１２（１所属）" in w for w in warnings)
    clean = draft_report(questionnaire, _published_records(), load_phrases(questionnaire.id), "")
    assert not clean.texts("warning")


def test_half_width_and_counts_are_settings(published, tmp_path):
    questionnaire, records, _ = published
    phrases = load_phrases(questionnaire.id, half_width=True)
    phrases.data["settings"]["single_counts"] = True
    draft = draft_report(questionnaire, records, phrases, "")
    assert _sentence(draft, "Ｑ１") == "「行った」が60%（35所属）、「行っていない」が40%（23所属）であった。"
    office = tmp_path / "office.toml"
    office.write_text('[single]\nitem = "{option}と回答した所属が{percent}"\njoin = "、"\n[settings]\ndigits = "half"\n', encoding="utf-8")
    draft = draft_report(questionnaire, records, load_phrases(questionnaire.id, office), "")
    assert _sentence(draft, "Ｑ１") == "行ったと回答した所属が60%、行っていないと回答した所属が40%であった。"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[single]\nitem = "{option}が{percnt}"\n', "使えない差し込み"),
        ('[singel]\nitem = "x"\n', "[singel] は使えません"),
        ('[single]\nitme = "x"\n', "[single] itme は使えません"),
        ('[single\n', "書き方に誤り"),
        ('[settings]\ndigits = "wide"\n', "digits"),
    ],
)
def test_a_bad_phrases_file_is_refused_in_japanese(published, tmp_path, text, message):
    questionnaire, records, _ = published
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PhrasesError) as caught:
        draft_report(questionnaire, records, load_phrases(questionnaire.id, path), "")
    assert message in str(caught.value)


def test_markdown_draft(published, tmp_path):
    _q, _r, draft = published
    path = write_report(draft, tmp_path / "draft.md")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 令和６年度 行政監査")
    assert "## Ｑ１８ 今後ソーシャルメディアを利用したいか" in text
    assert "| 適する内容があればすぐにでも使ってみたい。 | １３ | ５６％ |" in text
    assert text == render_md(draft)
    assert [p.name for p in tmp_path.iterdir()] == ["draft.md"]  # no temporary file left


def _east_asian_font(run, document) -> str | None:
    fonts = run._r.rPr.find(qn("w:rFonts")) if run._r.rPr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_docx_opens_with_headings_tables_east_asian_fonts_and_red_warnings(tmp_path):
    questionnaire = builtin()
    records = _published_records()
    records[0] = records[0].__class__(**{**records[0].__dict__, "status": "entered"})
    draft = draft_report(questionnaire, records, load_phrases(questionnaire.id), "集計対象: テスト")
    path = write_report(draft, tmp_path / "draft.docx")
    document = Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [b.text for b in draft.blocks if b.kind == "heading"]
    assert len(headings) == len(questionnaire.questions)
    assert len(document.tables) == sum(1 for b in draft.blocks if b.kind == "table")
    q18 = next(t for t in document.tables if t.cell(1, 0).text == "適する内容があればすぐにでも使ってみたい。")
    assert [c.text for c in q18.rows[1].cells] == ["適する内容があればすぐにでも使ってみたい。", "１３", "５６％"]
    runs = [r for p in document.paragraphs for r in p.runs if r.text]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs if r.text]
    assert runs and all(_east_asian_font(r, document) in ("ＭＳ 明朝", "ＭＳ ゴシック") for r in runs)
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "ＭＳ 明朝"
    warnings = [p for p in document.paragraphs if "確認済・確定でない所属" in p.text]
    assert warnings and all(r.font.color.rgb == WARNING_RED for p in warnings for r in p.runs)
    first_heading = next(i for i, p in enumerate(document.paragraphs) if p.style.name == "Heading 2")
    assert any("確認済・確定でない所属" in p.text for p in document.paragraphs[:first_heading])


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice (soffice) or pdftoppm is not installed")
def test_libreoffice_converts_the_docx(published, tmp_path):
    _q, _r, draft = published
    path = write_report(draft, tmp_path / "draft.docx")
    profile = tmp_path / "profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=180,
    )
    pdf = tmp_path / "draft.pdf"
    assert pdf.exists() and pdf.stat().st_size > 10_000
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    pages = list(tmp_path.glob("page-*.png"))  # page-1.png or page-01.png, as the page count goes
    assert len(pages) == 1 and pages[0].stat().st_size > 5_000  # a page was drawn


def test_no_question_of_the_built_in_form_is_named_in_the_reports_code():
    paths = sorted((REPO / "exports").glob("report*.py")) + [REPO / "tui" / "screens" / "tally.py"]
    assert len(paths) >= 5
    for path in paths:
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"[\"']Q\d+[\"']|Ｑ[０-９]+", code), path.name


# -- the command ------------------------------------------------------------------------------


@pytest.fixture()
def database(tmp_path):
    from .export_helpers import scenario_store

    scenario_store(tmp_path / "db.sqlite").close()
    return tmp_path / "db.sqlite"


def test_chosho_report_writes_docx_by_default_and_md_otherwise(tmp_path, database, capsys, monkeypatch):
    from tui.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(database), "report"]) == 0
    made = list(tmp_path.glob("ソーシャルメディアの利活用に関する調書_報告書下書き_*.docx"))
    assert len(made) == 1 and Document(str(made[0])).paragraphs
    captured = capsys.readouterr()
    assert "報告書の下書きを出力しました" in captured.out and "集計対象 6 所属／全 58 所属" in captured.out
    assert "注意: 確認済・確定でない所属が" in captured.err
    assert main(["--db", str(database), "report", "--confirmed-only", "--half-width", "-o", "draft.md"]) == 0
    text = (tmp_path / "draft.md").read_text(encoding="utf-8")
    assert "回答対象 1所属" in text and "## Ｑ１ " in text


def test_chosho_report_refuses_in_japanese(tmp_path, database, capsys):
    from tui.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text("[single]\nitem = '{opt}'\n", encoding="utf-8")
    assert main(["--db", str(database), "report", "--phrases", str(bad), "-o", str(tmp_path / "a.md")]) == 3
    err = capsys.readouterr().err
    assert "使えない差し込み" in err and "Traceback" not in err
    assert not (tmp_path / "a.md").exists()
    assert main(["--db", str(database), "report", "-o", str(tmp_path / "no" / "a.docx")]) == 3
    assert "フォルダ「" in capsys.readouterr().err
    assert main(["--db", str(database), "report", "--phrases", str(tmp_path / "none.toml")]) == 3
    assert "文言のファイル" in capsys.readouterr().err


def test_a_form_without_phrases_of_its_own_gets_the_defaults(published):
    questionnaire, records, _ = published
    phrases = load_phrases("another-form")
    assert [p.name for p in phrases.sources] == ["report_phrases.toml"]
    draft = draft_report(questionnaire, records, phrases, "")
    assert draft.blocks[0].text == f"{questionnaire.title}　調査結果（下書き）"
    assert _sentence(draft, "Ｑ１") == "「行った」が６０％、「行っていない」が４０％であった。"
    builtin_phrases = load_phrases(questionnaire.id)
    assert [p.name for p in builtin_phrases.sources] == ["report_phrases.toml", "niiza_fy2024_social_media.report.toml"]


def test_a_tie_in_a_matrix_row_names_both_with_their_own_percents():
    """1, 1 and 1 of 3: the largest remainder gives 34 %, 33 %, 33 %; a tie is not worded as 「各３４％」."""
    from survey import Grid

    questionnaire = builtin()
    records = _published_records()
    used = [i for i, r in enumerate(records) if r.route.status("Q2") == "on"][:3]
    for code, i in zip((1, 2, 3), used):
        grid = Grid({"line": code, "x": 5, "facebook": 5, "youtube": 5})
        answers = {**records[i].answers, "Q2": grid}
        records[i] = records[i].__class__(**{**records[i].__dict__, "answers": answers})
    keep = set(used)
    records = [r if i in keep or r.route.status("Q2") != "on" else r.__class__(**{**r.__dict__, "status": "not_started", "included": False})
               for i, r in enumerate(records)]
    draft = draft_report(questionnaire, records, load_phrases(questionnaire.id), "")
    sentence = _sentence(draft, "Ｑ２")
    assert "ＬＩＮＥは「１～２週間に１回以上」３４％と「２週間～１か月に１回」３３％と「２～５か月に１回」３３％が同数（各１所属）で最も多く" in sentence, sentence
