"""The audit log as the record: every write is an entry, and every table is what the entries make.

An entry is the row of ``audit_log`` (db/audit.py chains it): who, when, the department
(``response_id``) and question it concerns, its ``action`` (the kind), ``old`` / ``new`` / ``why``
as a person reads them, and a JSON ``payload`` holding whatever else the change needs to be made
again from the entry alone. ``apply(conn, entry)`` makes the change in the tables; the store
writes through ``Journal`` (the tables now, the entries at commit, in the same transaction), and
``db/replay.py`` applies every entry from the first to an empty database, so what the tables hold
can be compared with what the log says (``chosho verify``).

The kinds and their payloads (``p``; every payload may also hold the three below):

=================  =====================================================================================
kind               effect (e = the entry)
=================  =====================================================================================
seed               p.questionnaire {id, survey_id, title, sha256, source}; p.departments
                   [[department id, 部局, 所属, position, response id], …]: the questionnaire row
                   (loaded by e.who at e.at), its departments and their empty responses
answer             answers[e.response_id, e.question_id] = e.new (the value's JSON), p.state,
                   entered by e.who at e.at; a repeat's table changed one row at a time also
                   carries p.row {op: add/change/insert/remove, n, cells} (db/table_rows.py)
clear              that answer removed (e.old keeps its value)
status             responses.status = e.new (status_by/at = e.who/e.at); p.stamp: of
                   "entered" / "reviewed" / "finalised", the columns stamped with e.who/e.at;
                   p.unstamp: those emptied; p.signed: the version signed off or finalised
flag               flags row p.flag (comment e.new) raised by e.who at e.at
reply              flag p.flag: the clerk's reply e.new
resolve            with p.flag: the flag resolved (resolution e.new); with p.keying: the 突合
                   choice for variable e.old (p.choice, p.cell; reason e.why)
original           originals row p.original {department, name, sha256, size}; the content is
                   not in the log (it may be 200 MB): its SHA-256 is, and verify hashes it again
sample             verification_plans row p.plan {rule, parameter, seed}, description e.why,
                   chosen e.new (department ids); each not yet chosen becomes a target
keying2_start      keyings row p.keying for p.department (p.live), keyer e.who, started e.at
keying2            keyed_answers[p.keying, e.question_id] = e.new (p.state)
keying2_clear      that keyed answer removed
keying2_done       keying p.keying completed at e.at
adjudicated        keying p.keying adjudicated by e.who at e.at
user               users row p.name (p.display_name when given): first seen, last seen e.at
account_add        accounts row p.name (person key p.key, argon2id hash p.hash — never the password —,
                   admin p.admin), created by e.who at e.at (db/accounts.py)
account_password   accounts p.name: password_hash = p.hash
account_disable    accounts p.name: disabled
login              none: p.name logged in (e.who is that person), p.how 端末 / ブラウザ
version            nothing more than p.v (a version counted with no other entry)
keying_version     nothing more than p.kv
events             nothing more than p.events
reconstructed      p.table, p.rows (dicts of columns): rows as migration m007 found them, for a
                   database whose older entries lacked payloads (e.why says so)
create, migrate,   none (the log's own history, and what the reviewer was shown)
triggers, shown
=================  =====================================================================================

Carried by any entry: ``p.v`` (the response's version after the change, updated by e.who at
e.at), ``p.kv`` (with ``p.keying``: the second keying's version), ``p.events`` (keying events,
rows of ``key_events``: [id, person, at, department id, kind, field, keyer]).

Adding a write: give it a kind here (a function ``_apply_KIND(conn, e, p, blob)`` registered in
``_APPLY``, and a line in the table above), and have the store call
``store._log(response_id, question_id, "KIND", old, new, why, **payload)`` inside
``with store._write():`` — that one call makes the change in the tables and logs it. Nothing
else writes the tables the log determines (the recorded progress of m006 is a cache the store
computes by routing, ``Journal.record_progress``; verify routes the replayed answers to check it).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, NamedTuple

from . import audit

__all__ = ["Entry", "Journal", "KINDS", "apply", "entry_from_row", "payload_json"]


class Entry(NamedTuple):
    at: str
    who: str
    response_id: int | None
    question_id: str | None
    action: str
    old: str | None
    new: str | None
    why: str | None
    payload: dict[str, Any] | None  # None: an entry written before m007 (nothing to replay)


def payload_json(payload: dict[str, Any] | None) -> str | None:
    if payload is None:
        return None
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_from_row(row: tuple) -> Entry:
    """(id, at, who, response_id, question_id, action, old, new, why, payload JSON) → Entry."""
    _, at, who, rid, qid, action, old, new, why, payload = row
    return Entry(at, who, rid, qid, action, old, new, why, json.loads(payload) if payload is not None else None)


# -- the effects, one per kind --------------------------------------------------------------

_STAMPS = ("entered", "reviewed", "finalised")


def _apply_seed(conn, e: Entry, p: dict, blob) -> None:
    q = p["questionnaire"]
    conn.execute(
        "INSERT INTO questionnaires (id, survey_id, title, sha256, source, loaded_at, loaded_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (q["id"], q["survey_id"], q["title"], q["sha256"], q["source"], e.at, e.who),
    )
    for did, bukyoku, name, position, rid in p["departments"]:
        conn.execute(
            "INSERT INTO departments (id, questionnaire_id, bukyoku, name, position) VALUES (?, ?, ?, ?, ?)",
            (did, q["id"], bukyoku, name, position),
        )
        conn.execute(
            "INSERT INTO responses (id, questionnaire_id, department_id) VALUES (?, ?, ?)", (rid, q["id"], did)
        )


def _apply_answer(conn, e: Entry, p: dict, blob) -> None:
    conn.execute(
        "INSERT INTO answers (response_id, question_id, state, value, entered_by, entered_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(response_id, question_id) DO UPDATE SET"
        " state = excluded.state, value = excluded.value,"
        " entered_by = excluded.entered_by, entered_at = excluded.entered_at",
        (e.response_id, e.question_id, p["state"], e.new, e.who, e.at),
    )


def _apply_clear(conn, e: Entry, p: dict, blob) -> None:
    conn.execute("DELETE FROM answers WHERE response_id = ? AND question_id = ?", (e.response_id, e.question_id))


def _apply_status(conn, e: Entry, p: dict, blob) -> None:
    sets = ["status = ?", "status_by = ?", "status_at = ?"]
    params: list = [e.new, e.who, e.at]
    for column in p.get("stamp", ()):
        if column in _STAMPS:
            sets += [f"{column}_by = ?", f"{column}_at = ?"]
            params += [e.who, e.at]
    for column in p.get("unstamp", ()):
        if column in _STAMPS:
            sets += [f"{column}_by = NULL", f"{column}_at = NULL"]
    conn.execute(f"UPDATE responses SET {', '.join(sets)} WHERE id = ?", (*params, e.response_id))


def _apply_flag(conn, e: Entry, p: dict, blob) -> None:
    conn.execute(
        "INSERT INTO flags (id, response_id, question_id, comment, raised_by, raised_at) VALUES (?, ?, ?, ?, ?, ?)",
        (p["flag"], e.response_id, e.question_id, e.new, e.who, e.at),
    )


def _apply_reply(conn, e: Entry, p: dict, blob) -> None:
    conn.execute(
        "UPDATE flags SET replied_by = ?, replied_at = ?, reply = ? WHERE id = ?", (e.who, e.at, e.new, p["flag"])
    )


def _apply_resolve(conn, e: Entry, p: dict, blob) -> None:
    if "flag" in p:
        conn.execute(
            "UPDATE flags SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ?",
            (e.who, e.at, e.new, p["flag"]),
        )
        return
    conn.execute(
        "INSERT INTO resolutions (keying_id, variable, choice, cell, reason, made_by, made_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(keying_id, variable) DO UPDATE SET"
        " choice = excluded.choice, cell = excluded.cell, reason = excluded.reason,"
        " made_by = excluded.made_by, made_at = excluded.made_at",
        (p["keying"], e.old, p["choice"], p.get("cell"), e.why, e.who, e.at),
    )


def _apply_original(conn, e: Entry, p: dict, blob) -> None:
    conn.execute(
        "INSERT INTO originals (id, department_id, name, sha256, size, content, stored_by, stored_at, why)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (p["original"], p["department"], p["name"], p["sha256"], p["size"],
         sqlite3.Binary(blob if blob is not None else b""), e.who, e.at, e.why),
    )


def _apply_sample(conn, e: Entry, p: dict, blob) -> None:
    conn.execute(
        "INSERT INTO verification_plans (id, rule, parameter, seed, description, chosen, made_by, made_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (p["plan"], p["rule"], p.get("parameter"), p.get("seed"), e.why, e.new, e.who, e.at),
    )
    conn.executemany(
        "INSERT INTO verification_targets (department_id, plan_id) VALUES (?, ?) ON CONFLICT(department_id) DO NOTHING",
        [(int(i), p["plan"]) for i in (e.new or "").split()],
    )


def _apply_keying2_start(conn, e: Entry, p: dict, blob) -> None:
    conn.execute(
        "INSERT INTO keyings (id, department_id, keyer, live, version, started_at) VALUES (?, ?, ?, ?, 0, ?)",
        (p["keying"], p["department"], e.who, int(p["live"]), e.at),
    )


def _apply_keying2(conn, e: Entry, p: dict, blob) -> None:
    conn.execute(
        "INSERT INTO keyed_answers (keying_id, question_id, state, value, entered_by, entered_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(keying_id, question_id) DO UPDATE SET"
        " state = excluded.state, value = excluded.value,"
        " entered_by = excluded.entered_by, entered_at = excluded.entered_at",
        (p["keying"], e.question_id, p["state"], e.new, e.who, e.at),
    )


def _apply_keying2_clear(conn, e: Entry, p: dict, blob) -> None:
    conn.execute("DELETE FROM keyed_answers WHERE keying_id = ? AND question_id = ?", (p["keying"], e.question_id))


def _apply_keying2_done(conn, e: Entry, p: dict, blob) -> None:
    conn.execute("UPDATE keyings SET completed_at = ? WHERE id = ?", (e.at, p["keying"]))


def _apply_adjudicated(conn, e: Entry, p: dict, blob) -> None:
    conn.execute("UPDATE keyings SET adjudicated_by = ?, adjudicated_at = ? WHERE id = ?", (e.who, e.at, p["keying"]))


def _apply_user(conn, e: Entry, p: dict, blob) -> None:
    conn.execute(
        "INSERT INTO users (name, display_name, first_seen, last_seen) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET last_seen = excluded.last_seen,"
        " display_name = coalesce(excluded.display_name, users.display_name)",
        (p["name"], p.get("display_name"), e.at, e.at),
    )


def _apply_account_add(conn, e: Entry, p: dict, blob) -> None:
    conn.execute(
        "INSERT INTO accounts (name, key, password_hash, admin, disabled, created_at, created_by)"
        " VALUES (?, ?, ?, ?, 0, ?, ?)",
        (p["name"], p["key"], p["hash"], int(bool(p.get("admin"))), e.at, e.who),
    )


def _apply_account_password(conn, e: Entry, p: dict, blob) -> None:
    conn.execute("UPDATE accounts SET password_hash = ? WHERE name = ?", (p["hash"], p["name"]))


def _apply_account_disable(conn, e: Entry, p: dict, blob) -> None:
    conn.execute("UPDATE accounts SET disabled = 1 WHERE name = ?", (p["name"],))


def _columns(conn, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}


def _apply_reconstructed(conn, e: Entry, p: dict, blob) -> None:
    table = p["table"]
    if table not in RECONSTRUCTED_TABLES:
        return
    known = _columns(conn, table)
    for row in p["rows"]:
        names = [n for n in row if n in known]
        values = [sqlite3.Binary(b"") if table == "originals" and n == "content" else row[n] for n in names]
        if table == "originals" and "content" not in names:
            names.append("content")
            values.append(sqlite3.Binary(b""))
        conn.execute(
            f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", values
        )


def _nothing(conn, e: Entry, p: dict, blob) -> None:
    pass


_APPLY = {
    "seed": _apply_seed,
    "answer": _apply_answer,
    "clear": _apply_clear,
    "status": _apply_status,
    "flag": _apply_flag,
    "reply": _apply_reply,
    "resolve": _apply_resolve,
    "original": _apply_original,
    "sample": _apply_sample,
    "keying2_start": _apply_keying2_start,
    "keying2": _apply_keying2,
    "keying2_clear": _apply_keying2_clear,
    "keying2_done": _apply_keying2_done,
    "adjudicated": _apply_adjudicated,
    "user": _apply_user,
    "account_add": _apply_account_add,
    "account_password": _apply_account_password,
    "account_disable": _apply_account_disable,
    "reconstructed": _apply_reconstructed,
}
KINDS = frozenset(_APPLY) | {"version", "keying_version", "events", "create", "migrate", "triggers", "shown", "login"}

# The tables the log determines, as m007 reconstructs them (the order they are rebuilt in).
RECONSTRUCTED_TABLES = (
    "questionnaires", "departments", "responses", "answers", "flags", "originals", "verification_plans",
    "verification_targets", "keyings", "keyed_answers", "resolutions", "key_events", "users",
)


def _apply_version(conn, e: Entry, p: dict) -> None:
    if "v" in p and e.response_id is not None:
        conn.execute(
            "UPDATE responses SET version = ?, updated_by = ?, updated_at = ? WHERE id = ?",
            (p["v"], e.who, e.at, e.response_id),
        )
    if "kv" in p:
        conn.execute("UPDATE keyings SET version = ? WHERE id = ?", (p["kv"], p["keying"]))


def _apply_events(conn, rows) -> None:
    conn.executemany(
        "INSERT INTO key_events (id, person, at, department_id, kind, field, keyer) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [tuple(r) for r in rows],
    )


def apply(conn: sqlite3.Connection, entry: Entry, blob: bytes | None = None) -> None:
    """Make the change ``entry`` records in the tables (an entry before m007 changes nothing).

    ``blob``: an original's content, which the log does not hold (replay stores none)."""
    p = entry.payload
    if p is None:
        return
    _apply_version(conn, entry, p)
    _APPLY.get(entry.action, _nothing)(conn, entry, p, blob)
    if p.get("events"):
        _apply_events(conn, p["events"])


