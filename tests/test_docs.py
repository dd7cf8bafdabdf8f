"""The documentation a Japanese office reads: a short README with the two commands (the test
command is the one .ci/run runs), guides in Japanese under docs/, and the F1 help and the guides
saying the same things — every help section is a table in one guide, row for row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.screens.help import help_entries

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"

# Which guide holds each section of the F1 help.
GUIDE_OF_SECTION = {
    "所属一覧": "clerk.md",
    "入力画面": "clerk.md",
    "点検一覧": "clerk.md",
    "全体": "clerk.md",
    "確認画面": "review.md",
    "確認待ち一覧": "review.md",
    "突合画面": "review.md",
    "照合対象の抽出": "review.md",
    "入力者統計": "review.md",
    "集計画面": "output.md",
}
GUIDES = ("clerk.md", "review.md", "output.md", "admin.md", "dev.md", "accounts.md", "serve.md")
# Guides the other helpers of issue 22's round write on their branches; linked from the README
# before they are merged. Drop a name here once its file is in docs/.
COMING: set[str] = set()
# Guides written on a helper's branch whose README line the lead adds at the merge (helpers do
# not edit the README). Drop a name here once the README links it.
NOT_YET_IN_README: set[str] = set()

_BLOCK = re.compile(r"<!-- help: (?P<section>.+?) -->\n(?P<table>.*?)<!-- /help -->", re.S)


def markdown_table(entries: list[tuple[str, str]]) -> str:
    """A help section as the guides write it (what to paste when the test below fails)."""
    rows = ["| キー | 操作 |", "|---|---|"]
    rows += [f"| {key} | {what} |" for key, what in entries]
    return "\n".join(rows) + "\n"


def _blocks(guide: str) -> dict[str, str]:
    text = (DOCS / guide).read_text(encoding="utf-8")
    return {m["section"]: m["table"].strip("\n") + "\n" for m in _BLOCK.finditer(text)}


def test_every_help_section_is_in_its_guide_row_for_row():
    sections = {heading: entries for heading, entries in help_entries() if heading and heading != "chosho の操作キー"}
    assert set(sections) == set(GUIDE_OF_SECTION), "a help section without a guide: add it to GUIDE_OF_SECTION"
    found: dict[str, str] = {}
    for guide in GUIDES:
        for section, table in _blocks(guide).items():
            assert section not in found, f"{section} is in {found[section]} and {guide}"
            found[section] = guide
            assert section in sections, f"{guide} holds a help section the F1 help does not have: {section}"
            expected = markdown_table(sections[section])
            assert table == expected, f"docs/{guide}, <!-- help: {section} --> should read:\n\n{expected}"
    for section, guide in GUIDE_OF_SECTION.items():
        assert found.get(section) == guide, f"docs/{guide} lacks <!-- help: {section} -->:\n{markdown_table(sections[section])}"


def test_the_readme_is_short_and_holds_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 120
    assert "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/chosho" in text
    test_command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"
    assert test_command in text
    # .ci/run runs the README's test command: the same installation and the same pytest.
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().endswith(test_command)


def test_the_readme_links_every_guide():
    text = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([\w.-]+\.md)\)", text))
    present = {p.name for p in DOCS.glob("*.md")}
    assert present - NOT_YET_IN_README <= linked, present - linked - NOT_YET_IN_README
    assert linked <= present | COMING, linked - present - COMING
    assert set(GUIDES) <= present


@pytest.mark.parametrize("guide", [g for g in GUIDES if g != "dev.md"])
def test_the_guides_are_written_in_japanese(guide):
    text = (DOCS / guide).read_text(encoding="utf-8")
    prose = re.sub(r"```.*?```|`[^`]*`|<!--.*?-->|\(https?:[^)]*\)|\([\w./#-]+\)", "", text, flags=re.S)
    japanese = len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", prose))
    latin = len(re.findall(r"[A-Za-z]", prose))
    assert japanese > 3 * latin, (guide, japanese, latin)


@pytest.mark.parametrize("guide", GUIDES)
def test_links_between_the_guides_lead_somewhere(guide):
    text = (DOCS / guide).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([\w.-]+\.md)(?:#[^)]*)?\)", text):
        assert (DOCS / target).exists() or target in COMING, (guide, target)
