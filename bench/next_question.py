"""Answer accepted → next question drawn, against a bare Textual screen switch in the same run.

    .venv/bin/python bench/next_question.py [rounds]

chosho: the Q1 = 1 paper form of tests/fixtures/paper_forms.toml keyed under Pilot at 80×24
(as bench/keys.py does); for every key that stores an answer and moves on, the time from the
key reaching the key line to the next question's first drawn frame. Baseline: a bare Textual
app at 80×24 whose screen (a line of text, an Input and a Footer) is replaced by a new one on
each key, timed the same way, from the key to the new screen drawn. The figure that means
something on a noisy machine is the ratio of the medians; the last line is `ratio=<number>`.
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
sys.path.insert(0, str(ROOT / "bench"))

from textual.app import App  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import Footer, Input, Static  # noqa: E402

from keys import measure  # noqa: E402
from tests.entry_helpers import paper_forms  # noqa: E402


class Question(Screen):
    def __init__(self, number: int, timings: list[float], pressed: dict) -> None:
        super().__init__()
        self.number, self.timings, self.pressed = number, timings, pressed

    def compose(self):
        yield Static(f"Q{self.number} 貴所属において…")
        yield Input(id="line", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if "at" in self.pressed:
            start = self.pressed.pop("at")
            self.call_after_refresh(lambda: self.timings.append(time.perf_counter() - start))

    def on_key(self, event) -> None:
        if event.key == "enter":
            self.pressed["at"] = time.perf_counter()
            self.app.switch_screen(Question(self.number + 1, self.timings, self.pressed))


class Bare(App):
    def __init__(self, timings: list[float]) -> None:
        super().__init__()
        self.timings, self.pressed = timings, {}

    def on_mount(self) -> None:
        self.push_screen(Question(1, self.timings, self.pressed))


async def bare(moves: int) -> list[float]:
    timings: list[float] = []
    async with Bare(timings).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(moves):
            await pilot.press("enter")
            await pilot.pause()
    return timings


def main(rounds: int = 3) -> None:
    form = next(f for f in paper_forms() if f["expected"]["Q1"].get("single") == 1)
    chosho, baseline = [], []
    for _ in range(rounds):  # alternate, so both see the same machine
        with tempfile.TemporaryDirectory() as folder:  # a new database each round, as keys.py does
            moves = asyncio.run(measure(form, Path(folder)))
        chosho += moves
        baseline += asyncio.run(bare(len(moves)))
    ours, base = statistics.median(chosho), statistics.median(baseline)
    print(f"bare Textual screen switch (key → new screen drawn)   median {base * 1000:6.1f} ms over {len(baseline)}")
    print(f"chosho answer accepted → next question drawn        median {ours * 1000:6.1f} ms over {len(chosho)}"
          f"   (max {max(chosho) * 1000:.1f} ms; goal < 30 ms)")
    print(f"ratio={ours / base:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