# -- the writer ----------------------------------------------------------------------------


class Journal:
    """The one writer of the tables the log determines, inside the store's write transaction.

    ``begin(at)`` at BEGIN IMMEDIATE; ``record`` makes each change at once (later reads in the
    same transaction see it) and keeps its entry; ``flush()`` before COMMIT appends the entries,
    chained, carrying the version counts (``bump``) and keying events (``events``) made on the
    way; ``discard()`` on ROLLBACK. One time stamp per transaction: the tables and the entries
    say the same "when".
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.at = ""
        self.pending: list[Entry] = []
        self._versions: dict[int, int] = {}  # response id → version not yet carried by an entry
        self._keying_versions: dict[int, int] = {}
        self.last: tuple[int, str] | None = None  # (id, hash) of the last entry this journal appended

    def begin(self, at: str) -> None:
        self.at = at
        self.discard()

    def discard(self) -> None:
        self.pending.clear()
        self._versions.clear()
        self._keying_versions.clear()

    def next_id(self, table: str) -> int:
        """The id the next row of ``table`` gets (ids are logged, so replay gives the same)."""
        return self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0]

    def record(
        self,
        who: str,
        response_id: int | None,
        question_id: str | None,
        action: str,
        old: str | None,
        new: str | None,
        why: str | None,
        payload: dict[str, Any] | None = None,
        *,
        blob: bytes | None = None,
        effect: bool = True,
    ) -> None:
        """Make the change (``effect``) and keep its entry for ``flush``."""
        payload = dict(payload or {})
        entry = Entry(self.at, who, response_id, question_id, action, old, new, why, payload)
        if effect:
            apply(self.conn, entry, blob)  # before the version is attached: bump made that already
        if response_id is not None and response_id in self._versions:
            payload["v"] = self._versions.pop(response_id)
        keying = payload.get("keying")
        if keying is not None and keying in self._keying_versions:
            payload["kv"] = self._keying_versions.pop(keying)
        self.pending.append(entry)

    def bump(self, who: str, response_id: int, version: int) -> None:
        """The response's version is now ``version``, changed by ``who``: made now, logged with
        the next entry about the response (or an entry of its own at flush)."""
        self.conn.execute(
            "UPDATE responses SET version = ?, updated_by = ?, updated_at = ? WHERE id = ?",
            (version, who, self.at, response_id),
        )
        self._versions[response_id] = version

    def bump_keying(self, keying_id: int, version: int) -> None:
        self.conn.execute("UPDATE keyings SET version = ? WHERE id = ?", (version, keying_id))
        self._keying_versions[keying_id] = version

    def events(self, who: str, rows: list[tuple]) -> None:
        """Keying events (person, at, department id, kind, field, keyer): stored now, logged with
        the last entry of the transaction so far (or an entry of their own)."""
        if not rows:
            return
        first = self.next_id("key_events")
        rows = [[first + i, *row] for i, row in enumerate(rows)]
        _apply_events(self.conn, rows)
        if not self.pending:
            self.pending.append(Entry(self.at, who, None, None, "events", None, str(len(rows)), None, {}))
        self.pending[-1].payload.setdefault("events", []).extend(rows)

    def record_progress(self, response_id: int, answered: int, on_route: int) -> None:
        """The department list's progress, a cache of routing the answers (not in the log)."""
        self.conn.execute(
            "UPDATE responses SET answered = ?, on_route = ?, progress_version = version WHERE id = ?",
            (answered, on_route, response_id),
        )

    def flush(self, who: str) -> tuple[int, str] | None:
        """Append the transaction's entries (and versions no entry carried), chained; returns
        (id, hash) of the last, which the store keeps as ``last`` once the transaction commits."""
        for rid, version in self._versions.items():
            self.pending.append(Entry(self.at, who, rid, None, "version", None, str(version), None, {"v": version}))
        for kid, version in self._keying_versions.items():
            self.pending.append(
                Entry(self.at, who, None, None, "keying_version", None, str(version), None, {"keying": kid, "kv": version})
            )
        appended = None
        if self.pending:
            appended = audit.append_many(self.conn, [(*e[:8], payload_json(e.payload)) for e in self.pending])
        self.discard()
        return appended


def reconstruct(journal: Journal, who: str) -> int:
    """Migration m007: log the tables as they are, one ``reconstructed`` entry per table (answers
    per department), so the log determines them from here on. Returns the entries written.

    The entries before m007 hold the history as a person reads it but not all a replay needs
    (a flag's id, who signed, the versions): this is the state they led to, marked as rebuilt
    from the tables, not as witnessed. Originals are logged without their content (their
    SHA-256 is in the row)."""
    conn = journal.conn
    count = 0
    why = "形式の更新（m007）: 以前の監査ログに無かった内容を表から再構成"
    for table in RECONSTRUCTED_TABLES:
        names = [n for n in _columns(conn, table) if not (table == "originals" and n == "content")]
        order = "rowid"
        rows = [dict(zip(names, r)) for r in conn.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY {order}")]
        if not rows:
            continue
        groups: dict = {}
        for row in rows:
            groups.setdefault(row.get("response_id") if table == "answers" else None, []).append(row)
        for rid, group in groups.items():
            journal.record(who, rid, None, "reconstructed", None, f"{table} {len(group)} 行", why,
                           {"table": table, "rows": group}, effect=False)
            count += 1
    return count
