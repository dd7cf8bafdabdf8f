"""How the comparison (突合) scales: 1,000 against 10,000 department pairs, measured in one run.

    .venv/bin/python bench/compare.py

Each pair is a department's form keyed twice: the second keying rekeys up to three questions
at random (measured: about half the pairs differ, one in nine in a routing answer, one in
sixteen so that the routes differ). The pairs are built first and not timed. The figure to compare across
machines is the ratio of the time per department between the two sizes: ~1.0 means linear.
Adjudicating every pair (taking the second keying everywhere) is timed the same way. Each
figure is the best of three runs; the inputs are moved out of the garbage collector's
reach first (``gc.freeze``), the results are kept, as a caller keeps them.
"""

from __future__ import annotations

import gc
import random
import time

import survey
from exports.synthetic import random_answers, random_value
from survey.verification import Comparer, adjudicate, take_second

QUESTIONNAIRE = survey.builtin()
COMPARER = Comparer(QUESTIONNAIRE)
BASES = 500  # distinct first keyings; every pair's second keying is its own variation


def pairs(count: int, seed: int = 16) -> list[tuple[dict, dict]]:
    rng = random.Random(seed)
    bases = [random_answers(QUESTIONNAIRE, rng, COMPARER.router) for _ in range(BASES)]
    out = []
    for index in range(count):
        first = bases[index % BASES]
        second = dict(first)
        for qid in rng.sample(QUESTIONNAIRE.ids, rng.randint(0, 3)):
            question = QUESTIONNAIRE.question(qid)
            second[qid] = random_value(question, rng, judgeable=qid in QUESTIONNAIRE.judgeable)
        out.append((first, second))
    return out


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run(count: int, repeat: int = 3) -> tuple[float, float, int]:
    """Best of ``repeat`` runs (the machine is shared: the best run is the least disturbed)."""
    data = pairs(count)
    comparisons = [COMPARER.compare(a, b) for a, b in data]
    # The inputs are not the work measured: keep CPython's collector from re-scanning them on
    # every full collection, which alone makes the larger run look slower per department.
    gc.collect()
    gc.freeze()
    compare_seconds = min(timed(lambda: [COMPARER.compare(a, b) for a, b in data]) for _ in range(repeat))
    adjudicate_seconds = min(
        timed(lambda: [adjudicate(COMPARER, c, [take_second(d.name) for d in c.differences]) for c in comparisons])
        for _ in range(repeat)
    )
    gc.unfreeze()
    return compare_seconds, adjudicate_seconds, sum(len(c.differences) for c in comparisons)


if __name__ == "__main__":
    results = {count: run(count) for count in (1_000, 10_000)}
    for count, (compare_s, adjudicate_s, differences) in results.items():
        print(
            f"{count:>6} pairs: compare {compare_s:6.2f} s ({compare_s / count * 1e6:6.0f} µs each), "
            f"adjudicate {adjudicate_s:6.2f} s ({adjudicate_s / count * 1e6:6.0f} µs each), "
            f"{differences} differences"
        )
    (c1, a1, _), (c2, a2, _) = results[1_000], results[10_000]
    print(f"per-department ratio 10,000 / 1,000: compare ×{(c2 / 10_000) / (c1 / 1_000):.2f}, "
          f"adjudicate ×{(a2 / 10_000) / (a1 / 1_000):.2f} (1.00 = linear)")
