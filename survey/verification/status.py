"""Where a department stands in double entry, and why it may not be signed off yet.

One function decides the state from the facts the store keeps, so the department list, the
queue, the review (sign-off refusal) and the workbook's 入力状況 say the same thing.
"""

from __future__ import annotations

__all__ = [
    "NOT_SAMPLED", "AWAITING_SECOND", "SECOND_IN_PROGRESS", "AWAITING_ADJUDICATION", "VERIFIED",
    "LABELS", "verification_state", "signoff_refusal",
]

NOT_SAMPLED = "not_sampled"  # not chosen for a second keying
AWAITING_SECOND = "awaiting_second"
SECOND_IN_PROGRESS = "second_in_progress"
AWAITING_ADJUDICATION = "awaiting_adjudication"
VERIFIED = "verified"

LABELS = {
    NOT_SAMPLED: "照合対象外",
    AWAITING_SECOND: "照合入力待ち",
    SECOND_IN_PROGRESS: "照合入力中",
    AWAITING_ADJUDICATION: "突合待ち",
    VERIFIED: "照合済",
}


def verification_state(*, sampled: bool, second_started: bool, second_complete: bool, settled: bool) -> str:
    """``settled``: the comparison has no difference left open (none at all, or all adjudicated
    into the department's answers)."""
    if not sampled:
        return NOT_SAMPLED
    if not second_started:
        return AWAITING_SECOND
    if not second_complete:
        return SECOND_IN_PROGRESS
    return VERIFIED if settled else AWAITING_ADJUDICATION


def signoff_refusal(state: str) -> str | None:
    """The reason, in Japanese, a department in ``state`` cannot be signed off; None if it can."""
    if state in (NOT_SAMPLED, VERIFIED):
        return None
    if state not in LABELS:
        raise ValueError(f"照合の状態「{state}」が不明です。")
    steps = {
        AWAITING_SECOND: "照合入力（二人目の入力）がまだです",
        SECOND_IN_PROGRESS: "照合入力が終わっていません",
        AWAITING_ADJUDICATION: "突合で解決していない相違があります",
    }
    return f"{steps[state]}（{LABELS[state]}）。照合が済むまで確認済にできません。"
