"""chosho's domain core: the questionnaire as data, its routing, and answer validation.

Pure: it reads its definition file and nothing else, and imports no UI, database or
dataframe library, so every adapter (entry screens, store, review, export) can depend on it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .answers import (
    Blank,
    Counts,
    Grid,
    InputError,
    Invalid,
    Multi,
    NotApplicable,
    Single,
    Text,
    Value,
)
from .loader import DefinitionError, load_definition, parse_definition
from .model import Questionnaire, Question, QuestionType
from .routing import Route, RouteChange, Router
from .validation import Problem, Severity, check_answer, check_form

__all__ = [
    "BUILTIN_DEFINITION",
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


@lru_cache(maxsize=1)
def builtin() -> Questionnaire:
    """The embedded questionnaire: Niiza City FY2024 「ソーシャルメディアの利活用に関する調書」."""
    return load_definition(BUILTIN_DEFINITION)
