"""The store's records as read (immutable NamedTuples) and the one encoding of a stored answer.

Shared by every module of ``db`` that reads or writes answers, so none of them imports another
for these. NamedTuples, not frozen dataclasses: each dataclass costs a code generation on the
way to the first screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from .errors import StoreUnavailable
from .schema import STATUS_LABELS
from .who import Stamp

if TYPE_CHECKING:
    from survey import Value

__all__ = ["AuditEntry", "Department", "DepartmentState", "Response", "dump_value", "load_value", "value_state"]


class Department(NamedTuple):
    id: int
    bukyoku: str
    name: str
    position: int


class Response(NamedTuple):
    """One department's entry as read at ``version``."""

    id: int
    department: Department
    status: str
    version: int
    answers: Mapping[str, Value]
    stamps: Mapping[str, Stamp]
    updated: Stamp | None = None
    entered: Stamp | None = None
    reviewed: Stamp | None = None
    finalised: Stamp | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class DepartmentState(NamedTuple):
    """A line of the department list."""

    department: Department
    response_id: int
    status: str
    version: int
    answered: int
    on_route: int
    updated: Stamp | None
    open_flags: int

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class AuditEntry(NamedTuple):
    id: int
    at: str
    who: str
    response_id: int | None
    question_id: str | None
    action: str
    old: str | None
    new: str | None
    why: str | None
    hash: str | None = None
    payload: str | None = None  # JSON: what replaying the entry needs (db/journal.py)


def value_state(value: Value) -> str:
    from survey.answers import Blank, Invalid, NotApplicable

    if isinstance(value, Blank):
        return "blank"
    if isinstance(value, Invalid):
        return "invalid"
    if isinstance(value, NotApplicable):
        return "not_applicable"
    return "answered"


def load_value(text: str, question_id: str) -> Value:
    """A stored answer; one that no longer reads is reported, not a traceback."""
    import json  # json is imported where used: neither first screen needs it

    from survey.answers import decode

    try:
        return decode(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StoreUnavailable(
            f"{question_id} の保存内容が読めません（{exc}）。データベースが壊れている可能性があります。"
            "バックアップから戻すか、管理者に連絡してください。"
        ) from exc


def dump_value(value: Value | None) -> str | None:
    import json

    from survey.answers import encode

    return None if value is None else json.dumps(encode(value), ensure_ascii=False, sort_keys=True)
