"""person_key: the one identity comparison for the four-eyes rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey.people import person_key, same_person


def test_width_case_spaces_and_invisible_characters_do_not_make_another_person():
    assert same_person("田中　太郎", "田中太郎")
    assert same_person("ＴＡＮＡＫＡ Taro", "tanaka taro")
    assert same_person("tanaka\u200btaro", "TanakaTaro")
    assert same_person("\ufeff鈴木\u2060花子\u00ad", "鈴木花子")
    assert same_person("ﾀﾅｶ", "タナカ")  # half-width katakana
    assert same_person("STRASSE", "straße")
    assert not same_person("田中太郎", "田中次郎")


@given(st.text())
def test_the_key_is_stable(name):
    key = person_key(name)
    assert person_key(key) == key
    assert not any(ch.isspace() for ch in key)
