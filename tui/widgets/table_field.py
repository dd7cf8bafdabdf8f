"""A repeat's table keyed row by row on one screen, like the Q2 matrix: heads-down, each cell
on the screen's key line, each row stored the moment it is accepted.

The field walks the current row's fields in order, skipping those the row does not ask (its
relevance, decided by the routing engine's ``row_route``). A single choice is taken as soon as
its code is complete; a number, a date or a text with Enter (empty Enter: 無回答, or on a stored
row, keep the cell). After the row's last field the row is offered to the screen
(``Outcome.row``), which stores it at once and moves to the next row. The rows asked for come
from ``repeat_count`` (``expected``); with none stated, Enter on the first field of an empty new
row ends the table. F8 adds a row at the end, F9 inserts one before the current row, F10
removes the current row (the screen asks first); ↑↓ move between rows.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.widgets import Static

from survey import Blank, InputError, Invalid, Multi, Question, QuestionType, Single, Value
from survey.answers import Date, Number, Table, Text, parse_amount, parse_code, parse_codes, parse_day, parse_text
from survey.dates import era_of
from survey.model import MAX_ROWS
from survey.numbers import grouped
from survey.routing import OFF, row_route

from ..keying import complete_code, normalize
from .columns import Column, cell, share
from .fields import AnswerField, Outcome
from .folded import Folded

__all__ = ["TABLE_CSS", "TableField", "cell_text"]

TABLE_CSS = __import__("pathlib").Path(__file__).with_suffix(".tcss")  # the entry screen names it

WINDOW = 7  # rows drawn around the current one (the body scrolls no further at 80×24)


def cell_text(field: Question, value: Value | None) -> str:
    """A cell as the table shows it: short, the unit in the heading."""
    if value is None:
        return ""
    if isinstance(value, Number):
        return grouped(value.value)
    if isinstance(value, Date):
        return short_date(value.day)
    if isinstance(value, Single):
        return str(value.code)
    if isinstance(value, Multi):
        return ",".join(str(c) for c in sorted(value.codes))
    if isinstance(value, Text):
        return value.text
    if isinstance(value, Invalid):
        return f"無効{f'（{value.raw}）' if value.raw else ''}"
    return "無回答"


def short_date(day) -> str:
    """A date as a form's table writes it: R6.4.1 (西暦 before the era table)."""
    era = era_of(day)
    if era is None:
        return day.isoformat()
    return f"{era.letter}{day.year - era.start.year + 1}.{day.month}.{day.day}"


