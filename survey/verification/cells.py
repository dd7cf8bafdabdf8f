"""Variables and cells: what two keyings are compared by.

The variables are the 回答一覧 columns (``Q1``, ``Q2_line``, ``Q3_1``, ``Q3_5_text``,
``Q23_respondents`` …), derived here from the definition alone, the same way
``exports.layout.variables`` derives them (a test holds the two equal; exports/ is an adapter
and survey/ may not import it).

A cell is one variable's content in one keying, with its state spelled out, so that none of
the empty states is mistaken for another: 無回答 (``BLANK``), 無効 (``INVALID``, with what the
paper showed), 非該当 recorded by the clerk (``NOT_APPLICABLE``), 非該当 because the keying's
own route passes the question (``OFF_ROUTE``: nothing was keyed), 未入力 (``NOT_ENTERED``).
A text box without text is ``NO_TEXT``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..answers import Blank, Counts, Grid, Invalid, Multi, NotApplicable, Single, Text, Value
from ..errors import InputError
from ..model import Question, Questionnaire, QuestionType

__all__ = [
    "ANSWER", "BLANK", "INVALID", "NOT_APPLICABLE", "OFF_ROUTE", "NOT_ENTERED", "NO_TEXT",
    "CODE", "TICK", "TEXT", "BOX", "ROW", "ITEM",
    "Cell", "Variable", "VerificationError", "question_variables", "variables", "value_cells",
]


class VerificationError(InputError):
    """Data the comparison or adjudication cannot take; the message is Japanese."""


ANSWER, BLANK, INVALID = "answer", "blank", "invalid"
NOT_APPLICABLE, OFF_ROUTE, NOT_ENTERED, NO_TEXT = "not_applicable", "off_route", "not_entered", "no_text"

_STATE_WORDS = {
    BLANK: "無回答",
    INVALID: "無効",
    NOT_APPLICABLE: "非該当（所属の判断）",
    OFF_ROUTE: "非該当（経路外）",
    NOT_ENTERED: "未入力",
    NO_TEXT: "（記入なし）",
}

CODE, TICK, TEXT, BOX, ROW, ITEM = "code", "tick", "text", "box", "row", "item"


@dataclass(frozen=True, slots=True)
class Cell:
    """One variable in one keying. ``value``: the code, tick (1 / 0), text or count of an
    ``ANSWER``; what the paper showed for ``INVALID``. ``route_as``: the route the clerk chose
    for a blank routing question (part of the record: it decides the route)."""

    state: str
    value: int | str | None = None
    route_as: int | None = None

    def describe(self) -> str:
        if self.state == ANSWER:
            return str(self.value)
        word = _STATE_WORDS[self.state]
        if self.state == INVALID and self.value:
            word += f"（{self.value}）"
        if self.route_as is not None:
            word += f"［経路は {self.route_as} と仮定］"
        return word


BLANK_CELL, OFF_ROUTE_CELL, NOT_ENTERED_CELL = Cell(BLANK), Cell(OFF_ROUTE), Cell(NOT_ENTERED)
NA_CELL, NO_TEXT_CELL = Cell(NOT_APPLICABLE), Cell(NO_TEXT)
# Codes, ticks and small counts share one cell each: comparing 10,000 forms then allocates
# little, which keeps the time per form flat as the batch grows (fewer objects for the GC).
_NUMBER_CELLS = tuple(Cell(ANSWER, n) for n in range(1000))


def _answer(value: int | str) -> Cell:
    if isinstance(value, int) and 0 <= value < 1000 and not isinstance(value, bool):
        return _NUMBER_CELLS[value]
    return Cell(ANSWER, value)


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    question: str
    kind: str
    key: int | str | None = None  # option code (tick, box), row id (row) or item id (item)
    label: str = ""

    @property
    def main(self) -> bool:
        """Whether the variable carries the question's answer (not an option's text box)."""
        return self.kind != BOX


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def question_variables(question: Question) -> tuple[Variable, ...]:
    q, label = question, question.label
    out: list[Variable] = []
    if q.type is QuestionType.SINGLE:
        out.append(Variable(q.id, q.id, CODE, None, label))
    elif q.type is QuestionType.MULTI:
        out += [Variable(q.option_variable(o.code), q.id, TICK, o.code, _short(f"{label} {o.code} {o.label}")) for o in q.options]
    elif q.type is QuestionType.TEXT:
        out.append(Variable(q.id, q.id, TEXT, None, label))
    elif q.type is QuestionType.MATRIX:
        out += [Variable(q.row_variable(r), q.id, ROW, r.id, _short(f"{label} {r.label}")) for r in q.rows]
    elif q.type is QuestionType.COUNTS:
        out += [Variable(q.item_variable(i), q.id, ITEM, i.id, _short(f"{label} {i.label}")) for i in q.items]
    out += [
        Variable(q.box_variable(b.option), q.id, BOX, b.option, _short(f"{label} {b.option}［{b.prompt}］"))
        for b in q.text_boxes
    ]
    return tuple(out)


def variables(questionnaire: Questionnaire) -> tuple[Variable, ...]:
    """Every variable in form order; names must be unique (the loader's ids make them so)."""
    out = tuple(v for q in questionnaire.questions for v in question_variables(q))
    names = [v.name for v in out]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise VerificationError("変数名が重複します（" + "、".join(clashes) + "）。調書定義の id を見直してください。")
    return out


def _state_cell(value: Blank | Invalid) -> Cell:
    if isinstance(value, Blank):
        return BLANK_CELL if value.route_as is None else Cell(BLANK, None, value.route_as)
    return Cell(INVALID, value.raw, value.route_as)


def _grid_cell(cell: object) -> Cell:
    if cell is None:
        return NOT_ENTERED_CELL
    if isinstance(cell, int):
        return _answer(cell)
    return _state_cell(cell)  # a row left blank or unusable on paper


def value_cells(question: Question, variables_: tuple[Variable, ...], value: Value | None, on_route: bool) -> tuple[Cell, ...]:
    """The cells of one question's answer in one keying, aligned with ``variables_``."""
    if not on_route:
        return tuple(OFF_ROUTE_CELL if v.main else NO_TEXT_CELL for v in variables_)
    if value is None:
        return tuple(NOT_ENTERED_CELL if v.main else NO_TEXT_CELL for v in variables_)
    if isinstance(value, NotApplicable):
        return tuple(NA_CELL if v.main else NO_TEXT_CELL for v in variables_)
    if isinstance(value, (Blank, Invalid)):
        state = _state_cell(value)
        return tuple(state if v.main else NO_TEXT_CELL for v in variables_)
    expected = {
        QuestionType.SINGLE: Single, QuestionType.MULTI: Multi, QuestionType.TEXT: Text,
        QuestionType.MATRIX: Grid, QuestionType.COUNTS: Counts,
    }[question.type]
    if not isinstance(value, expected):
        raise VerificationError(f"{question.label}は{question.type.label}の設問ですが、別の形の回答が記録されています。")
    out = []
    for v in variables_:
        if v.kind == BOX:
            text = value.texts.get(v.key)
            out.append(_answer(text) if text else NO_TEXT_CELL)
        elif v.kind == CODE:
            out.append(_answer(value.code))
        elif v.kind == TICK:
            out.append(_NUMBER_CELLS[1] if v.key in value.codes else _NUMBER_CELLS[0])
        elif v.kind == TEXT:
            out.append(_answer(value.text) if value.text else BLANK_CELL)
        elif v.kind == ROW:
            out.append(_grid_cell(value.cells.get(v.key)))
        else:  # ITEM: a number, or the item left blank (the entry screen's 無回答 per item)
            number = value.values.get(v.key)
            out.append(BLANK_CELL if number is None else _answer(number))
    return tuple(out)
