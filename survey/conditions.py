"""The condition language of skip rules and checks.

A condition is written in the definition file, e.g. ``Q2.line = 5 and not Q4 has 1``::

    condition  := conjunct ("or" conjunct)*
    conjunct   := unary ("and" unary)*
    unary      := "not" unary | "(" condition ")" | comparison
    comparison := ref "=" code | ref "!=" code | ref "in" "(" code ("," code)* ")"
                | ref "has" code | "count" "(" ref ")" op number
    ref        := question id, optionally "." row id (a row of a matrix question)

``count(Q3) >= 2`` (how many options of a multiple-choice question are ticked) is for checks
only: the routing engine forks on option codes, not on counts.

The same conditions are written in an XLSForm workbook in XLSForm's expression language
(``${Q1} = '2'``, ``selected(${Q4}, '1')``, ``not(…)``, ``count-selected(${Q3}) >= 2``);
``parse_xlsform`` reads that subset into the same ``Condition`` and ``to_xlsform`` writes it back,
so one evaluator decides every skip whichever file the questionnaire came from.

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
    "Count",
    "Not",
    "All",
    "Any_",
    "Condition",
    "ConditionSyntaxError",
    "parse_condition",
    "evaluate",
    "comparisons",
    "format_condition",
    "parse_xlsform",
    "to_xlsform",
    "Reference",
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


_NUMERIC = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@dataclass(frozen=True)
class Count:
    """How many options of a multiple-choice question are ticked, against a number."""

    ref: Ref
    op: str  # one of _NUMERIC
    number: int

    def holds(self, chosen: frozenset[int]) -> bool:
        return _NUMERIC[self.op](len(chosen), self.number)


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class All:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Any_:
    operands: tuple[Condition, ...]


Condition = Compare | Count | Not | All | Any_

# A lookup returns the codes an answer holds (empty: nothing chosen) or None when unknown.
Lookup = Callable[[Ref], "frozenset[int] | None"]


class ConditionSyntaxError(ValueError):
    """The text of a condition cannot be read; the message is Japanese and says where."""


_TOKEN = re.compile(
    r"\s*(?:(?P<punct>[(),])|(?P<op>!=|<=|>=|=|<|>)|(?P<num>\d+)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?))"
)
_KEYWORDS = {"and", "or", "not", "in", "has", "count"}


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


class _Descent:
    """What both condition languages share: ``or`` of ``and`` of unary terms."""

    KEYWORD = "kw"  # the token kind of "and" / "or"
    tokens: list[tuple[str, str, int]]
    i: int

    def peek(self, kind: str, value: str | None = None) -> bool:
        if self.i >= len(self.tokens):
            return False
        k, v, _ = self.tokens[self.i]
        return k == kind and (value is None or v == value)

    def any_of(self, parts: tuple[Condition, ...]) -> Condition:
        return Any_(parts)

    def disjunction(self) -> Condition:
        parts = [self.conjunction()]
        while self.peek(self.KEYWORD, "or"):
            self.i += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else self.any_of(tuple(parts))

    def conjunction(self) -> Condition:
        parts = [self.unary()]
        while self.peek(self.KEYWORD, "and"):
            self.i += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def unary(self) -> Condition:  # pragma: no cover - each language has its own
        raise NotImplementedError


class _Parser(_Descent):
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
        if self.peek("kw", "count"):
            self.i += 1
            self.take("punct", "(", "「(」")
            name = self.take("name", None, "設問番号（例: Q3）")
            self.take("punct", ")", "「)」")
            op = self.take("op", None, "比較（=、!=、<、<=、>、>=）")
            return Count(Ref(name), op, int(self.take("num", None, "数")))
        name = self.take("name", None, "設問番号（例: Q1, Q2.line）")
        question, _, row = name.partition(".")
        ref = Ref(question, row or None)
        if self.peek("op", "=") or self.peek("op", "!="):
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
    if isinstance(condition, (Compare, Count)):
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


def comparisons(condition: Condition) -> list[Compare | Count]:
    """Every comparison in a condition, left to right."""
    if isinstance(condition, (Compare, Count)):
        return [condition]
    if isinstance(condition, Not):
        return comparisons(condition.operand)
    return [c for part in condition.operands for c in comparisons(part)]


# -- writing a condition back -------------------------------------------------------------------


def format_condition(condition: Condition) -> str:
    """The condition in the definition file's language (``parse_condition`` reads it back)."""
    if isinstance(condition, Compare):
        if condition.op == "in":
            return f"{condition.ref} in ({', '.join(map(str, condition.codes))})"
        return f"{condition.ref} {condition.op} {condition.codes[0]}"
    if isinstance(condition, Count):
        return f"count({condition.ref}) {condition.op} {condition.number}"
    if isinstance(condition, Not):
        inner = format_condition(condition.operand)
        return f"not ({inner})" if isinstance(condition.operand, (All, Any_)) else f"not {inner}"
    joiner = " or " if isinstance(condition, Any_) else " and "
    return joiner.join(
        f"({format_condition(part)})" if isinstance(part, Any_) and isinstance(condition, All) else format_condition(part)
        for part in condition.operands
    )


