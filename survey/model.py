"""The questionnaire as plain, immutable data: what the loader builds from a definition file."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from functools import cached_property

from .conditions import Condition


class QuestionType(str, Enum):
    SINGLE = "single"
    MULTI = "multi"
    TEXT = "text"
    MATRIX = "matrix"
    COUNTS = "counts"
    NUMBER = "number"
    DATE = "date"
    REPEAT = "repeat"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    QuestionType.SINGLE: "単一回答",
    QuestionType.MULTI: "複数回答可",
    QuestionType.TEXT: "自由記述",
    QuestionType.MATRIX: "表（行ごとに単一回答）",
    QuestionType.COUNTS: "人数",
    QuestionType.NUMBER: "数値",
    QuestionType.DATE: "日付",
    QuestionType.REPEAT: "行の表（繰り返し）",
}

# What a field of a repeat (one column of its table) may be.
FIELD_TYPES = (QuestionType.NUMBER, QuestionType.DATE, QuestionType.SINGLE, QuestionType.MULTI, QuestionType.TEXT)
# The most rows a repeat holds (one row per contract, vehicle, subsidy): chosho's stated limit.
MAX_ROWS = 200

CHOOSE_ROUTE = "choose_route"


def _plain(text: str) -> str:
    """A label without the paper's closing 「。」: how the report prints it in a chart."""
    return text.rstrip().removesuffix("。")


@dataclass(frozen=True)
class Option:
    code: int
    label: str
    short: str = ""  # the label as a chart shows it (optional key ``short``)

    @property
    def short_label(self) -> str:
        """The chart's label: the definition's ``short``, else the label without its 「。」."""
        return self.short or _plain(self.label)


@dataclass(frozen=True)
class TextBox:
    """A free-text box that belongs to one option ("5の場合は…記入してください")."""

    option: int
    prompt: str
    name: str = ""  # its variable when not the usual ``{question}_{option}_text``


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    short: str = ""  # the row as a chart titles it (optional key ``short``), e.g. Ｘ
    name: str = ""  # its variable when not the usual ``{question}_{row}``

    @property
    def short_label(self) -> str:
        return self.short or _plain(self.label)


@dataclass(frozen=True)
class Item:
    """One number of a counts question; ``at_most`` names the item it may not exceed."""

    id: str
    label: str
    unit: str = ""
    at_most: str | None = None
    name: str = ""  # its variable when not the usual ``{question}_{item}``


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    type: QuestionType
    text: str
    section: str | None = None
    required: bool = True
    on_blank: str | None = None
    notes: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    text_instruction: str = ""
    text_boxes: tuple[TextBox, ...] = ()
    rows: tuple[Row, ...] = ()
    items: tuple[Item, ...] = ()
    short_title: str = ""  # the question as a chart's title (optional key ``short_title``)
    # A number question (integer / decimal): its unit as the paper prints it (円, 千円, km, 件),
    # whether a point is allowed, and its bounds (XLSForm's ``constraint`` ``. >= 0``).
    unit: str = ""
    decimal: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    # A repeat (XLSForm ``begin_repeat``): its fields (each a question of a type in FIELD_TYPES,
    # one column of the table) and how many rows the paper has: a number, a question id (an
    # integer question asked before it: ``${V2}``) or None (as many as keyed, up to MAX_ROWS).
    fields: tuple[Question, ...] = ()
    repeat_count: int | str | None = None
    # A field of a repeat: when it is asked within its row (a condition on the row's earlier
    # fields), and the field of the same row it may not exceed (``. <= ${other}``).
    relevant: Condition | None = None
    relevant_text: str = ""
    at_most: str | None = None

    def field(self, field_id: str) -> Question | None:
        return next((f for f in self.fields if f.id == field_id), None)

    @property
    def chart_title(self) -> str:
        """The chart's title (no label, no base): the definition's ``short_title``, else the
        question's whole text without its 「。」 (never cut: a cut title is not the report's)."""
        return self.short_title or _plain(self.text)

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(option.code for option in self.options)

    def option(self, code: int) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    def text_box(self, code: int) -> TextBox | None:
        return next((b for b in self.text_boxes if b.option == code), None)

    def row(self, row_id: str) -> Row | None:
        return next((r for r in self.rows if r.id == row_id), None)

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    # -- variables: the columns of 回答一覧, the analysis data and the fillable forms ---------
    def option_variable(self, code: int) -> str:
        """A multiple-choice option's tick (XLSForm's ``{name}_{choice}``)."""
        return f"{self.id}_{code}"

    def row_variable(self, row: Row) -> str:
        return row.name or f"{self.id}_{row.id}"

    def item_variable(self, item: Item) -> str:
        return item.name or f"{self.id}_{item.id}"

    def box_variable(self, code: int) -> str:
        box = self.text_box(code)
        return (box.name if box else "") or f"{self.id}_{code}_text"

    @property
    def variables(self) -> tuple[str, ...]:
        """Every variable of this question, in the order of the answer list."""
        if self.type is QuestionType.MULTI:
            main = tuple(self.option_variable(o.code) for o in self.options)
        elif self.type is QuestionType.MATRIX:
            main = tuple(self.row_variable(r) for r in self.rows)
        elif self.type is QuestionType.COUNTS:
            main = tuple(self.item_variable(i) for i in self.items)
        elif self.type is QuestionType.REPEAT:
            main = ()  # a table of rows: its own sheet and data file, one column per field
        else:
            main = (self.id,)
        return main + tuple(self.box_variable(b.option) for b in self.text_boxes)

    @property
    def chooses_route_when_blank(self) -> bool:
        return self.on_blank == CHOOSE_ROUTE


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Skip:
    """After answering ``at``, go to ``to`` when ``when`` holds (the paper's "※ …に進んでください")."""

    at: str
    when: Condition
    to: str
    when_text: str
    note: str = ""
    respondent_judgement: bool = False


@dataclass(frozen=True)
class Check:
    """A soft check: when ``when`` holds, the form is flagged with ``message``."""

    at: str
    when: Condition
    message: str
    when_text: str


@dataclass(frozen=True)
class Group:
    """A 部局 and its 所属, in the order of the report."""

    name: str
    departments: tuple[str, ...]


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: str
    questions: tuple[Question, ...]
    sections: tuple[Section, ...] = ()
    skips: tuple[Skip, ...] = ()
    checks: tuple[Check, ...] = ()
    roster: tuple[Group, ...] = ()
    meta: dict[str, object] = field(default_factory=dict, compare=False)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {q.id: i for i, q in enumerate(self.questions)}

    def question(self, question_id: str) -> Question:
        return self.questions[self._index[question_id]]

    def position(self, question_id: str) -> int:
        return self._index[question_id]

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._index

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    def section(self, section_id: str | None) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def skips_at(self, question_id: str) -> tuple[Skip, ...]:
        return tuple(s for s in self.skips if s.at == question_id)

    def checks_at(self, question_id: str) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.at == question_id)

    @cached_property
    def judgeable(self) -> frozenset[str]:
        """Questions the clerk may record as 非該当: those a respondent-judged skip passes over."""
        skipped: set[str] = set()
        for skip in self.skips:
            if skip.respondent_judgement:
                skipped.update(self.ids[self.position(skip.at) + 1 : self.position(skip.to)])
        return frozenset(skipped)

    @property
    def departments(self) -> tuple[tuple[str, str], ...]:
        """(部局, 所属) pairs in roster order."""
        return tuple((g.name, d) for g in self.roster for d in g.departments)
