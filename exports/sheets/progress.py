"""入力状況: where every department's form stands, who entered, reviewed and finalised it, and
where its double entry (照合入力) stands: who keyed it second, who adjudicated it, when."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from survey import Questionnaire
from survey.verification.status import NOT_SAMPLED

from ..tally import DepartmentRecord
from .common import PROGRESS, Book, display_width, stamp_text


def _check_counts(records: Sequence[DepartmentRecord], labels: dict[str, str]) -> str:
    """「照合: 照合対象外 55／照合入力待ち 2…」 once any department was chosen for double entry."""
    states = [r.verification for r in records if r.verification]
    if not states or all(s == NOT_SAMPLED for s in states):
        return ""
    return "　照合: " + "／".join(f"{label} {states.count(key)}" for key, label in labels.items())


def write(book: Book, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], display: Callable[[str], str]) -> None:
    from db import STATUS_LABELS, STATUSES
    from survey.verification.status import LABELS as CHECK_LABELS

    b = book
    ws = b.wb.add_worksheet(PROGRESS)
    b.setup(ws, repeat=(2, 2))
    counts = {s: sum(1 for r in records if r.status == s) for s in STATUSES}
    b.text(ws, 0, 0, "入力状況", b.title)
    head = getattr(records, "audit_head", None)  # read with the records (exports/records.py)
    if head is not None:  # pins the history this report came from: `chosho verify --head N:HASH`
        b.text(ws, 0, 2, f"監査ログ {head[0]} 件　末尾のハッシュ {head[1]}　点検: chosho verify --head {head[0]}:{head[1][:16]}", b.note)
    b.text(
        ws, 1, 0,
        "／".join(f"{STATUS_LABELS[s]} {counts[s]}" for s in STATUSES) + f"（計 {len(records)} 所属）"
        + _check_counts(records, CHECK_LABELS),
        b.note,
    )
    heads = (
        "部局", "所属", "状態", "集計に含む", "回答済／経路上", "経路未確定",
        "入力者", "入力済の日時", "確認者", "確認日時", "確定者", "確定日時",
        "最終更新者", "最終更新日時", "未解決の疑義",
        "照合の状態", "照合入力者", "照合入力の日時", "突合者", "突合日時",
    )
    for col, head in enumerate(heads):
        b.text(ws, 2, col, head, b.header)
    row = 3
    for record in records:
        route = record.route
        answered = sum(1 for qid in route.order if qid in record.answers)
        undecided = "、".join(questionnaire.question(q).label for q in route.undecided_by) if record.answers else ""
        values: list[Any] = [
            record.bukyoku, record.name, STATUS_LABELS.get(record.status, record.status),
            "〇" if record.included else "－", f"{answered}／{len(route.order)}", undecided,
        ]
        for stamp in (record.entered, record.reviewed, record.finalised, record.updated):
            values += [display(stamp[0]) if stamp else "", stamp_text(stamp[1]) if stamp else ""]
        b.texts(ws, row, 0, values, b.cell, blanks=False)
        ws.write_number(row, len(values), record.open_flags, b.number)
        check = [CHECK_LABELS.get(record.verification, record.verification or "")]
        for stamp in (record.second_keyed, record.adjudicated):
            check += [display(stamp[0]) if stamp else "", stamp_text(stamp[1]) if stamp else ""]
        b.texts(ws, row, len(values) + 1, check, b.cell, blanks=False)
        row += 1
    b.grid(ws, 3, 0, row - 1, len(heads) - 1)  # the empty cells' borders
    sample = records[:300]
    ws.set_column(0, 0, min(max([4] + [display_width(r.bukyoku) for r in sample]) + 2, 24))
    ws.set_column(1, 1, min(max([4] + [display_width(r.name) for r in sample]) + 2, 30))
    ws.set_column(2, 3, 10)
    ws.set_column(4, 4, 14)
    ws.set_column(5, 5, 16)
    ws.set_column(6, 13, 16)
    ws.set_column(14, 14, 10)
    ws.set_column(15, 15, 12)
    ws.set_column(16, 19, 16)
    ws.freeze_panes(3, 2)
    ws.autofilter(2, 0, max(row - 1, 3), len(heads) - 1)

