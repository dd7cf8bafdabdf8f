"""Folded text never draws past its width: the terminal would wrap the line and lose the rest."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tui.widgets.folded import _NO_LINE_START, fold


def _texts(questionnaire):
    for question in questionnaire.questions:
        yield question.label + " ", question.text
        for option in question.options:
            yield f"   {option.code:>2} ", option.label
        for note in question.notes:
            yield "", note


@pytest.mark.parametrize("width", [24, 40, 58, 76, 78, 80, 118])
def test_lines_fit_and_keep_every_character(niiza, width):
    for prefix, body in _texts(niiza):
        lines = fold(prefix, body, width)
        assert all(cell_len(line.plain) <= width for line in lines), (width, body)
        indent = cell_len(prefix)
        rebuilt = lines[0].plain[len(prefix):] + "".join(line.plain[indent:] for line in lines[1:])
        assert rebuilt == body


def test_q1_at_80_columns_keeps_kinsoku_without_overflow(niiza):
    # Q1 once broke before 「ィ」: the mark hung past column 78 and the rest of the question vanished.
    text = niiza.question("Q1").text
    lines = fold("Ｑ１ ", text, 78)
    assert [cell_len(line.plain) <= 78 for line in lines] == [True, True]
    assert not any(line.plain.strip()[0] in _NO_LINE_START for line in lines[1:])


def test_an_opening_bracket_goes_down_with_what_it_opens():
    lines = fold("", "あいうえお（かきく）", 12)
    assert [line.plain for line in lines] == ["あいうえお", "（かきく）"]


def test_a_span_styled_prefix_keeps_its_style_to_itself():
    # Text + Text carries the left part's *base* style over the whole line; the review screen's
    # prefixes (疑義, 要確認, 無回答) are therefore styled as spans.
    from tui.widgets.paper import span

    first, second, *_ = fold(span("疑義 ", "bold red"), "あいうえおかきくけこ", 12)
    assert first.style == "" and second.style == ""
    assert [(s.start, s.end, str(s.style)) for s in first.spans] == [(0, 3, "bold red")]
    assert second.spans == []


def test_a_date_or_a_latin_word_is_never_split_across_lines():
    lines = [line.plain for line in fold("", "確認してください（鈴木 2024-10-01 09:30）", 30)]
    assert lines == ["確認してください（鈴木 ", "2024-10-01 09:30）"]
    # A word wider than the whole line still breaks, where it must.
    assert [line.plain for line in fold("", "x" * 12, 5)] == ["xxxxx", "xxxxx", "xx"]
