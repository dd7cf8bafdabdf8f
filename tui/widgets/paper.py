"""One recorded answer drawn the way the paper shows it, for the reviewer.

Pure rendering (no widgets): paragraphs for ``Folded``, so long Japanese option labels and
free text fold at any character. The options are drawn as on the entry screen (the same marks),
so the clerk and the reviewer look at one picture of the paper.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text as RichText

from survey import Blank, Counts, Grid, Invalid, Multi, NotApplicable, Question, Single, Text, Value
from survey.answers import EMPTY_LABELS, Date, Number, Table, describe, describe_row

from .columns import clip
from .fields import options_paragraphs
from .folded import Paragraph

__all__ = ["EMPTY_STYLE", "answer_paragraphs", "clip", "span", "state_label"]

# Empty states are marked loudly and apart: the reviewer must never mistake one for another.
EMPTY_STYLE = "bold black on yellow"
OFF_STYLE = "bold white on grey37"


def state_label(value: Value | None, route_status: str) -> str:
    """The state of one question for a department: 回答 / 無回答 / 無効 / 非該当 / 未入力."""
    if route_status == "off":
        return "非該当（経路外）" if value is None else "経路外に記録"
    if value is None:
        return "未入力" + ("（経路未確定）" if route_status == "pending" else "")
    if isinstance(value, NotApplicable):
        return "非該当（所属判断）"
    return EMPTY_LABELS.get(type(value), "回答")


def span(text: str, style: str) -> RichText:
    """Styled text for a Folded prefix: the style is a span, not the Text's base style, which
    Text + Text would carry over the first line of the body."""
    return RichText.assemble((text, style))


def _mark(text: str, style: str = EMPTY_STYLE) -> RichText:
    return span(f" {text} ", style)


def _empty(question: Question, value: Value | None, route_status: str) -> list[Paragraph] | None:
    """The marker paragraph for an empty state, or None when something was answered."""
    if route_status == "off" and value is None:
        return [(_mark("非該当", OFF_STYLE), RichText("　経路外（前の回答によりこの所属は回答しない問い）", style="dim"))]
    if value is None:
        extra = "（前の問いが無回答のため、経路が決まっていません）" if route_status == "pending" else ""
        return [(_mark("未入力", OFF_STYLE), RichText("　まだ入力されていません" + extra, style="dim"))]
    if isinstance(value, NotApplicable):
        return [(_mark("非該当"), "　用紙の指示により、所属の判断で回答していない問い")]
    if isinstance(value, (Blank, Invalid)):
        lines: list[Paragraph] = []
        if isinstance(value, Blank):
            lines.append((_mark("無回答"), "　用紙が空欄"))
        else:
            lines.append((_mark("無効"), f"　用紙の記載: {value.raw}" if value.raw else "　読めない・使えない回答"))
        if value.route_as is not None:
            option = question.option(value.route_as)
            label = f"{value.route_as} {option.label}" if option else str(value.route_as)
            lines.append(("　　", RichText(f"経路は「{label}」と仮定", style="italic")))
        return lines
    return None


def _texts(question: Question, texts, chosen: set[int]) -> list[Paragraph]:
    lines: list[Paragraph] = []
    for code, text in sorted(texts.items()):
        box = question.text_box(code)
        prompt = box.prompt if box else f"{code} の記入欄"
        style = "" if code in chosen else "yellow"
        lines.append((span(f"      記入欄 {code} {prompt}: ", "dim"), RichText(f"「{text}」", style=style)))
    return lines


def _row_label(label: str, width: int) -> RichText:
    return RichText("  " + label + " " * max(0, width - cell_len(label)) + "  ")


def answer_paragraphs(question: Question, value: Value | None, route_status: str) -> list[Paragraph]:
    """The recorded answer of ``question`` as paragraphs, options with their numbers."""
    empty = _empty(question, value, route_status)
    if empty is not None and not (route_status == "off" and value is not None):
        return empty
    lines: list[Paragraph] = []
    if route_status == "off":  # recorded, but off the route: shown, never counted
        lines.append((_mark("経路外", OFF_STYLE), "　経路外の問いに記録があります（集計には含めません）"))
        empty = _empty(question, value, "on")
        if empty is not None:
            return lines + empty
    if isinstance(value, Single):
        lines += options_paragraphs(question, {value.code})
        lines += _texts(question, value.texts, {value.code})
    elif isinstance(value, Multi):
        lines += options_paragraphs(question, set(value.codes), multi=True)
        lines += _texts(question, value.texts, set(value.codes))
    elif isinstance(value, Text):
        lines.append(("  ", RichText(value.text, style="bold")))
    elif isinstance(value, Grid):
        width = max(cell_len(row.label) for row in question.rows)
        for row in question.rows:
            cell = value.cells.get(row.id, Blank())
            if isinstance(cell, int):
                option = question.option(cell)
                body = RichText(f"{cell} {option.label if option else ''}".rstrip(), style="bold")
            else:
                shown = EMPTY_LABELS[type(cell)] + (f"（{cell.raw}）" if isinstance(cell, Invalid) and cell.raw else "")
                body = _mark(shown)
            lines.append((_row_label(row.label, width), body))
    elif isinstance(value, Counts):
        width = max(cell_len(item.label) for item in question.items)
        for item in question.items:
            number = value.values.get(item.id)
            body = _mark("無回答") if number is None else RichText(f"{number:>5}{item.unit}", style="bold")
            lines.append((_row_label(item.label, width), body))
    elif isinstance(value, (Number, Date)):  # an amount with its unit, a date in 和暦 and 西暦
        lines.append(("  ", RichText(describe(question, value), style="bold")))
    elif isinstance(value, Table):  # a repeat: one paragraph a row, its fields in the table's order
        if not value.rows:
            lines.append(("  ", _mark("行なし（0 行）")))
        width = cell_len(f"行{len(value.rows)}")
        for n, row in enumerate(value.rows, start=1):
            lines.append((_row_label(f"行{n}", width), RichText(describe_row(question, row), style="bold")))
    return lines
