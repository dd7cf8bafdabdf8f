"""照合入力: the pure core of double entry — comparison, adjudication, the live check,
sampling and keyer statistics. No store, no screens: adapters wire these in.

Names load their module on first use (PEP 562): the department list reads a state label
(``status``) on the way to its first frame without loading the comparison and adjudication.
"""

from __future__ import annotations

import importlib

_MODULES = {
    "Adjudication": "adjudication",
    "FIRST": "adjudication",
    "Issue": "adjudication",
    "OTHER": "adjudication",
    "Resolution": "adjudication",
    "SECOND": "adjudication",
    "adjudicate": "adjudication",
    "build_value": "adjudication",
    "cell_problem": "adjudication",
    "check_resolution": "adjudication",
    "take_first": "adjudication",
    "take_second": "adjudication",
    "third_value": "adjudication",
    "ANSWER": "cells",
    "BLANK": "cells",
    "Cell": "cells",
    "INVALID": "cells",
    "NOT_APPLICABLE": "cells",
    "NOT_ENTERED": "cells",
    "NO_TEXT": "cells",
    "OFF_ROUTE": "cells",
    "Variable": "cells",
    "VerificationError": "cells",
    "question_variables": "cells",
    "variables": "cells",
    "Comparer": "compare",
    "Comparison": "compare",
    "Difference": "compare",
    "routing_variables": "compare",
    "FLAGGED": "live",
    "KEYER": "live",
    "LiveField": "live",
    "MATCH": "live",
    "Step": "live",
    "VERIFIER": "live",
    "step_events": "live",
    "adjudicator_refusal": "roles",
    "verifier_refusal": "roles",
    "ALL": "sampling",
    "BY_HAND": "sampling",
    "EVERY_NTH": "sampling",
    "PERCENT": "sampling",
    "Sample": "sampling",
    "by_hand": "sampling",
    "draw": "sampling",
    "every_nth": "sampling",
    "fresh_seed": "sampling",
    "percent": "sampling",
    "sample_all": "sampling",
    "CORRECTION": "stats",
    "Event": "stats",
    "FIELD_ACCEPTED": "stats",
    "HEADERS": "stats",
    "KEYER_ERROR": "stats",
    "KEYSTROKE": "stats",
    "KeyerRow": "stats",
    "VERIFIED_FIELD": "stats",
    "VERIFIER_ERROR": "stats",
    "keyer_statistics": "stats",
    "keyer_totals": "stats",
    "statistics_table": "stats",
    "LABELS": "status",
    "signoff_refusal": "status",
    "verification_state": "status",
    "typed_cell": "typed",
}


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


def __getattr__(name: str):
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
