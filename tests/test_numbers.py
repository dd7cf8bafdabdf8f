"""survey.numbers.parse_whole: the one parse of every code and number."""

import sys
import unicodedata

import pytest

from survey import InputError
from survey.answers import parse_code, parse_count
from survey.numbers import MAX_DIGITS, NumberError, parse_whole
from survey import builtin


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1", 1), ("１２", 12), (" ７ ", 7), ("❶", 1), ("➀", 1), ("⓵", 1), ("①", 1), ("⑫", 12), ("❿", 10), ("007", 7)],
)
def test_digits_an_ime_offers_are_read_as_their_value(typed, value):
    assert parse_whole(typed) == value


@pytest.mark.parametrize("typed", ["፩", "a", "1.5", "一", "1 2", "-", "+3", "١"])
def test_anything_else_is_refused_in_japanese(typed):
    with pytest.raises(NumberError) as caught:
        parse_whole(typed)
    assert "ではありません" in str(caught.value)
    assert isinstance(caught.value, InputError)


def test_every_character_python_calls_a_digit_is_read_or_refused_never_crashes():
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        if not char.isdigit():
            continue
        try:
            value = parse_whole(char)
        except NumberError:
            continue
        assert 0 <= value <= 20, (char, unicodedata.name(char, "?"), value)


def test_huge_and_negative_numbers_are_refused_not_raised():
    with pytest.raises(NumberError, match="大きすぎます"):
        parse_whole("9" * 5000)
    assert parse_whole("9" * MAX_DIGITS) == int("9" * MAX_DIGITS)
    with pytest.raises(NumberError, match="負の数"):
        parse_whole("-3")


def test_empty_is_none_only_when_allowed():
    assert parse_whole("  ", allow_empty=True) is None
    with pytest.raises(NumberError):
        parse_whole("")


def test_codes_and_counts_share_it():
    q1 = builtin().question("Q1")
    assert parse_code(q1, "❶").code == 1
    with pytest.raises(InputError, match="番号ではありません"):
        parse_code(q1, "፩")
    assert parse_count("❺人") == 5
    with pytest.raises(InputError, match="大きすぎます"):
        parse_count("1" * 5000)
