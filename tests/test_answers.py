"""Typed input is normalised the way a clerk types it, and refused with a clear message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey import Blank, Counts, Grid, InputError, Invalid, Multi, NotApplicable, Single, Text
from survey.answers import (
    clean_text,
    decode,
    describe,
    encode,
    parse_cell,
    parse_code,
    parse_codes,
    parse_count,
    parse_text,
)


@pytest.mark.parametrize("typed", ["1", "１", " １ ", "\t1\x1b", "①"])
def test_single_code_full_width_and_stray_controls(niiza, typed):
    assert parse_code(niiza.question("Q1"), typed) == Single(1)


def test_two_digit_code_through_an_ime(niiza):
    assert parse_codes(niiza.question("Q7"), "１２") == Multi(frozenset({12}))
    assert parse_codes(niiza.question("Q7"), "２、１２，１４ 1") == Multi(frozenset({1, 2, 12, 14}))


def test_code_outside_the_options_names_the_allowed_codes(niiza):
    with pytest.raises(InputError) as caught:
        parse_code(niiza.question("Q2"), "７")
    assert str(caught.value) == "7 は選択肢にありません。1～5 の番号を入力してください。"
    with pytest.raises(InputError, match="1、2 の番号"):
        parse_code(niiza.question("Q1"), "3")
    with pytest.raises(InputError, match="「a」は番号ではありません"):
        parse_codes(niiza.question("Q3"), "1,a")


def test_two_numbers_in_a_single_box_are_invalid(niiza):
    # The codes are read to know it is two numbers; what the paper showed is kept as typed.
    assert parse_code(niiza.question("Q5"), "２，３") == Invalid(raw="２，３")
    assert parse_code(niiza.question("Q5"), "3 3") == Single(3)


def test_empty_input_is_blank(niiza):
    assert parse_code(niiza.question("Q1"), "　") == Blank()
    assert parse_codes(niiza.question("Q3"), "") == Blank()
    assert parse_text("  \n ") == Blank()
    assert parse_cell(niiza.question("Q2"), "") == Blank()
    assert parse_cell(niiza.question("Q2"), "４") == 4


@pytest.mark.parametrize(
    ("typed", "number"),
    [("12", 12), ("１２", 12), ("１，２３４", 1234), ("673人", 673), ("", None), ("　", None), ("0", 0)],
)
def test_counts(typed, number):
    assert parse_count(typed) == number


@pytest.mark.parametrize(("typed", "message"), [("-1", "負の数"), ("１．５", "整数ではありません"), ("十", "整数ではありません")])
def test_counts_refused(typed, message):
    with pytest.raises(InputError, match=message):
        parse_count(typed)


def test_free_text_nfc_and_controls():
    # か + combining voiced mark (as some IMEs and PDFs produce) becomes が.
    assert clean_text("か\u3099いと\x07う\r\n行\u0000") == "がいとう\n行"
    assert parse_text("写真を活用") == Text("写真を活用")
    assert clean_text("ｶﾀｶﾅ") == "ｶﾀｶﾅ"  # NFC keeps what was typed; only codes are NFKC


def test_describe(niiza):
    assert describe(niiza.question("Q1"), Single(1)) == "1 行った。"
    assert describe(niiza.question("Q1"), Blank(route_as=2)) == "無回答［経路は 2 と仮定］"
    assert describe(niiza.question("Q6"), NotApplicable()) == "非該当"
    assert describe(niiza.question("Q5"), Invalid(raw="2,3")) == "無効（2,3）"
    assert describe(niiza.question("Q5"), None) == "未入力"
    counts = Counts({"respondents": 10, "line": None})
    assert describe(niiza.question("Q23"), counts).startswith("回答者数 10人 / ＬＩＮＥ 無回答")


# What a value may hold: text without control characters (the constructors refuse them).
plain = st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\n\t")
cells = st.one_of(st.integers(1, 5), st.just(Blank()), st.builds(Invalid, raw=st.text(plain, max_size=5)))
texts = st.dictionaries(st.integers(1, 14), st.text(plain, max_size=20), max_size=3)
values = st.one_of(
    st.builds(Blank, route_as=st.none() | st.integers(1, 2)),
    st.builds(Invalid, raw=st.text(plain, max_size=10), route_as=st.none() | st.integers(1, 2)),
    st.just(NotApplicable()),
    st.builds(Single, code=st.integers(1, 14), texts=texts),
    st.builds(Multi, codes=st.frozensets(st.integers(1, 14), min_size=1), texts=texts),
    st.builds(Text, text=st.text(plain, min_size=1)),
    st.builds(Grid, cells=st.dictionaries(st.sampled_from(["line", "x", "facebook", "youtube"]), cells)),
    st.builds(Counts, values=st.dictionaries(st.sampled_from(["respondents", "line"]), st.none() | st.integers(0, 10**6))),
)


@given(values)
def test_encode_decode_round_trip(value):
    import json

    assert decode(json.loads(json.dumps(encode(value), ensure_ascii=False))) == value
