"""The condition language of skip rules and checks.

A condition is written in the definition file, e.g. ``Q2.line = 5 and not Q4 has 1``::

    condition  := conjunct ("or" conjunct)*
    conjunct   := unary ("and" unary)*
    unary      := "not" unary | "(" condition ")" | comparison
    comparison := ref "=" code | ref "!=" code | ref "in" "(" code ("," code)* ")"
                | ref "has" code
    ref        := question id, optionally "." row id (a row of a matrix question)

Evaluation is three-valued: a reference whose answer is not known (blank on paper, unusable or
not yet entered) makes a comparison ``None`` (unknown), and ``and`` / ``or`` / ``not`` follow
Kleene's rules, so a condition is only true or false when the paper settles it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "Ref",
    "Compare",
    "Not",
    "All",
    "Any_",
    "Condition",
    "ConditionSyntaxError",
    "parse_condition",
    "evaluate",
    "comparisons",
]


@dataclass(frozen=True)
class Ref:
    """What a comparison looks at: a question, or one row of a matrix question."""

    question: str
    row: str | None = None

    def __str__(self) -> str:
        return self.question if self.row is None else f"{self.question}.{self.row}"


@dataclass(frozen=True)
class Compare:
    ref: Ref
    op: str  # "=", "!=", "in", "has"
    codes: tuple[int, ...]

    def holds(self, chosen: frozenset[int]) -> bool:
        """Truth for a known answer; an empty set means nothing chosen (非該当)."""
        if self.op == "=":
            return chosen == frozenset(self.codes)
        if self.op == "!=":
            return chosen != frozenset(self.codes)
        if self.op == "in":
            return bool(chosen) and chosen <= frozenset(self.codes)
        return self.codes[0] in chosen  # has


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class All:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Any_:
    operands: tuple[Condition, ...]


Condition = Compare | Not | All | Any_

# A lookup returns the codes an answer holds (empty: nothing chosen) or None when unknown.
Lookup = Callable[[Ref], "frozenset[int] | None"]


class ConditionSyntaxError(ValueError):
    """The text of a condition cannot be read; the message is Japanese and says where."""


_TOKEN = re.compile(
    r"\s*(?:(?P<punct>[(),])|(?P<op>!=|=)|(?P<num>\d+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?))"
)
_KEYWORDS = {"and", "or", "not", "in", "has"}


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ConditionSyntaxError(
                f"条件「{text}」の {pos + 1} 文字目「{text[pos:].strip()[:1]}」を読めません。"
            )
        kind = match.lastgroup or ""
        value, start = match.group(kind), match.start(kind)
        if kind == "name" and value.lower() in _KEYWORDS:
            kind, value = "kw", value.lower()
        tokens.append((kind, value, start))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0

    def fail(self, what: str) -> ConditionSyntaxError:
        if self.i < len(self.tokens):
            found = f"「{self.tokens[self.i][1]}」"
        else:
            found = "条件の終わり"
        return ConditionSyntaxError(f"条件「{self.text}」: {what}が必要なところに{found}があります。")

    def peek(self, kind: str, value: str | None = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        k, v, _ = self.tokens[self.i]
        return k == kind and (value is None or v == value)

    def take(self, kind: str, value: str | None, what: str) -> str:
        if not self.peek(kind, value):
            raise self.fail(what)
        self.i += 1
        return self.tokens[self.i - 1][1]

    def parse(self) -> Condition:
        if not self.tokens:
            raise ConditionSyntaxError("条件が空です。")
        condition = self.disjunction()
        if self.i != len(self.tokens):
            raise self.fail("「and」か「or」")
        return condition

    def disjunction(self) -> Condition:
        parts = [self.conjunction()]
        while self.peek("kw", "or"):
            self.i += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Any_(tuple(parts))

    def conjunction(self) -> Condition:
        parts = [self.unary()]
        while self.peek("kw", "and"):
            self.i += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def unary(self) -> Condition:
        if self.peek("kw", "not"):
            self.i += 1
            return Not(self.unary())
        if self.peek("punct", "("):
            self.i += 1
            inner = self.disjunction()
            self.take("punct", ")", "「)」")
            return inner
        return self.comparison()

    def comparison(self) -> Condition:
        name = self.take("name", None, "設問番号（例: Q1, Q2.line）")
        question, _, row = name.partition(".")
        ref = Ref(question, row or None)
        if self.peek("op"):
            op = self.take("op", None, "比較")
            return Compare(ref, op, (int(self.take("num", None, "番号")),))
        if self.peek("kw", "has"):
            self.i += 1
            return Compare(ref, "has", (int(self.take("num", None, "番号")),))
        if self.peek("kw", "in"):
            self.i += 1
            self.take("punct", "(", "「(」")
            codes = [int(self.take("num", None, "番号"))]
            while self.peek("punct", ","):
                self.i += 1
                codes.append(int(self.take("num", None, "番号")))
            self.take("punct", ")", "「)」")
            return Compare(ref, "in", tuple(codes))
        raise self.fail("「=」「!=」「in」「has」のいずれか")


def parse_condition(text: str) -> Condition:
    """Parse a condition; full-width letters and digits (Ｑ１ ＝ ２) are read as half-width."""
    return _Parser(unicodedata.normalize("NFKC", text)).parse()


def evaluate(condition: Condition, lookup: Lookup) -> bool | None:
    """Kleene three-valued evaluation: None when the answers so far do not settle it."""
    if isinstance(condition, Compare):
        chosen = lookup(condition.ref)
        return None if chosen is None else condition.holds(chosen)
    if isinstance(condition, Not):
        inner = evaluate(condition.operand, lookup)
        return None if inner is None else not inner
    results = [evaluate(part, lookup) for part in condition.operands]
    decisive = isinstance(condition, Any_)  # True decides an "or", False an "and"
    if decisive in results:
        return decisive
    return None if None in results else not decisive


def comparisons(condition: Condition) -> list[Compare]:
    """Every comparison in a condition, left to right."""
    if isinstance(condition, Compare):
        return [condition]
    if isinstance(condition, Not):
        return comparisons(condition.operand)
    return [c for part in condition.operands for c in comparisons(part)]
