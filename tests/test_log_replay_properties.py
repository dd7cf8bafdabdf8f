"""Issue 23: the tables are what the log says. Random sequences of store operations by three
people (answers, clears, 入力済, flags, replies, resolutions, sign-offs, 確定, unlocking, users,
samples, second keyings, originals, keying events, imports), refused or not, then the log
replayed from its first entry equals every table, and ``chosho verify`` passes.

Derandomised in CI like the other property tests (tests/conftest.py)."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from db import StoreError, open_store
from db.audit import COLUMNS
from db.journal import entry_from_row
from db.originals import add_original
from db.replay import differences, replay
from db.verify import verify_database
from survey.verification import Event
from tests.review_support import shown_all

from .store_support import FORM, template_db  # noqa: F401 - fixtures

PEOPLE = ("alice", "bob", "carol")
QUESTIONS = [qid for qid, _ in FORM][:8] + ["Q20", "Q23"]
VALUES = dict(FORM)
KINDS = (
    "answer", "clear", "entered", "flag", "reply", "resolve", "signoff", "final", "unlock", "user",
    "sample", "key2", "done2", "original", "events", "import",
)

operations = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, len(PEOPLE) - 1),
        st.integers(0, 2),  # three departments
        st.sampled_from(QUESTIONS),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=30,
)


def _do(stores, departments, kind, person, dept_index, qid, n) -> None:
    store = stores[person]
    dept = departments[dept_index]
    rid = store.response(department_id=dept).id
    if kind == "answer":
        store.save_answer(rid, qid, VALUES[qid], expected_version=None)
    elif kind == "clear":
        store.clear_answers(rid, [qid], expected_version=None)
    elif kind == "entered":
        for q, value in FORM:
            if q not in store.response(response_id=rid).answers:
                store.save_answer(rid, q, value, expected_version=None)
        store.mark_entered(rid, expected_version=None)
    elif kind == "flag":
        store.raise_flag(rid, qid, f"疑義 {n}")
    elif kind in ("reply", "resolve"):
        open_flags = store.flags(rid, open_only=True)
        if open_flags:
            if kind == "reply":
                store.reply_flag(open_flags[0].id, f"回答 {n}")
            else:
                store.resolve_flag(open_flags[0].id, f"解決 {n}")
    elif kind == "signoff":
        shown_all(store, rid)
        store.sign_off(rid, expected_version=None)
    elif kind == "final":
        store.finalise(rid, expected_version=None)
    elif kind == "unlock":
        store.unlock(rid, f"訂正 {n}", expected_version=None)
    elif kind == "user":
        store.remember_user(display_name=f"表示名{n}" if n else None)
    elif kind == "sample":
        store.choose_for_verification("by_hand", chosen=[dept])
    elif kind == "key2":
        keying = store.start_second_keying(dept)
        store.save_second_answer(keying.id, qid, VALUES[qid], expected_version=None)
    elif kind == "done2":
        keying = store.second_keying(dept)
        if keying is not None:
            store.complete_second_keying(keying.id)
    elif kind == "original":
        add_original(store, dept, f"原本{n}.pdf", f"%PDF-1.4 content {n}".encode(), why="取り込み")
    elif kind == "events":
        from datetime import datetime

        at = datetime.fromisoformat("2024-10-01T09:00:00+09:00")
        store.record_events([Event(store.who, at, str(dept), "keystroke", qid, None)] * (n + 1))
    elif kind == "import":
        store.import_answers({rid: {qid: VALUES[qid]}}, why="取り込み")


# A whole day in order, so every kind of entry is replayed in every run, whatever is drawn.
A_DAY = [
    ("entered", 0, 0, "Q1", 0), ("flag", 1, 0, "Q3", 1), ("reply", 0, 0, "Q3", 2), ("resolve", 1, 0, "Q3", 3),
    ("signoff", 1, 0, "Q1", 0), ("final", 1, 0, "Q1", 0), ("unlock", 2, 0, "Q1", 1), ("user", 1, 0, "Q1", 2),
    ("entered", 0, 1, "Q1", 0), ("sample", 0, 1, "Q1", 0), ("key2", 1, 1, "Q3", 0), ("key2", 1, 1, "Q5", 0),
    ("clear", 0, 1, "Q3", 0), ("original", 0, 2, "Q1", 1), ("events", 0, 2, "Q2", 2), ("import", 2, 2, "Q1", 0),
    ("answer", 1, 0, "Q10", 0),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
@example(A_DAY)
def test_replaying_the_log_gives_every_table(template_db, ops):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chosho.sqlite"
        shutil.copyfile(template_db, path)
        stores = [open_store(path, who) for who in PEOPLE]
        try:
            departments = [d.id for d in stores[0].departments()[:3]]
            for op in ops:
                try:
                    _do(stores, departments, *op)
                except StoreError:
                    pass  # a refusal writes nothing: the log and the tables still agree
        finally:
            for store in stores:
                store.close()
        conn = sqlite3.connect(path)
        try:
            entries = [
                entry_from_row(row)
                for row in conn.execute(f"SELECT {', '.join(COLUMNS)}, payload FROM audit_log ORDER BY id")
            ]
            replayed = replay(entries)
            assert differences(conn, replayed) == []
            replayed.close()
        finally:
            conn.close()
        result = verify_database(path)
        assert result.ok, result.report()
        if ops == A_DAY:  # the day really happened: no step of it was refused
            conn = sqlite3.connect(path)
            kinds = {row[0] for row in conn.execute("SELECT DISTINCT action FROM audit_log")}
            moves = {row[0] for row in conn.execute("SELECT new FROM audit_log WHERE action = 'status'")}
            conn.close()
            assert kinds >= {
                "answer", "status", "flag", "reply", "resolve", "user", "sample", "keying2_start", "keying2",
                "clear", "original", "events", "shown",
            }, kinds
            assert moves >= {"in_progress", "entered", "reviewed", "final"}, moves
