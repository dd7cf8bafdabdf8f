"""The records of double entry: a department's second keying and a recorded sampling plan."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .who import Stamp

if TYPE_CHECKING:
    from survey import Value
    from survey.verification import Cell

    from .records import Department

__all__ = ["Keying", "Plan", "cell_from_json", "cell_to_json"]


@dataclass(frozen=True)
class Keying:
    """A department's second keying, shaped like ``Response`` so the entry screens can key it."""

    id: int
    department: Department
    keyer: str
    live: bool
    version: int
    answers: Mapping[str, Value]
    stamps: Mapping[str, Stamp]
    started: Stamp
    completed: Stamp | None = None
    adjudicated: Stamp | None = None

    status = "in_progress"  # never final: the screens' read-only rules do not apply

    @property
    def status_label(self) -> str:
        if self.completed:
            return "照合入力済"
        return "照合入力中・その場で照合" if self.live else "照合入力中・後で突合"


@dataclass(frozen=True)
class Plan:
    id: int
    rule: str
    parameter: int | None
    seed: int | None
    description: str
    department_ids: tuple[int, ...]
    made: Stamp


def cell_to_json(cell: Cell | None) -> str | None:
    if cell is None:
        return None
    return json.dumps({"state": cell.state, "value": cell.value, "route_as": cell.route_as}, ensure_ascii=False)


def cell_from_json(text: str | None) -> Cell | None:
    from survey.verification import Cell

    if text is None:
        return None
    data = json.loads(text)
    return Cell(data["state"], data.get("value"), data.get("route_as"))
