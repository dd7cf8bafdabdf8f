"""Which departments are keyed twice: reproducible from the recorded rule and seed."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey import builtin
from survey.verification import (
    BY_HAND, EVERY_NTH, PERCENT, VerificationError, by_hand, draw, every_nth, fresh_seed, percent, sample_all,
)

ROSTER = tuple(name for _, name in builtin().departments)


def test_all_departments():
    sample = sample_all(ROSTER)
    assert sample.departments == ROSTER and len(ROSTER) == 58 and "58" in sample.description


def test_every_nth_from_the_recorded_seed_picks_the_expected_departments():
    sample = every_nth(ROSTER, 10, seed=2024)
    start = random.Random(2024).randrange(10)
    assert sample.start == start and sample.departments == ROSTER[start::10]
    assert f"{start + 1} 番目から" in sample.description and "シード 2024" in sample.description
    assert draw(EVERY_NTH, ROSTER, parameter=10, seed=2024) == sample


@given(st.integers(1, 100), st.integers(0, 2**32))
def test_a_percentage_is_reproducible_rounded_up_and_in_roster_order(k, seed):
    sample = percent(ROSTER, k, seed)
    assert len(sample.departments) == -(-58 * k // 100) >= 1
    assert list(sample.departments) == [d for d in ROSTER if d in sample.departments]
    assert draw(PERCENT, ROSTER, parameter=k, seed=seed) == sample


def test_different_seeds_give_different_samples():
    assert len({percent(ROSTER, 10, seed).departments for seed in range(20)}) > 1


def test_by_hand_keeps_roster_order_and_refuses_unknown_departments():
    sample = by_hand(ROSTER, [ROSTER[5], ROSTER[1], ROSTER[5]])
    assert sample.departments == (ROSTER[1], ROSTER[5]) and sample.rule == BY_HAND
    assert draw(BY_HAND, ROSTER, chosen=[ROSTER[5], ROSTER[1]]) == sample
    with pytest.raises(VerificationError, match="名簿にない所属です: 架空課"):
        by_hand(ROSTER, ["架空課"])


@pytest.mark.parametrize("call, message", [
    (lambda: every_nth(ROSTER, 0, 1), "間隔は 1～58"),
    (lambda: percent(ROSTER, 0, 1), "割合は 1～100"),
    (lambda: percent(ROSTER, 101, 1), "割合"),
    (lambda: sample_all(()), "所属がありません"),
    (lambda: sample_all(("税務課", "税務課")), "重複"),
    (lambda: by_hand(ROSTER, []), "選ばれていません"),
    (lambda: draw(PERCENT, ROSTER, parameter=5), "シード"),
    (lambda: draw("lottery", ROSTER), "不明"),
])
def test_bad_rules_are_refused_in_japanese(call, message):
    with pytest.raises(VerificationError, match=message):
        call()


def test_a_fresh_seed_is_short_enough_to_write_down():
    assert all(0 <= fresh_seed() < 1_000_000 for _ in range(20))
