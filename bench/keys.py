"""Keying speed: time from an accepted answer to the next question's screen, and keys per form.

    .venv/bin/python bench/keys.py [rounds]

Runs the Q1 = 1 paper form of tests/fixtures/paper_forms.toml through the app under Pilot
(80×24), pressing its keys one by one; then the same paper keyed again by a second person
(照合入力), blind and with the live check, with the same keys: its median is reported against
the first keying's from the same run (goal: as fast, ×1.0). For every key that stores an answer and moves on, the
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


async def measure(form: dict, folder: Path) -> list[float]:
    """The first keying of the form, by clerk A, as in everyday entry."""
    timings: list[float] = []
    instrument(timings)
    store = open_store(folder / "chosho.sqlite", "bench")
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_department(pilot, form["department"])
        for key in expand(form["keys"]):
            await press(pilot, key)
    store.close()
    return timings


async def measure_second(form: dict, folder: Path, mode_key: str) -> list[float]:
    """The same paper keyed again, blind, by B (照合入力): "1" checks as it goes, "2" compares later."""
    from tui.screens.second_keying import start_second_keying

    timings: list[float] = []
    instrument(timings)
    with open_store(folder / "chosho.sqlite", "bench") as first:
        dept = next(d.id for d in first.departments() if d.name == form["department"])
        response = first.response(department_id=dept)
        if response.status != "entered":
            first.mark_entered(response.id, expected_version=response.version)
            first.choose_for_verification("all")
    store = open_store(folder / "chosho.sqlite", "bench-verifier")
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start_second_keying(app.screen, dept)
        await pilot.pause()
        await press(pilot, mode_key)
        for key in expand(form["keys"]):
            await press(pilot, key)
    store.close()
    return timings


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    form = next(f for f in paper_forms() if f["expected"]["Q1"].get("single") == 1)
    first: list[float] = []
    blind: list[float] = []
    live: list[float] = []
    for _ in range(rounds):  # alternated, so a noisy moment of the machine hits all three alike
        for mode, timings in (("2", blind), ("1", live)):
            with tempfile.TemporaryDirectory() as folder:
                first += asyncio.run(measure(form, Path(folder)))
                timings += asyncio.run(measure_second(form, Path(folder), mode))
    keys = len(expand(form["keys"]))
    least = minimum_keys(expected_answers(form))
    median = statistics.median(first)
    print(f"answer → next question: median {median * 1000:.1f} ms,"
          f" max {max(first) * 1000:.1f} ms over {len(first)} moves (key handled → next question drawn; Pilot, 80×24)")
    for name, timings in (("second keying, blind (突合 later)", blind), ("second keying, live check", live)):
        print(f"{name}: median {statistics.median(timings) * 1000:.1f} ms over {len(timings)} moves,"
              f" ×{statistics.median(timings) / median:.2f} the first keying's (same keys: {keys})")
    print(f"keys pressed for the Q1 = 1 form: {keys}; minimum (codes, counts, text): {least}")
    print(f"ratio={keys / least:.2f}")


if __name__ == "__main__":
    main()
