"""The 照合 column of the department list and the queue: a department's double-entry state.

Kept apart so a list widget other than DataTable can take it as it is. A department not chosen
for a second keying (most of them, usually) shows nothing; a narrow column drops the 照合 that
its heading already says (照合入力待ち → 入力待ち).
"""

from __future__ import annotations

from rich.cells import cell_len

from survey.verification.status import LABELS, NOT_SAMPLED

from .columns import Column, clip

__all__ = ["VERIFICATION_COLUMN", "verification_label"]

VERIFICATION_COLUMN = Column("照合", weight=1, least=8, most=12)


def verification_label(state: str | None, width: int) -> str:
    """What the column shows for ``state`` in ``width`` cells (cut with … if still too wide)."""
    if not state or state == NOT_SAMPLED:
        return ""
    label = LABELS[state]
    if cell_len(label) > width:
        label = label.removeprefix("照合") or label
    return clip(label, width)
