"""Answer values, input normalisation, and their plain-data form for storage.

A value says what the paper says. Three empty states are kept apart and never confused:

- ``Blank``         無回答: the paper leaves it empty.
- ``Invalid``       無効:   the paper answers, but unusably (two numbers in a single-answer box).
- ``NotApplicable`` 非該当: recorded by the clerk where the form lets a department skip on its own
                    judgement. A question off the route is 非該当 too, but that is derived by the
                    routing engine, never stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
import datetime
from decimal import Decimal
from typing import Any

from .model import MAX_ROWS, Question, QuestionType
from .dates import parse_date, shown_date
from .errors import InputError
from .numbers import NumberError, grouped, parse_number, parse_whole, to_ascii_digits

__all__ = [
    "Blank",
    "Invalid",
    "NotApplicable",
    "Single",
    "Multi",
    "Text",
    "Grid",
    "Counts",
    "Number",
    "Date",
    "Table",
    "Value",
    "Cell",
    "EMPTY_LABELS",
    "InputError",
    "clean_text",
    "normalize_digits",
    "parse_code",
    "parse_codes",
    "parse_cell",
    "parse_count",
    "parse_amount",
    "parse_day",
    "parse_text",
    "encode",
    "decode",
    "describe",
    "is_complete",
    "unfinished_parts",
]


# C0 and C1 controls and DEL; newline and tab are handled separately for free text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# A value holds only what the paper can show: every constructor checks its contents, so no
# adapter (screen, import, a script on the store) can hold a NUL in a text or True as a code.
def _code(value: object, what: str = "番号") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{what}は整数で指定してください（{value!r} は使えません）。")
    return value


def _optional_code(value: object) -> None:
    if value is not None:
        _code(value, "経路の番号")


def _clean(value: object, what: str = "文字") -> str:
    if not isinstance(value, str):
        raise InputError(f"{what}は文字列で指定してください（{value!r} は使えません）。")
    if found := _CONTROLS.search(value):
        raise InputError(f"{what}に制御文字（U+{ord(found.group()):04X}）が含まれています。")
    return value


def _texts(texts: object) -> None:
    if not isinstance(texts, Mapping):
        raise InputError(f"記入欄の内容は番号ごとに指定してください（{texts!r} は使えません）。")
    for code, text in texts.items():
        _code(code, "記入欄の番号")
        _clean(text, "記入欄の内容")


@dataclass(frozen=True)
class Blank:
    """無回答. ``route_as``: the option the clerk chose to route by (questions with on_blank)."""

    route_as: int | None = None

    def __post_init__(self) -> None:
        _optional_code(self.route_as)


@dataclass(frozen=True)
class Invalid:
    """無効: ``raw`` keeps what the paper showed, e.g. "1,2"."""

    raw: str = ""
    route_as: int | None = None

    def __post_init__(self) -> None:
        _clean(self.raw, "用紙の記載")
        _optional_code(self.route_as)


@dataclass(frozen=True)
class NotApplicable:
    """非該当, judged by the clerk from the paper."""


@dataclass(frozen=True)
class Single:
    code: int
    texts: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _code(self.code)
        _texts(self.texts)


@dataclass(frozen=True)
class Multi:
    codes: frozenset[int]
    texts: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.codes, (set, frozenset)):
            raise InputError(f"番号は集合で指定してください（{self.codes!r} は使えません）。")
        for code in self.codes:
            _code(code)
        _texts(self.texts)


@dataclass(frozen=True)
class Text:
    text: str

    def __post_init__(self) -> None:
        _clean(self.text, "記述")


# One row of a matrix: a code, or the row is blank / unusable on paper.
Cell = int | Blank | Invalid


@dataclass(frozen=True)
class Grid:
    cells: Mapping[str, Cell]

    def __post_init__(self) -> None:
        if not isinstance(self.cells, Mapping):
            raise InputError(f"表の回答は行ごとに指定してください（{self.cells!r} は使えません）。")
        for row, cell in self.cells.items():
            _clean(row, "行の名前")
            if not isinstance(cell, (Blank, Invalid)):
                _code(cell)


@dataclass(frozen=True)
class Counts:
    """Whole numbers per item; None is an item left blank."""

    values: Mapping[str, int | None]

    def __post_init__(self) -> None:
        if not isinstance(self.values, Mapping):
            raise InputError(f"人数は項目ごとに指定してください（{self.values!r} は使えません）。")
        for item, number in self.values.items():
            _clean(item, "項目の名前")
            if number is not None:
                _code(number, "人数")


@dataclass(frozen=True)
class Number:
    """An integer or decimal question's value, exact: a Decimal, stored as its digits."""

    value: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            raise InputError(f"数値は Decimal で指定してください（{self.value!r} は使えません）。")


