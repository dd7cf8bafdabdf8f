"""Adjudication as data: a resolution per difference, applied to give the department's answers.

A resolution takes the first keying's cell, the second's, or a third value; a third value that
is neither needs a reason (it is recorded with the adjudicator's name by the store). Applying
rebuilds each question's value from its resolved cells and reads the result through the route:
settling a routing answer can make differences downstream moot (off the final route) or leave
questions on the final route with nothing keyed in either keying (``missing``: they need a third
value). Nothing here is stateful: apply the full list of resolutions again after each change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
import datetime
from decimal import Decimal

from ..answers import Blank, Counts, Date, Grid, Invalid, Multi, NotApplicable, Number, Single, Table, Text, Value, check_bounds
from ..errors import InputError
from ..model import Question, QuestionType
from ..routing import Route
from ..validation import check_answer
from .cells import (
    ANSWER, BLANK, BOX, CODE, DATE, INVALID, ITEM, NO_ROW, NO_TEXT, NOT_APPLICABLE, NOT_ENTERED, NUMBER, OFF_ROUTE, ROW,
    ROW_VALUE, TABLE_ROW, TEXT, TICK, Cell, Variable, VerificationError, row_of,
)
from .compare import Comparer, Comparison, Difference

__all__ = [
    "FIRST", "SECOND", "OTHER", "Resolution", "Issue", "Adjudication",
    "take_first", "take_second", "third_value", "check_resolution", "adjudicate", "build_value", "cell_problem",
]

FIRST, SECOND, OTHER = "first", "second", "other"
_NOTHING = (OFF_ROUTE, NOT_ENTERED)  # nothing was keyed


@dataclass(frozen=True)
class Resolution:
    variable: str
    choice: str  # FIRST, SECOND or OTHER
    value: Cell | None = None  # OTHER only
    reason: str = ""


def take_first(variable: str) -> Resolution:
    return Resolution(variable, FIRST)


def take_second(variable: str) -> Resolution:
    return Resolution(variable, SECOND)


def third_value(variable: str, value: Cell, reason: str = "") -> Resolution:
    return Resolution(variable, OTHER, value, reason)


@dataclass(frozen=True)
class Issue:
    question: str
    message: str  # Japanese

    def __str__(self) -> str:
        return f"{self.question}: {self.message}"


@dataclass(frozen=True)
class Adjudication:
    answers: dict[str, Value]  # the department's answers: on the final route, valid
    route: Route
    unresolved: tuple[Difference, ...]  # on the final route, no resolution yet
    moot: tuple[Difference, ...]  # off the final route: they no longer matter
    problems: tuple[Issue, ...] = ()  # resolved cells that do not make a valid answer
    missing: tuple[str, ...] = ()  # on the final route, nothing keyed in either keying
    resolutions: tuple[Resolution, ...] = field(default=())

    @property
    def settled(self) -> bool:
        """Whether the answers may replace the department's: nothing open, nothing invalid."""
        return not (self.unresolved or self.problems or self.missing)


def cell_problem(question: Question, variable: Variable, cell: Cell, judgeable: bool) -> str | None:
    """Why ``cell`` cannot be a third value of ``variable``; None when it can."""
    name = variable.name
    if not isinstance(cell, Cell):
        return f"{name}: 値の形式が不明です。"
    if cell.state in _NOTHING:
        return f"{name}: 「未入力」や「経路外」は第三の値にできません（経路外は経路が決めます）。"
    if variable.kind == TABLE_ROW:
        return f"{name}: 表の行は 1 回目か 2 回目のどちらかを選んでください（第三の値は入力画面で直してください）。"
    if cell.state in (ROW_VALUE, NO_ROW):
        return f"{name}: 表の行の値は表の行にだけ指定できます。"
    if variable.kind == BOX:
        if cell.state == NO_TEXT or (cell.state == ANSWER and isinstance(cell.value, str) and cell.value.strip()):
            return None
        return f"{name}: 記入欄には文字か「記入なし」を指定してください。"
    if cell.state == NO_TEXT:
        return f"{name}: 「記入なし」は記入欄にだけ指定できます。"
    if cell.route_as is not None:
        if not (variable.kind == CODE and question.chooses_route_when_blank and cell.state in (BLANK, INVALID)):
            return f"{name}: ここでは経路を選べません。"
        if cell.route_as not in question.codes:
            return f"{name}: 経路の番号 {cell.route_as} は選択肢にありません。"
    if cell.state == NOT_APPLICABLE and not judgeable:
        return f"{name}: {question.label}は所属の判断で飛ばせる設問ではないため、非該当にできません。"
    if cell.state != ANSWER:
        return None
    value = cell.value
    number = isinstance(value, int) and not isinstance(value, bool)
    if variable.kind in (CODE, ROW) and not (number and value in question.codes):
        return f"{name}: {value} は選択肢にありません。"
    if variable.kind == TICK and not (number and value in (0, 1)):
        return f"{name}: 1（選択）か 0（非選択）を指定してください。"
    if variable.kind == TEXT and not (isinstance(value, str) and value.strip()):
        return f"{name}: 記入がありません（空欄なら「無回答」を指定してください）。"
    if variable.kind == ITEM and not (number and value >= 0):
        return f"{name}: 0 以上の整数を指定してください。"
    if variable.kind == DATE:
        try:
            datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            return f"{name}: 日付を指定してください。"
    if variable.kind == NUMBER:
        try:
            amount = Decimal(value) if isinstance(value, str) else None
        except ArithmeticError:
            amount = None
        if amount is None or not amount.is_finite():
            return f"{name}: 数値を指定してください。"
        problems = check_answer_number(question, amount)
        if problems:
            return f"{name}: {problems}"
    return None


