"""Helpers for the returned-form tests: fill a generated form as a department would."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from exports import layout
from exports.forms import excel_name
from survey import Multi, Questionnaire, Value


def cell_of(book, variable: str):
    (sheet, ref), = book.defined_names[excel_name(variable)].destinations
    return book[sheet][ref.replace("$", "")]


def put(cell, value) -> None:
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # as Excel keeps text typed after an apostrophe: text, not a formula


def fill_by_name(path: Path, cells: dict[str, object], out: Path | None = None) -> Path:
    """Write ``cells`` (variable → value) into the form at ``path`` through its defined names."""
    book = openpyxl.load_workbook(path)
    for variable, value in cells.items():
        put(cell_of(book, variable), value)
    book.save(out or path)
    return out or path


def cells_for(questionnaire: Questionnaire, answers: dict[str, Value], router) -> dict[str, object]:
    """What a department writes for ``answers``: codes, ○ for a ticked option (nothing for the
    others), texts, counts, the words 無回答 / 無効（…）; nothing off its route."""
    route = router.route(answers)
    out: dict[str, object] = {}
    for question in questionnaire.questions:
        value = answers.get(question.id)
        if value is None or route.status(question.id) == "off":
            continue
        variables = layout.question_variables(question)
        for variable, cell in zip(variables, layout.render(question, value, False, variables), strict=True):
            if cell is None:
                continue
            if isinstance(value, Multi) and variable.kind == layout.TICK:
                if cell == 1:
                    out[variable.name] = "○"
                continue
            out[variable.name] = cell
    return out
