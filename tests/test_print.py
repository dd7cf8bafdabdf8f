"""The workbook printed through LibreOffice (soffice → PDF), read back with pdftotext: no page
is a sliver of a chart, every question of 集計 (table and charts) is whole on one page.

Skipped only when LibreOffice or poppler is not installed (CI installs both)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from exports.workbook import export_workbook, save_workbook
from survey import builtin

from .export_helpers import scenario_store, synthetic_records

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("soffice", "pdftotext", "pdfinfo")),
    reason="LibreOffice (soffice) or poppler-utils (pdftotext, pdfinfo) is not installed",
)

SHEETS = ("集計", "部局別", "自由記述", "職員登録状況", "回答一覧", "変数一覧", "入力状況", "入力者統計")


def to_pdf(book: Path) -> Path:
    profile = book.parent / "lo-profile"
    run = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(book.parent), str(book)],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(book.parent)},
    )
    pdf = book.with_suffix(".pdf")
    assert pdf.exists(), (run.stdout, run.stderr)  # soffice exits 0 even when it fails
    return pdf


def pages(pdf: Path) -> list[tuple[str, str]]:
    """(sheet name from the page header, the page's text without header and footer)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    out = []
    for number in range(1, count + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        sheet = lines[0] if lines else ""
        body = [line for line in lines[1:] if not re.fullmatch(r"\d+ / \d+", line)]
        out.append((sheet, "\n".join(body)))
    return out


def chart_titles(book: Path) -> list[str]:
    with zipfile.ZipFile(book) as archive:
        xmls = [archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/charts/chart")]
    titles = []
    for xml in xmls:
        title = re.search(r"<c:title>.*?</c:title>", xml, re.S).group(0)
        titles.append("".join(re.findall(r"<a:t>(.*?)</a:t>", title, re.S)))
    return titles


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.fixture(scope="module", params=["scenario", "58 departments"])
def printed(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    if request.param == "scenario":
        store = scenario_store(folder / "db.sqlite")
        book = export_workbook(store, folder / "book.xlsx").path
        store.close()
    else:
        book = save_workbook(folder / "book.xlsx", builtin(), synthetic_records()).path
    return book, pages(to_pdf(book))


def test_every_sheet_prints_and_no_page_is_a_sliver(printed):
    _book, printed_pages = printed
    assert {sheet for sheet, _ in printed_pages} == set(SHEETS)
    for number, (sheet, body) in enumerate(printed_pages, start=1):
        # a sliver (the right edge of a chart, a cut-off column) carries a few axis labels at most
        assert len(squeeze(body)) > 150, (number, sheet, body[:200])


def test_summary_pages_each_start_with_a_question_and_hold_its_charts_whole(printed):
    book, printed_pages = printed
    summary = [(n, body) for n, (sheet, body) in enumerate(printed_pages, start=1) if sheet == "集計"]
    first_lines = [body.splitlines()[0] for _, body in summary]
    assert first_lines[0].startswith("ソーシャルメディアの利活用に関する調書")
    for line in first_lines[1:]:
        assert re.fullmatch(r"Ｑ[０-９]+(\s.*)?", line), line  # every page after the first opens a question
    questions = [q for q in builtin().questions if q.type.value != "text"]
    titles = chart_titles(book)
    assert len(titles) == len(questions) + 3
    by_label = {q.label: q for q in questions}
    for title in titles:
        question = by_label[title.split(" ")[0]]
        where = [n for n, body in summary if squeeze(title) in squeeze(body)]
        assert len(where) == 1, (title, where)  # the chart's title printed once, whole
        heading = squeeze(question.text[:24])  # the title line may be split in reading order
        table = [n for n, body in summary if heading in squeeze(body)]
        assert table == where, (title, table, where)  # on the page of its own table
    # pages are questions, not halves of them: at most one more page than page breaks needed
    assert len(summary) <= len(questions) + 4


def test_by_group_one_table_per_page(printed):
    _book, printed_pages = printed
    by_group = [body for sheet, body in printed_pages if sheet == "部局別"]
    starts = [re.findall(r"(?:^|\n)(Ｑ[０-９]+)\s", body) for body in by_group]
    assert [s for s in starts if s] == [["Ｑ１"], ["Ｑ１９"], ["Ｑ２１"]]
