"""The numbers as the report prints them: whole percentages by largest remainder (adding to
100), the exact share kept beside them, order by frequency on request, and Q23's rates shown
with the numerator and denominator they are computed from."""

from __future__ import annotations

import openpyxl
import pytest

from exports.tally import WHOLE_RULE_SINGLE, whole_percents
from exports.workbook import save_workbook
from survey import builtin

from .export_helpers import blocks, sheet_rows, synthetic_records


@pytest.mark.parametrize(
    ("counts", "base", "report"),
    [
        ((13, 2, 8), 23, [56, 9, 35]),  # Q18
        ((11, 9, 38), 58, [19, 15, 66]),  # Q19: a tie in the remainders goes to the larger count
        ((49, 7, 2), 58, [85, 12, 3]),  # Q21
    ],
)
def test_largest_remainder_gives_the_reports_percentages(counts, base, report):
    assert whole_percents(list(counts), base, exclusive=True) == report
    assert sum(report) == 100
    # rounding each share on its own does not add up (101, 101, 99): why the rule is needed
    assert sum(int(100 * c / base + 0.5) for c in counts) != 100


def test_multiple_choice_rounds_each_row():
    assert whole_percents([1, 1, 1], 3, exclusive=False) == [33, 33, 33]
    assert whole_percents([1, 2], 8, exclusive=False) == [13, 25]  # half up, not to even
    assert whole_percents([0, 0], 0, exclusive=True) == [None, None]


@pytest.fixture(scope="module", params=["code", "frequency"])
def book(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("numbers") / "book.xlsx"
    save_workbook(path, builtin(), synthetic_records(), order=request.param)
    return request.param, openpyxl.load_workbook(path)


def test_whole_percents_add_to_100_with_the_exact_share_beside_them(book):
    _order, wb = book
    summary = blocks(wb["集計"])
    questionnaire = builtin()
    checked = 0
    for question in questionnaire.questions:
        block = summary[question.label]
        if question.type.value in ("single", "text"):
            assert sum(round(100 * w) for w in block["whole"].values()) == 100, question.id
            for label, (count, share) in block["rows"].items():
                assert share == pytest.approx(count / block["base"])
                assert abs(block["whole"][label] - share) < 0.01 + 1e-9  # within a point of the exact
            checked += 1
        elif question.type.value == "matrix":
            for medium, wholes in block["whole"].items():
                assert sum(round(100 * w) for w in wholes.values()) == 100, medium
            checked += 1
        elif question.type.value == "multi":
            for label, (count, share) in block["rows"].items():
                assert round(100 * block["whole"][label]) == (200 * count + block["base"]) // (2 * block["base"])
    assert checked == 16
    rules = [r[0] for r in sheet_rows(wb["集計"])[:12] if r[0]]
    assert any(WHOLE_RULE_SINGLE in str(t) for t in rules)  # the rule is stated on the sheet


def test_order_by_frequency_on_request(book):
    order, wb = book
    summary = blocks(wb["集計"])
    for question in builtin().questions:
        if question.type.value not in ("single", "multi"):
            continue
        options = {o.label: o.code for o in question.options}
        rows = [(label, count) for label, (count, _) in summary[question.label]["rows"].items() if label in options]
        if order == "code":
            assert [options[label] for label, _ in rows] == sorted(options.values())
        else:
            counts = [count for _, count in rows]
            assert counts == sorted(counts, reverse=True), question.id


def test_q23_rates_are_numerator_over_denominator_as_shown(book):
    _order, wb = book
    q23 = blocks(wb["集計"])["Ｑ２３"]
    rated = list(q23["items"].items())[1:]
    assert rated
    for label, (total, filled, numerator, denominator, departments, rate) in rated:
        assert rate == pytest.approx(numerator / denominator), label
        assert numerator <= total and departments <= filled
    rows = sheet_rows(wb["職員登録状況"])
    for row in rows:
        if row[0] in ("ＬＩＮＥ", "Ｘ（旧Ｔｗｉｔｔｅｒ）", "Ｆａｃｅｂｏｏｋ", "ＹｏｕＴｕｂｅ") and isinstance(row[3], int):
            assert row[6] == pytest.approx(row[3] / row[4])
