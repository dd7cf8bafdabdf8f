"""疑義: every flag a reviewer raised, open or resolved, with its whole thread — the question,
the comment, the clerk's reply, how it was resolved, and who did each and when — department by
department in roster order, then in the form's order. The report's working papers show what was
doubted and how it was settled; the audit log holds every intermediate reply. Written only when
some department has a flag (as 職員登録状況 only for a form with counts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from survey import Questionnaire

from ..tally import DepartmentRecord
from .common import Book, display_width, stamp_text

__all__ = ["HEADS", "SHEET", "any_flags", "write"]

SHEET = "疑義"
HEADS = (
    "部局", "所属", "設問", "状態", "疑義の内容", "疑義を付けた人", "付けた日時",
    "入力者の回答", "回答した人", "回答日時", "解決の内容", "解決した人", "解決日時",
)
_WIDTHS = (12, 20, 6, 8, 40, 12, 16, 40, 12, 16, 40, 12, 16)
_WRAPPED = {4, 7, 10}  # the three texts


def any_flags(records: Sequence[DepartmentRecord]) -> bool:
    """Whether the sheet is written: like the counts sheet, only when it has something to list."""
    ids = {r.response_id for r in records}
    return any(f.response_id in ids for f in getattr(records, "flags", ()))


def write(book: Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], display: Callable[[str], str]) -> None:
    """``records.flags``: every flag (db.Flag), read with the records (exports/records.py)."""
    b = book
    ws = b.wb.add_worksheet(SHEET)
    b.setup(ws, repeat=(2, 2))
    by_response = {r.response_id: r for r in records}
    flags = [f for f in getattr(records, "flags", ()) if f.response_id in by_response]
    flags.sort(key=lambda f: (by_response[f.response_id].position, questionnaire.position(f.question_id), f.id))
    still_open = sum(1 for f in flags if f.resolved is None)
    b.text(ws, 0, 0, "疑義", b.title)
    b.text(
        ws, 1, 0,
        f"疑義 {len(flags)} 件（未解決 {still_open} 件・解決済 {len(flags) - still_open} 件）。"
        "回答は入力者の最新の回答です（すべての回答は監査ログに残っています）。",
        b.note,
    )
    for col, head in enumerate(HEADS):
        b.text(ws, 2, col, head, b.header)
    row = 3
    for flag in flags:
        record = by_response[flag.response_id]
        question = questionnaire.question(flag.question_id)
        values = [
            record.bukyoku, record.name, question.label if question else flag.question_id,
            "未解決" if flag.resolved is None else "解決済",
            flag.comment, display(flag.raised.who), stamp_text(flag.raised.at),
            flag.reply or "", display(flag.replied.who) if flag.replied else "", stamp_text(flag.replied.at) if flag.replied else "",
            flag.resolution or "", display(flag.resolved.who) if flag.resolved else "",
            stamp_text(flag.resolved.at) if flag.resolved else "",
        ]
        for col, value in enumerate(values):
            b.text(ws, row, col, value, b.wrap if col in _WRAPPED else b.cell)
        b.fit_row(ws, row, [(values[c], _WIDTHS[c]) for c in _WRAPPED])
        row += 1
    for col, width in enumerate(_WIDTHS):
        if col < 2:  # 部局, 所属: as wide as the longest name shown (within reason)
            shown = [display_width(v) for v in ([r.bukyoku for r in records] if col == 0 else [r.name for r in records])[:300]]
            width = min(max([4] + shown) + 2, 30)
        ws.set_column(col, col, width)
    ws.freeze_panes(3, 3)
    ws.autofilter(2, 0, max(row - 1, 3), len(HEADS) - 1)
