"""Checks on answers: hard errors (impossible, refused) apart from soft warnings (kept, flagged).

Transcription records the paper, so nearly everything is soft; only what cannot be true of any
paper form is hard: a code that is not an option, a count that is not a whole non-negative
number or exceeds its ceiling, 非該当 where the form gives no such choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from .answers import (
    Blank,
    Counts,
    Grid,
    Invalid,
    Multi,
    NotApplicable,
    Number,
    Single,
    Table,
    Text,
    Value,
    allowed_codes,
    check_bounds,
    kind_accepts,
    unfinished_parts,
)
from .conditions import Ref, evaluate
from .errors import InputError
from .numbers import grouped
from .model import Question, Questionnaire, QuestionType
from .routing import OFF, Route, Router, expected_rows, known_codes, row_route

__all__ = ["Severity", "Problem", "check_answer", "check_form"]


class Severity(str, Enum):
    ERROR = "error"  # 誤り: refused
    WARNING = "warning"  # 要確認: kept and flagged for review

    @property
    def label(self) -> str:
        return "誤り" if self is Severity.ERROR else "要確認"


@dataclass(frozen=True)
class Problem:
    question: str
    severity: Severity
    kind: str  # a stable machine name, e.g. "code-out-of-range"
    message: str  # Japanese, for the clerk and the reviewer

    def __str__(self) -> str:
        return f"{self.question} {self.severity.label}: {self.message}"


def _error(qid: str, kind: str, message: str) -> Problem:
    return Problem(qid, Severity.ERROR, kind, message)


def _warning(qid: str, kind: str, message: str) -> Problem:
    return Problem(qid, Severity.WARNING, kind, message)


def _code_problem(question: Question, code: int, where: str = "") -> Problem | None:
    if code in question.codes:
        return None
    return _error(
        question.id,
        "code-out-of-range",
        f"{where}{code} は選択肢にありません。選べる番号は {allowed_codes(question.codes)} です。",
    )


def check_answer(questionnaire: Questionnaire, question_id: str, value: Value) -> list[Problem]:
    """Hard errors of one value on its own; an empty list means it may be saved."""
    question = questionnaire.question(question_id)
    qid = question.id
    problems: list[Problem] = []
    if not kind_accepts(question, value):
        return [_error(qid, "wrong-kind", f"{question.label}は{question.type.label}の設問です。")]
    if isinstance(value, NotApplicable) and qid not in questionnaire.judgeable:
        problems.append(
            _error(qid, "not-judgeable", f"{question.label}は所属の判断で飛ばせる設問ではないため、非該当にできません。")
        )
    route_as = getattr(value, "route_as", None)
    if route_as is not None:
        if not question.chooses_route_when_blank:
            problems.append(_error(qid, "route-choice-not-allowed", f"{question.label}では経路を選べません。"))
        elif (p := _code_problem(question, route_as, "経路の ")) is not None:
            problems.append(p)
    return problems + _value_problems(question, value)


def _value_problems(question: Question, value: Value) -> list[Problem]:
    """What a value of the question's kind may not hold (a question's or a repeat field's)."""
    qid = question.id
    problems: list[Problem] = []
    if isinstance(value, Single):
        if (p := _code_problem(question, value.code)) is not None:
            problems.append(p)
    if isinstance(value, Multi):
        if not value.codes:
            problems.append(_error(qid, "empty-multi", "選ばれた番号がありません（無回答として記録してください）。"))
        problems += [p for code in sorted(value.codes) if (p := _code_problem(question, code))]
    if isinstance(value, (Single, Multi)):
        for code in sorted(value.texts):
            if question.text_box(code) is None:
                problems.append(_error(qid, "no-text-box", f"選択肢 {code} には記入欄がありません。"))
    if isinstance(value, Text) and not value.text:
        problems.append(_error(qid, "empty-text", "記入がありません（無回答として記録してください）。"))
    if isinstance(value, Grid):
        for row_id, cell in value.cells.items():
            row = question.row(row_id)
            if row is None:
                problems.append(_error(qid, "unknown-row", f"行「{row_id}」はこの設問にありません。"))
            elif isinstance(cell, int) and (p := _code_problem(question, cell, f"{row.label}: ")):
                problems.append(p)
    if isinstance(value, Counts):
        problems += _count_errors(question, value)
    if isinstance(value, Number):
        problems += _number_errors(question, value)
    if isinstance(value, Table):
        problems += _table_errors(question, value)
    return problems


