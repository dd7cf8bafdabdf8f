"""Ten people at once on `chosho serve`: each logs in and keys a whole department over its own
WebSocket, as their browser would, on this machine.

    .venv/bin/python bench/serve.py [--sessions N] [--quick]

A temporary database gets N accounts (bench01…); `chosho serve` runs on a free loopback port.
Each session is what a browser tab does, spoken directly (aiohttp, no browser): POST /login,
GET the app page, open /ws with the session cookie and the page's Origin, send the terminal's
size, then keys as textual-serve's page sends them (``["stdin", text]``; an IME's committed text
as one message). Each keys the Q1 = 1 paper form of tests/fixtures/paper_forms.toml into its own
department, its texts tagged with its number so that a crossed answer shows.

What the person sees is followed with a terminal emulator (pyte) fed the app's output frames.
For every key: *first change* is the first frame after the key that changes a character on the
screen (the cursor's blink changes none); *settled* is the last such frame before the screen
stays still for 80 ms — the screen as the key left it. The next key is sent when it has
settled and ``--pace`` seconds (0.4: a fast keyer's 9,000 keys an hour) have passed since the
last; the sessions start out of step, spread over one pace, as people do not key in unison
(``--flat-out``: no pace; ``--burst``: every key of the form sent at once, only the answers
checked). Goals: median ≤ 50 ms, worst ≤ 250 ms. The same keys by one session alone on the same
server, first in the same run, are the baseline: ``ratio`` is N sessions' median settled time
over one's.

Then: the first screen after login for one more person while the N sessions are open (POST
/login → department list drawn and still; goal ≤ 1 s), the resident memory of each session's
app process (goal ≤ 80 MB), and the store: every department exactly as its person keyed it,
stamped with that person, and no other department touched (0 lost, 0 crossed). Exit 1 when an
answer is lost or crossed. ``--quick`` (tests/test_benches.py): 2 sessions, the same checks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db import open_store  # noqa: E402
from survey.answers import decode  # noqa: E402
from tests.entry_helpers import paper_forms  # noqa: E402

from serve_tab import (  # noqa: E402  (bench/ is the script's folder)
    HEIGHT, KEYS, PASSWORD, WIDTH, Tab, free_port, session_memory, start_server, stop_server,
)


# -- what each person keys ----------------------------------------------------------------------


def tagged(form: dict, number: int) -> tuple[list[str], dict]:
    """The form's keys as stdin messages with every text tagged 「（n）」, and the answers the
    store must then hold."""
    tag = f"（{number}）"
    texts: dict[str, str] = {}
    keys = []
    for key in form["keys"]:
        if key.startswith("text:"):
            text = key.removeprefix("text:")
            texts[text] = text + tag
            keys.append(text + tag)  # one IME commit
        else:
            keys.append(KEYS.get(key, key))

    def retag(data):
        if isinstance(data, str):
            return texts.get(data, data)
        if isinstance(data, dict):
            return {k: retag(v) for k, v in data.items()}
        if isinstance(data, list):
            return [retag(v) for v in data]
        return data

    return keys, {qid: decode(retag(data)) for qid, data in form["expected"].items()}


def departments_typed_alone(store) -> list[str]:
    """Departments whose whole name, typed in the list's filter, leaves only that department."""
    departments = store.departments()
    return [
        d.name for d in departments
        if sum(d.name in other.name or d.name in other.bukyoku for other in departments) == 1
    ]

# -- the run ------------------------------------------------------------------------------------


async def log_in(url: str, name: str) -> tuple[Tab, float]:
    tab = Tab(url, name)
    start = time.perf_counter()
    await tab.login()
    return tab, start


async def first_screen(tab: Tab, start: float) -> float:
    """Load the app page and open its WebSocket, as the browser does after the login; the seconds
    from ``start`` to the department list drawn and still."""
    async with tab.http.get(tab.url + "/") as page:
        await page.read()
    await tab.connect()
    await tab.wait_for("所属一覧")
    await tab.quiet()
    return tab.change_times[-1] - start


async def open_session(url: str, name: str) -> tuple[Tab, tuple[float, float]]:
    """Log in and reach the department list; returns the tab, the seconds it took and of those
    the login's own (POST /login answered)."""
    tab, start = await log_in(url, name)
    logged_in = time.perf_counter() - start
    return tab, (await first_screen(tab, start), logged_in)