@dataclass(frozen=True)
class Date:
    """A date question's value: the day, whatever era or form the paper wrote it in."""

    day: datetime.date

    def __post_init__(self) -> None:
        if not isinstance(self.day, datetime.date) or isinstance(self.day, datetime.datetime):
            raise InputError(f"日付は date で指定してください（{self.day!r} は使えません）。")


# What one field of a repeat's row may hold (a field off its row's route is absent).
RowCell = Blank | Invalid | Single | Multi | Text | Number | Date


@dataclass(frozen=True)
class Table:
    """A repeat's value: its rows in the paper's order, each a mapping field id → value. A row
    holds the fields keyed for it (a field its row does not ask is absent); a row is stored the
    moment it is accepted. At most ``MAX_ROWS`` rows."""

    rows: tuple[Mapping[str, RowCell], ...]

    def __post_init__(self) -> None:
        if not isinstance(self.rows, tuple):
            raise InputError(f"表の行は tuple で指定してください（{self.rows!r} は使えません）。")
        if len(self.rows) > MAX_ROWS:
            raise InputError(f"行が多すぎます（{len(self.rows)} 行。chosho の表は {MAX_ROWS} 行までです）。")
        for row in self.rows:
            if not isinstance(row, Mapping):
                raise InputError(f"表の行は列ごとに指定してください（{row!r} は使えません）。")
            for name, cell in row.items():
                _clean(name, "列の名前")
                if not isinstance(cell, (Blank, Invalid, Single, Multi, Text, Number, Date)):
                    raise InputError(f"表の欄に {type(cell).__name__} は入れられません。")
                if getattr(cell, "route_as", None) is not None:
                    raise InputError("表の欄では経路を選べません。")

    def replaced(self, index: int, row: Mapping[str, RowCell]) -> Table:
        """This table with row ``index`` (0-based) set; ``index == len(rows)`` appends."""
        rows = list(self.rows)
        if index == len(rows):
            rows.append(dict(row))
        else:
            rows[index] = dict(row)
        return Table(tuple(rows))

    def inserted(self, index: int, row: Mapping[str, RowCell]) -> Table:
        return Table(self.rows[:index] + (dict(row),) + self.rows[index:])

    def removed(self, index: int) -> Table:
        return Table(self.rows[:index] + self.rows[index + 1 :])


Value = Blank | Invalid | NotApplicable | Single | Multi | Text | Grid | Counts | Number | Date | Table

EMPTY_LABELS = {Blank: "無回答", Invalid: "無効", NotApplicable: "非該当"}


# -- normalisation ---------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s,、・/;]+")


def normalize_digits(raw: str) -> str:
    """NFKC (so "１２" typed through an IME is "12", ❶ is "1"), controls removed, ends stripped."""
    return _CONTROLS.sub("", to_ascii_digits(raw).replace("\t", " ")).strip()


def clean_text(raw: str) -> str:
    """NFC (joins combining voicing marks), line ends unified, controls removed, ends stripped."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text.replace("\t", " ")).strip()


def allowed_codes(codes: tuple[int, ...]) -> str:
    """Codes for a message: "1～5" when they run without a gap, else "1、2、9"."""
    ordered = sorted(codes)
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}～{ordered[-1]}"
    return "、".join(str(c) for c in ordered)


def _numbers(question: Question, raw: str) -> list[int]:
    cleaned = normalize_digits(raw)
    parts = [p for p in _SEPARATORS.split(cleaned) if p]
    allowed = allowed_codes(question.codes)
    numbers = []
    for part in parts:
        try:
            code = parse_whole(part)
        except NumberError:
            raise InputError(f"「{part}」は番号ではありません。{allowed} の番号を入力してください。") from None
        if code not in question.codes:
            raise InputError(f"{code} は選択肢にありません。{allowed} の番号を入力してください。")
        numbers.append(code)
    return numbers


def parse_code(question: Question, raw: str) -> Single | Blank | Invalid:
    """A single-answer box as typed. Two numbers in one box are 無効, keeping what was typed."""
    numbers = _numbers(question, raw)
    if not numbers:
        return Blank()
    if len(set(numbers)) > 1:
        return Invalid(raw=clean_text(raw))  # what the paper showed, as typed (「２，３」)
    return Single(numbers[0])


def parse_codes(question: Question, raw: str) -> Multi | Blank:
    """Ticks of a 【複数回答可】 question, typed as numbers: "1,3" "1 3" "１、３"."""
    numbers = _numbers(question, raw)
    return Multi(frozenset(numbers)) if numbers else Blank()


def parse_cell(question: Question, raw: str) -> Cell:
    """One row of a matrix question."""
    value = parse_code(question, raw)
    return value.code if isinstance(value, Single) else value


def parse_count(raw: str) -> int | None:
    """A whole number of people; "１，２３４" and "12人" are read, blank is None."""
    cleaned = normalize_digits(raw).replace(",", "").replace(" ", "")
    cleaned = cleaned.removesuffix("人")
    try:
        return parse_whole(cleaned, what="整数", allow_empty=True)
    except NumberError as exc:
        raise InputError(str(exc)) from None


def parse_amount(question: Question, raw: str) -> Number | Blank:
    """An integer / decimal question as keyed: digits (full-width too), ``1,234,567``, the
    question's unit after the digits; its bounds checked. Blank is 無回答."""
    try:
        value = parse_number(
            raw, what="数値", allow_empty=True, amount=True, decimal=question.decimal, unit=question.unit
        )
    except NumberError as exc:
        raise InputError(str(exc)) from None
    if value is None:
        return Blank()
    check_bounds(question, value)
    return Number(value)


