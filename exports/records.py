"""Read every department from the store, once, as the export needs it."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from survey import Blank, Invalid, Questionnaire, Router
from survey.conditions import comparisons
from survey.routing import known_codes
from survey.verification.status import AWAITING_SECOND, NOT_SAMPLED

from .tally import DepartmentRecord

if TYPE_CHECKING:
    from db import Store

__all__ = ["DEFAULT_STATUSES", "CONFIRMED_STATUSES", "Records", "read_records", "scope_statement"]

# What the summary sheets count. Default: everything entered so far (a department not yet
# started has nothing to count); the option: only what a second person has signed off.
DEFAULT_STATUSES = ("in_progress", "entered", "reviewed", "final")
CONFIRMED_STATUSES = ("reviewed", "final")


def _pair(stamp) -> tuple[str, str] | None:
    return (stamp.who, stamp.at) if stamp is not None else None


class Records(list):
    """The departments as read, and what was read with them: the audit log's head (entries,
    last hash), which 入力状況 prints so a printed report pins the history it came from; the
    keying events and the sampling plans of double entry, which 入力者統計 counts."""

    audit_head: tuple[int, str] | None = None
    key_events: tuple = ()  # survey.verification.Event, departments by name
    plans: tuple = ()  # db.verification.Plan: rule, seed, description, who and when
    flags: tuple = ()  # db.Flag, every 疑義 open or resolved, which the 疑義 sheet lists


class Routes:
    """The routing engine's route for each department, asked once per distinct routing input.

    A route depends on the answers only through what the skips' conditions read (the codes
    ``known_codes`` gives for each reference) and, for a question that chooses the route when
    left blank, whether its answer is blank or unusable: departments alike in those (most are:
    a form has few routes) share one Route, computed by the engine the first time it is met.
    """

    def __init__(self, router: Router, questionnaire: Questionnaire) -> None:
        self.router = router
        self.refs = tuple(dict.fromkeys(c.ref for skip in questionnaire.skips for c in comparisons(skip.when)))
        self.choosers = tuple(q.id for q in questionnaire.questions if q.chooses_route_when_blank)
        self.found: dict = {}

    def route(self, answers):
        key = (
            tuple(known_codes(ref, answers) for ref in self.refs),
            tuple(isinstance(answers.get(qid), (Blank, Invalid)) for qid in self.choosers),
        )
        route = self.found.get(key)
        if route is None:
            route = self.found[key] = self.router.route(answers)
        return route


def read_records(store: Store, *, confirmed_only: bool = False) -> Records:
    """Every department in roster order, with its route (one routing per department).

    All of it is read in one snapshot, so the audit head matches exactly what is counted.
    """
    with store.reading():
        return _read_records(store, confirmed_only)


def _read_records(store: Store, confirmed_only: bool) -> Records:
    statuses = CONFIRMED_STATUSES if confirmed_only else DEFAULT_STATUSES
    routes = Routes(store.router, store.questionnaire)
    records = Records()
    records.audit_head = store.audit_head()
    open_flags = Counter(flag.response_id for flag in store.flags(open_only=True))
    records.key_events = tuple(store.key_events())
    records.plans = tuple(store.verification_plans())
    records.flags = tuple(store.flags())
    states = store.verification_states()
    for response in store.responses():
        department = response.department
        state = states.get(department.id)
        keying = store.second_keying(department.id) if state not in (None, NOT_SAMPLED, AWAITING_SECOND) else None
        records.append(
            DepartmentRecord(
                response_id=response.id,
                bukyoku=department.bukyoku,
                name=department.name,
                position=department.position,
                status=response.status,
                answers=response.answers,
                route=routes.route(response.answers),
                included=response.status in statuses,
                open_flags=open_flags[response.id],
                entered=_pair(response.entered),
                reviewed=_pair(response.reviewed),
                finalised=_pair(response.finalised),
                updated=_pair(response.updated),
                verification=state,
                second_keyed=(keying.keyer, keying.completed.at if keying.completed else "") if keying else None,
                adjudicated=_pair(keying.adjudicated) if keying else None,
            )
        )
    return records


def scope_statement(records: list[DepartmentRecord], confirmed_only: bool) -> str:
    """The sentence every summary sheet carries: which departments it counts."""
    from db import STATUS_LABELS

    included = sum(1 for r in records if r.included)
    statuses = CONFIRMED_STATUSES if confirmed_only else DEFAULT_STATUSES
    names = "・".join(f"「{STATUS_LABELS[s]}」" for s in statuses)
    text = f"集計対象: 状態が{names}の所属（{included} 所属／全 {len(records)} 所属）。"
    if confirmed_only:
        return text + "確認済でない所属は含みません。"
    return text + f"「{STATUS_LABELS['not_started']}」の所属は含みません。入力中の所属は入力済みの回答だけを数えています。"
