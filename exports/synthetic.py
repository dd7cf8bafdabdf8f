"""Synthetic answers for any questionnaire: for the export benchmark and round-trip tests.

A form is filled as a department would, question after question along its own route (the
routing engine decides), with now and then a blank, an unusable answer, a clerk's 非該当 where
the form allows one, texts that look like formulas or links, and counts within their ceilings.
Nothing here knows a question id.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

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
    Router,
    Single,
    Table,
    Text,
    Value,
)
from survey.routing import OFF, row_route

__all__ = ["TEXTS", "random_answers", "random_value"]

TEXTS = (
    "イベントの集客が伸びた。",
    "問合せが減った。",
    "写真を活用し、分かりやすく簡潔に伝えるようにしている。",
    "複数人で確認している。\n誤送信が心配。",
    "=1+1",
    "@x",
    "-3",
    "+81 48 000 0000",
    "https://www.city.niiza.lg.jp/",
    "特になし",
    "NA",
    "ＬＩＮＥの友達登録者への無料スタンプの配信など。",
)


def random_value(question: Question, rng: random.Random, *, judgeable: bool = False) -> Value:
    roll = rng.random()
    if judgeable and roll < 0.1:
        return NotApplicable()
    kind = question.type
    if kind is QuestionType.TEXT:
        return Blank() if roll < 0.3 else Text(rng.choice(TEXTS))
    if kind is QuestionType.NUMBER:  # an amount within the question's bounds, exact
        if roll < 0.1:
            return Blank()
        low = int(question.minimum) if question.minimum is not None else 0
        high = int(question.maximum) if question.maximum is not None else 10**9
        return Number(Decimal(rng.randint(low, max(low, min(high, low + 10**9)))))
    if kind is QuestionType.DATE:  # a day of 令和 or 平成
        return Blank() if roll < 0.1 else Date(date(1989, 1, 8) + timedelta(days=rng.randint(0, 13000)))
    if kind is QuestionType.REPEAT:  # up to 5 rows, each field drawn as a question of its type
        rows = []
        for _ in range(rng.randint(0, min(5, question.repeat_count if isinstance(question.repeat_count, int) else 5))):
            row: dict = {}
            for f in question.fields:
                if row_route(question, row)[f.id] == OFF:
                    continue
                value = random_value(f, rng)
                row[f.id] = Blank() if isinstance(value, (NotApplicable, Counts, Grid)) else _plain(value)
            rows.append(row)
        return Table(tuple(rows))
    if kind is QuestionType.COUNTS:
        if roll < 0.15:
            return Blank()
        values: dict[str, int | None] = {}
        for item in question.items:  # ceilings come first in a definition's item list
            ceiling = values.get(item.at_most) if item.at_most else None
            top = ceiling if isinstance(ceiling, int) else 40
            values[item.id] = None if rng.random() < 0.05 else rng.randint(0, top)
        return Counts(values)
    if roll < 0.04:
        route_as = rng.choice(question.codes) if question.chooses_route_when_blank and rng.random() < 0.5 else None
        return Blank(route_as=route_as)
    if roll < 0.06 and kind is not QuestionType.MULTI:
        if kind is QuestionType.MATRIX:
            return Invalid(raw="1,2")
        codes = question.codes[:2]
        route_as = rng.choice(question.codes) if question.chooses_route_when_blank else None
        return Invalid(raw="、".join(str(c) for c in codes), route_as=route_as)
    if kind is QuestionType.MATRIX:
        cells = {}
        for row in question.rows:
            r = rng.random()
            cells[row.id] = Blank() if r < 0.03 else Invalid("1,3") if r < 0.04 else rng.choice(question.codes)
        return Grid(cells)
    boxes = {b.option for b in question.text_boxes}
    if kind is QuestionType.SINGLE:
        code = rng.choice(question.codes)
        texts = {code: rng.choice(TEXTS)} if code in boxes and rng.random() < 0.7 else {}
        return Single(code, texts)
    chosen = frozenset(rng.sample(question.codes, rng.randint(1, min(3, len(question.codes)))))
    texts = {c: rng.choice(TEXTS) for c in chosen if c in boxes and rng.random() < 0.7}
    return Multi(chosen, texts)


def _plain(value: Value) -> Value:
    """A row's cell: a state with no route chosen (a table's cell takes none)."""
    if isinstance(value, Blank):
        return Blank()
    if isinstance(value, Invalid):
        return Invalid(raw=value.raw)
    return value


def random_answers(
    questionnaire: Questionnaire, rng: random.Random, router: Router | None = None, *, stop_after: int | None = None
) -> dict[str, Value]:
    """One department's form, filled along its route; ``stop_after``: leave the rest unentered."""
    router = router or Router(questionnaire)
    answers: dict[str, Value] = {}
    for index, question in enumerate(questionnaire.questions):
        if stop_after is not None and index >= stop_after:
            break
        if router.route(answers).status(question.id) == "off":
            continue
        answers[question.id] = random_value(question, rng, judgeable=question.id in questionnaire.judgeable)
    return answers
