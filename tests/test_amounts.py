"""Issue 27, part 1: integer / decimal questions (amounts, km, 件) in the domain.

The one parser (survey.numbers.parse_number) reads what a clerk keys from the paper; values are
exact Decimals stored as their digits; the XLSForm and the TOML give the same questions."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from exports.xlsform import read_definition
from survey import InputError
from survey.answers import Blank, Number, decode, describe, encode, parse_amount
from survey.loader import parse_definition
from survey.model import QuestionType
from survey.numbers import NumberError, grouped, parse_number, parse_whole

from .conftest import FIXTURES

FORM = FIXTURES / "contracts.xlsx"


@pytest.fixture(scope="module")
def form():
    return read_definition(FORM)[0]


def test_the_workbook_gives_number_questions_with_unit_and_bounds(form):
    total = form.question("contract_total")
    assert total.type is QuestionType.NUMBER and total.label == "問２"
    assert (total.unit, total.decimal, total.minimum, total.maximum) == ("円", False, Decimal(0), Decimal("99999999999"))
    budget = form.question("budget")
    assert (budget.unit, budget.minimum, budget.maximum) == ("千円", Decimal(0), None)
    distance = form.question("distance")
    assert distance.decimal and distance.unit == "km" and distance.maximum == Decimal(100000)
    assert total.variables == ("contract_total",)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1234567", "1234567"), ("1,234,567", "1234567"), ("１，２３４，５６７", "1234567"), ("１２３４", "1234"),
        ("1,000円", "1000"), (" 0 ", "0"), ("９９９９９９９９９９９", "99999999999"),
    ],
)
def test_an_amount_is_keyed_as_the_paper_writes_it(form, typed, value):
    assert parse_amount(form.question("contract_total"), typed) == Number(Decimal(value))


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("１２３万", "「万」「億」や漢数字は使わず"), ("百万", "漢数字"), ("1,23,4", "桁区切りの位置"),
        ("12.5", "小数です"), ("-1", "小さすぎます"), ("△500", "小さすぎます"), ("100000000000", "大きすぎます"),
        ("1,000千円", "漢数字"), ("abc", "数値ではありません"), ("9" * 16, "桁が多すぎます"),
    ],
)
def test_what_cannot_be_read_is_refused_with_the_reason_in_japanese(form, typed, reason):
    with pytest.raises(InputError, match=reason) as caught:
        parse_amount(form.question("contract_total"), typed)
    assert caught.value.args[0].isascii() is False


def test_blank_is_no_answer_and_a_decimal_keeps_its_digits(form):
    assert parse_amount(form.question("contract_total"), "  ") == Blank()
    distance = form.question("distance")
    assert parse_amount(distance, "１２，３４５．６km") == Number(Decimal("12345.6"))
    assert describe(distance, Number(Decimal("12345.6"))) == "12,345.6km"
    assert describe(form.question("budget"), Number(Decimal("1200"))) == "1,200千円"


def test_the_accounting_minus_signs_are_read_when_the_bounds_allow_a_negative():
    q = parse_definition(
        {"schema": 1, "survey": {"id": "x", "title": "x"},
         "questions": [{"id": "diff", "type": "number", "text": "増減額", "unit": "円"}]}
    ).question("diff")
    for typed in ("△1,000", "▲1000", "－1000", "-1,000", "−1000"):
        assert parse_amount(q, typed) == Number(Decimal(-1000)), typed


def test_codes_still_refuse_what_amounts_read():
    """One parser, two modes: a code takes no grouping, sign or unit."""
    for typed in ("1,234", "△1", "12円"):
        with pytest.raises(NumberError):
            parse_whole(typed)
    assert parse_number("1,234", amount=True) == Decimal(1234)


@given(st.decimals(min_value=Decimal("-99999999999.99"), max_value=Decimal("99999999999.99"), places=2))
def test_amounts_never_drift_through_keying_storage_and_display(value):
    q = parse_definition(
        {"schema": 1, "survey": {"id": "x", "title": "x"},
         "questions": [{"id": "v", "type": "number", "text": "額", "decimal": True}]}
    ).question("v")
    keyed = parse_amount(q, grouped(value))
    assert keyed == Number(value)
    stored = json.loads(json.dumps(encode(keyed)))
    assert isinstance(stored["number"], str)
    assert decode(stored) == keyed and decode(stored).value == value
    assert parse_amount(q, describe(q, keyed)) == keyed  # what review shows reads back the same


def test_the_toml_says_the_same_and_refuses_bad_bounds():
    base = {"schema": 1, "survey": {"id": "x", "title": "x"}}
    q = parse_definition(
        {**base, "questions": [{"id": "v", "type": "number", "text": "額", "unit": "千円", "min": 0, "max": "99999999"}]}
    ).question("v")
    assert (q.unit, q.minimum, q.maximum) == ("千円", Decimal(0), Decimal(99999999))
    from survey.errors import DefinitionError

    with pytest.raises(DefinitionError) as caught:
        parse_definition({**base, "questions": [{"id": "v", "type": "number", "text": "額", "min": "abc", "max": 1.5}]})
    assert "「min」は整数か数字の文字列" in str(caught.value.problems)
    with pytest.raises(DefinitionError) as caught:
        parse_definition({**base, "questions": [{"id": "v", "type": "text", "text": "額", "unit": "円"}]})
    assert "数値（number）の設問にだけ" in str(caught.value.problems)


def test_an_unreadable_constraint_is_named_by_sheet_row_and_column(tmp_path):
    from .xlsform_support import ROSTER, SETTINGS, write_sheets

    path = write_sheets(tmp_path / "b.xlsx", {
        "survey": [["type", "name", "label", "constraint"], ["integer", "amount", "金額", ". >= 0 and . < 5"]],
        "settings": SETTINGS, "所属一覧": ROSTER,
    })
    from survey.errors import DefinitionError

    with pytest.raises(DefinitionError) as caught:
        read_definition(path)
    assert any("survey シートの 2 行目 constraint 列" in p and "「. < 5」は読めません" in p for p in caught.value.problems)


def test_the_workbook_written_back_reads_as_the_same_questionnaire(form, tmp_path):
    from exports.xlsform import write_workbook

    out = tmp_path / "again.xlsx"
    write_workbook(form, out)
    assert read_definition(out)[0] == form


def test_pyxform_converts_the_amounts_and_dates_workbook_and_what_chosho_writes_of_it(form, tmp_path):
    from pyxform.xls2xform import convert

    from exports.xlsform import write_workbook

    xform = convert(xlsform=str(FORM)).xform
    assert 'type="int"' in xform and 'type="decimal"' in xform and 'type="date"' in xform
    assert 'constraint=". &gt;= 0 and . &lt;= 99999999999"' in xform
    written = write_workbook(form, tmp_path / "written.xlsx")
    result = convert(xlsform=str(written))
    assert 'type="date"' in result.xform and 'constraint=". &gt;= 0 and . &lt;= 100000"' in result.xform
