"""入力者統計: keyer statistics from an event log, per person and per day.

Pure: the store records events, this counts them. An event's ``person`` is who acted. For a
verified field and the errors the live check finds, ``keyer`` names whose first entry was
checked, so a keyer error is charged to the first keyer and a verifier error to the verifier:

- keyer errors per 1,000 fields: keyer errors charged to the person ÷ their fields verified;
- verifier errors per 1,000 fields: the person's verifier errors ÷ the fields they verified.

Keystrokes per hour count only active keying: the gaps between a person's consecutive events
on one day, leaving out any gap longer than the pause threshold (a break, a phone call).
People are grouped by ``person_key`` (the four-eyes identity), shown by the first name seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..people import person_key

__all__ = [
    "KEYSTROKE", "FIELD_ACCEPTED", "CORRECTION", "VERIFIED_FIELD", "KEYER_ERROR", "VERIFIER_ERROR",
    "KINDS", "Event", "KeyerRow", "keyer_statistics", "keyer_totals", "DEFAULT_PAUSE", "HEADERS", "statistics_table",
]

KEYSTROKE, FIELD_ACCEPTED, CORRECTION = "keystroke", "field_accepted", "correction"
VERIFIED_FIELD, KEYER_ERROR, VERIFIER_ERROR = "verified_field", "keyer_error", "verifier_error"
KINDS = frozenset({KEYSTROKE, FIELD_ACCEPTED, CORRECTION, VERIFIED_FIELD, KEYER_ERROR, VERIFIER_ERROR})
DEFAULT_PAUSE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Event:
    person: str
    at: datetime  # local time: the day is at.date()
    department: str
    kind: str
    field: str = ""
    keyer: str | None = None  # verified_field / keyer_error / verifier_error: the first keyer

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"入力記録の種類「{self.kind}」が不明です。")


@dataclass(frozen=True)
class KeyerRow:
    person: str
    day: date | None  # None: every day together
    forms: int  # departments in which the person accepted a field
    fields_keyed: int
    keystrokes: int
    active_seconds: float
    corrections: int
    fields_verified: int  # fields the person verified (second keying)
    verifier_errors: int
    fields_checked: int  # the person's own first-entry fields that someone verified
    keyer_errors: int

    @property
    def keystrokes_per_hour(self) -> float | None:
        return self.keystrokes * 3600 / self.active_seconds if self.active_seconds else None

    @property
    def keyer_errors_per_1000(self) -> float | None:
        return self.keyer_errors * 1000 / self.fields_checked if self.fields_checked else None

    @property
    def verifier_errors_per_1000(self) -> float | None:
        return self.verifier_errors * 1000 / self.fields_verified if self.fields_verified else None


class _Tally:
    def __init__(self, name: str) -> None:
        self.name = name
        self.forms: set[str] = set()
        self.counts = dict.fromkeys(("fields_keyed", "keystrokes", "corrections", "fields_verified",
                                     "verifier_errors", "fields_checked", "keyer_errors"), 0)
        self.active = 0.0


_ACTED = {FIELD_ACCEPTED: "fields_keyed", KEYSTROKE: "keystrokes", CORRECTION: "corrections",
          VERIFIED_FIELD: "fields_verified", VERIFIER_ERROR: "verifier_errors"}
_CHARGED = {VERIFIED_FIELD: "fields_checked", KEYER_ERROR: "keyer_errors"}


def keyer_statistics(events: Iterable[Event], pause: timedelta = DEFAULT_PAUSE) -> list[KeyerRow]:
    """One row per person and day, ordered by person (as first seen) then day."""
    events = sorted(events, key=lambda e: e.at)
    names: dict[str, str] = {}
    tallies: dict[tuple[str, date], _Tally] = {}

    def tally(name: str, day: date) -> _Tally:
        key = person_key(name)
        names.setdefault(key, name)
        return tallies.setdefault((key, day), _Tally(names[key]))

    last_seen: dict[str, datetime] = {}
    limit = pause.total_seconds()
    for event in events:
        day = event.at.date()
        actor = tally(event.person, day)
        if event.kind in _ACTED:
            actor.counts[_ACTED[event.kind]] += 1
        if event.kind == FIELD_ACCEPTED:
            actor.forms.add(event.department)
        if event.kind in _CHARGED and event.keyer:
            tally(event.keyer, day).counts[_CHARGED[event.kind]] += 1
        key = person_key(event.person)
        previous = last_seen.get(key)
        if previous is not None and previous.date() == day:
            gap = (event.at - previous).total_seconds()
            if gap <= limit:
                actor.active += gap
        last_seen[key] = event.at
    order = list(names)
    rows = [
        KeyerRow(person=t.name, day=day, forms=len(t.forms), active_seconds=t.active, **t.counts)
        for (key, day), t in tallies.items()
    ]
    position = {names[k]: i for i, k in enumerate(order)}
    return sorted(rows, key=lambda r: (position[r.person], r.day))


def keyer_totals(events: Iterable[Event], pause: timedelta = DEFAULT_PAUSE) -> list[KeyerRow]:
    """One row per person over every day (forms: distinct departments over all days)."""
    events = list(events)
    daily = keyer_statistics(events, pause)
    forms: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for event in events:
        if event.kind == FIELD_ACCEPTED:
            forms.setdefault(person_key(event.person), set()).add(event.department)
    out: dict[str, dict] = {}
    for row in daily:
        key = person_key(row.person)
        names.setdefault(key, row.person)
        total = out.setdefault(key, dict.fromkeys(
            ("fields_keyed", "keystrokes", "active_seconds", "corrections", "fields_verified",
             "verifier_errors", "fields_checked", "keyer_errors"), 0))
        for name in total:
            total[name] += getattr(row, name)
    return [
        KeyerRow(person=names[key], day=None, forms=len(forms.get(key, ())), **total)
        for key, total in out.items()
    ]


# The 入力者統計 sheet and screen: one heading per column, in this order.
HEADERS = (
    "入力者", "日付", "調書数", "入力項目数", "打鍵数", "入力時間（分）", "打鍵数／時", "訂正数",
    "照合項目数", "照合誤り数", "照合誤り（1,000項目あたり）", "照合された項目数", "入力誤り数",
    "入力誤り（1,000項目あたり）",
)


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def statistics_table(rows: Iterable[KeyerRow]) -> list[tuple]:
    """Rows as plain cells under ``HEADERS`` (None where a rate has no denominator; 合計 for
    a row over every day)."""
    return [
        (
            r.person, "合計" if r.day is None else r.day.isoformat(), r.forms, r.fields_keyed, r.keystrokes,
            _rounded(r.active_seconds / 60), _rounded(r.keystrokes_per_hour, 0), r.corrections,
            r.fields_verified, r.verifier_errors, _rounded(r.verifier_errors_per_1000),
            r.fields_checked, r.keyer_errors, _rounded(r.keyer_errors_per_1000),
        )
        for r in rows
    ]