def to_xlsform(condition: Condition, name: Callable[[Ref], str]) -> str:
    """The condition in XLSForm's expression language; ``name`` gives a reference's variable."""
    if isinstance(condition, Compare):
        var = "${" + name(condition.ref) + "}"
        if condition.op == "has":
            return f"selected({var}, '{condition.codes[0]}')"
        if condition.op == "in":
            return "(" + " or ".join(f"{var} = '{code}'" for code in condition.codes) + ")"
        return f"{var} {condition.op} '{condition.codes[0]}'"
    if isinstance(condition, Count):
        return f"count-selected(${{{name(condition.ref)}}}) {condition.op} {condition.number}"
    if isinstance(condition, Not):
        inner = to_xlsform(condition.operand, name)
        return f"not({inner[1:-1] if inner.startswith('(') and isinstance(condition.operand, Compare) else inner})"
    joiner = " or " if isinstance(condition, Any_) else " and "
    return joiner.join(
        f"({to_xlsform(part, name)})" if isinstance(part, Any_) and isinstance(condition, All) else to_xlsform(part, name)
        for part in condition.operands
    )


# -- XLSForm's expression language (the subset a paper 調書 needs) --------------------------------


@dataclass(frozen=True)
class Reference:
    """What a ``${name}`` of an XLSForm expression stands for (given by the form's reader)."""

    ref: Ref
    kind: str  # "single" (a single choice or a matrix row), "multi", or anything else
    codes: tuple[int, ...] = ()


_X_TOKEN = re.compile(
    r"\s*(?:(?P<var>\$\{[^}]*\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op>!=|<=|>=|=|<|>)|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_\-]*)|(?P<dot>\.))"
)
_X_FUNCTIONS = {"selected", "count-selected", "not"}


