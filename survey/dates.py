"""Dates as the paper writes them: 和暦 (令和6年4月1日, R6.4.1, R060401) or 西暦 (2024/4/1,
2024-04-01), full-width too; shown in both; stored as an ISO date.

The era table is written here rather than taken from a library: it is five rows, it must say
exactly where each era starts (the day the paper may first write it), and it is tested at every
edge. 明治 is read from 明治6年1月1日 (1873-01-01), the day Japan adopted the Gregorian calendar:
an earlier 明治 date on paper is a lunisolar date that no table here converts, so it is refused
with that reason rather than silently shifted.

An impossible date is refused with the reason a clerk can act on: 令和元年4月1日 is 平成31年4月1日
(令和 began 2019-05-01), 平成32年 does not exist (2020 is 令和2年), 2月30日 does not exist.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .errors import InputError

__all__ = ["ERAS", "Era", "DateError", "era_of", "parse_date", "shown_date", "wareki"]


class DateError(InputError):
    """Text that is no date chosho can record; the message is Japanese and says why."""


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    letter: str  # R: the initial the paper writes (R6.4.1)
    start: date  # the first day written in this era
    readable_from: date | None = None  # 明治: the first Gregorian day (see the module's docstring)

    @property
    def first(self) -> date:
        return self.readable_from or self.start


# In order; each era ends the day before the next begins.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", date(1868, 10, 23), readable_from=date(1873, 1, 1)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("令和", "R", date(2019, 5, 1)),
)
_BY_NAME = {e.name: e for e in ERAS} | {e.name[0]: e for e in ERAS} | {e.letter: e for e in ERAS}


def _end(era: Era) -> date | None:
    later = ERAS.index(era) + 1
    return date.fromordinal(ERAS[later].start.toordinal() - 1) if later < len(ERAS) else None


def era_of(day: date) -> Era | None:
    """The era a day is written in; None before 明治's first Gregorian day."""
    for era in reversed(ERAS):
        if day >= era.start:
            return era if day >= era.first else None
    return None


def wareki(day: date) -> str:
    """令和6年4月1日 (the first year as 元年); 西暦 only before the era table."""
    era = era_of(day)
    if era is None:
        return f"{day.year}年{day.month}月{day.day}日"
    year = day.year - era.start.year + 1
    return f"{era.name}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def shown_date(day: date) -> str:
    """How screens, review and messages show a date: 和暦 with the ISO date."""
    return f"{wareki(day)}（{day.isoformat()}）"


# -- reading ---------------------------------------------------------------------------------

_ERA = "(?P<era>明治|大正|昭和|平成|令和|[明大昭平令]|[MTSHR])"
_SEP = r"\s*[./\-年]\s*"
_PATTERNS = (
    # 令和6年4月1日, R6.4.1, R06.04.01, 令和元年5月1日, H31/4/30
    re.compile(rf"{_ERA}\s*(?P<y>元|\d{{1,2}}){_SEP}(?P<m>\d{{1,2}})\s*[./\-月]\s*(?P<d>\d{{1,2}})\s*日?"),
    # R060401: the era's initial and six digits, as a form's boxes are filled
    re.compile(rf"{_ERA}(?P<y>\d{{2}})(?P<m>\d{{2}})(?P<d>\d{{2}})"),
    # 2024/4/1, 2024-04-01, 2024.4.1, 2024年4月1日 (and Excel's "2024-04-01 00:00:00")
    re.compile(r"(?P<Y>\d{4})\s*[./\-年]\s*(?P<m>\d{1,2})\s*[./\-月]\s*(?P<d>\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?"),
    # 20240401
    re.compile(r"(?P<Y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)


def parse_date(raw: str, *, allow_empty: bool = False) -> date | None:
    """The day ``raw`` writes, or DateError with the reason. Blank is None when allowed."""
    text = unicodedata.normalize("NFKC", raw).strip().upper()
    if not text:
        if allow_empty:
            return None
        raise DateError("日付が空です。")
    shown = raw.strip() if len(raw.strip()) <= 20 else raw.strip()[:20] + "…"
    for pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            break
    else:
        raise DateError(
            f"「{shown}」は日付として読めません。R6.4.1、令和6年4月1日、R060401、2024/4/1、2024-04-01 のように入力してください。"
        )
    groups = match.groupdict()
    month, day = int(groups["m"]), int(groups["d"])
    if groups.get("era"):
        era = _BY_NAME[groups["era"]]
        year_in_era = 1 if groups["y"] == "元" else int(groups["y"])
        if year_in_era == 0:
            raise DateError(f"{era.name}0年はありません（最初の年は元年）。")
        year = era.start.year + year_in_era - 1
        written = f"{era.name}{'元' if year_in_era == 1 else year_in_era}年{month}月{day}日"
    else:
        era, year = None, int(groups["Y"])
        written = f"{year}年{month}月{day}日"
    if not 1 <= month <= 12:
        raise DateError(f"「{shown}」: {month}月はありません。")
    try:
        result = date(year, month, day)
    except ValueError:
        raise DateError(f"「{shown}」: {month}月{day}日はありません（{year}年{month}月は{_days_in(year, month)}日まで）。") from None
    if era is not None:
        _check_era(era, result, written)
    elif result < ERAS[0].first:
        raise DateError(f"{written}は読めません（{wareki(ERAS[0].first)}＝{ERAS[0].first.isoformat()} より前の日付は扱いません）。")
    return result


def _days_in(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def _check_era(era: Era, day: date, written: str) -> None:
    end = _end(era)
    if day < era.start:
        earlier = era_of(day)
        if earlier is None:
            raise DateError(f"{written}はありません（{era.name}は{wareki(era.start)}から）。")
        raise DateError(f"{written}はありません。{day.isoformat()} は{wareki(day)}です（{era.name}は{era.start.isoformat()}から）。")
    if day < era.first:
        raise DateError(
            f"{written}は旧暦の日付のため読めません（{era.name}は{wareki(era.first)}＝{era.first.isoformat()}から扱います）。"
        )
    if end is not None and day > end:
        raise DateError(f"{written}はありません。{day.isoformat()} は{wareki(day)}です（{era.name}は{wareki(end)}まで）。")