def check_bounds(question: Question, value: Decimal) -> None:
    """The question's ``constraint`` bounds, with a message naming them in the question's unit."""
    if question.minimum is not None and value < question.minimum:
        raise InputError(f"{grouped(value)}{question.unit} は小さすぎます（{grouped(question.minimum)}{question.unit} 以上）。")
    if question.maximum is not None and value > question.maximum:
        raise InputError(f"{grouped(value)}{question.unit} は大きすぎます（{grouped(question.maximum)}{question.unit} 以下）。")


def parse_day(raw: str) -> Date | Blank:
    """A date question as keyed or imported: R6.4.1, 令和6年4月1日, R060401, 2024/4/1 …
    (survey.dates says what is read and why a date is refused). Blank is 無回答."""
    day = parse_date(raw, allow_empty=True)
    return Blank() if day is None else Date(day)


def parse_text(raw: str) -> Text | Blank:
    text = clean_text(raw)
    return Text(text) if text else Blank()


# -- plain data (for storage and export) -----------------------------------------------------


def _texts_out(texts: Mapping[int, str]) -> dict[str, str]:
    return {str(k): v for k, v in sorted(texts.items())}


def _cell_out(cell: Cell) -> Any:
    if isinstance(cell, Blank):
        return {"state": "blank"}
    if isinstance(cell, Invalid):
        return {"state": "invalid", "raw": cell.raw}
    return cell


def encode(value: Value) -> dict[str, Any]:
    """JSON-ready form of a value; ``decode`` is its inverse."""
    if isinstance(value, Blank):
        out: dict[str, Any] = {"state": "blank"}
        if value.route_as is not None:
            out["route_as"] = value.route_as
        return out
    if isinstance(value, Invalid):
        out = {"state": "invalid", "raw": value.raw}
        if value.route_as is not None:
            out["route_as"] = value.route_as
        return out
    if isinstance(value, NotApplicable):
        return {"state": "not_applicable"}
    if isinstance(value, Single):
        return {"single": value.code, "texts": _texts_out(value.texts)}
    if isinstance(value, Multi):
        return {"multi": sorted(value.codes), "texts": _texts_out(value.texts)}
    if isinstance(value, Text):
        return {"text": value.text}
    if isinstance(value, Grid):
        return {"grid": {row: _cell_out(cell) for row, cell in value.cells.items()}}
    if isinstance(value, Counts):
        return {"counts": dict(value.values)}
    if isinstance(value, Number):
        return {"number": str(value.value)}
    if isinstance(value, Date):
        return {"date": value.day.isoformat()}  # a string: JSON's numbers are floats to most readers
    if isinstance(value, Table):
        return {"table": [{name: encode(cell) for name, cell in row.items()} for row in value.rows]}
    raise TypeError(f"not an answer value: {value!r}")


def _cell_in(data: Any) -> Cell:
    if isinstance(data, int):
        return data
    if data.get("state") == "blank":
        return Blank()
    return Invalid(raw=data.get("raw", ""))


