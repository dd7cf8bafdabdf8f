"""How much the routing engine's forking costs, against a settled walk measured in the same run.

    .venv/bin/python bench/routing.py

An empty form forks over every routing answer (Q1, the Q2 rows, Q4, Q16); a form whose routing
answers are known walks once. The ratio between the two, not the absolute times, is the figure
to compare across machines.
"""

from __future__ import annotations

import statistics
import timeit

import survey
from survey import Grid, Multi, Router, Single

router = Router(survey.builtin())
settled = {
    "Q1": Single(1),
    "Q2": Grid({"line": 1, "x": 2, "facebook": 2, "youtube": 5}),
    "Q4": Multi(frozenset({1})),
}
cases = {
    "settled walk (baseline)": settled,
    "Q1 blank (two branches)": {"Q1": survey.Blank()},
    "empty form (all forks)": {},
}


def best_of(answers: dict, repeat: int = 7, number: int = 2000) -> float:
    return min(timeit.repeat(lambda: router.route(answers), repeat=repeat, number=number)) / number


if __name__ == "__main__":
    times = {name: best_of(answers) for name, answers in cases.items()}
    baseline = times["settled walk (baseline)"]
    for name, seconds in times.items():
        print(f"{name:<26} {seconds * 1e6:8.1f} µs   ×{seconds / baseline:5.1f}")
    print(f"median of the three: {statistics.median(times.values()) * 1e6:.1f} µs per route")