def check_answer_number(question: Question, value: Decimal) -> str:
    """The bounds and kind of a number question, as entry checks them ('' when it may be taken)."""
    try:
        check_bounds(question, value)
    except InputError as exc:
        return str(exc)
    if not question.decimal and value != value.to_integral_value():
        return "この問いは整数です。"
    return ""


def check_resolution(comparer: Comparer, comparison: Comparison, resolution: Resolution) -> str | None:
    """Why a resolution cannot be taken (Japanese), or None."""
    name = resolution.variable
    index = comparer.index.get(name)
    if index is None:
        return f"変数「{name}」はこの調書にありません。"
    first, second = comparison.first_cells[index], comparison.second_cells[index]
    differs = first != second
    if resolution.choice in (FIRST, SECOND):
        return None if differs else f"{name}: 二つの入力は一致しています（解決は不要です）。"
    if resolution.choice != OTHER:
        return f"{name}: 解決の種類「{resolution.choice}」が不明です。"
    if not differs and first.state not in _NOTHING:
        return f"{name}: 二つの入力は一致しています（第三の値は不要です）。"
    if resolution.value is None:
        return f"{name}: 第三の値がありません。"
    variable = comparer.variables[index]
    question = comparer.questionnaire.question(variable.question)
    problem = cell_problem(question, variable, resolution.value, variable.question in comparer.questionnaire.judgeable)
    if problem:
        return problem
    if resolution.value not in (first, second) and not resolution.reason.strip():
        return f"{name}: どちらの入力とも異なる値にするには理由が必要です。"
    return None


def build_value(question: Question, variables_: tuple[Variable, ...], cells: tuple[Cell, ...]) -> Value | None:
    """One question's value from its cells (None: nothing keyed); refuses a mixture in Japanese."""
    mains = [c for v, c in zip(variables_, cells) if v.main]
    texts = {v.key: c.value for v, c in zip(variables_, cells) if v.kind == BOX and c.state == ANSWER}
    label = question.label
    if question.type is QuestionType.REPEAT:
        return _table_value(question, variables_, mains)
    if all(c.state in _NOTHING for c in mains):
        if texts:
            raise VerificationError(f"{label}: 記入欄に記入がありますが、回答がありません。")
        return None
    head = mains[0]
    if head.state in (BLANK, INVALID, NOT_APPLICABLE) and all(c == head for c in mains):
        if texts:
            raise VerificationError(f"{label}: {head.describe()}の設問の記入欄に記入があります。")
        if head.state == NOT_APPLICABLE:
            return NotApplicable()
        if head.state == BLANK:
            return Blank(route_as=head.route_as)
        return Invalid(raw=head.value or "", route_as=head.route_as)

    def mixed(variable: Variable, cell: Cell) -> VerificationError:
        return VerificationError(f"{label}: {variable.label or variable.name} が{cell.describe()}で、他の回答と合いません。")

    pairs = [(v, c) for v, c in zip(variables_, cells) if v.main]
    if question.type is QuestionType.MATRIX:
        grid: dict[str, int | Blank | Invalid] = {}
        for v, c in pairs:
            if c.state == NOT_ENTERED:
                continue  # a row not entered, as an imported partial matrix has
            if c.state == OFF_ROUTE:
                # The other rows hold answers: "off the route" was that keying's route, not a
                # value, and would silently become a row not entered. A third value decides it.
                raise mixed(v, c)
            if c.route_as is not None or c.state not in (ANSWER, BLANK, INVALID):
                raise mixed(v, c)
            grid[v.key] = c.value if c.state == ANSWER else Blank() if c.state == BLANK else Invalid(c.value or "")
        return Grid(grid)
    if question.type in (QuestionType.NUMBER, QuestionType.DATE):
        if head.state != ANSWER:
            raise mixed(pairs[0][0], head)
        if question.type is QuestionType.DATE:
            return Date(datetime.date.fromisoformat(head.value))
        return Number(Decimal(head.value))
    if question.type is QuestionType.COUNTS:
        values: dict[str, int | None] = {}
        for v, c in pairs:
            if c.state not in (ANSWER, BLANK) or c.route_as is not None:
                raise mixed(v, c)
            values[v.key] = c.value if c.state == ANSWER else None
        return Counts(values)
    for v, c in pairs:
        if c.state != ANSWER:
            raise mixed(v, c)
    if question.type is QuestionType.SINGLE:
        return Single(head.value, texts)
    if question.type is QuestionType.TEXT:
        return Text(head.value)
    codes = frozenset(v.key for v, c in pairs if c.value == 1)
    if not codes:
        raise VerificationError(f"{label}: 選ばれた選択肢がありません（用紙が空欄なら「無回答」にしてください）。")
    return Multi(codes, texts)


