"""Opening a department (Enter on the list → its entry screen drawn), against a bare Textual
screen switch in the same run.

    .venv/bin/python bench/open_department.py [rounds]

chosho: the department list at 80×24 under Pilot on a fresh database; for every fourth of the 58
departments in turn (some with answers, so that the entry screen resumes past Q1): Enter on its
row, then Esc back to the list. Timed from the Enter to the entry screen's first drawn frame, and
until settled: every message handled and the last frame drawn (the question, its options and the
footer's keys, which Textual draws a frame or two after the first). The first opening of each run
is reported apart and left out of the medians: it also reads forms.tcss, as the app does on its
first department. Baseline: a bare Textual app at 80×24 whose list screen (a line, an Input, a
Footer) pushes a screen of the same three widgets on Enter and pops it on Esc, timed the same way.
Both apps alternate in one run. Wall clock and the process's CPU time (less disturbed by other
work on the machine); the last line is `ratio=`, chosho's median ÷ the bare median in CPU time
until settled (the goal is ≤ 2), after `first_frame_ratio=` (wall clock, to the first frame).
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

from textual.app import App  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import Footer, Input, Static  # noqa: E402


def _now() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


class _Stamp:
    """The key's time, and the times (wall clock, and the process's CPU time: less disturbed by
    other work on the machine) to the first frame of each screen opened after it."""

    def __init__(self) -> None:
        self.at: tuple[float, float] | None = None
        self.timings: list[tuple[float, float]] = []

    def drawn(self, screen: Screen) -> None:
        if self.at is not None:
            (wall, cpu), self.at = self.at, None

            def frame() -> None:
                now_wall, now_cpu = _now()
                self.timings.append((now_wall - wall, now_cpu - cpu))

            screen.call_after_refresh(frame)


class Opened(Screen):
    def __init__(self, stamp: _Stamp) -> None:
        super().__init__()
        self.stamp = stamp

    def compose(self):
        yield Static("Q1 · 1/23 · 保育課（こども未来部） · 未入力")
        yield Input(id="line", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.stamp.drawn(self)

    def key_escape(self) -> None:
        self.app.pop_screen()


class Listing(Screen):
    def __init__(self, stamp: _Stamp) -> None:
        super().__init__()
        self.stamp = stamp

    def compose(self):
        yield Static("所属一覧 · 入力済 0/58")
        yield Input(id="filter", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self) -> None:
        self.app.push_screen(Opened(self.stamp))


class Bare(App):
    def __init__(self, stamp: _Stamp) -> None:
        super().__init__()
        self.stamp = stamp

    def on_mount(self) -> None:
        self.push_screen(Listing(self.stamp))


async def _open_each(app, stamp: _Stamp, opens: int, move) -> list[tuple[float, float, float, float]]:
    """Per opening: (first frame, settled) in wall clock, then the same in CPU time."""
    settled = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for number in range(opens):
            await move(pilot, number)
            stamp.at = start = _now()
            await pilot.press("enter")
            await pilot.pause()
            await pilot.pause()  # every message handled, the last frame drawn
            end = _now()
            settled.append((end[0] - start[0], end[1] - start[1]))
            await pilot.press("escape")
            await pilot.pause()
    return [(f[0], s[0], f[1], s[1]) for f, s in zip(stamp.timings, settled)]


async def bare(opens: int) -> list[tuple[float, float, float, float]]:
    async def move(pilot, number):
        pass

    stamp = _Stamp()
    return await _open_each(Bare(stamp), stamp, opens, move)


async def chosho(folder: Path) -> tuple[list[tuple[float, float, float, float]], int]:
    from db import open_store
    from tests.review_support import fill
    from tui.app import ChoshoApp
    from tui.screens.entry import EntryScreen

    stamp = _Stamp()
    mount = EntryScreen.on_mount

    def on_mount(self) -> None:
        mount(self)
        stamp.drawn(self)

    EntryScreen.on_mount = on_mount
    try:
        store = open_store(folder / "chosho.sqlite", "bench")
        departments = store.departments()[::4]
        for number, department in enumerate(departments):
            if number % 3 == 1:
                fill(store, department.id, until="Q12")  # resumes at Q12
            elif number % 3 == 2:
                fill(store, department.id)  # complete: resumes at Q1

        async def move(pilot, number):
            screen = pilot.app.screen
            screen.query_one("#filter").value = departments[number].name
            await pilot.pause()

        timings = await _open_each(ChoshoApp(store, ask_who=False), stamp, len(departments), move)
        store.close()
    finally:
        EntryScreen.on_mount = mount
    return timings, len(departments)


# (index into each opening's timings, name). Wall clock to "settled" is left out: it ends when
# Pilot notices the app idle, which adds a wait of its own (some 100 ms) to both apps alike.
MEASURES = ((0, "wall clock, to the first frame"), (2, "CPU time, to the first frame"), (3, "CPU time, settled"))


def main(rounds: int = 3) -> None:
    ours, baseline, first = [], [], []
    for _ in range(rounds):  # alternate, so both see the same machine
        with tempfile.TemporaryDirectory() as folder:
            timings, opens = asyncio.run(chosho(Path(folder)))
        first.append(timings[0])
        ours += timings[1:]
        baseline += asyncio.run(bare(opens))[1:]
    ratios = {}
    for index, measure in MEASURES:
        mine = statistics.median(t[index] for t in ours)
        base = statistics.median(t[index] for t in baseline)
        ratios[measure] = mine / base
        print(f"{measure:30}  bare screen push {base * 1000:6.1f} ms   chosho department {mine * 1000:6.1f} ms"
              f" (first of a run {statistics.median(t[index] for t in first) * 1000:6.1f} ms)   ×{mine / base:.2f}")
    print(f"medians over {len(ours)} openings each; the first opening of each run (it reads forms.tcss) apart")
    print(f"first_frame_ratio={ratios['wall clock, to the first frame']:.2f}")
    print(f"ratio={ratios['CPU time, settled']:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
