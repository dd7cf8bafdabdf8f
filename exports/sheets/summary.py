"""集計: every question with its base, counts and shares, and a native chart beside it.

Columns: A 番号, B 選択肢 (the paper's words), C グラフの表示名 (the chart's label: editing it
changes the chart), D 所属数, E 割合（整数） (as the report prints it: largest remainder for
single choice, so it adds to 100), F 割合 (the exact share). The charts read C and E, so the
labels and numbers the report shows are the ones in the table. Empty states (無回答 / 無効 /
未入力) appear only when some department is in them, in one grey; options keep one colour each
(by code) in every chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from survey import Question, Questionnaire, QuestionType

from ..tally import (
    ANSWERED,
    OUTSIDE_STATES,
    STATE_LABELS,
    WHOLE_RULE_MULTI,
    WHOLE_RULE_SINGLE,
    QuestionTally,
    Share,
    answered_shares,
    by_frequency,
    choice_shares,
    matrix_shares,
)
from . import charts
from .common import SUMMARY, Book, rate_rule
from .counts import counts_sheet_name

CODE, LABEL, CHART_LABEL, COUNT, WHOLE, SHARE = range(6)
WIDTHS = {CODE: 5, LABEL: 40, CHART_LABEL: 24, COUNT: 8, WHOLE: 8, SHARE: 8, 6: 8, 7: 8}
TABLE_CHARS = 80  # narrow characters across A–F, for wrapped titles
CHART_COL = 6  # charts start in G, beside the table
CHART_WIDTH = 440
PIE_WIDTH = 260  # Q2's pies, four side by side under the table
PAGE_LAST_COL, PAGE_CHARS = 13, 150
PAGE_WIDTH_PT = 741  # A4 landscape within XlsxWriter's default margins (0.7 in each side)
PAGE_HEIGHT_PT = 470  # less the header and footer
ORDERS = ("code", "frequency")


def column_points(width: float) -> float:
    """A column of ``width`` characters in points, as Excel converts it (7 px a character + 5)."""
    return (int(width * 7 + 0.5) + 5) * 0.75


class Summary:
    def __init__(self, book: Book, questionnaire: Questionnaire, order: str = "code") -> None:
        if order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
        self.book = book
        self.q = questionnaire
        self.order = order
        self.ws = book.wb.add_worksheet(SUMMARY)
        self.charts = 0
        self.blocks: list[tuple[int, int]] = []  # (first row, end row) of each question's block
        self.widths: list[float] = []  # points across each block (table and charts)

    def preamble(self, scope: str, warnings: Sequence[str]) -> int:
        ws, b = self.ws, self.book
        b.setup(ws, fit_width=False)
        for col, width in WIDTHS.items():
            ws.set_column(col, col, width)
        ws.set_column(8, 30, 8)
        b.text(ws, 0, 0, f"{self.q.title}　集計", b.title)
        b.paragraph(ws, 1, 0, PAGE_LAST_COL, scope, b.note_wrap, PAGE_CHARS)
        order = "多い順（同数は番号順）" if self.order == "frequency" else "調書の番号順"
        notes = [
            "基数（Ｎ）: その設問が経路上にある所属の数です。非該当（経路外、または所属の判断で非該当と記録した所属）は基数に含みません。",
            "無回答（用紙が空欄）・無効（読み取れない回答）・未入力（まだ入力していない）は基数に含め、該当する所属があるときだけ行を分けて示します。",
            "経路未確定: 分岐を決める設問が無回答で経路も選ばれていない所属では、後の設問の経路が決まりません。"
            "その設問に回答（無効を含む）が記録されていれば基数に含め、無回答か未入力なら「経路未確定」として基数に含めません。",
            "割合は基数に対する比率です。複数回答の設問は選んだ所属数の基数に対する比率で、合計は100％を超えることがあります。",
            "「割合（整数）」は報告書に載せる整数の割合です。単一回答: " + WHOLE_RULE_SINGLE + " 複数回答: " + WHOLE_RULE_MULTI
            + " 「割合」の列は正確な値です。",
            "グラフの項目名は「グラフの表示名」の列を参照しています。その列を書き換えるとグラフも変わります。"
            f"選択肢の並び: {order}。",
            "自由記述の設問は記入の有無を数え、記述は「自由記述」シートに所属名とともに載せています。",
        ]
        row = 2
        for note in notes:
            b.paragraph(ws, row, 0, PAGE_LAST_COL, "※ " + note, b.note_wrap, PAGE_CHARS)
            row += 1
        for warning in warnings:
            b.paragraph(ws, row, 0, PAGE_LAST_COL, "⚠ " + warning, b.warn_wrap, PAGE_CHARS)
            row += 1
        ws.freeze_panes(1, 2)  # the title, and the number and label of every row
        return row + 1

    # -- one question ---------------------------------------------------------------------

    def chart_title(self, question: Question, base: int, medium: str = "") -> str:
        multi = "（複数回答可）" if question.type is QuestionType.MULTI else ""
        head = f"{question.label} {question.chart_title}{multi}"
        return f"{head}\n【{medium}】Ｎ＝{base}" if medium else f"{head}Ｎ＝{base}"

    def base_line(self, row: int, t: QuestionTally) -> None:
        outside = [f"{STATE_LABELS[s]} {t.states[s]}" for s in OUTSIDE_STATES if t.states[s]]
        text = f"基数 Ｎ＝{t.base} 所属"
        if outside:
            text += "（基数に含まない: " + "、".join(outside) + "）"
        self.book.text(self.ws, row, 1, text, self.book.note)

    def title_line(self, row: int, question: Question) -> None:
        suffix = "【複数回答可】" if question.type is QuestionType.MULTI else ""
        optional = "（任意）" if not question.required else ""
        text = f"{question.label}　{question.text}{suffix}{optional}"
        self.book.paragraph(self.ws, row, 0, SHARE, text, self.book.heading_wrap, TABLE_CHARS)

    def block(self, row: int, t: QuestionTally) -> int:
        self.title_line(row, t.question)
        self.base_line(row + 1, t)
        kind = t.question.type
        if kind is QuestionType.MATRIX:
            end = self.matrix(row + 2, t)
        elif kind is QuestionType.COUNTS:
            end = self.counts(row + 2, t)
        elif kind is QuestionType.NUMBER:
            end = self.number(row + 2, t)
        elif kind is QuestionType.DATE:
            end = self.dates(row + 2, t)
        elif kind is QuestionType.REPEAT:
            end = self.repeat(row + 2, t)
        else:
            end = self.choices(row + 2, t)
        self.blocks.append((row, end))
        return end + 2

    def _rows_for_chart(self, first: int, points: float) -> int:
        """Rows under a chart of ``points`` height from ``first``, so the block holds it whole."""
        rows, height = 0, 0.0
        while height < points + 6:
            height += self.book.rows_height(self.ws, first + rows, first + rows + 1)
            rows += 1
        return rows

    def ordered(self, shares: list[Share]) -> list[Share]:
        return by_frequency(shares) if self.order == "frequency" else list(shares)

    def table(self, row: int, shares: list[Share], base: int, exclusive: bool,
              heading: str = "選択肢") -> tuple[int, int, int, list]:
        """Options, then the empty states that occur, then 計: (first, last data row, next row, keys).
        The whole percents are the computation's (``exports.tally``), in whatever order shown."""
        b, ws = self.book, self.ws
        for col, head in enumerate(("番号", heading, "グラフの表示名", "所属数", "割合\n（整数）", "割合")):
            b.text(ws, row, col, head, b.header)
        b.set_height(ws, row, 28)
        shown = self.ordered(shares)
        first = r = row + 1
        for share in shown:
            if share.state:
                b.text(ws, r, CODE, "", b.state_label)
                b.text(ws, r, LABEL, share.label, b.state_label)
                b.text(ws, r, CHART_LABEL, share.short, b.state_label)
            else:
                ws.write_number(r, CODE, share.code, b.code)
                b.text(ws, r, LABEL, share.label, b.wrap)
                b.text(ws, r, CHART_LABEL, share.short, b.wrap)
                b.fit_row(ws, r, [(share.label, WIDTHS[LABEL]), (share.short, WIDTHS[CHART_LABEL])])
            ws.write_number(r, COUNT, share.count, b.number)
            self.whole(r, share.whole)
            b.share(ws, r, SHARE, share.share)
            r += 1
        last = r - 1
        b.text(ws, r, CODE, "", b.total_label)
        b.text(ws, r, CHART_LABEL, "", b.total_label)
        if exclusive:
            b.text(ws, r, LABEL, "計", b.total_label)
            ws.write_number(r, COUNT, base, b.total_number)
            self.whole(r, 100 if base else None, b.total_whole)
            b.share(ws, r, SHARE, 1.0 if base else None, b.total_percent)
        else:
            b.text(ws, r, LABEL, "基数（回答対象の所属）", b.total_label)
            ws.write_number(r, COUNT, base, b.total_number)
            b.text(ws, r, WHOLE, "", b.total_label)
            b.text(ws, r, SHARE, "", b.total_label)
        return first, last, r + 1, [s.state or s for s in shown]

    def whole(self, row: int, percent: int | None, fmt=None, col: int = WHOLE) -> None:
        if percent is None:
            self.ws.write_string(row, col, "－", self.book.dash)
        else:
            self.ws.write_number(row, col, percent / 100, fmt or self.book.whole)

    def choices(self, row: int, t: QuestionTally) -> int:
        b, ws, question = self.book, self.ws, t.question
        multi = question.type is QuestionType.MULTI
        text = question.type is QuestionType.TEXT
        if text:
            first, last, r, keys = self._text_table(row, t)
        else:
            shares = choice_shares(t) if question.options else []
            first, last, r, keys = self.table(row, shares, t.base, not multi)
        if multi:
            b.text(ws, r, LABEL, f"※ 割合は基数 Ｎ＝{t.base} に対する比率。複数回答のため合計は100％を超えることがあります。", b.note)
            r += 1
        if t.unknown_codes:
            b.text(ws, r, LABEL, f"※ 選択肢にない番号の回答 {t.unknown_codes} 件を無効として数えています。", b.warn)
            r += 1
        if text or not keys:
            return r
        counts = [t.states[k] if isinstance(k, str) else t.options[k.code] for k in keys]
        height = self.choice_chart(question, first, last, keys, counts, multi, t.base)
        return max(r, row + self._rows_for_chart(row, height))

    def _text_table(self, row: int, t: QuestionTally) -> tuple[int, int, int, list]:
        b, ws = self.book, self.ws
        for col, head in enumerate(("", "区分", "", "所属数", "割合\n（整数）", "割合")):
            b.text(ws, row, col, head, b.header)
        shares = answered_shares(t)
        keys = [s.state for s in shares]
        r = row + 1
        for share in shares:
            fmt = b.cell if share.state == ANSWERED else b.state_label
            b.text(ws, r, CODE, "", fmt)
            b.text(ws, r, LABEL, share.label, fmt)
            b.text(ws, r, CHART_LABEL, "", fmt)
            ws.write_number(r, COUNT, share.count, b.number)
            self.whole(r, share.whole)
            b.share(ws, r, SHARE, share.share)
            r += 1
        b.text(ws, r, CODE, "", b.total_label)
        b.text(ws, r, LABEL, "計", b.total_label)
        b.text(ws, r, CHART_LABEL, "", b.total_label)
        ws.write_number(r, COUNT, t.base, b.total_number)
        self.whole(r, 100 if t.base else None, b.total_whole)
        b.share(ws, r, SHARE, 1.0 if t.base else None, b.total_percent)
        return row + 1, r - 1, r + 1, keys

    def _place(self, chart, row: int, col: int, height: int, width: int = CHART_WIDTH) -> float:
        chart.set_size({"width": width, "height": height})
        chart.set_chartarea({"border": {"none": True}})
        self.ws.insert_chart(row, col, chart, {"x_offset": 8, "y_offset": 4, "object_position": 1})
        self.charts += 1
        points = (height + 8) * 0.75
        return points

    def choice_chart(
        self, question: Question, first: int, last: int, keys: list, counts: list[int], multi: bool, base: int
    ) -> float:
        title = self.chart_title(question, base)
        if not multi:
            chart = charts.pie(self.book, title, (first, last, CHART_LABEL), (WHOLE,), keys, counts)
            return self._place(chart, first - 1, CHART_COL, 280)
        chart = charts.share_bars(self.book, title, (first, last, CHART_LABEL), WHOLE, keys)
        height = max(220, 70 + 28 * (last - first + 1))
        return self._place(chart, first - 1, CHART_COL, height)

    def matrix(self, row: int, t: QuestionTally) -> int:
        """One table, three columns per row of the matrix (medium), and one pie per medium
        below it, side by side, as the report shows Q2 (【ＬＩＮＥ】 …)."""
        b, ws, question = self.book, self.ws, t.question
        media = question.rows
        for col in range(3):
            b.text(ws, row, col, "", b.header)
        for i, medium in enumerate(media):
            col = COUNT + 3 * i
            ws.merge_range(row, col, row, col + 2, "", b.header)
            b.text(ws, row, col, medium.label, b.header)
        header = row + 1
        heads = ["番号", "選択肢", "グラフの表示名"] + ["所属数", "割合\n（整数）", "割合"] * len(media)
        for col, head in enumerate(heads):
            b.text(ws, header, col, head, b.header)
        b.set_height(ws, header, 28)
        by_medium = matrix_shares(t)
        keys: list = [s.state or s for s in by_medium[media[0].id]] if media else []
        per_medium = {m.id: ([s.count for s in by_medium[m.id]], [s.whole for s in by_medium[m.id]]) for m in media}
        first = r = header + 1
        for k, key in enumerate(keys):
            if isinstance(key, str):
                for col, text in ((CODE, ""), (LABEL, STATE_LABELS[key]), (CHART_LABEL, STATE_LABELS[key])):
                    b.text(ws, r, col, text, b.state_label)
            else:
                ws.write_number(r, CODE, key.code, b.code)
                b.text(ws, r, LABEL, key.label, b.wrap)
                b.text(ws, r, CHART_LABEL, key.short, b.wrap)
                b.fit_row(ws, r, [(key.label, WIDTHS[LABEL]), (key.short, WIDTHS[CHART_LABEL])])
            for i, medium in enumerate(media):
                values, wholes = per_medium[medium.id]
                col = COUNT + 3 * i
                ws.write_number(r, col, values[k], b.number)
                self.whole(r, wholes[k], col=col + 1)
                b.share(ws, r, col + 2, values[k] / t.base if t.base else None)
            r += 1
        last = r - 1
        for col in range(3):
            b.text(ws, r, col, "計" if col == LABEL else "", b.total_label)
        for i in range(len(media)):
            col = COUNT + 3 * i
            ws.write_number(r, col, t.base, b.total_number)
            self.whole(r, 100 if t.base else None, b.total_whole, col=col + 1)
            b.share(ws, r, col + 2, 1.0 if t.base else None, b.total_percent)
        r += 2
        points = 0.0
        for i, medium in enumerate(media):
            title = self.chart_title(question, t.base, medium.short_label)
            values = (COUNT + 3 * i + 1,)
            chart = charts.pie(self.book, title, (first, last, CHART_LABEL), values, keys, per_medium[medium.id][0])
            chart.set_size({"width": PIE_WIDTH, "height": 250})
            chart.set_chartarea({"border": {"none": True}})
            ws.insert_chart(r, 1, chart, {"x_offset": 8 + i * (PIE_WIDTH + 8), "y_offset": 4, "object_position": 1})
            self.charts += 1
            points = 258 * 0.75
        table = sum(column_points(self._width(c)) for c in range(COUNT + 3 * len(media)))
        self.widths.append(max(table, column_points(WIDTHS[CODE]) + (len(media) * (PIE_WIDTH + 8) + 16) * 0.75))
        return r + self._rows_for_chart(r, points)

    def _width(self, col: int) -> float:
        return WIDTHS.get(col, 8)

    def counts(self, row: int, t: QuestionTally) -> int:
        b, ws, question = self.book, self.ws, t.question
        rated = [i for i in question.items if i.at_most]
        heads = ("", "項目", "合計", "記入所属数", "割合の分子", "割合の分母", "計算した所属数", "割合")
        for col, head in enumerate(heads):
            b.text(ws, row, col, head, b.header)
        b.set_height(ws, row, 28)
        first = r = row + 1
        for item in question.items:
            b.text(ws, r, 0, "", b.cell)
            b.text(ws, r, 1, f"{item.label}（{item.unit}）" if item.unit else item.label, b.cell)
            ws.write_number(r, 2, t.sums[item.id], b.number)
            ws.write_number(r, 3, t.filled[item.id], b.number)
            parts = t.rate_parts.get(item.id, (0, 0, 0)) if item.at_most else None
            b.rate_cells(ws, r, 4, parts, t.rate(item.id) if item.at_most else None)
            r += 1
        if rated:
            b.paragraph(ws, r, 1, 7, "※ " + rate_rule(question), b.note_wrap, 100)
            r += 1
        b.text(ws, r, 1, f"所属ごとの数は「{counts_sheet_name(self.q)}」シート。", b.note)
        r += 2
        for col, head in enumerate(("", "所属の回答状況", "", "所属数", "割合\n（整数）", "割合")):
            b.text(ws, r, col, head, b.header)
        r += 1
        for share in answered_shares(t):
            b.text(ws, r, 1, share.label, b.cell)
            ws.write_number(r, COUNT, share.count, b.number)
            self.whole(r, share.whole)
            b.share(ws, r, SHARE, share.share)
            r += 1
        if rated:
            positions = [first + question.items.index(i) for i in rated]
            rows, column, number_format = (min(positions), max(positions)), 7, "0.0%"
        else:
            rows, column, number_format = (first, first + len(question.items) - 1), 2, "#,##0"
        chart = charts.item_bars(self.book, self.chart_title(question, t.base), rows, column, number_format, bool(rated))
        height = max(220, 80 + 30 * max(1, len(rated) or len(question.items)))
        r += 1
        points = self._place(chart, r, 1, height, 520)  # below the table: it is wide already
        return r + self._rows_for_chart(r, points)

    def number(self, row: int, t: QuestionTally) -> int:
        """An amount / number: count, sum, mean, median, min and max over the departments that
        wrote one (the base line above says who was to answer and who did not)."""
        b, ws, question = self.book, self.ws, t.question
        b.text(ws, row, 0, "", b.header)
        stats = t.number_stats()
        r = b.number_stats(ws, row, 1, stats, counted="記入所属数", unit=question.unit, decimal=question.decimal)
        empty = t.base - stats["count"]
        note = f"基数 Ｎ＝{t.base} 所属のうち記入のあった {stats['count']} 所属で計算（無回答・無効の {empty} 所属は含まない）。"
        b.text(ws, r, 1, note, b.note)
        return r

    def repeat(self, row: int, t: QuestionTally) -> int:
        """A repeat: its rows in all; each column is tallied on its own sheet."""
        from .repeats import tally_sheet_name

        q = t.question
        self.book.text(
            self.ws, row, 1,
            f"{t.table_departments} 所属から計 {t.table_rows} 行。列ごとの集計（基数は行）は「{tally_sheet_name(q)}」シート、"
            f"行の一覧は「{q.id}」シート。", self.book.note,
        )
        return row

    def dates(self, row: int, t: QuestionTally) -> int:
        """A date: the earliest and the latest day written, 和暦 beside the date cell."""
        b, ws = self.book, self.ws
        b.text(ws, row, 0, "", b.header)
        r = b.date_range(ws, row, 1, t.days, counted="記入所属数")
        empty = t.base - len(t.days)
        b.text(ws, r, 1, f"基数 Ｎ＝{t.base} 所属のうち記入のあった {len(t.days)} 所属（無回答・無効の {empty} 所属は含まない）。", b.note)
        return r

    # -- printing -------------------------------------------------------------------------

    def print_layout(self, preamble_end: int) -> None:
        """Fit the sheet to the page width and break pages between questions so that none (table
        and charts) is cut. The program printing chooses the scale; the breaks assume the largest
        scale it could choose (Excel's column widths, a narrow font), so a page never holds less
        than is put on it: a smaller scale only leaves more room at the foot of a page."""
        width = sum(column_points(WIDTHS[c]) for c in range(CHART_COL)) + (CHART_WIDTH + 16) * 0.75
        width = max([width] + self.widths)
        scale = min(1.0, PAGE_WIDTH_PT / width)
        self.ws.fit_to_pages(1, 0)
        page = PAGE_HEIGHT_PT / scale
        heights = [self.book.rows_height(self.ws, first, end) for first, end in self.blocks]
        used = self.book.rows_height(self.ws, 0, preamble_end)
        breaks = []
        for (first, end), height in zip(self.blocks, heights):
            gap = self.book.rows_height(self.ws, end, end + 2)
            if used and used + height > page:
                breaks.append(first)
                used = 0
            used += height + gap
        self.ws.set_h_pagebreaks(breaks[:1023])