class _XParser(_Descent):
    """XLSForm's expression subset: ``${Q1} = '1'``, ``!=``, ``<``… on codes, ``selected()``,
    ``count-selected()``, ``not()``, ``and``, ``or`` and parentheses."""

    KEYWORD = "word"

    def __init__(self, text: str, resolve: Callable[[str], Reference | None]) -> None:
        self.text = text
        self.resolve = resolve
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while text[pos:].strip():
            match = _X_TOKEN.match(text, pos)
            if match is None:
                start = len(text) - len(text[pos:].lstrip())
                raise ConditionSyntaxError(f"{start + 1} 文字目「{text[start]}」を読めません。")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind), match.start(kind)))
            pos = match.end()
        self.i = 0

    def fail(self, what: str) -> ConditionSyntaxError:
        if self.i < len(self.tokens):
            _, value, start = self.tokens[self.i]
            return ConditionSyntaxError(f"{start + 1} 文字目: {what}が必要なところに「{value}」があります。")
        return ConditionSyntaxError(f"式の終わり（{len(self.text)} 文字目の後）: {what}が足りません。")

    def take(self, kind: str, value: str | None, what: str) -> tuple[str, int]:
        if not self.peek(kind, value):
            raise self.fail(what)
        self.i += 1
        return self.tokens[self.i - 1][1], self.tokens[self.i - 1][2]

    def parse(self) -> Condition:
        if not self.tokens:
            raise ConditionSyntaxError("式が空です。")
        condition = self.disjunction()
        if self.i != len(self.tokens):
            raise self.fail("「and」か「or」")
        return condition

    def any_of(self, parts: tuple[Condition, ...]) -> Condition:
        return _fold_in(Any_(parts))

    def unary(self) -> Condition:
        if self.peek("word", "not"):
            self.i += 1
            self.take("punct", "(", "「not」の後の「(」")
            inner = self.disjunction()
            self.take("punct", ")", "「)」")
            return Not(inner)
        if self.peek("punct", "("):
            self.i += 1
            inner = self.disjunction()
            self.take("punct", ")", "「)」")
            return inner
        if self.peek("word", "selected"):
            self.i += 1
            self.take("punct", "(", "「selected」の後の「(」")
            ref = self.variable()
            self.take("punct", ",", "「,」")
            code = self.code(ref)
            self.take("punct", ")", "「)」")
            if ref.kind == "multi":
                return Compare(ref.ref, "has", (code,))
            return Compare(ref.ref, "=", (code,))
        if self.peek("word", "count-selected"):
            self.i += 1
            self.take("punct", "(", "「count-selected」の後の「(」")
            start = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.text)
            ref = self.variable()
            self.take("punct", ")", "「)」")
            if ref.kind != "multi":
                raise ConditionSyntaxError(f"{start + 1} 文字目: count-selected は select_multiple の問いにだけ使えます。")
            op, _ = self.take("op", None, "比較（=、!=、<、<=、>、>=）")
            number, _ = self.take("num", None, "数")
            if not number.lstrip("-").isdigit():
                raise ConditionSyntaxError(f"「{number}」: count-selected と比べる数は整数にしてください。")
            return Count(ref.ref, op, int(number))
        if self.peek("word"):
            word = self.tokens[self.i][1]
            raise self.fail("問い（${名前}）か selected(…)・count-selected(…)・not(…)" if word not in _X_FUNCTIONS else "式")
        return self.comparison()

    def variable(self) -> Reference:
        token, start = self.take("var", None, "${名前}")
        name = token[2:-1].strip()
        reference = self.resolve(name)
        if reference is None:
            raise ConditionSyntaxError(f"{start + 1} 文字目: ${{{name}}} という名前の問いがありません。")
        return reference

    def code(self, ref: Reference) -> int:
        if self.peek("str"):
            value, start = self.take("str", None, "選択肢の name")
            value = value[1:-1].strip()
        else:
            value, start = self.take("num", None, "選択肢の name（'1' など）")
        if not value.isdigit():
            raise ConditionSyntaxError(f"{start + 1} 文字目: 選択肢の name「{value}」は整数ではありません。")
        if int(value) not in ref.codes:
            raise ConditionSyntaxError(f"{start + 1} 文字目: {ref.ref.question} の選択肢に「{value}」はありません。")
        return int(value)

    def comparison(self) -> Condition:
        if self.peek("dot"):
            raise self.fail("問い（${名前}）")  # "." is the field itself: constraints only
        start = self.tokens[self.i][2] if self.i < len(self.tokens) else len(self.text)
        ref = self.variable()
        if ref.kind not in ("single", "multi"):
            raise ConditionSyntaxError(
                f"{start + 1} 文字目: ${{{ref.ref.question if ref.ref.row is None else ''}}}".replace("${}", "この")
                + " 問いは条件に使えません（使えるのは select_one と select_multiple の問いです）。"
            )
        op, op_start = self.take("op", None, "比較（=、!=、<、<=、>、>=）")
        if ref.kind == "multi":
            raise ConditionSyntaxError(
                f"{op_start + 1} 文字目: select_multiple の問いは selected(${{…}}, '番号') で書いてください。"
            )
        code = self.code(ref) if op in ("=", "!=") else None
        if code is not None:
            return Compare(ref.ref, op, (code,))
        number, _ = self.take("num", None, "数") if not self.peek("str") else self.take("str", None, "数")
        number = number.strip("'\"")
        if not number.isdigit():
            raise ConditionSyntaxError(f"{op_start + 1} 文字目: 「{op}」と比べる値「{number}」は整数ではありません。")
        codes = tuple(c for c in ref.codes if _NUMERIC[op](c, int(number)))
        if not codes:
            raise ConditionSyntaxError(f"{op_start + 1} 文字目: 「{op} {number}」に当たる選択肢がありません。")
        return Compare(ref.ref, "in", codes)


def _fold_in(condition: Any_) -> Condition:
    """``${a} = '1' or ${a} = '2'`` is ``a in (1, 2)``: how ``to_xlsform`` writes ``in``."""
    parts = condition.operands
    if all(isinstance(p, Compare) and p.op in ("=", "in") and p.ref == parts[0].ref for p in parts):
        codes = tuple(dict.fromkeys(code for p in parts for code in p.codes))
        return Compare(parts[0].ref, "in", codes)
    return condition


def parse_xlsform(text: str, resolve: Callable[[str], Reference | None]) -> Condition:
    """Read an XLSForm ``relevant`` (or a chosho check) into a Condition.

    ``resolve`` maps a ``${name}`` to what it stands for, or None when the form has no such
    name. Full-width letters, digits and signs (＄｛Ｑ１｝＝’１’) are read as half-width.
    ConditionSyntaxError's message names the character position.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _XParser(text, resolve).parse()


# A Japanese IME in full-width mode types ’ and ” for ' and ": NFKC keeps them.
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
