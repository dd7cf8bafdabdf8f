"""Time from process start to chosho's first interactive screen, against a minimal Textual app.

    .venv/bin/python bench/startup.py [runs]

Both are started as fresh processes, alternately, in the same run, and timed from spawn until
their first screen has been drawn and can take keys (headless): until the line each prints
then arrives (beside it: the CPU time the process had used by then, which another job on the
machine disturbs less than the wall clock, and the time until the process has ended). chosho opens an existing
database, as on every start but the first, and is timed twice: as a clerk starts it (`chosho`:
the "who is entering" screen comes first) and with `--user` (straight to the 58-row department
list). The ratio of the medians is the figure to compare across machines (goal ≤ 1.2 for both);
the last line, `ratio=<number>`, is the slower of the two starts. Also checks that pandas is
not imported before the first screen.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Both apps run headless at 80×24, a clerk's terminal. Given no size, Textual's headless driver
# reports 80×25 while the first layout is made for the console's 80×24, so every app would lay
# its first screen out twice, a relayout no start in a real terminal makes (there the two agree);
# it costs more the more a screen holds, so it would be charged to chosho, not to the start.

MINIMAL = """
import sys
import time
from textual.app import App
from textual.widgets import Footer, Static

class Minimal(App):
    def compose(self):
        yield Static("ready")
        yield Footer()

    def on_ready(self):
        self.call_after_refresh(self.done)

    def done(self):
        print("ready", "pandas" in sys.modules, time.process_time(), flush=True)
        self.exit()

Minimal().run(headless=True, size=(80, 24))
"""

# chosho as started: `chosho --db FILE` shows "who is entering" first; `--user NAME` skips it
# and starts on the department list. Both are timed until their first screen has been drawn.
# Nothing of chosho is imported before main(), so that it imports (and pauses the garbage
# collector, see tui/cli.py) in the order the `chosho` command does: its first screens are
# timed as soon as something imports them.
CHOSHO = """
import builtins
import sys

# What to patch, once its module has defined it: the app (to run headless), the first screens.
PENDING = {("tui.app", "ChoshoApp"), ("tui.screens.who", "WhoScreen"), ("tui.screens.departments", "DepartmentsScreen")}
_import = builtins.__import__

def watching(name, *args, **kwargs):
    module = _import(name, *args, **kwargs)
    for module_name, class_name in list(PENDING):
        defined = getattr(sys.modules.get(module_name), class_name, None)
        if defined is not None:
            PENDING.discard((module_name, class_name))
            headless(defined) if class_name == "ChoshoApp" else timed(defined)
    if not PENDING:
        builtins.__import__ = _import
    return module

def headless(app_class):
    run = app_class.run
    app_class.run = lambda self, **kw: run(self, headless=True, size=(80, 24))

def timed(screen_class):
    # Textual calls on_mount of every class in the MRO that defines one: call only this
    # class's own (the department list's is its base's, which Textual calls anyway).
    own = screen_class.__dict__.get("on_mount")

    def on_mount(self):
        if own is not None:
            own(self)
        self.app.call_after_refresh(done, self.app)

    screen_class.on_mount = on_mount

def done(app):
    import time
    print("ready", "pandas" in sys.modules, time.process_time(), flush=True)
    app.exit()

builtins.__import__ = watching
from tui.cli import main
sys.exit(main(["--db", *sys.argv[1:]]))
"""


# Python as installed writes compiled modules (__pycache__) on the first start and reads them
# afterwards; with PYTHONDONTWRITEBYTECODE set (as in some shells and CI), chosho's own modules
# would be compiled from source on every start while Textual's come precompiled from pip.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def spawn(code: str, *args: str) -> tuple[float, float, float, bool]:
    """Seconds from spawn to the "ready" line (first screen drawn) and to the process's end, and
    the CPU time the process had used by its first screen."""
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=ENV,
    ) as process:
        ready, pandas, cpu = None, False, 0.0
        for line in process.stdout:
            if line.startswith("ready") and ready is None:
                ready, pandas, cpu = time.perf_counter() - start, line.split()[1] == "True", float(line.split()[2])
        stderr = process.stderr.read()
        process.wait(timeout=60)
    ended = time.perf_counter() - start
    if ready is None:
        raise SystemExit(f"no first screen:\n{stderr[-2000:]}")
    return ready, ended, cpu, pandas


def main(runs: int = 11) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "chosho.sqlite")
        spawn(CHOSHO, db, "--user", "bench")  # creates and seeds the database; not timed
        spawn(MINIMAL)  # warm the OS file cache for both
        times: dict[str, list[tuple[float, float, float]]] = {"minimal": [], "who": [], "list": []}
        pandas_seen = False
        for _ in range(runs):
            for name, code, args in (
                ("minimal", MINIMAL, ()), ("who", CHOSHO, (db,)), ("list", CHOSHO, (db, "--user", "bench"))
            ):
                ready, ended, cpu, pandas = spawn(code, *args)
                times[name].append((ready, ended, cpu))
                pandas_seen |= pandas
    ready = {name: statistics.median(t[0] for t in values) for name, values in times.items()}
    ended = {name: statistics.median(t[1] for t in values) for name, values in times.items()}
    cpu = {name: statistics.median(t[2] for t in values) for name, values in times.items()}
    base, whole, work = ready["minimal"], ended["minimal"], cpu["minimal"]
    print(
        f"median over {runs} runs: to the first screen (ratio) · CPU time by then (ratio)"
        " · to the end of the process (ratio)"
    )
    for name, label in (
        ("minimal", "minimal Textual app                      "),
        ("who", "chosho → who is entering (as started)    "),
        ("list", "chosho --user → department list (58 rows)"),
    ):
        print(
            f"{label} {ready[name] * 1000:6.1f} ms ×{ready[name] / base:.2f}"
            f" · {cpu[name] * 1000:6.1f} ms ×{cpu[name] / work:.2f}"
            f" · {ended[name] * 1000:6.1f} ms ×{ended[name] / whole:.2f}"
        )
    print(f"pandas imported before the first screen: {'yes' if pandas_seen else 'no'}")
    # The figure is the time to the first screen: how long a process takes to end afterwards
    # (Textual's shutdown, the interpreter freeing its objects) is not the start.
    print(f"ratio={max(ready['who'], ready['list']) / base:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 11)
