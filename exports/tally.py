"""The numbers of the workbook: every department's state for every question, and the tallies.

Pure Python over the domain core: no pandas, no xlsxwriter, no SQLite, so the counting rules
can be read and tested on their own. The routing engine decides every skip; nothing here knows
a question id.

A department's answer to a question falls in exactly one state:

in the base (基数 N: the departments that were to answer it)
    ``answered``  an answer (a code, ticks, text, numbers)
    ``blank``     無回答: the paper leaves it empty
    ``invalid``   無効: the paper answers unusably (or a code the definition no longer has)
    ``missing``   未入力: on the route, nothing entered yet

outside the base
    ``off``        非該当: off the department's route (the routing engine says so)
    ``judged``     非該当: recorded by the clerk where the department may skip on its own judgement
    ``undecided``  経路未確定: the route to it is not settled (an earlier routing answer is blank
                   with no route chosen) and nothing is recorded for it but 無回答. When the
                   paper shows an answer to such a question (a code, text, or 無効), the
                   department did answer it, so it counts in the base.
"""

from __future__ import annotations

from collections import Counter
from itertools import chain
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from survey import (
    Blank,
    Counts,
    Date,
    Grid,
    Invalid,
    Multi,
    NotApplicable,
    Number,
    Question,
    Questionnaire,
    QuestionType,
    Route,
    Router,
    Single,
    Table,
    Text,
    Value,
)

__all__ = [
    "ANSWERED",
    "BASE_STATES",
    "OUTSIDE_STATES",
    "STATE_LABELS",
    "DepartmentRecord",
    "QuestionTally",
    "classify",
    "common_questions",
    "skipped_by",
    "tally",
    "tally_question",
    "whole_percents",
]

ANSWERED, BLANK, INVALID, MISSING = "answered", "blank", "invalid", "missing"
OFF, JUDGED, UNDECIDED = "off", "judged", "undecided"
BASE_STATES = (BLANK, INVALID, MISSING)  # shown as rows of their own, after the options
OUTSIDE_STATES = (OFF, JUDGED, UNDECIDED)
STATE_LABELS = {
    BLANK: "無回答",
    INVALID: "無効",
    MISSING: "未入力",
    OFF: "非該当（経路外）",
    JUDGED: "非該当（所属の判断）",
    UNDECIDED: "経路未確定",
}


@dataclass(frozen=True)
class DepartmentRecord:
    """One department as the export sees it: who, where its form stands, its answers and route."""

    response_id: int
    bukyoku: str
    name: str
    position: int
    status: str
    answers: Mapping[str, Value]
    route: Route
    included: bool = True
    open_flags: int = 0
    entered: tuple[str, str] | None = None  # (who, when)
    reviewed: tuple[str, str] | None = None
    finalised: tuple[str, str] | None = None
    updated: tuple[str, str] | None = None
    # Double entry (照合入力): the state key (survey.verification.status), who keyed second and
    # who adjudicated, each (who, when). None: read without the store (synthetic records).
    verification: str | None = None
    second_keyed: tuple[str, str] | None = None
    adjudicated: tuple[str, str] | None = None


def _codes_known(question: Question, value: Value, codes: Sequence[int] | frozenset[int] | None = None) -> bool:
    """Whether every code in a value is an option of the question (a changed definition may
    leave stored codes that no longer exist: they are counted as 無効 and reported)."""
    codes = question.codes if codes is None else codes
    if isinstance(value, Single):
        return value.code in codes
    if isinstance(value, Multi):
        return bool(value.codes) and value.codes <= set(codes)
    if isinstance(value, Grid):
        return all(not isinstance(c, int) or c in codes for c in value.cells.values())
    return True


def classify(
    question: Question, route: Route, value: Value | None, codes: frozenset[int] | None = None
) -> str:
    """The state of one department's answer to one question (see the module's docstring).
    ``codes``: the question's codes as a set, when the caller classifies many answers."""
    return _classify(question, route.status(question.id), value, codes)


