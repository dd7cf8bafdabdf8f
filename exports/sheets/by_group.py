"""部局別: the single-choice questions every department answers, tallied per 部局."""

from __future__ import annotations

from collections.abc import Sequence

from survey import Questionnaire, QuestionType, Router

from ..tally import BASE_STATES, STATE_LABELS, DepartmentRecord, common_questions, tally_question
from .common import BY_GROUP, Book, display_width, groups, short

def write(book: Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str, router: Router) -> None:
    b = book
    ws = b.wb.add_worksheet(BY_GROUP)
    b.setup(ws)
    questions = [q for q in common_questions(questionnaire, router) if q.type is QuestionType.SINGLE]
    included = [r for r in records if r.included]
    by_bukyoku = groups(included)
    b.text(ws, 0, 0, f"部局別の回答（全所属が回答する単一回答の設問: {'・'.join(q.label for q in questions) or 'なし'}）", b.title)
    b.text(ws, 1, 0, scope, b.note)
    b.text(ws, 2, 0, "※ 基数は各部局で回答対象の所属の数（非該当・経路未確定を除く）。割合は部局ごとの基数に対する比率です。", b.note)
    width_group = max([display_width("部局")] + [display_width(g) for g, _ in by_bukyoku]) + 2
    ws.set_column(0, 0, min(width_group, 30))
    ws.set_column(1, 40, 9)
    row = 4
    for question in questions:
        b.text(ws, row, 0, f"{question.label}　{question.text}", b.heading)
        row += 1
        heads = ["部局", "基数"]
        heads += [f"{o.code} {short(o.label, 14)}" for o in question.options]
        heads += [STATE_LABELS[s] for s in BASE_STATES]
        heads += [f"{o.code} の割合" for o in question.options]
        for col, head in enumerate(heads):
            b.text(ws, row, col, head, b.header)
        ws.set_row(row, 42)
        row += 1
        total = tally_question(question, included)
        for name, members, is_total in [(g, m, False) for g, m in by_bukyoku] + [("合計", included, True)]:
            t = total if is_total else tally_question(question, members)
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

