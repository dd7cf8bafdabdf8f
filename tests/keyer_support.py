"""A scripted keying session for 入力者統計 (the workbook sheet and the screen), counted by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from survey.verification import Event

DAY1, DAY2 = datetime(2026, 12, 1), datetime(2026, 12, 2)


def _at(day: datetime, clock: str) -> datetime:
    h, m, s = (int(p) for p in clock.split(":"))
    return day + timedelta(hours=h, minutes=m, seconds=s)


def scripted_events(first: int, second: int) -> list[Event]:
    """Two people, two days. Hand count:

    田中 12-01 (所属 first): keystrokes 09:00:00, 09:00:30, 09:02:00, 09:20:00; accepted Q1 09:01:00,
      Q2 09:20:30; correction 09:21:00. Gaps 30+30+60, then 18 min (a pause over 5 min: not
      counted), then 30+30 → 180 s = 3.0 min; 4 keystrokes → 4 × 3600 / 180 = 80 per hour.
    田中 12-02 (所属 second): keystrokes 10:00:00, 10:00:20; accepted Q1 10:00:40 → 40 s, 2 keys,
      180 per hour. Checked by 佐藤: 40 fields, 2 keyer errors → 50.0 per 1,000.
    田中 合計: 2 forms, 3 fields, 6 keys, 220 s = 3.7 min, 6 × 3600 / 220 = 98.2 → 98 per hour.
    佐藤 12-02: 40 fields verified 14:00:00 every 3 s (117 s), 2 keyer errors and 1 verifier error
      at 14:02:00, :01, :02 (3 + 1 + 1 s) → 122 s = 2.0 min; 1 verifier error in 40 → 25.0.
    """
    a, b = str(first), str(second)
    events = [
        Event("田中", _at(DAY1, "09:00:00"), a, "keystroke"),
        Event("田中", _at(DAY1, "09:00:30"), a, "keystroke"),
        Event("田中", _at(DAY1, "09:01:00"), a, "field_accepted", "Q1"),
        Event("田中", _at(DAY1, "09:02:00"), a, "keystroke"),
        Event("田中", _at(DAY1, "09:20:00"), a, "keystroke"),
        Event("田中", _at(DAY1, "09:20:30"), a, "field_accepted", "Q2"),
        Event("田中", _at(DAY1, "09:21:00"), a, "correction", "Q1"),
        Event("田中", _at(DAY2, "10:00:00"), b, "keystroke"),
        Event("田中", _at(DAY2, "10:00:20"), b, "keystroke"),
        Event("田中", _at(DAY2, "10:00:40"), b, "field_accepted", "Q1"),
    ]
    start = _at(DAY2, "14:00:00")
    events += [Event("佐藤", start + timedelta(seconds=3 * i), b, "verified_field", f"Q{i}", "田中") for i in range(40)]
    events += [
        Event("佐藤", _at(DAY2, "14:02:00"), b, "keyer_error", "Q3", "田中"),
        Event("佐藤", _at(DAY2, "14:02:01"), b, "keyer_error", "Q5", "田中"),
        Event("佐藤", _at(DAY2, "14:02:02"), b, "verifier_error", "Q7", "田中"),
    ]
    return events


HAND = {  # (入力者, 日付) → the figures under HEADERS[2:], counted by hand above
    ("田中", DAY1): (1, 2, 4, 3.0, 80, 1, 0, 0, "－", 0, 0, "－"),
    ("田中", DAY2): (1, 1, 2, 0.7, 180, 0, 0, 0, "－", 40, 2, 50.0),
    ("田中", "合計"): (2, 3, 6, 3.7, 98, 1, 0, 0, "－", 40, 2, 50.0),
    ("佐藤", DAY2): (0, 0, 0, 2.0, 0, 0, 40, 1, 25.0, 0, 0, "－"),
    ("佐藤", "合計"): (0, 0, 0, 2.0, 0, 0, 40, 1, 25.0, 0, 0, "－"),
}
