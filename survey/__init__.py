"""chosho's domain core: the questionnaire as data, its routing, answer values and their checks,
the one parser of codes and numbers, people's names compared, and double entry (``verification``).

Pure: it reads its definition file and nothing else, and imports no UI, database or
dataframe library, so every adapter (entry screens, store, review, export) can depend on it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DefinitionError, InputError

if TYPE_CHECKING:
    from .answers import Blank, Counts, Date, Grid, Invalid, Multi, NotApplicable, Number, Single, Table, Text, Value
    from .loader import load_definition, parse_definition
    from .model import Question, Questionnaire, QuestionType
    from .routing import Route, RouteChange, Router
    from .validation import Problem, Severity, check_answer, check_form

# Each name is imported from its module when first used: the app's first screen (who is
# entering) opens the database before it needs the questionnaire, and building these classes
# (dataclasses, the condition parser) is most of this package's import time.
_FROM = {
    **dict.fromkeys(
        ("Blank", "Counts", "Date", "Grid", "Invalid", "Multi", "NotApplicable", "Number", "Single", "Table", "Text", "Value"), "answers"
    ),
    **dict.fromkeys(("load_definition", "parse_definition"), "loader"),
    **dict.fromkeys(("Question", "Questionnaire", "QuestionType"), "model"),
    **dict.fromkeys(("Route", "RouteChange", "Router"), "routing"),
    **dict.fromkeys(("Problem", "Severity", "check_answer", "check_form"), "validation"),
}


def __getattr__(name: str):
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module 'survey' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FROM))


__all__ = [
    "BUILTIN_DEFINITION",
    "BUILTIN_WORKBOOK",
    "Blank",
    "Counts",
    "DefinitionError",
    "Grid",
    "InputError",
    "Invalid",
    "Multi",
    "NotApplicable",
    "Problem",
    "Question",
    "QuestionType",
    "Questionnaire",
    "Route",
    "RouteChange",
    "Router",
    "Severity",
    "Single",
    "Text",
    "Value",
    "builtin",
    "check_answer",
    "check_form",
    "load_definition",
    "parse_definition",
]

BUILTIN_DEFINITION = Path(__file__).with_name("definitions") / "niiza_fy2024_social_media.toml"
# The same questionnaire as an XLSForm workbook (tests/test_xlsform.py holds them equal): the
# form a clerk copies and edits in Excel for next year's 調書.
BUILTIN_WORKBOOK = BUILTIN_DEFINITION.with_suffix(".xlsx")


@lru_cache(maxsize=1)
def builtin() -> Questionnaire:
    """The embedded questionnaire: Niiza City FY2024 「ソーシャルメディアの利活用に関する調書」."""
    from .loader import load_definition

    return load_definition(BUILTIN_DEFINITION)