def _classify(question: Question, status: str, value: Value | None, codes: frozenset[int] | None) -> str:
    """``classify`` given the question's status on the route ("on", "pending" or "off")."""
    if status == "off":
        return OFF
    if isinstance(value, NotApplicable):
        return JUDGED
    if status == "pending" and (value is None or isinstance(value, Blank)):
        return UNDECIDED
    if value is None:
        return MISSING
    if isinstance(value, Blank):
        return BLANK
    if isinstance(value, Counts) and not any(isinstance(n, int) for n in value.values.values()):
        return BLANK  # every number left empty
    if isinstance(value, Invalid) or not _codes_known(question, value, codes):
        return INVALID
    return ANSWERED


@dataclass
class QuestionTally:
    """One question's tally over a set of departments."""

    question: Question
    states: Counter = field(default_factory=Counter)  # state -> departments
    options: Counter = field(default_factory=Counter)  # code -> departments choosing it
    cells: dict[str, Counter] = field(default_factory=dict)  # matrix row -> code or state -> n
    sums: Counter = field(default_factory=Counter)  # counts item -> sum over departments
    filled: Counter = field(default_factory=Counter)  # counts item -> departments giving it
    # item -> [numerator, denominator, departments]: over the departments giving both numbers
    rate_parts: dict[str, list[int]] = field(default_factory=dict)
    unknown_codes: int = 0  # answers holding a code the definition does not have
    numbers: list[Decimal] = field(default_factory=list)  # a number question's values (exact)
    days: list[date] = field(default_factory=list)  # a date question's days
    table_rows: int = 0  # a repeat: rows over the departments that wrote one
    table_departments: int = 0

    @property
    def base(self) -> int:
        """基数 N: departments that were to answer the question (非該当 and 経路未確定 excluded)."""
        return self.states[ANSWERED] + sum(self.states[s] for s in BASE_STATES)

    @property
    def outside(self) -> int:
        return sum(self.states[s] for s in OUTSIDE_STATES)

    def share(self, count: int) -> float | None:
        return count / self.base if self.base else None

    def rate(self, item_id: str) -> float | None:
        numerator, denominator, _ = self.rate_parts.get(item_id, (0, 0, 0))
        return numerator / denominator if denominator else None

    def number_stats(self) -> dict[str, Decimal | int | None]:
        """件数・合計・平均・中央値・最小・最大 over the departments that wrote a number, in
        Decimal (a sum of amounts never drifts); the mean and an even median are exact quotients
        rounded to Decimal's 28 digits."""
        values = sorted(self.numbers)
        n = len(values)
        if not n:
            return {"count": 0, "sum": None, "mean": None, "median": None, "min": None, "max": None}
        total = sum(values, Decimal(0))
        middle = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
        return {"count": n, "sum": total, "mean": total / n, "median": middle, "min": values[0], "max": values[-1]}

    def add(self, state: str, value: Value | None) -> None:
        self.states[state] += 1
        question = self.question
        if question.type is QuestionType.MATRIX and state in (ANSWERED, BLANK, INVALID, MISSING):
            for row in question.rows:
                self.cells.setdefault(row.id, Counter())[_cell_state(state, value, row.id, question)] += 1
        if state == INVALID and value is not None and not isinstance(value, Invalid):
            self.unknown_codes += 1
        if state != ANSWERED:
            return
        if isinstance(value, Single):
            self.options[value.code] += 1
        elif isinstance(value, Multi):
            self.options.update(value.codes)
        elif isinstance(value, Number):
            self.numbers.append(value.value)
        elif isinstance(value, Date):
            self.days.append(value.day)
        elif isinstance(value, Table):
            self.table_rows += len(value.rows)
            self.table_departments += 1
        elif isinstance(value, Counts):
            for item in question.items:
                number = value.values.get(item.id)
                if isinstance(number, int):
                    self.sums[item.id] += number
                    self.filled[item.id] += 1
                    if item.at_most:
                        ceiling = value.values.get(item.at_most)
                        if isinstance(ceiling, int):
                            parts = self.rate_parts.setdefault(item.id, [0, 0, 0])
                            parts[0] += number
                            parts[1] += ceiling
                            parts[2] += 1


