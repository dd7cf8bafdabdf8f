"""The 回答一覧 layout: one row per department, one column per variable, in both directions.

The variables come from the definition alone:

=============  ===========================  =============================================
question type  variables                    cell
=============  ===========================  =============================================
single         ``Q1``                       the option's code
multi          ``Q3_1`` … one per option    1 ticked, 0 not ticked
text           ``Q10``                      the text
matrix         ``Q2_line`` … one per row    the row's code (a row may be 無回答 / 無効)
counts         ``Q23_respondents`` … items  a whole number (empty: left blank)
option texts   ``Q3_5_text``                the text written in that option's box
=============  ===========================  =============================================

Empty states are words, so none is mistaken for another or for a zero: ``無回答`` (blank on
paper), ``無効（…）`` (unusable; what the paper showed in brackets), ``非該当`` (off the route, or
recorded by the clerk where the department may skip), and an empty cell: nothing entered (未入力,
or 経路未確定 when the route to it is not settled). ``@1`` after 無回答 / 無効 keeps the route the
clerk chose for a blank routing question. A multi-choice question never seen is empty, never a
row of zeros.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from survey import (
    Blank,
    Counts,
    Grid,
    InputError,
    Invalid,
    Multi,
    NotApplicable,
    Question,
    Questionnaire,
    QuestionType,
    Single,
    Text,
    Value,
)
from survey.answers import clean_text, normalize_digits, parse_cell, parse_code, parse_count, parse_text
from survey.numbers import parse_whole

__all__ = [
    "SHEET",
    "FIXED_COLUMNS",
    "Variable",
    "BLANK_WORD",
    "INVALID_WORD",
    "NA_WORD",
    "question_variables",
    "variables",
    "render",
    "parse",
]

SHEET = "回答一覧"  # the sheet that holds this layout in the workbook
FIXED_COLUMNS = ("部局", "所属", "状態")
BLANK_WORD, INVALID_WORD, NA_WORD = "無回答", "無効", "非該当"

CODE, TICK, TEXT, BOX, ROW, ITEM = "code", "tick", "text", "box", "row", "item"
_KIND_LABELS = {
    CODE: "番号",
    TICK: "選択 1／非選択 0",
    TEXT: "文字",
    BOX: "文字（記入欄）",
    ROW: "番号",
    ITEM: "0 以上の整数",
}

Cell = int | str | None


@dataclass(frozen=True)
class Variable:
    name: str
    question: Question
    kind: str
    key: int | str | None = None  # option code (tick, box), row id (row) or item id (item)
    label: str = ""  # a short Japanese heading

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS[self.kind]

    @property
    def main(self) -> bool:
        """Whether the variable carries the question's answer (not an option's text box)."""
        return self.kind != BOX


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def question_variables(question: Question) -> list[Variable]:
    q, label = question, question.label
    out: list[Variable] = []
    if q.type is QuestionType.SINGLE:
        out.append(Variable(q.id, q, CODE, None, label))
    elif q.type is QuestionType.MULTI:
        out += [
            Variable(q.option_variable(o.code), q, TICK, o.code, _short(f"{label} {o.code} {o.label}"))
            for o in q.options
        ]
    elif q.type is QuestionType.TEXT:
        out.append(Variable(q.id, q, TEXT, None, label))
    elif q.type is QuestionType.MATRIX:
        out += [Variable(q.row_variable(r), q, ROW, r.id, _short(f"{label} {r.label}")) for r in q.rows]
    elif q.type is QuestionType.COUNTS:
        out += [Variable(q.item_variable(i), q, ITEM, i.id, _short(f"{label} {i.label}")) for i in q.items]
    out += [
        Variable(q.box_variable(b.option), q, BOX, b.option, _short(f"{label} {b.option}［{b.prompt}］"))
        for b in q.text_boxes
    ]
    return out


def variables(questionnaire: Questionnaire) -> list[Variable]:
    """Every variable of the questionnaire in form order; names are unique or this refuses."""
    out = [v for q in questionnaire.questions for v in question_variables(q)]
    names = [v.name for v in out] + list(FIXED_COLUMNS)
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ValueError(
            "回答一覧の列名が重複します（" + "、".join(clashes) + "）。調書定義の設問・行・項目の id を見直してください。"
        )
    return out


# -- a value as cells -------------------------------------------------------------------------


def _state_word(value: Blank | Invalid | NotApplicable) -> str:
    if isinstance(value, NotApplicable):
        return NA_WORD
    word = BLANK_WORD if isinstance(value, Blank) else INVALID_WORD
    if isinstance(value, Invalid) and value.raw:
        word += f"（{value.raw}）"
    if value.route_as is not None:
        word += f"@{value.route_as}"
    return word


def _cell_word(cell: int | Blank | Invalid) -> Cell:
    return cell if isinstance(cell, int) else _state_word(cell)


def render(
    question: Question, value: Value | None, off_route: bool, variables_: Sequence[Variable] | None = None
) -> list[Cell]:
    """The cells of one answer, aligned with ``question_variables(question)``.

    Off the route every answer cell says 非該当 (a value recorded there is not exported: it is
    kept in the database and its audit log, never tallied). ``variables_``: the question's
    variables, when the caller already has them.
    """
    if variables_ is None:
        variables_ = question_variables(question)
    if off_route or isinstance(value, NotApplicable):
        return [NA_WORD if v.main else None for v in variables_]
    if value is None:
        return [None] * len(variables_)
    if isinstance(value, (Blank, Invalid)):
        word = _state_word(value)
        return [word if v.main else None for v in variables_]
    cells: list[Cell] = []
    for v in variables_:
        if v.kind == BOX:
            texts = value.texts if isinstance(value, (Single, Multi)) else {}
            cells.append(texts.get(v.key) or None)
        elif isinstance(value, Single):
            cells.append(value.code)
        elif isinstance(value, Multi):
            cells.append(1 if v.key in value.codes else 0)
        elif isinstance(value, Text):
            cells.append(value.text)
        elif isinstance(value, Grid):
            cell = value.cells.get(v.key)
            cells.append(None if cell is None else _cell_word(cell))
        elif isinstance(value, Counts):
            cells.append(value.values.get(v.key))
        else:  # a value of the wrong kind for the question: show what it is, never guess
            cells.append(INVALID_WORD)
    return cells


# -- cells as a value (import) ----------------------------------------------------------------

_STATE = re.compile(
    r"^(?P<word>無回答|無効|非該当)(?:[（(](?P<raw>.*)[）)])?(?:\s*[@＠]\s*(?P<route>[0-9０-９]+))?$", re.S
)
_TICKED = {"1", "true", "〇", "○", "✓", "✔", "レ"}  # レ: the Japanese tick mark
_UNTICKED = {"0", "false", ""}


def is_state_word(text: str) -> bool:
    """Whether a cell is written as an empty state (無回答, 無効（…）, 非該当, with @番号)."""
    return _STATE.match(text) is not None


def _state(question: Question, text: str) -> Blank | Invalid | NotApplicable | None:
    match = _STATE.match(text)
    if match is None:
        return None
    word, raw, route = match.group("word"), match.group("raw"), match.group("route")
    route_as = parse_whole(route, what="経路の番号") if route else None
    if word == NA_WORD:
        if raw is not None or route_as is not None:
            raise InputError("「非該当」には（…）や @番号 を付けられません。")
        return NotApplicable()
    if route_as is not None and route_as not in question.codes:
        raise InputError(f"経路の番号 {route_as} は{question.label}の選択肢にありません。")
    if word == BLANK_WORD:
        if raw:
            raise InputError("「無回答」に（…）は付けられません。用紙に記載があるなら「無効（記載内容）」です。")
        return Blank(route_as=route_as)
    return Invalid(raw=raw or "", route_as=route_as)


def parse(question: Question, cells: Sequence[str]) -> Value | None:
    """One question's cells (strings aligned with its variables) as a value; None: not entered.

    Reads them as the entry screen reads typed input (full-width digits, "1,2" in a single box
    is 無効); raises InputError, in Japanese, for anything the form cannot hold.
    """
    variables_ = question_variables(question)
    mains = [(v, c.strip()) for v, c in zip(variables_, cells) if v.main]
    boxes = {v.key: c for v, c in zip(variables_, cells) if v.kind == BOX and c.strip()}
    filled = [c for _, c in mains if c]
    if not filled:
        if boxes:
            names = "、".join(question.box_variable(k) for k in boxes)
            raise InputError(f"記入欄（{names}）に記入がありますが、{question.label}の回答がありません。")
        return None

    states = [_state(question, c) for c in filled]
    if question.type is QuestionType.MATRIX:
        if len(filled) == len(mains) and len(set(filled)) == 1 and states[0] is not None:
            return states[0]  # the same word in every row: the whole question is blank / unusable / 非該当
        if any(isinstance(s, NotApplicable) for s in states):
            raise InputError(f"{question.label}: 「非該当」はすべての行に書いてください。")
        grid: dict[str, int | Blank | Invalid] = {}
        for v, text in mains:
            if not text:
                continue
            state = _state(question, text)
            if state is not None and state.route_as is not None:
                raise InputError(f"{v.name}（{v.label}）: 表の行では経路（@番号）を選べません。")
            try:
                grid[v.key] = state if state is not None else parse_cell(question, text)
            except InputError as exc:
                raise InputError(f"{v.name}（{v.label}）: {exc}") from exc
        return Grid(grid)

    if any(s is not None for s in states):
        if len(set(filled)) != 1 or len(filled) != len(mains):
            raise InputError(
                f"{question.label}: 「{next(c for c, s in zip(filled, states) if s is not None)}」は"
                "すべての列に同じく書いてください（回答と混ぜられません）。"
            )
        if boxes:
            raise InputError(f"{question.label}: {filled[0]}の設問の記入欄に記入があります。")
        return states[0]

    texts = {k: clean_text(t) for k, t in boxes.items() if clean_text(t)}
    if question.type is QuestionType.SINGLE:
        value = parse_code(question, mains[0][1])
        if isinstance(value, Single):
            return Single(value.code, texts)
        if texts:
            raise InputError(f"{question.label}: 無効な回答の設問の記入欄に記入があります。")
        return value
    if question.type is QuestionType.MULTI:
        blank = [v.name for v, text in mains if not text]
        if blank:  # some ticks written, some not: reading the empty ones as 0 would be a guess
            raise InputError(
                f"{question.label}: {'、'.join(blank)} が空です。複数回答は選択肢ごとに 1（選択）か 0（非選択）を"
                "すべての列に書いてください（全部空なら未入力、用紙が空欄なら全部「無回答」）。"
            )
        codes = set()
        for v, text in mains:
            tick = normalize_digits(text).lower()
            if tick in _TICKED:
                codes.add(v.key)
            elif tick not in _UNTICKED:
                raise InputError(f"{v.name}: 「{text}」は 1（選択）か 0（非選択）で書いてください。")
        if not codes:
            raise InputError(f"{question.label}: 選ばれた選択肢がありません（用紙が空欄なら「無回答」と書いてください）。")
        return Multi(frozenset(codes), texts)
    if question.type is QuestionType.TEXT:
        return parse_text(mains[0][1])
    values: dict[str, int | None] = {}
    for v, text in mains:
        try:
            values[v.key] = parse_count(text)
        except InputError as exc:
            raise InputError(f"{v.name}（{v.label}）: {exc}") from exc
    return Counts(values)
