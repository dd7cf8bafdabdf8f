"""The counts sheet (e.g. 職員登録状況): the counts questions summed, and every department's numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from survey import Questionnaire, QuestionType

from ..tally import ANSWERED, BLANK, INVALID, MISSING, STATE_LABELS, DepartmentRecord, Tallies
from .common import (
    BY_GROUP,
    CODEBOOK,
    COUNTS_DEFAULT,
    PROGRESS,
    ROWS,
    SUMMARY,
    TEXTS,
    Book,
    display_width,
    header_width,
    rate_rule,
    wrap_header,
)

def counts_sheet_name(questionnaire: Questionnaire) -> str:
    """The counts sheet's name: the definition's ``counts_sheet`` (e.g. 職員登録状況) or 人数集計."""
    name = str(questionnaire.meta.get("counts_sheet") or COUNTS_DEFAULT)
    name = re.sub(r"[\[\]:*?/\\]", "・", name)[:31]
    return name if name not in (SUMMARY, BY_GROUP, TEXTS, ROWS, CODEBOOK, PROGRESS) else COUNTS_DEFAULT



SUMMARY_HEADS = ("項目", "合計", "記入所属数", "割合の分子", "割合の分母", "計算した所属数", "割合")


def _department_heads(question, rated) -> list[str]:
    return ["部局", "所属"] + [i.label for i in question.items] + [f"{i.label} 割合" for i in rated] + ["状態"]


def write(
    book: Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str,
    *, tallies: Tallies | None = None,
) -> bool:
    questions = [q for q in questionnaire.questions if q.type is QuestionType.COUNTS]
    if not questions:
        return False
    b = book
    name = counts_sheet_name(questionnaire)
    ws = b.wb.add_worksheet(name)
    b.setup(ws)
    tallies = tallies or Tallies(questionnaire, records)
    included = tallies.records
    b.text(ws, 0, 0, name, b.title)
    width_name = max([display_width("所属")] + [display_width(r.name) for r in included[:2000]]) + 2
    width_group = max([display_width("部局")] + [display_width(r.bukyoku) for r in included[:2000]]) + 2
    widths = {0: min(width_group, 24), 1: min(width_name, 30)}
    for question in questions:
        rated = [i for i in question.items if i.at_most]
        widths[0] = max(widths[0], max(header_width(i.label, most=24) for i in question.items))
        for col, head in enumerate(SUMMARY_HEADS[1:], start=1):
            widths[col] = max(widths.get(col, 10), header_width(head, least=10))
        for col, head in enumerate(_department_heads(question, rated)[2:], start=2):
            widths[col] = max(widths.get(col, 10), header_width(head, least=10))
    for col, width in widths.items():
        ws.set_column(col, col, width)
    chars = int(sum(widths.values())) - 4
    last_col = max(widths)
    b.paragraph(ws, 1, 0, last_col, scope, b.note_wrap, chars)
    row = 3
    filtered = False
    for question in questions:
        t = tallies.question(question)
        b.paragraph(ws, row, 0, last_col, f"{question.label}　{question.text}", b.heading_wrap, chars)
        row += 1
        b.text(ws, row, 0, f"基数 Ｎ＝{t.base} 所属（記入あり {t.states[ANSWERED]}、無回答 {t.states[BLANK]}、"
               f"無効 {t.states[INVALID]}、未入力 {t.states[MISSING]}）", b.note)
        row += 2
        rated = [i for i in question.items if i.at_most]
        for col, head in enumerate(SUMMARY_HEADS):
            b.text(ws, row, col, wrap_header(head, widths[col]), b.header)
        b.set_height(ws, row, 30)
        row += 1
        for item in question.items:
            b.text(ws, row, 0, item.label, b.cell)
            ws.write_number(row, 1, t.sums[item.id], b.number)
            ws.write_number(row, 2, t.filled[item.id], b.number)
            parts = t.rate_parts.get(item.id, (0, 0, 0)) if item.at_most else None
            b.rate_cells(ws, row, 3, parts, t.rate(item.id) if item.at_most else None)
            row += 1
        if rated:
            b.paragraph(ws, row, 0, last_col, "※ " + rate_rule(question) + " 下の表の「割合」は所属ごとの値です。",
                        b.note_wrap, chars)
            row += 1
        row += 1
        heads = _department_heads(question, rated)
        header = row
        wrapped = [wrap_header(h, widths.get(c, 10)) for c, h in enumerate(heads)]
        for col, head in enumerate(wrapped):
            b.text(ws, row, col, head, b.header)
        b.set_height(ws, row, 14 * max(h.count("\n") + 1 for h in wrapped) + 4)
        row += 1
        first = row
        for record, state in zip(included, tallies.states(question)):
            value = record.answers.get(question.id)
            b.texts(ws, row, 0, (record.bukyoku, record.name), b.cell)
            values = getattr(value, "values", {}) if state == ANSWERED else {}
            col = 2
            for item in question.items:
                number = values.get(item.id)
                if isinstance(number, int):
                    ws.write_number(row, col, number, b.number)
                col += 1
            for item in rated:
                number, ceiling = values.get(item.id), values.get(item.at_most)
                if isinstance(number, int) and isinstance(ceiling, int) and ceiling:
                    ws.write_number(row, col, number / ceiling, b.percent)
                col += 1
            if state != ANSWERED:
                ws.write_string(row, col, STATE_LABELS[state], b.cell)
            row += 1
        b.grid(ws, first, 0, row - 1, len(heads) - 1)  # the empty cells' borders
        if not filtered:
            ws.freeze_panes(header + 1, 2)
            ws.autofilter(header, 0, max(row - 1, header + 1), len(heads) - 1)
            b.setup(ws, repeat=(header, header))
            filtered = True
        row += 2
    return True