def _table_value(question: Question, variables_: tuple[Variable, ...], mains: list[Cell]) -> Value | None:
    """A repeat from its row cells, in order: row 1 may hold the whole question's state (未入力,
    無回答…), then no row follows; a row missing in the chosen keying (「（行なし）」) is left out."""
    head = mains[0]
    if head.state in _NOTHING + (BLANK, INVALID, NOT_APPLICABLE):
        stray = next((v for v, c in zip(variables_[1:], mains[1:]) if c.state != NO_ROW), None)
        if stray is not None:
            raise VerificationError(f"{question.label}: 行1 が{head.describe()}ですが、{stray.label} に行があります。")
        if head.state in _NOTHING:
            return None
        if head.state == NOT_APPLICABLE:
            return NotApplicable()
        return Blank() if head.state == BLANK else Invalid(raw=head.value or "")
    rows = []
    for v, c in zip(variables_, mains):
        if c.state == ROW_VALUE:
            rows.append(row_of(c))
        elif c.state != NO_ROW:
            raise VerificationError(f"{question.label}: {v.label} が{c.describe()}で、他の行と合いません。")
    return Table(tuple(rows))


def adjudicate(comparer: Comparer, comparison: Comparison, resolutions: Iterable[Resolution]) -> Adjudication:
    """Apply every resolution; raises VerificationError listing each one that cannot be taken."""
    refused: list[str] = []
    chosen: dict[str, Resolution] = {}
    for resolution in resolutions:
        problem = check_resolution(comparer, comparison, resolution)
        if problem is None and resolution.variable in chosen:
            problem = f"{resolution.variable}: 解決が二つあります。"
        if problem:
            refused.append(problem)
        else:
            chosen[resolution.variable] = resolution
    if refused:
        raise VerificationError("\n".join(refused))

    first, second = comparison.first_cells, comparison.second_cells
    cells = list(first)
    open_: set[int] = set()
    for i, variable in enumerate(comparer.variables):
        resolution = chosen.get(variable.name)
        if resolution is None:
            if first[i] != second[i]:
                open_.add(i)
            continue
        cells[i] = first[i] if resolution.choice == FIRST else second[i] if resolution.choice == SECOND else resolution.value

    questionnaire = comparer.questionnaire
    built: dict[str, Value] = {}
    undecided: set[str] = set()
    problems: list[Issue] = []
    for question in questionnaire.questions:
        start, end = comparer.by_question[question.id]
        if any(i in open_ for i in range(start, end)):
            undecided.add(question.id)  # routes as not entered until settled
            continue
        try:
            value = build_value(question, comparer.variables[start:end], tuple(cells[start:end]))
        except VerificationError as exc:
            problems.append(Issue(question.id, str(exc)))
            undecided.add(question.id)
            continue
        if value is not None:
            built[question.id] = value

    route = comparer.router.route(built)
    answers: dict[str, Value] = {}
    for qid, value in built.items():
        if qid not in route:
            continue  # off the final route: dropped, as the export drops it
        errors = check_answer(questionnaire, qid, value)  # e.g. 非該当 where the form allows none
        if errors:
            problems += [Issue(qid, p.message) for p in errors]
        else:
            answers[qid] = value
    on_route = [d for d in comparison.differences if d.question in route]
    position = questionnaire.position
    return Adjudication(
        answers=answers,
        route=route,
        unresolved=tuple(d for d in on_route if comparer.index[d.name] in open_),
        moot=tuple(d for d in comparison.differences if d.question not in route),
        problems=tuple(sorted((p for p in problems if p.question in route), key=lambda p: position(p.question))),
        missing=tuple(q for q in route.order if q not in built and q not in undecided),
        resolutions=tuple(chosen.values()),
    )
