"""自由記述: every free text grouped under its question (and its option's box), with a count,
in three columns — 部局 / 所属 / 記述 — ready to paste as the report's bullet lists (Q20, Q22)."""

from __future__ import annotations

from collections.abc import Sequence

from survey import Question, Questionnaire, QuestionType

from ..tally import DepartmentRecord, Tallies
from .common import TEXTS, Book, display_width

TEXT_WIDTH = 90
HEADS = ("部局", "所属", "記述")


def _groups(question: Question, tallies: Tallies) -> list[tuple[str, list]]:
    """(heading, [(record, text, chosen)]) for the question's text, or one per text box."""
    found: dict[int | None, list] = {}
    for entry in tallies.texts(question):
        found.setdefault(entry.code, []).append((entry.record, entry.text, entry.chosen))
    if question.type is QuestionType.TEXT:
        return [("", found.get(None, []))]
    out = []
    for box in question.text_boxes:
        option = question.option(box.option)
        out.append((f"{box.option} {option.label if option else ''}：{box.prompt}", found.get(box.option, [])))
    return out


def write(
    book: Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], scope: str,
    *, tallies: Tallies | None = None,
) -> None:
    b = book
    ws = b.wb.add_worksheet(TEXTS)
    b.setup(ws)
    tallies = tallies or Tallies(questionnaire, records)
    included = tallies.records
    sample = included[:300]
    width_group = min(max([display_width("部局")] + [display_width(r.bukyoku) for r in sample]) + 2, 24)
    width_name = min(max([display_width("所属")] + [display_width(r.name) for r in sample]) + 2, 30)
    ws.set_column(0, 0, width_group)
    ws.set_column(1, 1, width_name)
    ws.set_column(2, 2, TEXT_WIDTH)
    chars = int(width_group + width_name + TEXT_WIDTH) - 4
    b.text(ws, 0, 0, "自由記述（設問ごと・所属順）", b.title)
    b.paragraph(ws, 1, 0, 2, scope + " 経路外・経路未確定の設問の記述は載せていません。", b.note_wrap, chars)
    b.paragraph(
        ws, 2, 0, 2,
        "設問（選択肢の記入欄）ごとに見出しと件数を付けています。「記述」の列をそのまま報告書の箇条書きに使えます。"
        "（選択肢は未選択）: 記入欄に記述があるが、その選択肢は選ばれていないもの。",
        b.note_wrap, chars,
    )
    row, any_text = 4, False
    for question in questionnaire.questions:
        if question.type is not QuestionType.TEXT and not question.text_boxes:
            continue
        groups = _groups(question, tallies)
        total = sum(len(entries) for _, entries in groups)
        if total == 0:
            continue
        any_text = True
        b.paragraph(ws, row, 0, 2, f"{question.label}　{question.text}（記述 {total} 件）", b.heading_wrap, chars)
        row += 1
        for heading, entries in groups:
            if not entries:
                continue
            if heading:
                b.text(ws, row, 0, f"{heading}（{len(entries)} 件）", b.heading)
                row += 1
            for col, head in enumerate(HEADS):
                b.text(ws, row, col, head, b.header)
            row += 1
            for record, text, chosen in entries:
                name = record.name if chosen else f"{record.name}（選択肢は未選択）"
                b.texts(ws, row, 0, (record.bukyoku, name, text), b.wrap)  # the answer: checked against the cell limit
                b.fit_row(ws, row, ((record.bukyoku, width_group), (name, width_name), (text, TEXT_WIDTH)))
                row += 1
        row += 1
    if not any_text:
        b.text(ws, row, 0, "（記述はありません）", b.note)
    ws.freeze_panes(1, 0)
