"""The live check (CSPro's keyer / verifier errors) and the keyer statistics built on its events."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from survey import Blank, Single, builtin
from survey.verification import (
    CORRECTION, FIELD_ACCEPTED, FLAGGED, KEYER, KEYSTROKE, MATCH, VERIFIER, Comparer, Event, LiveField,
    keyer_statistics, keyer_totals, step_events,
)

T0 = datetime(2025, 6, 2, 9, 0, 0)


def test_the_rule_for_each_way_a_field_can_settle():
    field = LiveField(expected=3)
    assert field.key(3).verdict == MATCH and field.key(3).accepted == 3
    flagged = field.key(4)
    assert flagged.verdict == FLAGGED and flagged.accepted is None and not flagged.settled
    assert "3" not in flagged.message  # blind: the first value is never shown
    keyer = flagged.field.key(4)
    assert (keyer.verdict, keyer.accepted) == (KEYER, 4)
    verifier = flagged.field.key(3)
    assert (verifier.verdict, verifier.accepted) == (VERIFIER, 3)
    third = flagged.field.key(5)
    assert third.verdict == FLAGGED and third.field.key(5).verdict == KEYER and third.field.key(3).verdict == VERIFIER
    assert keyer.field == LiveField(3)  # a settled field starts afresh


def test_fields_are_compared_as_cells_so_empty_states_count():
    comparer = Comparer(builtin())
    field = LiveField(comparer.question_cells("Q1", Blank()))
    assert field.key(comparer.question_cells("Q1", None)).verdict == FLAGGED  # 未入力 is not 無回答
    assert field.key(comparer.question_cells("Q1", Blank())).verdict == MATCH
    off = LiveField(comparer.question_cells("Q16", None, on_route=False))
    assert off.key(comparer.question_cells("Q16", Single(5))).verdict == FLAGGED


# A scripted session: B verifies ten fields of A's form. (first value, what B keys in turn)
SCRIPT = [
    (1, [1]),  # match
    (2, [3, 3]),  # keyer error
    (4, [5, 4]),  # verifier error
    (1, [1]),  # match
    (2, [2]),  # match
    (3, [1, 2, 2]),  # flagged, a third value, confirmed: keyer error
    (3, [1, 2, 3]),  # flagged twice, back to the first: verifier error
    (5, [4, 4]),  # keyer error
    (5, [5]),  # match
    (1, [2, 1]),  # verifier error
]
HAND_COUNT = {"verified": 10, "keyer": 3, "verifier": 3}


def scripted_events() -> list[Event]:
    events, at = [], T0
    for number, (expected, keyed) in enumerate(SCRIPT):
        field = LiveField(expected)
        for value in keyed:
            at += timedelta(seconds=4)
            events.append(Event("B", at, "保育課", KEYSTROKE, f"F{number}"))
            step = field.key(value)
            events += step_events(step, verifier="B", keyer="A", at=at, department="保育課", field=f"F{number}")
            field = step.field
        events.append(Event("B", at, "保育課", FIELD_ACCEPTED, f"F{number}"))
    return events


def test_keyer_and_verifier_errors_match_the_hand_count():
    rows = {row.person: row for row in keyer_statistics(scripted_events())}
    b, a = rows["B"], rows["A"]
    assert b.fields_verified == HAND_COUNT["verified"] and b.verifier_errors == HAND_COUNT["verifier"]
    assert b.verifier_errors_per_1000 == pytest.approx(300.0)
    assert a.fields_checked == HAND_COUNT["verified"] and a.keyer_errors == HAND_COUNT["keyer"]
    assert a.keyer_errors_per_1000 == pytest.approx(300.0)
    assert b.keyer_errors == 0 and a.verifier_errors == 0
    assert b.keystrokes == sum(len(k) for _, k in SCRIPT) and b.fields_keyed == 10 and b.forms == 1


def test_speed_counts_active_keying_only_and_days_are_apart():
    at = [T0, T0 + timedelta(seconds=10), T0 + timedelta(seconds=20),  # 20 s active
          T0 + timedelta(minutes=30), T0 + timedelta(minutes=30, seconds=10)]  # a pause, then 10 s
    events = [Event("田中　太郎", t, "税務課", KEYSTROKE) for t in at]
    events.append(Event("田中太郎", T0 + timedelta(minutes=30, seconds=15), "税務課", FIELD_ACCEPTED, "Q1"))
    events.append(Event("ﾀﾅｶ", T0, "税務課", KEYSTROKE))  # another person
    next_day = T0 + timedelta(days=1)
    events += [Event("田中太郎", next_day, "財政課", FIELD_ACCEPTED, "Q1"),
               Event("田中太郎", next_day + timedelta(seconds=30), "財政課", CORRECTION, "Q1")]
    rows = keyer_statistics(events)
    assert [(r.person, r.day) for r in rows] == [("田中　太郎", T0.date()), ("田中　太郎", next_day.date()), ("ﾀﾅｶ", T0.date())]
    first, second, other = rows
    assert first.active_seconds == 35 and first.keystrokes == 5
    assert first.keystrokes_per_hour == pytest.approx(5 * 3600 / 35)
    assert (second.keystrokes, second.keystrokes_per_hour, second.corrections, second.forms) == (0, 0.0, 1, 1)
    assert other.active_seconds == 0 and other.keystrokes_per_hour is None
    assert other.keyer_errors_per_1000 is None
    assert keyer_statistics(events, pause=timedelta(hours=1))[0].active_seconds == 30 * 60 + 15
    [total, _] = keyer_totals(events)
    assert (total.day, total.forms, total.fields_keyed, total.active_seconds) == (None, 2, 2, 65)


def test_an_unknown_event_kind_is_refused():
    with pytest.raises(ValueError, match="種類"):
        Event("A", T0, "税務課", "typing")


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.integers(0, 3), st.lists(st.integers(0, 3), min_size=1, max_size=8))
def test_any_keying_sequence_settles_by_the_cspro_rule(expected, keys):
    field, seen = LiveField(expected), []
    for value in keys:
        seen.append(value)
        step = field.key(value)
        field = step.field
        if step.settled:
            break
    else:
        assert all(a != b for a, b in zip(seen, seen[1:])) and expected not in seen
        return
    if step.verdict == MATCH:
        assert seen == [expected]
    elif step.verdict == KEYER:
        assert seen[-1] == seen[-2] != expected and step.accepted == seen[-1]
    else:
        assert step.verdict == VERIFIER and seen[-1] == expected != seen[0] and step.accepted == expected


def test_the_statistics_table_has_a_cell_under_every_heading():
    from survey.verification import HEADERS, statistics_table

    events = scripted_events()
    rows = statistics_table(keyer_statistics(events) + keyer_totals(events))
    assert all(len(row) == len(HEADERS) for row in rows)
    by_person = {(row[0], row[1]): dict(zip(HEADERS, row)) for row in rows}
    b = by_person[("B", "2025-06-02")]
    assert (b["照合項目数"], b["照合誤り数"], b["照合誤り（1,000項目あたり）"]) == (10, 3, 300.0)
    a = by_person[("A", "合計")]
    assert (a["照合された項目数"], a["入力誤り数"], a["入力誤り（1,000項目あたり）"], a["打鍵数／時"]) == (10, 3, 300.0, None)
