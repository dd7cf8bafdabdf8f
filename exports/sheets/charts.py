"""The native charts of 集計: one look for all of them.

Categories always read a visible column (グラフの表示名, or the item names), so editing the
table edits the chart. An option keeps the colour of its code in every chart; every empty
state (無回答 / 無効 / 未入力) is one grey, and the palette holds no grey.
"""

from __future__ import annotations

from .common import SUMMARY, Book, font

PALETTE = ("#4472C4", "#ED7D31", "#7E57C2", "#FFC000", "#5B9BD5", "#70AD47", "#264478", "#9E480E",
           "#C0504D", "#997300", "#255E91", "#43682B", "#698ED0", "#F1975A")
EMPTY_GREY = "#D9D9D9"


def option_colour(code: int) -> str:
    return PALETTE[(code - 1) % len(PALETTE)] if code >= 1 else PALETTE[-1]


def points(keys: list) -> list[dict]:
    """Per-point fills: an option (has ``code``) by its code, an empty state (a str) grey."""
    return [
        {"fill": {"color": EMPTY_GREY if isinstance(k, str) else option_colour(k.code)}, "border": {"color": "#FFFFFF"}}
        for k in keys
    ]


def _finish(chart, title: str) -> None:
    chart.set_legend({"none": True})
    chart.set_title({"name": title, "name_font": font(10, True)})


def pie(book: Book, title: str, categories: tuple[int, int, int], values: tuple[int], keys: list, counts: list[int]):
    """A pie labelled as the report does (「行った 60%」): category and whole percent; an
    option no department chose has no label (a stack of 「0%」 at one point says nothing).
    ``categories``: (first row, last row, column); ``values``: (column,) over the same rows."""
    first, last, label_col = categories
    chart = book.chart("pie")
    chart.add_series(
        {
            "name": title,
            "categories": [SUMMARY, first, label_col, last, label_col],
            "values": [SUMMARY, first, values[0], last, values[0]],
            "points": points(keys),
            "data_labels": {
                "category": True,
                "value": True,
                "separator": " ",
                "num_format": "0%",
                "leader_lines": True,
                "position": "best_fit",
                "font": font(8),
                "custom": [{"delete": True} if count == 0 else None for count in counts],
            },
        }
    )
    _finish(chart, title)
    return chart


def share_bars(book: Book, title: str, categories: tuple[int, int, int], values_col: int, keys: list):
    """Horizontal bars of shares (multiple choice), top to bottom in the table's order."""
    first, last, label_col = categories
    chart = book.chart("bar")
    chart.add_series(
        {
            "name": "割合",
            "categories": [SUMMARY, first, label_col, last, label_col],
            "values": [SUMMARY, first, values_col, last, values_col],
            "points": points(keys),
            "data_labels": {"value": True, "num_format": "0%", "font": font(8)},
            "gap": 60,
        }
    )
    chart.set_y_axis({"reverse": True, "num_font": font(8)})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": font(8), "major_gridlines": {"visible": True}})
    _finish(chart, title)
    return chart


def item_bars(book: Book, title: str, rows: tuple[int, int], values_col: int, number_format: str, rates: bool):
    """Bars of a counts question: its rates (0–100 %) or, without ceilings, its totals; the
    item names are read from column B."""
    first, last = rows
    chart = book.chart("bar")
    chart.add_series(
        {
            "name": "割合" if rates else "合計",
            "categories": [SUMMARY, first, 1, last, 1],
            "values": [SUMMARY, first, values_col, last, values_col],
            "data_labels": {"value": True, "num_format": number_format, "font": font(8)},
            "fill": {"color": PALETTE[0]},
            "gap": 60,
        }
    )
    if rates:
        chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "num_font": font(8)})
    else:
        chart.set_x_axis({"num_font": font(8)})
    chart.set_y_axis({"reverse": True, "num_font": font(8)})
    _finish(chart, title)
    return chart
