"""自由記述: every free text, to quote, with the department that wrote it."""

from __future__ import annotations

from collections.abc import Sequence

from survey import Questionnaire, QuestionType

from ..tally import ANSWERED, DepartmentRecord, classify, text_entries
from .common import TEXTS, Book, display_width, short

def write(book: Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str) -> None:
    b = book
    ws = b.wb.add_worksheet(TEXTS)
    b.setup(ws, repeat=(3, 3))
    b.text(ws, 0, 0, "自由記述（設問ごと・所属順）", b.title)
    b.text(ws, 1, 0, scope + " 経路外・経路未確定の設問の記述は載せていません。", b.note)
    heads = ("設問", "記入欄", "選択", "部局", "所属", "記述")
    for col, head in enumerate(heads):
        b.text(ws, 3, col, head, b.header)
    row = 4
    included = [r for r in records if r.included]
    widths = {3: display_width("部局"), 4: display_width("所属")}
    for question in questionnaire.questions:
        if question.type is not QuestionType.TEXT and not question.text_boxes:
            continue
        found: list[tuple[int, int | None, DepartmentRecord, str, bool]] = []
        box_order = {box.option: i for i, box in enumerate(question.text_boxes)}
        for record in included:
            value = record.answers.get(question.id)
            if classify(question, record.route, value) != ANSWERED:
                continue
            for code, text, chosen in text_entries(question, value):
                found.append((box_order.get(code, -1) if code is not None else -1, code, record, text, chosen))
        found.sort(key=lambda f: (f[0], f[2].position))
        for _order, code, record, text, chosen in found:
            if code is None:
                where = short(question.text, 60)
                mark = ""
            else:
                box = question.text_box(code)
                option = question.option(code)
                where = f"{code} {option.label if option else ''}：{box.prompt if box else ''}"
                mark = "〇" if chosen else "未選択"
            ws.write_string(row, 0, question.label, b.cell)
            ws.write_string(row, 1, where, b.wrap)
            ws.write_string(row, 2, mark, b.cell)
            ws.write_string(row, 3, record.bukyoku, b.cell)
            ws.write_string(row, 4, record.name, b.cell)
            b.text(ws, row, 5, text, b.wrap)  # the answer: checked against the cell limit
            b.fit_row(ws, row, ((where, 30), (text, 80)))
            row += 1
    if row == 4:
        b.text(ws, row, 0, "（記述はありません）", b.note)
    ws.set_column(0, 0, 7)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 6)
    sample = included[:300]
    ws.set_column(3, 3, min(max([widths[3]] + [display_width(r.bukyoku) for r in sample]) + 2, 24))
    ws.set_column(4, 4, min(max([widths[4]] + [display_width(r.name) for r in sample]) + 2, 30))
    ws.set_column(5, 5, 80)
    ws.freeze_panes(4, 0)
    ws.autofilter(3, 0, max(row - 1, 4), len(heads) - 1)

