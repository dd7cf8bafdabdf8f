"""部局別: the single-choice questions every department answers, tallied per 部局."""

from __future__ import annotations

from collections.abc import Sequence

from survey import Questionnaire, QuestionType, Router

from ..tally import BASE_STATES, STATE_LABELS, DepartmentRecord, Tallies, common_questions
from .common import BY_GROUP, Book, display_width, groups, header_width, wrap_header

def _heads(question) -> list[str]:
    heads = ["部局", "基数"]
    heads += [f"{o.code} {o.short_label}" for o in question.options]
    heads += [STATE_LABELS[s] for s in BASE_STATES]
    heads += [f"{o.code} の割合" for o in question.options]
    return heads


def write(
    book: Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str, router: Router,
    *, tallies: Tallies | None = None,
) -> None:
    """One table per question, each on a page of its own; 部局 stays in view (frozen column A)."""
    b = book
    ws = b.wb.add_worksheet(BY_GROUP)
    b.setup(ws)
    questions = [q for q in common_questions(questionnaire, router) if q.type is QuestionType.SINGLE]
    tallies = tallies or Tallies(questionnaire, records)
    included = tallies.records
    by_bukyoku = groups(included)
    members: dict[str, list[int]] = {}
    for i, record in enumerate(included):
        members.setdefault(record.bukyoku, []).append(i)
    width_group = min(max([display_width("部局")] + [display_width(g) for g, _ in by_bukyoku]) + 2, 30)
    widths: dict[int, float] = {0: width_group}
    for question in questions:
        for col, head in enumerate(_heads(question)[1:], start=1):
            widths[col] = max(widths.get(col, 8), header_width(head, least=8, most=20))
    for col, width in widths.items():
        ws.set_column(col, col, width)
    chars = int(sum(widths.values())) - 4
    b.paragraph(
        ws, 0, 0, max(widths), f"部局別の回答（全所属が回答する単一回答の設問: {'・'.join(q.label for q in questions) or 'なし'}）",
        b.heading_wrap, chars,
    )
    b.paragraph(ws, 1, 0, max(widths), scope, b.note_wrap, chars)
    b.paragraph(ws, 2, 0, max(widths), "※ 基数は各部局で回答対象の所属の数（非該当・経路未確定を除く）。割合は部局ごとの基数に対する比率です。"
                "設問ごとに改ページしています。", b.note_wrap, chars)
    row, breaks = 4, []
    for question in questions:
        if row > 4:
            breaks.append(row)
        b.paragraph(ws, row, 0, max(widths), f"{question.label}　{question.text}", b.heading_wrap, chars)
        row += 1
        heads = _heads(question)
        wrapped = [wrap_header(h, widths[c]) for c, h in enumerate(heads)]
        for col, head in enumerate(wrapped):
            b.text(ws, row, col, head, b.header)
        b.set_height(ws, row, 14 * max(h.count("\n") + 1 for h in wrapped) + 4)
        row += 1
        total = tallies.question(question)
        for name, is_total in [(g, False) for g, _ in by_bukyoku] + [("合計", True)]:
            t = total if is_total else tallies.over(question, members[name])
            label_fmt, num_fmt, pct_fmt = (
                (b.total_label, b.total_number, b.total_percent) if is_total else (b.cell, b.number, b.percent)
            )
            b.text(ws, row, 0, name, label_fmt)
            ws.write_number(row, 1, t.base, num_fmt)
            col = 2
            for option in question.options:
                ws.write_number(row, col, t.options[option.code], num_fmt)
                col += 1
            for state in BASE_STATES:
                ws.write_number(row, col, t.states[state], num_fmt)
                col += 1
            for option in question.options:
                b.share(ws, row, col, t.share(t.options[option.code]), pct_fmt)
                col += 1
            row += 1
        row += 2
    ws.set_h_pagebreaks(breaks[:1023])
    ws.freeze_panes(0, 1)
