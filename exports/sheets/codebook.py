"""変数一覧: the codebook of 回答一覧, one row per variable, and how empty states are written."""

from __future__ import annotations

from survey import Question, Questionnaire

from .. import layout
from ..tally import skipped_by
from .common import CODEBOOK, ROWS, Book, display_width

def route_condition(questionnaire: Questionnaire, question: Question) -> str:
    """When a question is 非該当, in the definition's own words (the skips passing over it)."""
    skips = skipped_by(questionnaire, question.id)
    if not skips:
        return "全所属（分岐なし）"
    parts = []
    for skip in skips:
        judged = "。所属の判断による非該当あり" if skip.respondent_judgement else ""
        parts.append(f"{skip.when_text} のとき非該当（{skip.at}→{skip.to}{judged}）")
    return "\n".join(parts)


CODEBOOK_WIDTHS = (16, 8, 14, 50, 40, 40)


def _repeat_rows(question: Question, condition: str) -> list[tuple[str, ...]]:
    """A repeat's columns (on the sheet named by the repeat): one codebook row per field."""
    from survey import QuestionType

    if question.type is not QuestionType.REPEAT:
        return []
    out = []
    for field in question.fields:
        kind = f"行の表の列・{field.type.label}" + ("・任意" if not field.required else "")
        content = f"「{question.id}」シートの列（1 行 1 表の行）。{question.text}\n列: {field.text}"
        if field.options:
            values = "\n".join(f"{o.code} {o.label}" for o in field.options)
        elif field.type is QuestionType.NUMBER:
            values = f"数値（{field.unit}）" if field.unit else "数値"
        elif field.type is QuestionType.DATE:
            values = "日付"
        else:
            values = "文字"
        where = condition + (f"\nその行で {field.relevant_text} のときだけ記入（ほかの行は非該当）" if field.relevant_text else "")
        out.append((field.id, question.label, kind, content, values, where))
    return out


def write(book: Book, questionnaire: Questionnaire) -> None:
    b = book
    ws = b.wb.add_worksheet(CODEBOOK)
    b.setup(ws, repeat=(2, 2))
    b.text(ws, 0, 0, f"変数一覧（「{ROWS}」シートの列の意味）", b.title)
    b.text(ws, 1, 0, f"「{ROWS}」は 2 行目が見出し、3 行目が列名（変数名）、4 行目から 1 行 1 所属です。", b.note)
    heads = ("変数名", "設問", "種類", "内容", "値", "経路（非該当となる条件）")
    for col, head in enumerate(heads):
        b.text(ws, 2, col, head, b.header)
    row = 3
    widths = [display_width(h) for h in heads]
    from db import STATUS_LABELS

    fixed = (
        (layout.FIXED_COLUMNS[0], "部局", "所属が属する部局（調書の所属一覧の順）"),
        (layout.FIXED_COLUMNS[1], "所属", "所属名（1 行 1 所属）"),
        (layout.FIXED_COLUMNS[2], "状態", "入力の状態"),
    )
    for name, what, content in fixed:
        values = "文字" if what != "状態" else "\n".join(STATUS_LABELS.values())
        cells = (name, "－", "文字（所属の情報）", content, values, "全所属")
        for col, value in enumerate(cells):
            b.text(ws, row, col, value, b.wrap)
        b.fit_row(ws, row, zip(cells[2:], CODEBOOK_WIDTHS[2:]))
        row += 1
    for question in questionnaire.questions:
        condition = route_condition(questionnaire, question)
        for cells in _repeat_rows(question, condition):  # a repeat: its own sheet's columns
            for col, value in enumerate(cells):
                b.text(ws, row, col, value, b.wrap)
            widths[0] = max(widths[0], display_width(cells[0]))
            b.fit_row(ws, row, zip(cells[2:], CODEBOOK_WIDTHS[2:]))
            row += 1
        for variable in layout.question_variables(question):
            kind = question.type.label + ("・任意" if not question.required else "")
            if variable.kind == layout.TICK:
                option = question.option(variable.key)
                content = f"{question.text}\n選択肢 {option.code} {option.label}"
                values = "1 選択／0 非選択"
            elif variable.kind == layout.BOX:
                option, box = question.option(variable.key), question.text_box(variable.key)
                content = f"{question.text}\n選択肢 {option.code} {option.label} の記入欄: {box.prompt}"
                values = "文字"
            elif variable.kind == layout.ROW:
                content = f"{question.text}\n行: {question.row(variable.key).label}"
                values = "\n".join(f"{o.code} {o.label}" for o in question.options)
            elif variable.kind == layout.ITEM:
                item = question.item(variable.key)
                ceiling = f"（{question.item(item.at_most).label}以下）" if item.at_most else ""
                content = f"{question.text}\n項目: {item.label}{ceiling}"
                values = f"0 以上の整数（{item.unit}）" if item.unit else "0 以上の整数"
            elif variable.kind == layout.CODE:
                content = question.text
                values = "\n".join(f"{o.code} {o.label}" for o in question.options)
                if question.chooses_route_when_blank:
                    values += "\n（無回答・無効のとき @番号 で経路を選んだもの）"
            else:
                content = question.text
                values = "文字"
            cells = (variable.name, question.label, kind, content, values, condition)
            for col, value in enumerate(cells):
                b.text(ws, row, col, value, b.wrap)
            widths[0] = max(widths[0], display_width(variable.name))
            b.fit_row(ws, row, zip(cells[2:], CODEBOOK_WIDTHS[2:]))
            row += 1
    last = row - 1
    row += 1
    b.text(ws, row, 0, "表記", b.header)
    b.text(ws, row, 1, "意味", b.header)
    legend = [
        ("（空欄）", "未入力（まだ入力していない）。経路が決まらない設問では経路未確定"),
        (layout.BLANK_WORD, "無回答: 用紙が空欄"),
        (f"{layout.INVALID_WORD}（…）", "無効: 読み取れない回答。（ ）内は用紙の記載"),
        (layout.NA_WORD, "非該当: 経路外、または所属の判断で回答しなかった設問"),
        ("無回答@1", "無回答だが、経路は選択肢 1 として進めたもの（要確認）"),
    ]
    for word, meaning in legend:
        row += 1
        b.text(ws, row, 0, word, b.cell)
        b.text(ws, row, 1, meaning, b.cell)  # runs on over the empty columns
    ws.set_column(0, 0, min(widths[0] + 2, 24))
    for col, width in enumerate(CODEBOOK_WIDTHS[1:], start=1):
        ws.set_column(col, col, width)
    ws.freeze_panes(3, 1)
    ws.autofilter(2, 0, last, len(heads) - 1)

