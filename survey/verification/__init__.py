"""照合入力: the pure core of double entry — comparison, adjudication, the live check,
sampling and keyer statistics. No store, no screens: adapters wire these in."""

from __future__ import annotations

from .adjudicate import (
    FIRST, OTHER, SECOND, Adjudication, Issue, Resolution, adjudicate, build_value, cell_problem, check_resolution,
    take_first, take_second, third_value,
)
from .cells import (
    ANSWER, BLANK, INVALID, NO_TEXT, NOT_APPLICABLE, NOT_ENTERED, OFF_ROUTE, Cell, Variable,
    VerificationError, question_variables, variables,
)
from .compare import Comparer, Comparison, Difference, routing_variables
from .roles import adjudicator_refusal, verifier_refusal
from .typed import typed_cell
from .live import FLAGGED, KEYER, MATCH, VERIFIER, LiveField, Step, step_events
from .sampling import ALL, BY_HAND, EVERY_NTH, PERCENT, Sample, by_hand, draw, every_nth, fresh_seed, percent, sample_all
from .stats import (
    CORRECTION, FIELD_ACCEPTED, HEADERS, KEYER_ERROR, KEYSTROKE, VERIFIED_FIELD, VERIFIER_ERROR, Event, KeyerRow,
    keyer_statistics, keyer_totals, statistics_table,
)
from .status import LABELS, signoff_refusal, verification_state

__all__ = [
    "ALL", "ANSWER", "HEADERS", "LABELS", "signoff_refusal", "statistics_table", "verification_state", "adjudicator_refusal", "cell_problem", "typed_cell", "verifier_refusal", "Adjudication", "BLANK", "BY_HAND", "CORRECTION", "Cell", "Comparer", "Comparison",
    "Difference", "EVERY_NTH", "Event", "FIELD_ACCEPTED", "FIRST", "FLAGGED", "INVALID", "Issue", "KEYER",
    "KEYER_ERROR", "KEYSTROKE", "KeyerRow", "LiveField", "MATCH", "NOT_APPLICABLE", "NOT_ENTERED", "NO_TEXT",
    "OFF_ROUTE", "OTHER", "PERCENT", "Resolution", "SECOND", "Sample", "Step", "VERIFIED_FIELD", "VERIFIER",
    "VERIFIER_ERROR", "Variable", "VerificationError", "adjudicate", "build_value", "by_hand",
    "check_resolution", "draw", "every_nth", "fresh_seed", "keyer_statistics", "keyer_totals", "percent",
    "question_variables", "routing_variables", "sample_all", "step_events", "take_first", "take_second",
    "third_value", "variables",
]