WHOLE_RULE_SINGLE = (
    "整数の割合は最大剰余法: 各行を小数点以下切り捨て、合計が100％に足りない分を端数の大きい行から"
    "1％ずつ加えたもの（端数が同じなら所属数の多い行、次に上の行から）。合計は必ず100％です。"
)
WHOLE_RULE_MULTI = "整数の割合は各行ごとに四捨五入したもの（複数回答のため合計は100％になりません）。"


def whole_percents(counts: Sequence[int], base: int, *, exclusive: bool) -> list[int | None]:
    """Whole percentages of ``base`` as the report prints them.

    ``exclusive`` (every department in exactly one row, the rows summing to ``base``): largest
    remainder, so the column adds to 100 (Q18's 13/2/8 of 23 → 56/9/35). Otherwise (multiple
    choice) each row is rounded half up on its own. Integer arithmetic: no float ties.
    """
    if not base:
        return [None] * len(counts)
    if not exclusive or sum(counts) != base:
        return [(200 * c + base) // (2 * base) for c in counts]
    floors = [100 * c // base for c in counts]
    remainders = [100 * c % base for c in counts]
    short = 100 - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], -counts[i], i))
    for i in order[:short]:
        floors[i] += 1
    return floors


def _cell_state(state: str, value: Value | None, row_id: str, question: Question) -> int | str:
    """One matrix row of one department: its code, or 無回答 / 無効 / 未入力."""
    if state in (BLANK, MISSING):
        return state
    if not isinstance(value, Grid):
        return INVALID
    cell = value.cells.get(row_id)
    if cell is None:
        return MISSING
    if isinstance(cell, Blank):
        return BLANK
    if isinstance(cell, Invalid) or cell not in question.codes:
        return INVALID
    return cell


def tally_question(question: Question, records: Iterable[DepartmentRecord]) -> QuestionTally:
    result = QuestionTally(question)
    for record in records:
        value = record.answers.get(question.id)
        result.add(classify(question, record.route, value), value)
    return result


def tally(questionnaire: Questionnaire, records: Sequence[DepartmentRecord]) -> list[QuestionTally]:
    """Every question's tally over the included departments, in form order."""
    included = [r for r in records if r.included]
    return [tally_question(q, included) for q in questionnaire.questions]


def common_questions(questionnaire: Questionnaire, router: Router | None = None) -> tuple[Question, ...]:
    """Questions every department answers whatever its route: on the route of an empty form
    (the routing engine keeps a question "on" only when every branch reaches it)."""
    route = (router or Router(questionnaire)).route({})
    return tuple(q for q in questionnaire.questions if route.status(q.id) == "on")


def skipped_by(questionnaire: Questionnaire, question_id: str) -> list:
    """The skips ("※ …に進んでください") that pass over a question: when one is taken, it is 非該当."""
    position = questionnaire.position(question_id)
    return [
        skip
        for skip in questionnaire.skips
        if questionnaire.position(skip.at) < position < questionnaire.position(skip.to)
    ]


def text_entries(question: Question, value: Value | None) -> list[tuple[int | None, str, bool]]:
    """The free texts in one answer: (option code or None for a text question, text, chosen)."""
    if isinstance(value, Text):
        return [(None, value.text, True)] if value.text else []
    if isinstance(value, (Single, Multi)):
        if not value.texts:
            return []
        chosen = {value.code} if isinstance(value, Single) else value.codes
        order = {b.option: i for i, b in enumerate(question.text_boxes)}
        return [
            (code, text, code in chosen)
            for code, text in sorted(value.texts.items(), key=lambda kv: order.get(kv[0], len(order)))
            if text
        ]
    return []


