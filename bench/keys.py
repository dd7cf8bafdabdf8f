"""Keying speed: time from an accepted answer to the next question's screen, and keys per form.

    .venv/bin/python bench/keys.py

Runs the Q1 = 1 paper form of tests/fixtures/paper_forms.toml through the app under Pilot
(80×24), pressing its keys one by one. For every key that stores an answer and moves on, the
time from the key to the next question drawn (the key line showing the new question) is
recorded; the median is reported (goal < 50 ms). Then the keys pressed are compared with the
minimum a clerk could press: one key per digit of each code and count, plus the text itself,
plus one F2 per blank (goal ≤ 1.2). The last line is `ratio=<keys ratio>`.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db import open_store  # noqa: E402
from survey import Blank, Counts, Grid, Invalid, Multi, Single, Text  # noqa: E402
from tests.entry_helpers import expand, expected_answers, open_department, paper_forms, press  # noqa: E402
from tui.app import ChoshoApp  # noqa: E402


def minimum_keys(answers: dict) -> int:
    """One key per digit of every code and count, the characters of every text, F2 per blank."""
    total = 0
    for value in answers.values():
        if isinstance(value, (Blank, Invalid)):
            total += 1
        elif isinstance(value, Single):
            total += len(str(value.code)) + sum(len(t) for t in value.texts.values())
        elif isinstance(value, Multi):
            total += sum(len(str(c)) for c in value.codes) + sum(len(t) for t in value.texts.values())
        elif isinstance(value, Text):
            total += len(value.text)
        elif isinstance(value, Grid):
            total += sum(len(str(c)) if isinstance(c, int) else 1 for c in value.cells.values())
        elif isinstance(value, Counts):
            total += sum(len(str(n)) if n is not None else 1 for n in value.values.values())
    return total


def instrument(timings: list[float]) -> None:
    """Time from the key reaching the key line to the next question's first drawn frame."""
    from tui.screens.entry import EntryScreen
    from tui.widgets.key_line import KeyLine

    handled = KeyLine._on_key
    show = EntryScreen.show
    pressed: dict[str, float] = {}

    async def on_key(self, event):
        pressed["at"] = time.perf_counter()
        await handled(self, event)

    def shown(self, question_id):
        show(self, question_id)
        if "at" in pressed:
            start = pressed.pop("at")
            self.call_after_refresh(lambda: timings.append(time.perf_counter() - start))

    KeyLine._on_key = on_key
    EntryScreen.show = shown


async def measure(form: dict) -> list[float]:
    timings: list[float] = []
    instrument(timings)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "chosho.sqlite", "bench")
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await open_department(pilot, form["department"])
            for key in expand(form["keys"]):
                await press(pilot, key)
        store.close()
    return timings


def main() -> None:
    form = next(f for f in paper_forms() if f["expected"]["Q1"].get("single") == 1)
    timings = asyncio.run(measure(form))
    keys = len(expand(form["keys"]))
    least = minimum_keys(expected_answers(form))
    print(f"answer → next question: median {statistics.median(timings) * 1000:.1f} ms,"
          f" max {max(timings) * 1000:.1f} ms over {len(timings)} moves (key handled → next question drawn; Pilot, 80×24)")
    print(f"keys pressed for the Q1 = 1 form: {keys}; minimum (codes, counts, text): {least}")
    print(f"ratio={keys / least:.2f}")


if __name__ == "__main__":
    main()