async def key_department(
    tab: Tab, department: str, keys: list[str], pace: float, phase: float
) -> tuple[list[tuple[float, float, str]], int]:
    """Open the department and key the form, a key every ``pace`` seconds or when the screen has
    settled, whichever is later, the first ``phase`` seconds late (people do not key in step);
    (first change, settled, key) per key and the keys lost."""
    await tab.key(department)
    await tab.key("\r")
    await tab.wait_for("Q1 ·")
    await tab.quiet()
    timings, lost = [], 0
    if pace < 0:  # --burst: the whole form typed ahead at once, nothing waits for the screen
        for key in keys:
            await tab.ws.send_str(json.dumps(["stdin", key]))
        try:
            await tab.wait_for("点検一覧", timeout=60)  # the form's check, after its last key
        except SystemExit:
            tab.unchanged.append(("(the rest of the form)", tab.closed, tab.text()))
            return [], 1
        return [], 0
    next_key = time.perf_counter() + phase
    for key in keys:
        await asyncio.sleep(max(0.0, next_key - time.perf_counter()))
        next_key = time.perf_counter() + pace
        timing = await tab.key(key)
        if timing is None:
            lost += 1
            tab.unchanged.append((key, tab.closed, tab.text()))
        else:
            timings.append((*timing, key))
    return timings, lost


async def run(url: str, people: list[tuple[str, str, list[str]]], late: str | None, pace: float) -> dict:
    """Every person at once; ``late`` logs in while they are keying."""
    # One login after another: logins from one address at the same instant count against it
    # (tui/serve/throttle.py); then every tab opens at once.
    logged_in = [await log_in(url, name) for name, _, _ in people]
    await asyncio.gather(*(first_screen(tab, start) for tab, start in logged_in))
    tabs = [tab for tab, _ in logged_in]
    late_seconds = None

    async def late_login() -> None:
        nonlocal late_seconds
        await asyncio.sleep(2.0)
        tab, late_seconds = await open_session(url, late)
        tabs.append(tab)

    work = [
        key_department(tab, department, keys, pace, pace * number / len(people))
        for number, (tab, (_, department, keys)) in enumerate(zip(tabs, people))
    ]
    extra = [late_login()] if late else []
    results = await asyncio.gather(*work, *extra)
    return {"tabs": tabs, "keyed": results[: len(people)], "late": late_seconds}


def check_store(db: Path, people: list[tuple[str, str, dict]]) -> tuple[int, list[str]]:
    """(departments exactly as keyed and stamped with their person, what is lost or crossed)."""
    problems = []
    exact = 0
    with open_store(db, "bench-check") as store:
        by_name = {d.name: d for d in store.departments()}
        keyed = {department for _, department, _ in people}
        for name, department, expected in people:
            response = store.response(department_id=by_name[department].id)
            answers = dict(response.answers)
            who = {stamp.who for stamp in response.stamps.values()}
            if answers != expected:
                wrong = sorted(q for q in set(answers) | set(expected) if answers.get(q) != expected.get(q))
                first = wrong[0]
                problems.append(f"{department} ({name}): answers differ at {', '.join(wrong)}"
                                f" ({first}: {answers.get(first)!r}, keyed {expected.get(first)!r})")
            elif who != {name}:
                problems.append(f"{department} ({name}): stamped by {sorted(who)}")
            else:
                exact += 1
        for department in store.departments():
            if department.name not in keyed and store.response(department_id=department.id).answers:
                problems.append(f"{department.name}: answers nobody keyed there")
    return exact, problems


def prepare(folder: Path, count: int) -> tuple[Path, list[str]]:
    from db.accounts import add_account

    db = folder / "chosho.sqlite"
    with open_store(db, "bench-admin") as store:
        departments = departments_typed_alone(store)[:count]
        if len(departments) < count:
            raise SystemExit(f"only {len(departments)} departments can be opened by name alone")
        for number in range(1, count + 2):  # one more: the late login's
            add_account(store, f"bench{number:02d}", PASSWORD)
    return db, departments


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def measure(folder: Path, count: int, form: dict, late: bool, pace: float) -> dict:
    db, departments = prepare(folder, count)
    port = free_port()
    server = start_server(db, port, folder / "serve.log")
    url = f"http://127.0.0.1:{port}"
    try:
        people = [(f"bench{n + 1:02d}", departments[n], tagged(form, n + 1)) for n in range(count)]
        outcome = asyncio.run(_measure(url, server.pid, [(name, d, keys) for name, d, (keys, _) in people],
                                       f"bench{count + 1:02d}" if late else None, pace))
    finally:
        stop_server(server)
    outcome["log"] = (folder / "serve.log").read_text(encoding="utf-8", errors="replace")[-3000:]
    outcome["store"] = check_store(db, [(name, d, expected) for name, d, (_, expected) in people])
    return outcome


async def _measure(url: str, server_pid: int, people: list, late: str | None, pace: float) -> dict:
    outcome = await run(url, people, late, pace)
    outcome["memory"] = session_memory(server_pid)
    for tab in outcome["tabs"]:
        await tab.close()
    return outcome