# -- one computation for every reader ---------------------------------------------------------
#
# The workbook's sheets, the tally screen and the report draft all read their numbers from a
# Tallies: each included department's answer to each question is classified once, and the whole
# percents of a table are computed once, in form order, whatever order a reader shows them in.

# Which departments are counted, by status: the export's default counts everything entered so
# far; the tally screen starts from 入力済 and later and can switch to either of the others.
SCOPES = {
    "all": ("in_progress", "entered", "reviewed", "final"),
    "entered": ("entered", "reviewed", "final"),
    "confirmed": ("reviewed", "final"),
}


def in_scope(records: Iterable[DepartmentRecord], scope: str) -> list[DepartmentRecord]:
    """The records with ``included`` set by ``scope`` (a key of SCOPES)."""
    statuses = SCOPES[scope]
    return [
        r if r.included == (r.status in statuses) else replace(r, included=r.status in statuses)
        for r in records
    ]


@dataclass(frozen=True)
class Share:
    """One row of a question's table: an option (``code``) or an empty state (``state``)."""

    label: str
    short: str
    count: int
    whole: int | None  # the whole percent the workbook prints
    share: float | None  # the exact share of the base
    code: int | None = None
    state: str | None = None


def _shares(
    question: Question, counts: Mapping, states: Mapping, base: int, exclusive: bool, shown: Sequence[str] | None = None
) -> list[Share]:
    """Options in form order, then the empty states ``shown`` (default: those that occur),
    with their whole percents."""
    if shown is None:
        shown = [s for s in BASE_STATES if states.get(s)]
    keys: list = list(question.options) + list(shown)
    values = [states.get(k, 0) if isinstance(k, str) else counts.get(k.code, 0) for k in keys]
    wholes = whole_percents(values, base, exclusive=exclusive)
    return [
        Share(STATE_LABELS[k], STATE_LABELS[k], n, w, n / base if base else None, state=k)
        if isinstance(k, str)
        else Share(k.label, k.short_label, n, w, n / base if base else None, code=k.code)
        for k, n, w in zip(keys, values, wholes)
    ]


def choice_shares(t: QuestionTally) -> list[Share]:
    """A single or multiple choice: every option, then 無回答 / 無効 / 未入力 where they occur.
    Single choice: largest remainder over the whole column (it adds to 100); multiple: each row."""
    return _shares(t.question, t.options, t.states, t.base, t.question.type is not QuestionType.MULTI)


def matrix_shares(t: QuestionTally) -> dict[str, list[Share]]:
    """A matrix: for each row (medium), the options, then the empty states occurring in any row."""
    question = t.question
    cells = {row.id: t.cells.get(row.id, Counter()) for row in question.rows}
    shown = [s for s in BASE_STATES if any(c.get(s) for c in cells.values())]
    return {row.id: _shares(question, cells[row.id], cells[row.id], t.base, True, shown) for row in question.rows}


def answered_shares(t: QuestionTally) -> list[Share]:
    """A text or counts question: 記入あり, then the empty states that occur (adds to 100)."""
    keys = [ANSWERED] + [s for s in BASE_STATES if t.states[s]]
    values = [t.states[k] for k in keys]
    wholes = whole_percents(values, t.base, exclusive=True)
    return [
        Share("記入あり" if k == ANSWERED else STATE_LABELS[k], "記入あり" if k == ANSWERED else STATE_LABELS[k],
              n, w, n / t.base if t.base else None, state=k)
        for k, n, w in zip(keys, values, wholes)
    ]


def by_frequency(shares: Sequence[Share]) -> list[Share]:
    """Options most chosen first (ties keep form order), the empty states after them."""
    options = [s for s in shares if s.code is not None]
    return sorted(options, key=lambda s: -s.count) + [s for s in shares if s.code is None]


class TextEntry(NamedTuple):  # a NamedTuple: made once per text, tens of thousands at a time
    record: DepartmentRecord
    code: int | None  # the option whose box holds it; None for a text question
    text: str
    chosen: bool