def _table_errors(question: Question, value: Table) -> list[Problem]:
    """Each row's cells checked as a question of the field's type is, and ``at_most`` within
    the row; every message names the row and the field (「行2 金額: …」)."""
    problems: list[Problem] = []
    for n, row in enumerate(value.rows, start=1):
        for field_id, cell in row.items():
            field = question.field(field_id)
            if field is None:
                problems.append(_error(question.id, "unknown-field", f"行{n}: 列「{field_id}」はこの表にありません。"))
                continue
            where = f"行{n} {field.text}: "
            if not kind_accepts(field, cell) or isinstance(cell, NotApplicable):
                problems.append(_error(question.id, "wrong-kind", f"{where}{field.type.label}の欄です。"))
                continue
            problems += [
                Problem(question.id, p.severity, p.kind, where + p.message) for p in _value_problems(field, cell)
            ]
        for field in question.fields:
            number, ceiling = row.get(field.id), row.get(field.at_most) if field.at_most else None
            if isinstance(number, Number) and isinstance(ceiling, Number) and number.value > ceiling.value:
                limit = question.field(field.at_most)
                problems.append(_error(
                    question.id, "over-ceiling",
                    f"行{n}: {field.text}（{grouped(number.value)}{field.unit}）が{limit.text}"
                    f"（{grouped(ceiling.value)}{limit.unit}）を超えています。",
                ))
    return problems


def _number_errors(question: Question, value: Number) -> list[Problem]:
    """The same bounds and form as keyed entry (an import or a script on the store meets them too)."""
    try:
        check_bounds(question, value.value)
        if not question.decimal and value.value != value.value.to_integral_value():
            raise InputError(f"{grouped(value.value)} は小数です。この問いは整数です。")
    except InputError as exc:
        return [_error(question.id, "out-of-range", str(exc))]
    return []


def _count_errors(question: Question, value: Counts) -> list[Problem]:
    problems = []
    qid = question.id
    for item_id, number in value.values.items():
        item = question.item(item_id)
        if item is None:
            problems.append(_error(qid, "unknown-item", f"項目「{item_id}」はこの設問にありません。"))
        elif number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < 0):
            problems.append(_error(qid, "not-whole", f"{item.label}は 0 以上の整数にしてください（{number}）。"))
    for item in question.items:
        number = value.values.get(item.id)
        ceiling = value.values.get(item.at_most) if item.at_most else None
        if isinstance(number, int) and isinstance(ceiling, int) and number > ceiling:
            limit = question.item(item.at_most)
            problems.append(
                _error(
                    qid,
                    "over-ceiling",
                    f"{item.label}（{number}{item.unit}）が{limit.label}（{ceiling}{limit.unit}）を超えています。",
                )
            )
    return problems


def check_form(
    questionnaire: Questionnaire,
    answers: Mapping[str, Value],
    route: Route | None = None,
) -> list[Problem]:
    """Every problem of one department's form: hard errors, then the soft warnings."""
    if route is None:
        route = Router(questionnaire).route(answers)
    problems: list[Problem] = []
    for qid, value in answers.items():
        problems += check_answer(questionnaire, qid, value)
    for qid in route.awaiting_choice:
        problems.append(
            _warning(qid, "route-undecided", f"{questionnaire.question(qid).label}が{_empty(answers[qid]) if qid in answers else '無回答'}のため経路が決まりません。経路を選んでください。")
        )
    for qid in questionnaire.ids:
        question = questionnaire.question(qid)
        value = answers.get(qid)
        if qid not in route:
            if value is not None:
                problems.append(_warning(qid, "off-route", "経路外の設問に回答が記録されています（集計には含めません）。"))
            continue
        if value is None:
            problems.append(_warning(qid, "not-entered", "まだ入力されていません。"))
            continue
        if missing := unfinished_parts(question, value):
            labels = [p if question.type is QuestionType.REPEAT else (question.row(p) or question.item(p)).label for p in missing]
            problems.append(_warning(qid, "unfinished", f"{'、'.join(labels)} がまだ入力されていません（入力中）。"))
        problems += _soft(question, value)
        if isinstance(value, Table):
            problems += _table_soft(question, value, answers)
    problems += _check_rules(questionnaire, answers, route)
    return problems