def decode(data: Mapping[str, Any]) -> Value:
    state = data.get("state")
    if state == "blank":
        return Blank(route_as=data.get("route_as"))
    if state == "invalid":
        return Invalid(raw=data.get("raw", ""), route_as=data.get("route_as"))
    if state == "not_applicable":
        return NotApplicable()
    texts = {int(k): v for k, v in data.get("texts", {}).items()}
    if "single" in data:
        return Single(int(data["single"]), texts)
    if "multi" in data:
        return Multi(frozenset(int(c) for c in data["multi"]), texts)
    if "text" in data:
        return Text(data["text"])
    if "grid" in data:
        return Grid({row: _cell_in(cell) for row, cell in data["grid"].items()})
    if "counts" in data:
        return Counts(dict(data["counts"]))
    if "number" in data:
        return Number(Decimal(str(data["number"])))
    if "date" in data:
        return Date(datetime.date.fromisoformat(str(data["date"])))
    if "table" in data:
        return Table(tuple({name: decode(cell) for name, cell in row.items()} for row in data["table"]))
    raise ValueError(f"回答の形式が不明です: {data!r}")


def describe(question: Question, value: Value | None) -> str:
    """A short Japanese rendering of a value, for lists, review and messages."""
    if value is None:
        return "未入力"
    label = EMPTY_LABELS.get(type(value))
    if label is not None:
        extra = f"（{value.raw}）" if isinstance(value, Invalid) and value.raw else ""
        if getattr(value, "route_as", None) is not None:
            extra += f"［経路は {value.route_as} と仮定］"
        return label + extra
    if isinstance(value, Single):
        option = question.option(value.code)
        shown = f"{value.code} {option.label}" if option else str(value.code)
        return shown + "".join(f"「{text}」" for text in value.texts.values())
    if isinstance(value, Multi):
        texts = "".join(f"（{code}「{value.texts[code]}」）" for code in sorted(value.texts))
        return "、".join(str(c) for c in sorted(value.codes)) + texts
    if isinstance(value, Text):
        return value.text
    if isinstance(value, Grid):
        parts = []
        for row in question.rows:
            cell = value.cells.get(row.id)
            shown = "未入力" if cell is None else str(cell) if isinstance(cell, int) else EMPTY_LABELS[type(cell)]
            parts.append(f"{row.label} {shown}")
        return " / ".join(parts)
    if isinstance(value, Number):
        return f"{grouped(value.value)}{question.unit}"
    if isinstance(value, Date):
        return shown_date(value.day)
    if isinstance(value, Counts):
        return " / ".join(
            f"{item.label} {_count_shown(item, value)}" for item in question.items
        )
    if isinstance(value, Table):
        if not value.rows:
            return "0 行"
        return f"{len(value.rows)} 行: " + " ／ ".join(
            f"［{n}］" + describe_row(question, row) for n, row in enumerate(value.rows, start=1)
        )
    return repr(value)


def describe_row(question: Question, row: Mapping[str, Value]) -> str:
    """One row of a repeat in a line: each field keyed for it, in the table's order."""
    parts = []
    for f in question.fields:
        if f.id in row:
            cell = row[f.id]
            shown = str(cell.code) if isinstance(cell, Single) else describe(f, cell)
            parts.append(f"{f.text} {shown}")
    return "、".join(parts) if parts else "（空の行）"


def missing_fields(question: Question, row: Mapping[str, Value]) -> tuple[str, ...]:
    """Fields one row of a repeat asks (its relevance, by the routing engine) not keyed yet."""
    from .routing import OFF, row_route  # routing imports this module

    return tuple(fid for fid, status in row_route(question, row).items() if status != OFF and fid not in row)


def _count_shown(item, value: Counts) -> str:
    if item.id not in value.values:
        return "未入力"
    number = value.values[item.id]
    return "無回答" if number is None else f"{number}{item.unit}"


def unfinished_parts(question: Question, value: Value | None) -> tuple[str, ...]:
    """Rows of a matrix / items of a counts question not keyed yet (a partial answer is stored
    row by row as the clerk goes, so a killed process keeps every row already accepted)."""
    if isinstance(value, Grid):
        return tuple(row.id for row in question.rows if row.id not in value.cells)
    if isinstance(value, Counts):
        return tuple(item.id for item in question.items if item.id not in value.values)
    if isinstance(value, Table):
        return tuple(f"行{n}" for n, row in enumerate(value.rows, start=1) if missing_fields(question, row))
    return ()


def is_complete(question: Question, value: Value | None) -> bool:
    """Entered in full: recorded, and no row or item still to key."""
    return value is not None and not unfinished_parts(question, value)


def kind_accepts(question: Question, value: Value) -> bool:
    """Whether a non-empty value is of the form the question's type takes."""
    expected = {
        QuestionType.SINGLE: Single,
        QuestionType.MULTI: Multi,
        QuestionType.TEXT: Text,
        QuestionType.MATRIX: Grid,
        QuestionType.COUNTS: Counts,
        QuestionType.NUMBER: Number,
        QuestionType.DATE: Date,
        QuestionType.REPEAT: Table,
    }[question.type]
    return isinstance(value, (Blank, Invalid, NotApplicable, expected))