# The kinds ``over`` counts a column at a time; every other kind goes through ``add`` (a matrix's
# rows, counts' items, a number's values, a date's days).
_COUNTED_BY_COLUMN = frozenset({QuestionType.SINGLE, QuestionType.MULTI, QuestionType.TEXT})


class Tallies:
    """Every question's tally over the included departments, each answer classified once.

    ``question(q)`` is the tally over all of them; ``over(q, indices)`` over some (a 部局), from
    the same classification; ``texts(q)`` the free texts of the answered forms, in roster order.
    """

    def __init__(self, questionnaire: Questionnaire, records: Sequence[DepartmentRecord]) -> None:
        self.questionnaire = questionnaire
        self.records = [r for r in records if r.included]
        self._states: dict[str, list[str]] = {}
        self._tallies: dict[str, QuestionTally] = {}
        self._texts: dict[str, list[TextEntry]] = {}

    def states(self, question: Question) -> list[str]:
        """Each included department's state for ``question``, aligned with ``records``."""
        states = self._states.get(question.id)
        if states is None:
            qid, codes = question.id, frozenset(question.codes)
            on_route: dict[int, str] = {}  # the question's status by route: departments share routes
            states = self._states[question.id] = []
            for record in self.records:
                route = record.route
                status = on_route.get(id(route))
                if status is None:
                    status = on_route[id(route)] = route.status(qid)
                value = record.answers.get(qid)
                # the common case first: a choice on the route whose code is an option
                if status == "on" and type(value) is Single and value.code in codes:
                    states.append(ANSWERED)
                else:
                    states.append(_classify(question, status, value, codes))
        return states

    def question(self, question: Question) -> QuestionTally:
        found = self._tallies.get(question.id)
        if found is None:
            found = self._tallies[question.id] = self.over(question, range(len(self.records)))
        return found

    def over(self, question: Question, indices: Iterable[int]) -> QuestionTally:
        result, states, records, qid = QuestionTally(question), self.states(question), self.records, question.id
        if question.type not in _COUNTED_BY_COLUMN:
            for i in indices:
                result.add(states[i], records[i].answers.get(qid))
            return result
        # A choice or a text: what ``add`` does, counted a column at a time (Counter counts in C).
        indices = list(indices)
        chosen = [states[i] for i in indices]
        result.states.update(chosen)
        answered = [records[i].answers[qid] for i, state in zip(indices, chosen) if state == ANSWERED]
        # by the value's kind, as ``add`` does (a value of the other kind is counted, not dropped)
        result.options.update(value.code for value in answered if isinstance(value, Single))
        result.options.update(chain.from_iterable(value.codes for value in answered if isinstance(value, Multi)))
        if result.states[INVALID]:
            result.unknown_codes = sum(
                1 for i, state in zip(indices, chosen)
                if state == INVALID and not isinstance(records[i].answers.get(qid, Invalid()), Invalid)
            )
        return result

    def all(self) -> list[QuestionTally]:
        return [self.question(q) for q in self.questionnaire.questions]

    def texts(self, question: Question) -> list[TextEntry]:
        found = self._texts.get(question.id)
        if found is None:
            found = []
            if question.type is QuestionType.TEXT or question.text_boxes:
                qid = question.id
                for record, state in zip(self.records, self.states(question)):
                    if state == ANSWERED:
                        value = record.answers.get(qid)
                        found.extend(TextEntry(record, c, t, ch) for c, t, ch in text_entries(question, value))
            self._texts[question.id] = found
        return found


__all__ += [
    "SCOPES", "Share", "Tallies", "TextEntry", "answered_shares", "by_frequency", "choice_shares",
    "in_scope", "matrix_shares",
]
__all__ += ["text_entries", "ANSWERED", "BLANK", "INVALID", "MISSING", "OFF", "JUDGED", "UNDECIDED"]
