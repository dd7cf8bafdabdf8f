"""The 照合 column of the department list and the queue: a department's double-entry state.

Kept apart so a list widget other than DataTable can take it as it is. The column is there only
while some listed department is chosen for a second keying (``in_use``): an office that does not
verify keeps its columns' width. A department not chosen shows nothing; a narrow column drops
the 照合 its heading already says (照合入力待ち → 入力待ち).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.cells import cell_len

from survey.verification.status import LABELS, NOT_SAMPLED

from .columns import Column, clip

__all__ = ["in_use", "verification_column", "verification_label"]


def verification_column(state_of: Callable[[object], str | None], width: Callable[[], int]) -> Column:
    """The 照合 column for a list whose line gives its state through ``state_of``; ``width()``
    is the column's width now (a narrow one drops the 照合 of the label)."""
    return Column(
        "照合", weight=1, least=8, most=12,
        value=lambda line: verification_label(state_of(line), width()), style=lambda line: "yellow",
    )


def verification_label(state: str | None, width: int) -> str:
    """What the column shows for ``state`` in ``width`` cells (cut with … if still too wide)."""
    if not state or state == NOT_SAMPLED:
        return ""
    label = LABELS[state]
    if cell_len(label) > width:
        label = label.removeprefix("照合") or label
    return clip(label, width)


def in_use(states: Iterable[str | None]) -> bool:
    """Whether any of these departments is chosen for a second keying (the column is shown)."""
    return any(state and state != NOT_SAMPLED for state in states)
