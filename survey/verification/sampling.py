"""Which departments get a second keying: all, every Nth, k % at random, or chosen by hand.

Random rules draw from ``random.Random(seed)`` only, so a recorded rule and seed give the same
departments again (``draw``), for the audit trail and for anyone checking the sample later.
Departments are given and returned in roster order.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .cells import VerificationError

__all__ = ["ALL", "EVERY_NTH", "PERCENT", "BY_HAND", "Sample", "sample_all", "every_nth", "percent", "by_hand", "draw", "fresh_seed"]

ALL, EVERY_NTH, PERCENT, BY_HAND = "all", "every_nth", "percent", "by_hand"


@dataclass(frozen=True)
class Sample:
    rule: str
    departments: tuple[str, ...]
    description: str  # Japanese, recorded with the sample
    parameter: int | None = None  # N for every_nth, k for percent
    seed: int | None = None
    start: int | None = None  # every_nth: the random start (0-based roster position)


def fresh_seed() -> int:
    """A new seed short enough to write down (0–999,999)."""
    return secrets.randbelow(1_000_000)


def _roster(roster: Sequence[str]) -> tuple[str, ...]:
    roster = tuple(roster)
    if not roster:
        raise VerificationError("所属がありません。")
    if len(set(roster)) != len(roster):
        raise VerificationError("所属の一覧に重複があります。")
    return roster


def _whole(value: object, what: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise VerificationError(f"{what}は {low}～{high} の整数にしてください。")
    return value


def sample_all(roster: Sequence[str]) -> Sample:
    roster = _roster(roster)
    return Sample(ALL, roster, f"全所属（{len(roster)} 所属）")


def every_nth(roster: Sequence[str], n: int, seed: int) -> Sample:
    """Every Nth department in roster order, from a random start among the first N."""
    roster = _roster(roster)
    n = _whole(n, "間隔", 1, len(roster))
    start = random.Random(seed).randrange(n)
    chosen = roster[start::n]
    return Sample(
        EVERY_NTH, chosen,
        f"名簿順に {n} 所属ごと（{start + 1} 番目から、シード {seed}）: {len(chosen)} 所属", n, seed, start,
    )


def percent(roster: Sequence[str], k: int, seed: int) -> Sample:
    """k % of the departments at random (rounded up, so at least one)."""
    roster = _roster(roster)
    k = _whole(k, "割合", 1, 100)
    count = -(-len(roster) * k // 100)
    picked = set(random.Random(seed).sample(range(len(roster)), count))
    chosen = tuple(d for i, d in enumerate(roster) if i in picked)
    return Sample(PERCENT, chosen, f"無作為に {k}%（シード {seed}）: {len(chosen)} 所属", k, seed)


def by_hand(roster: Sequence[str], chosen: Iterable[str]) -> Sample:
    roster = _roster(roster)
    wanted = set(chosen)
    unknown = sorted(wanted - set(roster))
    if unknown:
        raise VerificationError("名簿にない所属です: " + "、".join(unknown))
    if not wanted:
        raise VerificationError("所属が選ばれていません。")
    picked = tuple(d for d in roster if d in wanted)
    return Sample(BY_HAND, picked, f"指定した所属（{len(picked)} 所属）")


def draw(rule: str, roster: Sequence[str], *, parameter: int | None = None, seed: int | None = None,
         chosen: Iterable[str] = ()) -> Sample:
    """A sample from its recorded rule: the same rule, parameter and seed give the same departments."""
    if rule == ALL:
        return sample_all(roster)
    if rule == BY_HAND:
        return by_hand(roster, chosen)
    if rule in (EVERY_NTH, PERCENT):
        if parameter is None or seed is None:
            raise VerificationError("抽出の間隔・割合とシードが必要です。")
        return every_nth(roster, parameter, seed) if rule == EVERY_NTH else percent(roster, parameter, seed)
    raise VerificationError(f"抽出方法「{rule}」が不明です。")
