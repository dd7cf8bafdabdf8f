"""入力者統計: each keyer's speed and error rates, per day and in total, counted from the keying
events (``survey.verification.keyer_statistics``), with what every figure means and how the
departments for the second keying (照合入力) were chosen.

The figures are the pure core's; this sheet only lays them out: numbers as numbers, a day as a
date, a rate without a denominator as 「－」, never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta

from survey.people import person_key
from survey.verification import (
    ALL, BY_HAND, EVERY_NTH, HEADERS, PERCENT, KeyerRow, keyer_statistics, keyer_totals, statistics_table,
)
from survey.verification.stats import DEFAULT_PAUSE

from .common import FONT, Book, display_width, header_width, stamp_text, wrap_header

__all__ = ["SHEET", "RULE_LABELS", "definitions", "write"]

SHEET = "入力者統計"
RULE_LABELS = {ALL: "全所属", EVERY_NTH: "一定間隔", PERCENT: "無作為（割合）", BY_HAND: "個別に選択"}

# The columns shown with one decimal (入力時間（分） and the two rates per 1,000); the other
# figures are whole numbers.
_ONE_DECIMAL = {5, 10, 13}
_PLAN_HEADS = ("番号", "規則", "間隔・割合", "シード", "内容", "所属数", "決めた人", "日時")


def _minutes(pause: timedelta) -> str:
    minutes = pause.total_seconds() / 60
    return f"{minutes:g} 分"


def definitions(pause: timedelta = DEFAULT_PAUSE) -> list[str]:
    """What each figure means, in short Japanese notes, in the order of ``HEADERS``."""
    return [
        "調書数: その人が項目を確定した所属の数（合計の行は全期間で異なる所属の数）。",
        "入力項目数: 入力（照合入力を含む）で確定した項目の数。打鍵数: 入力画面で押したキーの数。",
        f"入力時間（分）: 同じ人の同じ日の操作と操作の間隔の合計。{_minutes(pause)}を超える間隔は休止として数えません。",
        "打鍵数／時: 打鍵数 ÷ 入力時間（時間）。訂正数: 確定した項目を入力し直した数。",
        "照合項目数: その人が照合入力（二人目の入力）で確かめた項目の数。照合誤り数: そのうち照合入力の方が誤っていた数。",
        "照合誤り（1,000項目あたり）: 照合誤り数 ÷ 照合項目数 × 1,000。",
        "照合された項目数: その人の入力のうち、別の人が照合した項目の数。入力誤り数: そのうち最初の入力が誤っていた数。",
        "入力誤り（1,000項目あたり）: 入力誤り数 ÷ 照合された項目数 × 1,000。",
        "誤りの判定: 照合入力中の照合では、同じ違う値を打ち直せば最初の入力の誤り、最初の値に戻れば照合入力の誤り"
        "（CSPro の定義）。照合入力の後の突合では、二人目の値を採れば最初の入力の誤り、最初の値を採れば照合入力の誤り、"
        "どちらでもない値は両方の誤りです。「－」は分母が 0 で計算できないことを表します。",
    ]


def _formats(b: Book) -> dict:
    add = b.wb.add_format
    base = {"font_name": FONT, "font_size": 10, "border": 1}
    total = {**base, "bold": True, "bg_color": "#F2F2F2"}
    return {
        "date": add({**base, "num_format": "yyyy-mm-dd", "align": "left"}),
        "one": add({**base, "num_format": "#,##0.0"}),
        "total_one": add({**total, "num_format": "#,##0.0"}),
        "total_dash": add({**total, "align": "center"}),
        "number_top": add({**base, "num_format": "#,##0", "valign": "top"}),
        "plain_top": add({**base, "num_format": "0", "valign": "top"}),
        "dash_top": add({**base, "align": "center", "valign": "top"}),
    }


def _ordered(events: Sequence, pause: timedelta) -> list[KeyerRow]:
    """Each person's days, then the person's 合計 row (people in the order first seen)."""
    daily = keyer_statistics(events, pause)
    out: list[KeyerRow] = []
    for total in keyer_totals(events, pause):
        key = person_key(total.person)
        out += [r for r in daily if person_key(r.person) == key]
        out.append(total)
    return out


def _table(
    b: Book, ws, fmt: dict, top: int, rows: list[KeyerRow], widths: list[float], display: Callable[[str], str]
) -> int:
    for col, head in enumerate(HEADERS):
        b.text(ws, top, col, wrap_header(head, widths[col]), b.header)
    b.fit_row(ws, top, ((wrap_header(h, w), w) for h, w in zip(HEADERS, widths)))
    row = top + 1
    for keyer, cells in zip(rows, statistics_table(rows)):  # the core's cells, rounded as the screen's
        total = keyer.day is None
        label, number = (b.total_label, b.total_number) if total else (b.cell, b.number)
        one, dash = (fmt["total_one"], fmt["total_dash"]) if total else (fmt["one"], b.dash)
        for col, value in enumerate(cells):
            if col == 0:
                b.text(ws, row, col, display(value), label)
            elif col == 1:
                if total:
                    b.text(ws, row, col, "合計", label)
                else:
                    ws.write_datetime(row, col, datetime.combine(keyer.day, time()), fmt["date"])
            elif value is None:
                ws.write_string(row, col, "－", dash)
            else:
                ws.write_number(row, col, value, one if col in _ONE_DECIMAL else number)
        row += 1
    return row


def _plans(
    b: Book, ws, fmt: dict, top: int, plans: Sequence, widths: list[float], display: Callable[[str], str]
) -> int:
    b.text(ws, top, 0, "照合入力の対象の選び方（抽出の記録）", b.heading)
    row = top + 1
    if not plans:
        b.text(ws, row, 0, "照合入力の対象はまだ選ばれていません。", b.note)
        return row + 1
    # 内容 and 日時 span columns of the keyer table: the description is a sentence.
    spans = {4: (4, 9), 5: (10, 10), 6: (11, 11), 7: (12, 13)}
    for col, head in enumerate(_PLAN_HEADS):
        first, last = spans.get(col, (col, col))
        _merged(ws, row, first, last, head, b.header, b)
    row += 1
    for plan in plans:
        rule = RULE_LABELS.get(plan.rule, plan.rule)
        cells = (plan.id, rule, plan.parameter, plan.seed, plan.description, len(plan.department_ids),
                 display(plan.made.who), stamp_text(plan.made.at))
        for col, value in enumerate(cells):
            first, last = spans.get(col, (col, col))
            if isinstance(value, int):
                ws.write_number(row, first, value, fmt["plain_top" if col in (0, 3) else "number_top"])  # a seed is an id
            elif value is None:
                ws.write_string(row, first, "－", fmt["dash_top"])
            else:
                _merged(ws, row, first, last, value, b.wrap if col == 4 else b.cell, b)
        b.fit_row(ws, row, [(plan.description, sum(widths[4:10]))])
        row += 1
    return row


def _merged(ws, row: int, first: int, last: int, text: str, fmt, b: Book) -> None:
    if last > first:
        ws.merge_range(row, first, row, last, "", fmt)
    b.text(ws, row, first, text, fmt)


def write(book: Book, records: Sequence, display: Callable[[str], str], pause: timedelta = DEFAULT_PAUSE) -> None:
    """``records`` as read by ``read_records`` (its ``key_events`` and ``plans``)."""
    b = book
    events = list(getattr(records, "key_events", ()))
    plans = list(getattr(records, "plans", ()))
    ws = b.wb.add_worksheet(SHEET)
    fmt = _formats(b)
    rows = _ordered(events, pause)
    names = [display(r.person) for r in rows]
    widths: list[float] = [max([header_width(HEADERS[0])] + [min(display_width(n) + 2, 24) for n in names])]
    # A rate's heading holds 「（1,000項目あたり）」 whole: it may not break inside the brackets.
    widths += [12] + [header_width(h, least=9, most=22 if col in _ONE_DECIMAL else 14) for col, h in enumerate(HEADERS[2:], 2)]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    b.setup(ws, repeat=(2, 2) if rows else None)
    b.text(ws, 0, 0, SHEET, b.title)
    threshold = f"休止の閾値: {_minutes(pause)}（同じ人の操作の間隔が{_minutes(pause)}を超えたところは入力時間に数えません）。"
    if rows:
        threshold = f"入力者ごと・日ごとの入力の速さと誤りの率（各人の日ごとの行の後に合計の行）。{threshold}数値の定義は表の下にあります。"
    b.text(ws, 1, 0, threshold, b.note)
    row = 2
    if rows:
        row = _table(b, ws, fmt, row, rows, widths, display)
        ws.freeze_panes(3, 1)
        ws.autofilter(2, 0, row - 1, len(HEADERS) - 1)
    else:
        b.text(
            ws, row, 0,
            "まだ入力の記録がありません。入力や照合入力（二人目の入力）を行うと、入力者ごと・日ごとの打鍵数、"
            "入力の速さ、照合で見つかった誤りの率をここに集計します。",
            b.warn,
        )
        row += 1
    row += 1
    b.text(ws, row, 0, "数値の定義", b.heading)
    chars = int(sum(widths)) - 2
    for text in definitions(pause):
        row += 1
        b.paragraph(ws, row, 0, len(HEADERS) - 1, text, b.note_wrap, chars)
    _plans(b, ws, fmt, row + 2, plans, widths, display)
