"""A repeat's rows as the export sees them: the long layout (one line per table row, as REDCap
and ODK export a repeat) and its tallies — each choice field counted over all rows (the base is
rows, not departments) and per department, each number field's count, sum, mean, median, least
and most, each date field's earliest and latest day.

Pure over the records (``DepartmentRecord``): the workbook's sheet (``sheets/repeats.py``) and
the analysis data (``data.py``) write what this computes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field as dc_field
from datetime import date
from decimal import Decimal

from survey import Blank, Invalid, Multi, Question, QuestionType, Single, Text
from survey.answers import Date, Number, Table
from survey.routing import OFF, row_route

from .layout import BLANK_WORD, INVALID_WORD, NA_WORD
from .tally import DepartmentRecord, QuestionTally

__all__ = ["FIXED", "FieldTally", "RepeatTally", "cell_of", "repeats", "table_rows", "tally_repeat"]

FIXED = ("部局", "所属", "行")  # the long layout's first columns: which department, which row


def repeats(questionnaire) -> list[Question]:
    return [q for q in questionnaire.questions if q.type is QuestionType.REPEAT]


def table_rows(question: Question, records: Sequence[DepartmentRecord]) -> list[tuple[DepartmentRecord, int, dict]]:
    """Every row of the repeat, department by department in roster order: (record, row number
    from 1, the row). Departments not counted, or whose route passes the repeat, have none."""
    out = []
    for record in records:
        if not record.included or record.route.status(question.id) == OFF:
            continue
        value = record.answers.get(question.id)
        if isinstance(value, Table):
            out += [(record, n, row) for n, row in enumerate(value.rows, start=1)]
    return out


def cell_of(field: Question, row: dict, status: str):
    """One field of one row as a cell: a code, a Decimal, a date, a text or a state word
    (None: not keyed)."""
    if status == OFF:
        return NA_WORD
    value = row.get(field.id)
    if value is None:
        return None
    if isinstance(value, Blank):
        return BLANK_WORD
    if isinstance(value, Invalid):
        return INVALID_WORD + (f"（{value.raw}）" if value.raw else "")
    if isinstance(value, Number):
        number = value.value
        return int(number) if number == number.to_integral_value() else number
    if isinstance(value, Date):
        return value.day
    if isinstance(value, Single):
        return value.code
    if isinstance(value, Multi):
        return ",".join(str(c) for c in sorted(value.codes))
    if isinstance(value, Text):
        return value.text
    return INVALID_WORD


@dataclass
class FieldTally:
    field: Question
    base: int = 0  # rows that ask this field (its relevance within the row)
    options: Counter = dc_field(default_factory=Counter)  # code -> rows choosing it
    by_department: dict = dc_field(default_factory=dict)  # (部局, 所属) -> Counter(code -> rows)
    blank: int = 0
    invalid: int = 0
    written: int = 0  # rows with a value (a number, a day, a choice, a text)
    numbers: list[Decimal] = dc_field(default_factory=list)
    days: list[date] = dc_field(default_factory=list)

    def number_stats(self) -> dict:
        tally = QuestionTally(question=self.field)
        tally.numbers = self.numbers
        return tally.number_stats()


@dataclass
class RepeatTally:
    question: Question
    rows: int = 0
    departments: Counter = dc_field(default_factory=Counter)  # (部局, 所属) -> rows
    fields: list[FieldTally] = dc_field(default_factory=list)


def tally_repeat(question: Question, records: Sequence[DepartmentRecord]) -> RepeatTally:
    result = RepeatTally(question, fields=[FieldTally(f) for f in question.fields])
    for record, _n, row in table_rows(question, records):
        result.rows += 1
        where = (record.bukyoku, record.name)
        result.departments[where] += 1
        status = row_route(question, row)
        for tally in result.fields:
            f = tally.field
            if status[f.id] == OFF:
                continue
            tally.base += 1
            value = row.get(f.id)
            if isinstance(value, Blank) or value is None:
                tally.blank += 1
                continue
            if isinstance(value, Invalid):
                tally.invalid += 1
                continue
            tally.written += 1
            codes = {value.code} if isinstance(value, Single) else value.codes if isinstance(value, Multi) else ()
            for code in codes:
                tally.options[code] += 1
                tally.by_department.setdefault(where, Counter())[code] += 1
            if isinstance(value, Number):
                tally.numbers.append(value.value)
            elif isinstance(value, Date):
                tally.days.append(value.day)
    return result
