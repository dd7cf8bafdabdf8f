"""集計: every question with its base, counts and shares, and a native chart beside it."""

from __future__ import annotations

from collections.abc import Sequence

from survey import Question, Questionnaire, QuestionType

from ..tally import ANSWERED, BASE_STATES, OUTSIDE_STATES, STATE_LABELS, QuestionTally
from .common import SUMMARY, Book, font, short
from .counts import counts_sheet_name

# 集計 is laid out for A4 landscape: tables in columns A–D, charts beside them from F.
TABLE_CHARS = 64  # narrow characters across columns A–D (a little under their width)
PAGE_LAST_COL, PAGE_CHARS = 11, 140  # notes run across A–L
# Printed at a fixed scale so that whole question blocks can be kept on one page.
SUMMARY_SCALE = 70
PAGE_POINTS = 470 * 100 / SUMMARY_SCALE  # printable height of A4 landscape, in row points
LABEL_WIDTH = 46  # 集計's column B: option labels
CHART_COL = 27  # 集計's hidden column AB: short labels for the charts' categories and legends


class Summary:
    def __init__(self, book: Book, questionnaire: Questionnaire) -> None:
        self.book = book
        self.q = questionnaire
        self.ws = book.wb.add_worksheet(SUMMARY)
        self.charts = 0
        self.blocks: list[tuple[int, int]] = []  # (first row, end row) of each question's block

    def preamble(self, scope: str, warnings: Sequence[str]) -> int:
        ws, b = self.ws, self.book
        b.setup(ws, scale=SUMMARY_SCALE)
        ws.set_column(0, 0, 6)
        ws.set_column(1, 1, LABEL_WIDTH)
        ws.set_column(2, CHART_COL - 1, 10)
        ws.set_column(CHART_COL, CHART_COL, 20, None, {"hidden": True})
        b.text(ws, 0, 0, f"{self.q.title}　集計", b.title)
        b.paragraph(ws, 1, 0, PAGE_LAST_COL, scope, b.note_wrap, PAGE_CHARS)
        notes = [
            "基数（Ｎ）: その設問が経路上にある所属の数です。非該当（経路外、または所属の判断で非該当と記録した所属）は基数に含みません。",
            "無回答（用紙が空欄）・無効（読み取れない回答）・未入力（まだ入力していない）は基数に含め、それぞれ行を分けて示します。",
            "経路未確定: 分岐を決める設問が無回答で経路も選ばれていない所属では、後の設問の経路が決まりません。"
            "その設問に回答（無効を含む）が記録されていれば基数に含め、無回答か未入力なら「経路未確定」として基数に含めません。",
            "割合は基数に対する比率です。複数回答の設問は選んだ所属数の基数に対する比率で、合計は100％を超えることがあります。",
            "自由記述の設問は記入の有無を数え、記述は「自由記述」シートに所属名とともに載せています。",
        ]
        row = 2
        for note in notes:
            b.paragraph(ws, row, 0, PAGE_LAST_COL, "※ " + note, b.note_wrap, PAGE_CHARS)
            row += 1
        for warning in warnings:
            b.paragraph(ws, row, 0, PAGE_LAST_COL, "⚠ " + warning, b.warn_wrap, PAGE_CHARS)
            row += 1
        ws.freeze_panes(1, 0)
        return row + 1

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
        self.book.paragraph(self.ws, row, 0, 3, text, self.book.heading_wrap, TABLE_CHARS)

    def block(self, row: int, t: QuestionTally) -> int:
        self.title_line(row, t.question)
        self.base_line(row + 1, t)
        kind = t.question.type
        if kind is QuestionType.MATRIX:
            end, chart_rows = self.matrix(row + 2, t)
        elif kind is QuestionType.COUNTS:
            end, chart_rows = self.counts(row + 2, t)
        elif kind is QuestionType.TEXT:
            end, chart_rows = self.text_question(row + 2, t), 0
        else:
            end, chart_rows = self.choices(row + 2, t)
        end = max(end, row + 2 + chart_rows)
        self.blocks.append((row, end))
        return end + 2

    def page_breaks(self, preamble_end: int) -> None:
        """Break pages between question blocks so that none (with its chart) is cut in two."""
        used = self.book.rows_height(self.ws, 0, preamble_end)
        breaks = []
        for first, end in self.blocks:
            height = self.book.rows_height(self.ws, first, end + 2)
            if used and used + height > PAGE_POINTS:
                breaks.append(first)
                used = 0
            used += height
        self.ws.set_h_pagebreaks(breaks[:1023])

    def _state_rows(self, row: int, t: QuestionTally, first_col: int = 1) -> int:
        b, ws = self.book, self.ws
        for state in BASE_STATES:
            b.text(ws, row, first_col - 1, "", b.state_label)
            b.text(ws, row, first_col, STATE_LABELS[state], b.state_label)
            self.chart_label(row, STATE_LABELS[state])
            ws.write_number(row, first_col + 1, t.states[state], b.number)
            b.share(ws, row, first_col + 2, t.share(t.states[state]))
            row += 1
        return row

    def choices(self, row: int, t: QuestionTally) -> tuple[int, int]:
        b, ws, question = self.book, self.ws, t.question
        multi = question.type is QuestionType.MULTI
        for col, head in enumerate(("番号", "選択肢", "所属数", "割合")):
            b.text(ws, row, col, head, b.header)
        first = row + 1
        r = first
        for option in question.options:
            ws.write_number(r, 0, option.code, b.code)
            b.text(ws, r, 1, option.label, b.wrap)
            b.fit_row(ws, r, [(option.label, LABEL_WIDTH)])
            self.chart_label(r, f"{option.code} {option.label}")
            ws.write_number(r, 2, t.options[option.code], b.number)
            b.share(ws, r, 3, t.share(t.options[option.code]))
            r += 1
        r = self._state_rows(r, t)
        last = r - 1
        if multi:
            b.text(ws, r, 0, "", b.total_label)
            b.text(ws, r, 1, "基数（回答対象の所属）", b.total_label)
            ws.write_number(r, 2, t.base, b.total_number)
            b.text(ws, r, 3, "", b.total_label)
        else:
            b.text(ws, r, 0, "", b.total_label)
            b.text(ws, r, 1, "計", b.total_label)
            ws.write_number(r, 2, t.base, b.total_number)
            b.share(ws, r, 3, 1.0 if t.base else None, b.total_percent)
        r += 1
        if multi:
            b.text(ws, r, 1, f"※ 割合は基数 Ｎ＝{t.base} に対する比率。複数回答のため合計は100％を超えることがあります。", b.note)
            r += 1
        if t.unknown_codes:
            b.text(ws, r, 1, f"※ 選択肢にない番号の回答 {t.unknown_codes} 件を無効として数えています。", b.warn)
            r += 1
        counts = [t.options[o.code] for o in question.options] + [t.states[s] for s in BASE_STATES]
        chart_rows = self.choice_chart(question, first, last, counts, multi, t.base)
        return r, chart_rows

    def chart_label(self, row: int, text: str) -> None:
        """A short label for a chart, in the hidden column (long option labels crowd a chart)."""
        self.book.text(self.ws, row, CHART_COL, short(text, 18))

    def _chart_title(self, question: Question) -> str:
        return short(f"{question.label}　{question.text}", 46)

    def _place(self, chart, row: int, col: int, height: int, width: int = 520) -> int:
        chart.show_hidden_data()  # the short labels live in a hidden column
        chart.set_size({"width": width, "height": height})
        chart.set_chartarea({"border": {"none": True}})
        self.ws.insert_chart(row, col, chart, {"x_offset": 8, "y_offset": 4, "object_position": 1})
        self.charts += 1
        return height // 20 + 1

    def choice_chart(self, question: Question, first: int, last: int, counts: list[int], multi: bool, base: int) -> int:
        b = self.book
        n_options = len(question.options)
        if multi:
            chart = b.chart("bar")
            chart.add_series(
                {
                    "name": "割合",
                    "categories": [SUMMARY, first, CHART_COL, last, CHART_COL],
                    "values": [SUMMARY, first, 3, last, 3],
                    "data_labels": {"value": True, "num_format": "0%", "font": font(8)},
                    "fill": {"color": "#4472C4"},
                    "gap": 60,
                }
            )
            chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font(8)})
            chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": font(8), "major_gridlines": {"visible": True}})
            chart.set_legend({"none": True})
            height = max(240, 70 + 26 * (last - first + 1))
        else:
            chart = b.chart("pie")
            custom = [
                {"delete": True} if count == 0 else None
                for count in counts
            ]
            chart.add_series(
                {
                    "name": question.label,
                    "categories": [SUMMARY, first, CHART_COL, last, CHART_COL],
                    "values": [SUMMARY, first, 2, last, 2],
                    "data_labels": {
                        "percentage": True,
                        "leader_lines": True,
                        "position": "best_fit",
                        "font": font(8),
                        "custom": custom,
                    },
                }
            )
            hidden = [i for i, count in enumerate(counts) if count == 0 and i >= n_options]
            chart.set_legend({"position": "right", "font": font(8), "delete_series": hidden})
            height = 300
        chart.set_title({"name": self._chart_title(question), "name_font": font(10, True)})
        if not base:
            chart.set_title({"name": self._chart_title(question) + "（基数 0）", "name_font": font(10, True)})
        return self._place(chart, first - 1, 5, height)

    def matrix(self, row: int, t: QuestionTally) -> tuple[int, int]:
        b, ws, question = self.book, self.ws, t.question
        rows = question.rows
        n = len(rows)
        counts_col, shares_col = 2, 2 + n
        ws.merge_range(row, counts_col, row, counts_col + n - 1, "所属数", b.header)
        ws.merge_range(row, shares_col, row, shares_col + n - 1, "割合", b.header)
        b.text(ws, row, 0, "", b.header)
        b.text(ws, row, 1, "", b.header)
        header = row + 1
        b.text(ws, header, 0, "番号", b.header)
        b.text(ws, header, 1, "選択肢", b.header)
        for i, r_ in enumerate(rows):
            b.text(ws, header, counts_col + i, r_.label, b.header)
            b.text(ws, header, shares_col + i, r_.label, b.header)
        self.book.set_height(ws, header, 44)
        first = header + 1
        r = first
        keys: list[tuple[str, int | str]] = [(f"{o.code}", o.code) for o in question.options]
        keys += [("", s) for s in BASE_STATES]
        for code_text, key in keys:
            if code_text:
                ws.write_number(r, 0, int(code_text), b.code)
                b.text(ws, r, 1, question.option(key).label, b.wrap)
                b.fit_row(ws, r, [(question.option(key).label, LABEL_WIDTH)])
                self.chart_label(r, f"{key} {question.option(key).label}")
            else:
                b.text(ws, r, 0, "", b.state_label)
                b.text(ws, r, 1, STATE_LABELS[key], b.state_label)
                self.chart_label(r, STATE_LABELS[key])
            for i, r_ in enumerate(rows):
                count = t.cells.get(r_.id, {}).get(key, 0)
                ws.write_number(r, counts_col + i, count, b.number)
                b.share(ws, r, shares_col + i, t.share(count))
            r += 1
        b.text(ws, r, 0, "", b.total_label)
        b.text(ws, r, 1, "計（基数）", b.total_label)
        for i in range(n):
            ws.write_number(r, counts_col + i, t.base, b.total_number)
            b.share(ws, r, shares_col + i, 1.0 if t.base else None, b.total_percent)
        r += 1
        chart = b.chart("bar", "percent_stacked")
        for k, (_code_text, key) in enumerate(keys):
            total = sum(t.cells.get(r_.id, {}).get(key, 0) for r_ in rows)
            if isinstance(key, str) and total == 0:
                continue  # an empty state adds nothing but a legend entry
            chart.add_series(
                {
                    "name": [SUMMARY, first + k, CHART_COL],
                    "categories": [SUMMARY, header, counts_col, header, counts_col + n - 1],
                    "values": [SUMMARY, first + k, counts_col, first + k, counts_col + n - 1],
                    "gap": 50,
                }
            )
        chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font(8)})
        chart.set_x_axis({"num_format": "0%", "num_font": font(8)})
        chart.set_legend({"position": "bottom", "font": font(8)})
        chart.set_title({"name": self._chart_title(question), "name_font": font(10, True)})
        height = max(300, 120 + 40 * n)
        chart_rows = self._place(chart, r + 1, 1, height, 640)  # below: the table is wide already
        return r + 1 + chart_rows, 0

    def text_question(self, row: int, t: QuestionTally) -> int:
        b, ws = self.book, self.ws
        for col, head in enumerate(("", "区分", "所属数", "割合")):
            b.text(ws, row, col, head, b.header)
        r = row + 1
        b.text(ws, r, 0, "", b.cell)
        b.text(ws, r, 1, "記入あり", b.cell)
        ws.write_number(r, 2, t.states[ANSWERED], b.number)
        b.share(ws, r, 3, t.share(t.states[ANSWERED]))
        r = self._state_rows(r + 1, t)
        b.text(ws, r, 0, "", b.total_label)
        b.text(ws, r, 1, "計", b.total_label)
        ws.write_number(r, 2, t.base, b.total_number)
        b.share(ws, r, 3, 1.0 if t.base else None, b.total_percent)
        return r + 1

    def counts(self, row: int, t: QuestionTally) -> tuple[int, int]:
        b, ws, question = self.book, self.ws, t.question
        ceilings = {i.at_most for i in question.items if i.at_most}
        rate_head = "割合"
        if len(ceilings) == 1:
            rate_head = f"割合（対 {question.item(next(iter(ceilings))).label}）"
        for col, head in enumerate(("", "項目", "合計", "記入所属数", rate_head)):
            b.text(ws, row, col, head, b.header)
        first = row + 1
        r = first
        for item in question.items:
            b.text(ws, r, 0, "", b.cell)
            b.text(ws, r, 1, f"{item.label}（{item.unit}）" if item.unit else item.label, b.cell)
            ws.write_number(r, 2, t.sums[item.id], b.number)
            ws.write_number(r, 3, t.filled[item.id], b.number)
            if item.at_most:
                b.share(ws, r, 4, t.rate(item.id))
            else:
                b.text(ws, r, 4, "", b.cell)
            r += 1
        last = r - 1
        r += 1
        b.text(ws, r, 1, "所属の回答状況", b.header)
        b.text(ws, r, 2, "所属数", b.header)
        b.text(ws, r, 3, "割合", b.header)
        r += 1
        b.text(ws, r, 1, "記入あり", b.cell)
        ws.write_number(r, 2, t.states[ANSWERED], b.number)
        b.share(ws, r, 3, t.share(t.states[ANSWERED]))
        r = self._state_rows(r + 1, t)
        if ceilings:
            b.text(
                ws, r, 1,
                "※ 割合＝各項目の合計÷上限の項目の合計（両方を記入した所属について）。所属ごとの数は「"
                + counts_sheet_name(self.q) + "」シート。",
                b.note,
            )
            r += 1
        rated = [i for i in question.items if i.at_most]
        chart = b.chart("bar")
        if rated:
            positions = [first + question.items.index(i) for i in rated]
            lo, hi = min(positions), max(positions)
            chart.add_series(
                {
                    "name": rate_head,
                    "categories": [SUMMARY, lo, 1, hi, 1],
                    "values": [SUMMARY, lo, 4, hi, 4],
                    "data_labels": {"value": True, "num_format": "0.0%", "font": font(8)},
                    "fill": {"color": "#4472C4"},
                    "gap": 60,
                }
            )
            chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": font(8)})
        else:
            chart.add_series(
                {
                    "name": "合計",
                    "categories": [SUMMARY, first, 1, last, 1],
                    "values": [SUMMARY, first, 2, last, 2],
                    "data_labels": {"value": True, "num_format": "#,##0", "font": font(8)},
                    "gap": 60,
                }
            )
            chart.set_x_axis({"num_font": font(8)})
        chart.set_y_axis({"reverse": True, "crossing": "max", "num_font": font(8)})
        chart.set_legend({"none": True})
        chart.set_title({"name": self._chart_title(question), "name_font": font(10, True)})
        height = max(240, 80 + 30 * max(1, len(rated) or len(question.items)))
        return r, self._place(chart, first - 1, 6, height)