class TableField(AnswerField):
    """The repeat question's field (see the module's docstring)."""

    def __init__(self, question: Question, value: Value | None, **kwargs) -> None:
        super().__init__(question, value, **kwargs)
        self.expected: int | None = None  # the rows repeat_count asks for (set by the screen)
        self.rows: list[dict] = [dict(r) for r in value.rows] if isinstance(value, Table) else []
        self.current = 0
        self.draft: dict = {}
        self.position = 0  # the field being keyed, an index into question.fields
        self.inserting = False  # the draft is a new row put before ``current`` (F9)
        self.resume()

    # -- where the clerk is ----------------------------------------------------------------

    @property
    def target(self) -> int:
        """Rows the table is to have: what repeat_count asks, and at least those stored."""
        return min(MAX_ROWS, max(self.expected or 0, len(self.rows)))

    def set_expected(self, expected: int | None) -> None:
        self.expected = expected
        self.resume()

    def resume(self) -> None:
        """The first row still to key: an unfinished stored row, else the first new one."""
        from survey.answers import missing_fields

        unfinished = next((i for i, r in enumerate(self.rows) if missing_fields(self.question, r)), None)
        if unfinished is not None:
            self.go_to(unfinished)
        elif self.rows and self.question.repeat_count is not None and len(self.rows) >= self.target:
            self.go_to(0)  # every row asked for is keyed: back at the top, Enter walks through
        else:
            self.go_to(len(self.rows))

    def go_to(self, index: int) -> None:
        self.current = max(0, min(index, len(self.rows), MAX_ROWS - 1))
        self.inserting = False
        self.draft = dict(self.rows[self.current]) if self.current < len(self.rows) else {}
        self.position = self._next_position(-1)
        self.refresh_display()

    def _asked(self, row: Mapping) -> dict[str, str]:
        return row_route(self.question, row)

    def _next_position(self, after: int) -> int | None:
        """The next field after ``after`` this row asks (None: the row is done)."""
        status = self._asked(self.draft)
        for i in range(after + 1, len(self.question.fields)):
            if status[self.question.fields[i].id] != OFF:
                return i
        return None

    @property
    def field(self) -> Question | None:
        return None if self.position is None else self.question.fields[self.position]

    @property
    def stored_row(self) -> bool:
        return self.current < len(self.rows) and not self.inserting

    # -- display ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._table(), id="table-rows", markup=False)
        yield Folded([("", self.hint())], classes="hint")

    def hint(self) -> str:
        count = self.question.repeat_count
        stated = (f"行数は {self.expected}（{count}）。" if isinstance(count, str) and self.expected is not None
                  else f"行数は {count}。" if isinstance(count, int) else "")
        return (f"{stated}列ごとに入力して Enter、行の最後で行を記録（↑↓ 行の移動、F8 行追加、F9 行挿入、"
                f"F10 行削除、{MAX_ROWS} 行まで）。")

    def _columns(self) -> list[Column]:
        columns = [Column("行", width=3)]
        for f in self.question.fields:
            heading = f"{f.text}（{f.unit}）" if f.unit else f.text
            if f.type is QuestionType.NUMBER:
                columns.append(Column(heading, weight=2, least=6, most=16))
            elif f.type is QuestionType.DATE:
                columns.append(Column(heading, width=9))
            elif f.type in (QuestionType.SINGLE, QuestionType.MULTI):
                columns.append(Column(heading, weight=1, least=4, most=8))
            else:
                columns.append(Column(heading, weight=3, least=6))
        return columns

    def _table(self) -> RichText:
        columns = self._columns()
        width = (self.size.width if self.is_mounted and self.size.width else 78)
        # share() counts two cells of padding a column; a line here has one space after each
        widths = share(columns, width + len(columns), scrollbar=False)
        out = RichText()
        out.append_text(self._line([c.heading for c in columns], widths, "bold underline"))
        shown = max(self.target, self.current + 1, len(self.rows))
        start = max(0, min(self.current - WINDOW // 2, shown - WINDOW))
        end = min(shown, start + WINDOW)
        if start:
            out.append(f"\n  …上に {start} 行", style="dim")
        for index in range(start, end):
            here = index == self.current
            if here:
                row = self.draft
            else:
                stored = index - (1 if self.inserting and index > self.current else 0)
                row = self.rows[stored] if 0 <= stored < len(self.rows) else {}
            status = self._asked(row)
            texts = [("▶" if here else " ") + str(index + 1)]
            for i, f in enumerate(self.question.fields):
                if here and i == self.position:
                    texts.append("＿")
                elif status[f.id] == OFF:
                    texts.append("－")
                else:
                    texts.append(cell_text(f, row.get(f.id)))
            out.append("\n")
            out.append_text(self._line(texts, widths, "bold" if here else "", self.position if here else None))
        if end < shown:
            out.append(f"\n  …下に {shown - end} 行", style="dim")
        if self.rows or self.current < len(self.rows):
            out.append(f"\n  記録済み {len(self.rows)} 行", style="dim")
        return out

    @staticmethod
    def _line(texts: list[str], widths: list[int], style: str, at: int | None = None) -> RichText:
        line = RichText()
        for i, (text, width) in enumerate(zip(texts, widths)):
            here = at is not None and i == at + 1
            line.append_text(cell(text, width, "reverse" if here else style))
            line.append(" ")
        return line

    def refresh_display(self) -> None:
        if self.is_mounted:
            self.query_one("#table-rows", Static).update(self._table())

    def on_resize(self) -> None:
        self.refresh_display()

    # -- the key line ----------------------------------------------------------------------

    def prompt(self) -> str:
        if self.taking_invalid:
            return "無効の記載"
        field = self.field
        return f"行{self.current + 1} {field.text if field else ''}"

    def placeholder(self) -> str:
        if self.taking_invalid:
            return super().placeholder()
        field = self.field
        keep = "空のまま Enter はそのまま" if field is not None and field.id in self.draft else "空のまま Enter は無回答"
        if field is None:
            return "Enter で次へ"
        if field.type is QuestionType.NUMBER:
            return f"数値{f'（{field.unit}）' if field.unit else ''}（{keep}）"
        if field.type is QuestionType.DATE:
            return f"R6.4.1・令和6年4月1日・2024/4/1（{keep}）"
        if field.type in (QuestionType.SINGLE, QuestionType.MULTI):
            codes = field.codes
            return f"番号 {min(codes)}～{max(codes)}（{keep}）"
        if self._ends_table():
            return "空のまま Enter で表を終えて次の問いへ"
        return f"記入のとおりに（{keep}）"

    @property
    def takes_codes(self) -> bool:
        field = self.field
        return (not self.taking_invalid and field is not None
                and field.type in (QuestionType.SINGLE, QuestionType.MULTI))

    def _ends_table(self) -> bool:
        """An empty Enter on the first field of a new row, past the rows asked for, ends it."""
        return (not self.draft and self.current >= len(self.rows) and self.current >= self.target
                and not self.inserting)

    # -- keys ------------------------------------------------------------------------------

    def typed(self, text: str) -> Outcome | None:
        field = self.field
        if field is not None and field.type is QuestionType.SINGLE and complete_code(field.codes, text) is not None:
            return self._take(text)
        return None

    def entered(self, text: str) -> Outcome:
        if self.field is None:
            return Outcome(move_on=True, line="")
        if not normalize(text).strip() and self._ends_table():
            return self._end()
        return self._take(text)

    def _end(self) -> Outcome:
        """The table is done: on to the next question; a table never stored (no row on the
        paper) is stored now, as its rows (0 rows)."""
        if self.value is None:
            return Outcome(value=Table(tuple(self.rows)), line="")
        return Outcome(move_on=True, line="")

    def commit(self, text: str) -> Outcome:
        """Tab: what is on the line is taken first; cells keyed on a row not yet stored are
        stored as that row (its missing cells are then 入力中), and the screen moves on."""
        if normalize(text).strip():
            outcome = self.entered(text)
            if outcome.problem or outcome.row is not None or outcome.value is not None or outcome.move_on:
                return outcome
        if self.unsaved():
            op = "insert" if self.inserting else "set"
            return Outcome(line="", row=(op, self.current, dict(self.draft)), move_on=True)
        return Outcome(move_on=True, line="")  # passing by: nothing stored

    def _parse(self, field: Question, raw: str) -> Value:
        if field.type is QuestionType.NUMBER:
            return parse_amount(field, raw)
        if field.type is QuestionType.DATE:
            return parse_day(raw)
        if field.type is QuestionType.SINGLE:
            return parse_code(field, raw)
        if field.type is QuestionType.MULTI:
            return parse_codes(field, raw)
        return parse_text(raw)

    def _take(self, raw: str) -> Outcome:
        field = self.field
        if not normalize(raw).strip() and field.id in self.draft:
            return self._cell_done()  # Enter on a keyed cell keeps it
        try:
            value = self._parse(field, raw)
        except InputError as exc:
            return Outcome(problem=f"行{self.current + 1} {field.text}: {exc}")
        return self.put(value)

    def put(self, value: Value) -> Outcome:
        """The current cell holds ``value``: check it as a typed answer is, then go on."""
        from survey.validation import _value_problems

        field = self.field
        problems = _value_problems(field, value)
        if problems:
            return Outcome(problem=f"行{self.current + 1} {field.text}: {problems[0].message}")
        self.draft[field.id] = value
        # a changed choice may take later fields of the row off its route: they go
        status = self._asked(self.draft)
        for f in self.question.fields:
            if status[f.id] == OFF:
                self.draft.pop(f.id, None)
        return self._cell_done()

    def empty_entered(self, kind: type, raw: str) -> Outcome | None:
        """F2 / F3 in a table: the current cell is 無回答 / 無効 (not the whole question)."""
        if self.field is None:
            return Outcome(problem="この行の入力は終わっています。")
        return self.put(Invalid(raw=raw) if kind is Invalid else Blank())

    def _cell_done(self) -> Outcome:
        following = self._next_position(self.position)
        if following is not None:
            self.position = following
            self.refresh_display()
            return Outcome(advance=False, line="")
        return self._row_done()

    def _row_done(self) -> Outcome:
        """Every field the row asks is keyed: offer the row to the screen (stored at once)."""
        unchanged = self.stored_row and self.rows[self.current] == self.draft
        if unchanged:
            return self._next_row(Outcome(line=""))
        op = "insert" if self.inserting else "set"
        return Outcome(advance=False, line="", row=(op, self.current, dict(self.draft)))

    def row_saved(self, value: Table) -> Outcome:
        """The screen stored the row: the next row, or the next question when all are keyed."""
        self.value = value
        self.rows = [dict(r) for r in value.rows]
        return self._next_row(Outcome(line=""))

    def _next_row(self, outcome: Outcome) -> Outcome:
        following = self.current + 1
        if following >= MAX_ROWS or (following >= self.target and self.question.repeat_count is not None
                                     and following >= len(self.rows)):
            self.go_to(min(following, len(self.rows)))
            return Outcome(move_on=True, line="")
        self.go_to(following)
        return Outcome(advance=False, line="") if outcome.value is None else outcome

    def move(self, step: int) -> None:
        self.go_to(max(0, min(self.current + step, len(self.rows))))

    def add_row(self) -> Outcome:
        """F8: a new row after the last."""
        if len(self.rows) >= MAX_ROWS:
            return Outcome(problem=f"表は {MAX_ROWS} 行までです。")
        self.go_to(len(self.rows))
        return Outcome(advance=False, line="")

    def insert_row(self) -> Outcome:
        """F9: a new row before the current one (stored when its last field is keyed)."""
        if len(self.rows) >= MAX_ROWS:
            return Outcome(problem=f"表は {MAX_ROWS} 行までです。")
        if self.current >= len(self.rows):
            return self.add_row()
        self.inserting = True
        self.draft = {}
        self.position = self._next_position(-1)
        self.refresh_display()
        return Outcome(advance=False, line="")

    def removal(self) -> tuple[int, str] | None:
        """F10: the stored row to remove and how it reads (None: nothing stored here)."""
        if not self.stored_row:
            return None
        from survey.answers import describe_row

        return self.current, describe_row(self.question, self.rows[self.current])

    def after_save(self, value: Value) -> bool:
        super().after_save(value)
        self.rows = [dict(r) for r in value.rows] if isinstance(value, Table) else []
        self.go_to(min(self.current, len(self.rows)))
        return False

    def refused(self) -> None:
        """The row could not be stored: the row as keyed stays, on its last field."""
        self.refresh_display()

    def reset(self) -> None:
        self.rows = [dict(r) for r in self.value.rows] if isinstance(self.value, Table) else []
        self.go_to(self.current)

    def unsaved(self) -> str:
        """Cells keyed on the current row not stored yet."""
        if not self.draft or (self.stored_row and self.rows[self.current] == self.draft):
            return ""
        from survey.answers import describe_row

        return f"行{self.current + 1}（{describe_row(self.question, self.draft)}）"
