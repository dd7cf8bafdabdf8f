"""Another clerk, in another process, for the store's process tests.

Each line it prints is JSON, flushed, and an answer is printed only AFTER its commit returned:
a printed answer is a promise that it is in the database.

    form DB WHO FIRST STEP SECONDS LIMIT   fill whole forms (tests/store_support.FORM) of the
                                           departments FIRST, FIRST+STEP, ... in roster order,
                                           over and over, until SECONDS or LIMIT saves
    race DB WHO DEPT SECONDS               read department DEPT, then write Q10, in a loop
    step DB WHO DEPT                       read DEPT's version, wait for a line, then write
    hold DB MODE                           hold the write lock (MODE "write": BEGIN EXCLUSIVE;
                                           "file": exclusive locking mode, readers shut out too)
                                           until a line arrives on stdin
    open WHO DB [DB ...]                   open (create) each database in turn

Every mode but hold prints {"ready": ...} and waits for a line on stdin before it starts, so
the test can start two of them at the same moment.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_support import FORM, dump  # noqa: E402

from db import ConflictError, StoreError, open_store  # noqa: E402
from survey import Text  # noqa: E402


def say(**data) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)


def wait_for_go(**ready) -> None:
    say(ready=True, **ready)
    sys.stdin.readline()


def form(db: str, who: str, first: str, step: str, seconds: str, limit: str) -> int:
    store = open_store(db, who)
    departments = store.departments()[int(first) :: int(step)]
    wait_for_go(departments=len(departments))
    end = time.monotonic() + float(seconds)
    saved = 0
    round_ = 0
    while True:
        round_ += 1
        for department in departments:
            response = store.response(department_id=department.id)
            version = response.version
            for qid, value in FORM:
                if saved >= int(limit) or time.monotonic() > end:
                    say(done=saved)
                    return 0
                if isinstance(value, Text):  # unique, so the audit log can be matched line by line
                    value = replace(value, text=f"{value.text}（{who}-{round_}-{department.id}）")
                version = store.save_answer(response.id, qid, value, expected_version=version)
                saved += 1
                say(n=saved, rid=response.id, qid=qid, value=dump(value), version=version)


def race(db: str, who: str, dept: str, seconds: str) -> int:
    store = open_store(db, who)
    department = store.departments()[int(dept)]
    wait_for_go()
    end = time.monotonic() + float(seconds)
    n = 0
    while time.monotonic() < end:
        n += 1
        response = store.response(department_id=department.id)
        time.sleep(random.uniform(0, 0.004))  # a clerk looks at the screen before saving
        value = Text(f"{who}-{n}")
        try:
            version = store.save_answer(response.id, "Q10", value, expected_version=response.version)
        except ConflictError as exc:
            say(conflict=str(exc), read=response.version)
        else:
            say(ok=dump(value), read=response.version, version=version)
    say(done=n)
    return 0


def step(db: str, who: str, dept: str) -> int:
    store = open_store(db, who)
    response = store.response(department_id=store.departments()[int(dept)].id)
    wait_for_go(read=response.version)
    value = Text(f"{who} の入力")
    try:
        version = store.save_answer(response.id, "Q10", value, expected_version=response.version)
    except ConflictError as exc:
        say(conflict=str(exc))
    else:
        say(ok=dump(value), version=version)
    return 0


def hold(db: str, mode: str) -> int:
    conn = sqlite3.connect(db, isolation_level=None)
    if mode == "file":
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    conn.execute("BEGIN EXCLUSIVE")
    say(locked=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
    conn.close()
    return 0


def open_(who: str, *dbs: str) -> int:
    for db in dbs:  # one new database after another, each on the test's signal
        wait_for_go()
        with open_store(db, who) as store:
            say(opened=len(store.departments()))
    return 0


def main(argv: list[str]) -> int:
    modes = {"form": form, "race": race, "step": step, "hold": hold, "open": open_}
    try:
        return modes[argv[0]](*argv[1:])
    except StoreError as exc:
        say(error=type(exc).__name__, message=str(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
