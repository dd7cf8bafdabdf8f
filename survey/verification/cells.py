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

from ..answers import Blank, Counts, Date, Grid, Invalid, Multi, NotApplicable, Number, Single, Table, Text, Value
from ..errors import InputError
from ..model import MAX_ROWS, Question, Questionnaire, QuestionType

__all__ = [
    "ANSWER", "BLANK", "INVALID", "NOT_APPLICABLE", "OFF_ROUTE", "NOT_ENTERED", "NO_TEXT",
    "CODE", "TICK", "TEXT", "BOX", "ROW", "ITEM", "NUMBER", "DATE", "TABLE_ROW", "ROW_VALUE", "NO_ROW",
    "Cell", "Variable", "VerificationError", "number_cell", "question_variables", "variables", "value_cells",
]


class VerificationError(InputError):
    """Data the comparison or adjudication cannot take; the message is Japanese."""


ANSWER, BLANK, INVALID = "answer", "blank", "invalid"
NOT_APPLICABLE, OFF_ROUTE, NOT_ENTERED, NO_TEXT = "not_applicable", "off_route", "not_entered", "no_text"
# A repeat's rows are compared by position: row n of each keying is one cell, holding the whole
# row (``ROW_VALUE``: its canonical JSON) or, where that keying has fewer rows, ``NO_ROW``.
ROW_VALUE, NO_ROW = "row", "no_row"

_STATE_WORDS = {
    BLANK: "無回答",
    INVALID: "無効",
    NOT_APPLICABLE: "非該当（所属の判断）",
    OFF_ROUTE: "非該当（経路外）",
    NOT_ENTERED: "未入力",
    NO_TEXT: "（記入なし）",
    NO_ROW: "（行なし）",
}

CODE, TICK, TEXT, BOX, ROW, ITEM = "code", "tick", "text", "box", "row", "item"
NUMBER = "number"  # an integer / decimal question: the cell holds its exact Decimal
DATE = "date"  # a date question: the cell holds the ISO date
TABLE_ROW = "table_row"  # row n (``key``) of a repeat


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
        if self.state == ROW_VALUE:
            return row_words(self.value)
        word = _STATE_WORDS[self.state]
        if self.state == INVALID and self.value:
            word += f"（{self.value}）"
        if self.route_as is not None:
            word += f"［経路は {self.route_as} と仮定］"
        return word


BLANK_CELL, OFF_ROUTE_CELL, NOT_ENTERED_CELL = Cell(BLANK), Cell(OFF_ROUTE), Cell(NOT_ENTERED)
NO_ROW_CELL = Cell(NO_ROW)
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
    elif q.type is QuestionType.NUMBER:
        out.append(Variable(q.id, q.id, NUMBER, None, _short(f"{label}（{q.unit}）") if q.unit else label))
    elif q.type is QuestionType.DATE:
        out.append(Variable(q.id, q.id, DATE, None, label))
    elif q.type is QuestionType.REPEAT:
        out += [Variable(f"{q.id}_{n}", q.id, TABLE_ROW, n, f"{label} 行{n}") for n in range(1, MAX_ROWS + 1)]
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


def number_cell(value) -> Cell:
    """A number question's cell: its digits in one canonical spelling (1234.50 and 1234.5 are
    one value), a string so that a resolution stores as JSON exactly."""
    return Cell(ANSWER, format(value.normalize(), "f"))


def row_cell(row) -> Cell:
    """One row of a repeat as a cell: its values as stored, numbers in one spelling (so 1234.50
    and 1234.5 agree), as canonical JSON."""
    import json

    from ..answers import encode

    plain = {
        name: {"number": number_cell(cell.value).value} if isinstance(cell, Number) else encode(cell)
        for name, cell in row.items()
    }
    return Cell(ROW_VALUE, json.dumps(plain, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def row_of(cell: Cell) -> dict:
    """The row a ``ROW_VALUE`` cell holds."""
    import json

    from ..answers import decode

    return {name: decode(data) for name, data in json.loads(cell.value).items()}


def row_words(value: str) -> str:
    """A row cell as the adjudicator reads it: each field's name and value."""
    import json

    parts = []
    for name, data in json.loads(value).items():
        shown = next((str(v) for k, v in data.items() if k in ("number", "date", "single", "text")), None)
        if shown is None and "multi" in data:
            shown = ",".join(map(str, data["multi"]))
        if shown is None:
            shown = _STATE_WORDS.get(data.get("state"), "") + (f"（{data['raw']}）" if data.get("raw") else "")
        parts.append(f"{name} {shown}")
    return "／".join(parts)


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


def _first_only(question: Question, state: Cell, variables_: tuple[Variable, ...]) -> tuple[Cell, ...] | None:
    """A repeat's whole-question state (未入力, 無回答…) is its row 1's cell; no row follows."""
    if question.type is not QuestionType.REPEAT:
        return None
    return (state,) + (NO_ROW_CELL,) * (len(variables_) - 1)


def value_cells(question: Question, variables_: tuple[Variable, ...], value: Value | None, on_route: bool) -> tuple[Cell, ...]:
    """The cells of one question's answer in one keying, aligned with ``variables_``."""
    if not on_route:
        return _first_only(question, OFF_ROUTE_CELL, variables_) or tuple(OFF_ROUTE_CELL if v.main else NO_TEXT_CELL for v in variables_)
    if value is None:
        return _first_only(question, NOT_ENTERED_CELL, variables_) or tuple(NOT_ENTERED_CELL if v.main else NO_TEXT_CELL for v in variables_)
    if isinstance(value, NotApplicable):
        return _first_only(question, NA_CELL, variables_) or tuple(NA_CELL if v.main else NO_TEXT_CELL for v in variables_)
    if isinstance(value, (Blank, Invalid)):
        state = _state_cell(value)
        return _first_only(question, state, variables_) or tuple(state if v.main else NO_TEXT_CELL for v in variables_)
    if isinstance(value, Table):
        return tuple(row_cell(value.rows[v.key - 1]) if v.key <= len(value.rows) else NO_ROW_CELL for v in variables_)
    expected = {
        QuestionType.SINGLE: Single, QuestionType.MULTI: Multi, QuestionType.TEXT: Text,
        QuestionType.MATRIX: Grid, QuestionType.COUNTS: Counts, QuestionType.NUMBER: Number, QuestionType.DATE: Date,
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
        elif v.kind == NUMBER:
            out.append(number_cell(value.value))
        elif v.kind == DATE:
            out.append(Cell(ANSWER, value.day.isoformat()))
        else:  # ITEM: a number, or the item left blank (the entry screen's 無回答 per item)
            number = value.values.get(v.key)
            out.append(BLANK_CELL if number is None else _answer(number))
    return tuple(out)