def _soft(question: Question, value: Value) -> list[Problem]:
    qid = question.id
    problems = []
    if isinstance(value, (Blank, Invalid)) and value.route_as is not None:
        option = question.option(value.route_as)
        label = f"{value.route_as} {option.label}" if option else str(value.route_as)
        problems.append(_warning(qid, "route-assumed", f"{question.label}は{_empty(value)}のため、経路を「{label}」と仮定しています。"))
    if isinstance(value, Blank) and question.required:
        problems.append(_warning(qid, "blank", "無回答です。用紙を確かめてください。"))
    if isinstance(value, Invalid):
        shown = f"（{value.raw}）" if value.raw else ""
        problems.append(_warning(qid, "invalid", f"無効な回答{shown}として記録されています。"))
    if isinstance(value, (Single, Multi)):
        chosen = {value.code} if isinstance(value, Single) else value.codes
        for code, text in sorted(value.texts.items()):
            if text and code not in chosen:
                problems.append(
                    _warning(qid, "text-unchosen", f"選択肢 {code} が選ばれていないのに、その記入欄に記入があります。")
                )
    if isinstance(value, Grid) and question.required:
        # Rows not keyed yet are "unfinished", not blank on paper.
        empty = [r.label for r in question.rows if r.id in value.cells and not isinstance(value.cells[r.id], int)]
        if empty:
            problems.append(_warning(qid, "blank-row", f"{'、'.join(empty)} の行が無回答または無効です。"))
    if isinstance(value, Counts):
        for item in question.items:
            if (
                item.at_most
                and item.at_most in value.values
                and value.values[item.at_most] is None
                and value.values.get(item.id) is not None
            ):
                limit = question.item(item.at_most)
                problems.append(_warning(qid, "ceiling-blank", f"{item.label}に記入がありますが、{limit.label}が無回答です。"))
                break
    return problems


def _table_soft(question: Question, value: Table, answers: Mapping[str, Value]) -> list[Problem]:
    """A table's rows against ``repeat_count``, required fields blank, fields a row does not ask."""
    qid = question.id
    problems = []
    expected = expected_rows(question, answers)
    if expected is not None and expected != len(value.rows):
        source = f"{question.repeat_count} 行" if isinstance(question.repeat_count, int) else (
            f"{question.repeat_count} の {expected}"
        )
        problems.append(_warning(qid, "row-count", f"行数（{len(value.rows)} 行）が{source}と合いません。"))
    for n, row in enumerate(value.rows, start=1):
        route = row_route(question, row)
        for field in question.fields:
            cell = row.get(field.id)
            if cell is not None and route[field.id] == OFF:
                problems.append(_warning(qid, "off-route", f"行{n}: {field.text} はこの行では非該当ですが、記入があります。"))
            elif isinstance(cell, Blank) and field.required:
                problems.append(_warning(qid, "blank", f"行{n}: {field.text} が無回答です。"))
            elif isinstance(cell, Invalid):
                problems.append(_warning(qid, "invalid", f"行{n}: {field.text} が無効（{cell.raw}）です。"))
    return problems


def _empty(value: Value) -> str:
    return "無効" if isinstance(value, Invalid) else "無回答"


def _check_rules(questionnaire: Questionnaire, answers: Mapping[str, Value], route: Route) -> list[Problem]:
    def lookup(ref: Ref) -> frozenset[int] | None:
        if ref.question not in route:
            return frozenset()
        return known_codes(ref, answers)

    return [
        _warning(check.at, "check", check.message)
        for check in questionnaire.checks
        if check.at in route and evaluate(check.when, lookup) is True
    ]
