"""A third value as the adjudicator types it, read the way the entry screens read input.

Codes and counts go through the same parsers as entry (so ``２``, ``12人``, ``1,2`` in a single
box — 無効 — read alike, and one function, ``parse_whole``, reads every number). The empty
states are typed as the answer list writes them: ``無回答``, ``無効（1,2）``, ``非該当``, and
``@1`` after 無回答 / 無効 for the route of a blank routing question; ``記入なし`` (or nothing)
empties a text box.
"""

from __future__ import annotations

import re

from ..answers import Date, Invalid, Number, Single, clean_text, normalize_digits, parse_amount, parse_code, parse_count, parse_day
from ..errors import InputError
from ..numbers import NumberError, parse_whole
from .adjudication import cell_problem
from .cells import (
    ANSWER, BLANK, BOX, CODE, DATE, INVALID, NO_TEXT, NOT_APPLICABLE, NUMBER, ROW, TEXT, TICK, Cell, VerificationError, number_cell,
)
from .compare import Comparer

__all__ = ["typed_cell"]

_STATE = re.compile(
    r"^(?P<word>無回答|無効|非該当)(?:[（(](?P<raw>.*)[）)])?(?:\s*[@＠]\s*(?P<route>\S+))?$", re.S
)
_NO_TEXT_WORDS = {"", "記入なし", "（記入なし）"}


def _read(comparer: Comparer, name: str, raw: str) -> Cell:
    variable = comparer.variables[comparer.index[name]]
    question = comparer.questionnaire.question(variable.question)
    text = clean_text(raw)
    if variable.kind == BOX:
        return Cell(NO_TEXT) if text in _NO_TEXT_WORDS else Cell(ANSWER, text)
    match = _STATE.match(text)
    if match:
        word, shown, route = match.group("word"), match.group("raw"), match.group("route")
        route_as = parse_whole(route, what="経路の番号") if route else None
        if word == "非該当":
            if shown is not None or route_as is not None:
                raise InputError("「非該当」には（…）や @番号 を付けられません。")
            return Cell(NOT_APPLICABLE)
        if word == "無回答":
            if shown:
                raise InputError("「無回答」に（…）は付けられません。用紙に記載があるなら「無効（記載内容）」です。")
            return Cell(BLANK, None, route_as)
        return Cell(INVALID, shown or "", route_as)
    if variable.kind in (CODE, ROW):
        value = parse_code(question, text)
        if isinstance(value, Single):
            return Cell(ANSWER, value.code)
        if isinstance(value, Invalid):
            return Cell(INVALID, value.raw)
        return Cell(BLANK)
    if variable.kind == TICK:
        tick = normalize_digits(text)
        if tick in ("1", "〇", "○", "✓"):
            return Cell(ANSWER, 1)
        if tick == "0":
            return Cell(ANSWER, 0)
        raise InputError("1（選択）か 0（非選択）を入力してください。")
    if variable.kind == TEXT:
        return Cell(ANSWER, text) if text else Cell(BLANK)
    if variable.kind == DATE:  # R6.4.1, 令和6年4月1日 … as the entry screen reads it
        day = parse_day(text)
        return Cell(ANSWER, day.day.isoformat()) if isinstance(day, Date) else Cell(BLANK)
    if variable.kind == NUMBER:  # as the entry screen reads it: 1,234,567, full-width, the unit
        amount = parse_amount(question, text)
        return number_cell(amount.value) if isinstance(amount, Number) else Cell(BLANK)
    number = parse_count(text)  # ITEM: the last kind
    return Cell(BLANK) if number is None else Cell(ANSWER, number)


def typed_cell(comparer: Comparer, name: str, raw: str) -> Cell:
    """The cell for what was typed as ``name``'s third value; VerificationError (Japanese) if none."""
    if name not in comparer.index:
        raise VerificationError(f"変数「{name}」はこの調書にありません。")
    try:
        cell = _read(comparer, name, raw)
    except (InputError, NumberError) as exc:
        raise VerificationError(f"{name}: {exc}") from None
    variable = comparer.variables[comparer.index[name]]
    question = comparer.questionnaire.question(variable.question)
    problem = cell_problem(question, variable, cell, variable.question in comparer.questionnaire.judgeable)
    if problem:
        raise VerificationError(problem)
    return cell