def report_burst(count: int, many: dict) -> int:
    exact, problems = many["store"]
    stuck = sum(lost for _, lost in many["keyed"])
    print(f"{count} sessions at once, each typing the Q1 = 1 form ahead in one burst (every key sent at once)")
    print(f"answers: {exact}/{count} departments exactly as keyed and stamped with their person;"
          f" lost or crossed {len(problems)}; sessions that did not reach the form's check: {stuck}")
    for problem in problems:
        print(f"  {problem}")
    for tab in many["tabs"]:
        for key, closed, screen in tab.unchanged[:1]:
            print(f"  {tab.name}: stopped{' (the WebSocket had closed)' if closed else ''}; the screen:\n{screen}")
    return 1 if problems or stuck else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="2 sessions, flat out (tests/test_benches.py)")
    parser.add_argument("--pace", type=float, default=0.4,
                        help="seconds from one key to the next at the least (0.4: 9,000 keys an hour, a fast keyer)")
    parser.add_argument("--flat-out", action="store_true", help="each key as soon as the last one's screen settled")
    parser.add_argument("--burst", action="store_true",
                        help="each session types its whole form ahead at once: only the answers are checked")
    args = parser.parse_args()
    count = 2 if args.quick else args.sessions
    pace = -1.0 if args.burst else 0.0 if args.flat_out or args.quick else args.pace
    load = os.getloadavg()[0]
    form = next(f for f in paper_forms() if f["expected"]["Q1"].get("single") == 1)
    with tempfile.TemporaryDirectory(prefix="chosho-bench-serve-") as folder:
        alone_folder, many_folder = Path(folder) / "alone", Path(folder) / "many"
        alone_folder.mkdir()
        many_folder.mkdir()
        alone = measure(alone_folder, 1, form, late=False, pace=pace) if pace >= 0 else None
        many = measure(many_folder, count, form, late=pace >= 0, pace=pace)
    if alone is None:
        return report_burst(count, many)

    keys = len(tagged(form, 1)[0])
    base = statistics.median(s for t, _ in alone["keyed"] for _, s, _ in t)
    timings = [timing for keyed, _ in many["keyed"] for timing in keyed]
    first = sorted(f for f, _, _ in timings)
    settled = sorted(s for _, s, _ in timings)
    slowest = sorted(timings, key=lambda t: -t[1])[:5]
    lost_keys = sum(lost for _, lost in many["keyed"])
    exact, problems = many["store"]
    server_rss, sessions_rss = many["memory"]
    median = statistics.median(settled)
    print(f"{count} sessions at once on chosho serve (127.0.0.1), each logged in as its own person and keying"
          f" the Q1 = 1 form ({keys} keys, texts as IME commits) into its own department, {WIDTH}×{HEIGHT}")
    rate = "as soon as the screen settled" if pace == 0 else f"at most one every {pace:.2f} s ({3600 / pace:,.0f} an hour)"
    print(f"keys {rate}; load average before the run {load:.2f} on {os.cpu_count()} CPUs")
    print(f"key → screen settled   median {ms(median)}, 95th {ms(settled[int(len(settled) * 0.95) - 1])},"
          f" worst {ms(settled[-1])} over {len(settled)} keys (goal median ≤ 50 ms, worst ≤ 250 ms)")
    print(f"key → first change     median {ms(statistics.median(first))}, worst {ms(first[-1])}")
    print("slowest keys (settled): " + ", ".join(f"{json.dumps(k, ensure_ascii=False)} {ms(s)}" for _, s, k in slowest))
    print(f"one session alone      median {ms(base)} settled over {sum(len(t) for t, _ in alone['keyed'])} keys;"
          f" {count} at once ×{median / base:.2f}")
    print(f"keys without a screen change: {lost_keys}")
    total, login = many["late"]
    print(f"first screen after login with {count} sessions open: {total:.2f} s (goal ≤ 1 s;"
          f" POST /login → department list drawn and still; the login itself {login:.2f} s)")
    mb = [r / 1024 / 1024 for r in sessions_rss]
    print(f"RSS per session: median {statistics.median(mb):.0f} MB, max {max(mb):.0f} MB over {len(mb)} app"
          f" processes (goal ≤ 80 MB); server {server_rss / 1024 / 1024:.0f} MB")
    print(f"answers: {exact}/{count} departments exactly as keyed and stamped with their person;"
          f" lost or crossed {len(problems)}")
    for problem in problems:
        print(f"  {problem}")
    for tab in many["tabs"]:
        for key, closed, screen in tab.unchanged[:2]:
            print(f"  {tab.name}: {json.dumps(key, ensure_ascii=False)} changed nothing"
                  f"{' (the WebSocket had closed)' if closed else ''}; the screen:\n{screen}")
    if problems or lost_keys:
        print(many["log"])
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"bench client CPU {own.ru_utime + own.ru_stime:.1f} s")
    print(f"ratio={median / base:.2f}")
    return 1 if problems or lost_keys else 0


if __name__ == "__main__":
    sys.exit(main())
