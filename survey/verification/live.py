"""The live check during the second keying (CSPro's verify mode), as a small state machine.

The verifier keys a field blind. When it equals the first entry, the field is verified. When it
differs, the field is flagged and the verifier keys it again, still without being shown the
first value:

- the same different value again: the first entry was wrong — a *keyer error*; the verifier's
  value is taken;
- the first entry's value: the verifier mistyped — a *verifier error*; the first value stays;
- yet another value: flagged again, compared the same way on the next keying (nothing counted
  until the field settles).

Values are compared as cells (``Comparer.question_cells``), so 無回答, 無効, 非該当 and 未入力
are values like any other. A settled field starts afresh when keyed again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Hashable

from .stats import KEYER_ERROR, VERIFIED_FIELD, VERIFIER_ERROR, Event

__all__ = ["MATCH", "FLAGGED", "KEYER", "VERIFIER", "LiveField", "Step", "step_events"]

MATCH, FLAGGED, KEYER, VERIFIER = "match", "flagged", "keyer_error", "verifier_error"


@dataclass(frozen=True)
class Step:
    verdict: str  # MATCH, FLAGGED (key it again), KEYER (first entry wrong), VERIFIER (second wrong)
    field: LiveField  # the state for the next keying of this field
    accepted: Hashable | None  # the value to record; None while flagged

    @property
    def settled(self) -> bool:
        return self.verdict != FLAGGED

    @property
    def message(self) -> str:
        """What the verifier sees (Japanese); never the first entry's value: keying stays blind."""
        return {
            MATCH: "",
            FLAGGED: "最初の入力と異なります。用紙を確かめて、もう一度入力してください。",
            KEYER: "確認しました（最初の入力の誤りとして記録します）。",
            VERIFIER: "確認しました（照合入力の誤りとして記録します）。",
        }[self.verdict]


@dataclass(frozen=True)
class LiveField:
    expected: Hashable  # the first keying's value of the field
    candidate: Hashable | None = None  # the verifier's differing value, awaiting confirmation
    flagged: bool = False  # the candidate may itself be None (a value like any other)

    def key(self, value: Hashable) -> Step:
        fresh = LiveField(self.expected)
        if not self.flagged:
            if value == self.expected:
                return Step(MATCH, fresh, value)
            return Step(FLAGGED, replace(self, candidate=value, flagged=True), None)
        if value == self.candidate:
            return Step(KEYER, fresh, value)
        if value == self.expected:
            return Step(VERIFIER, fresh, self.expected)
        return Step(FLAGGED, replace(self, candidate=value), None)


def step_events(step: Step, *, verifier: str, keyer: str, at: datetime, department: str, field: str) -> list[Event]:
    """The statistics events a settled step records (none while flagged)."""
    if not step.settled:
        return []
    events = [Event(verifier, at, department, VERIFIED_FIELD, field, keyer)]
    if step.verdict == KEYER:
        events.append(Event(verifier, at, department, KEYER_ERROR, field, keyer))
    elif step.verdict == VERIFIER:
        events.append(Event(verifier, at, department, VERIFIER_ERROR, field, keyer))
    return events
