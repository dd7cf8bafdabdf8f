"""The database schema, as sqlite-utils migrations applied in order.

Tables are declared column by column (codes are text, never guessed from a first row).
Importing this module does not import sqlite-utils (which imports pandas): the store only
needs it when a database is created or migrated, not on the way to the first screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database, Migrations

__all__ = [
    "APPLICATION_ID",
    "MIGRATION_NAMES",
    "SCHEMA_VERSION",
    "STATUSES",
    "STATUS_LABELS",
    "TRIGGERS",
    "migrations",
    "ensure_triggers",
    "trigger_problems",
]

# PRAGMA application_id: marks a file as a chosho database ("CHSH").
APPLICATION_ID = 0x43485348

STATUSES = ("not_started", "in_progress", "entered", "reviewed", "final")
STATUS_LABELS = {
    "not_started": "未入力",
    "in_progress": "入力中",
    "entered": "入力済",
    "reviewed": "確認済",
    "final": "確定",
}

# The audit log is append-only: these refuse any change to a written entry.
TRIGGERS = {
    "audit_log_no_update": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, '監査ログは変更できません（追記のみ）'); END"
    ),
    "audit_log_no_delete": (
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, '監査ログは削除できません（追記のみ）'); END"
    ),
    # REPLACE / INSERT OR REPLACE delete the old row without firing the DELETE trigger (unless
    # recursive_triggers is on): refusing an existing id before the insert closes that door.
    "audit_log_no_replace": (
        "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log"
        " WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, '監査ログの記録は置き換えられません（追記のみ）'); END"
    ),
    # An entry outside the chain (no hash) would be a gap ``chosho verify`` reports; refuse it now.
    "audit_log_chained": (
        "CREATE TRIGGER audit_log_chained BEFORE INSERT ON audit_log WHEN NEW.hash IS NULL "
        "BEGIN SELECT RAISE(ABORT, '監査ログへの追記にはハッシュの連鎖が必要です（chosho から記録してください）'); END"
    ),
}

MIGRATION_NAMES = (
    "m001_core", "m002_review", "m003_audit_chain", "m004_originals", "m005_verification", "m006_progress",
    "m007_log_record", "m008_accounts",
)
SCHEMA_VERSION = len(MIGRATION_NAMES)


def _m001_core(db: "Database") -> None:
    db["questionnaires"].create(
        {
            "id": int,
            "survey_id": str,
            "title": str,
            "sha256": str,
            "source": str,
            "loaded_at": str,
            "loaded_by": str,
        },
        pk="id",
        not_null={"survey_id", "title", "sha256", "source", "loaded_at", "loaded_by"},
    )
    db["questionnaires"].create_index(["sha256"], unique=True)
    db["departments"].create(
        {"id": int, "questionnaire_id": int, "bukyoku": str, "name": str, "position": int},
        pk="id",
        not_null={"questionnaire_id", "bukyoku", "name", "position"},
        foreign_keys=[("questionnaire_id", "questionnaires", "id")],
    )
    db["departments"].create_index(["questionnaire_id", "bukyoku", "name"], unique=True)
    db["responses"].create(
        {
            "id": int,
            "questionnaire_id": int,
            "department_id": int,
            "status": str,
            "version": int,
            "status_by": str,
            "status_at": str,
            "updated_by": str,
            "updated_at": str,
            "entered_by": str,
            "entered_at": str,
        },
        pk="id",
        not_null={"questionnaire_id", "department_id", "status", "version"},
        defaults={"status": "not_started", "version": 0},
        foreign_keys=[
            ("questionnaire_id", "questionnaires", "id"),
            ("department_id", "departments", "id"),
        ],
    )
    db["responses"].create_index(["department_id"], unique=True)
    db["answers"].create(
        {
            "response_id": int,
            "question_id": str,
            "state": str,
            "value": str,
            "entered_by": str,
            "entered_at": str,
        },
        pk=("response_id", "question_id"),
        not_null={"response_id", "question_id", "state", "value", "entered_by", "entered_at"},
        foreign_keys=[("response_id", "responses", "id")],
    )
    db["audit_log"].create(
        {
            "id": int,
            "at": str,
            "who": str,
            "response_id": int,
            "question_id": str,
            "action": str,
            "old": str,
            "new": str,
            "why": str,
        },
        pk="id",
        not_null={"at", "who", "action"},
        foreign_keys=[("response_id", "responses", "id")],
    )
    db["audit_log"].create_index(["response_id"])
    db["users"].create(
        {"name": str, "display_name": str, "first_seen": str, "last_seen": str},
        pk="name",
        not_null={"first_seen", "last_seen"},
    )


def _m002_review(db: "Database") -> None:
    # Review came second; adding columns (not transform()) keeps the audit triggers in place,
    # and ensure_triggers() checks them after every migration anyway.
    for column in ("reviewed_by", "reviewed_at", "finalised_by", "finalised_at"):
        db["responses"].add_column(column, str)
    db["flags"].create(
        {
            "id": int,
            "response_id": int,
            "question_id": str,
            "comment": str,
            "raised_by": str,
            "raised_at": str,
            "resolved_by": str,
            "resolved_at": str,
            "resolution": str,
        },
        pk="id",
        not_null={"response_id", "question_id", "comment", "raised_by", "raised_at"},
        foreign_keys=[("response_id", "responses", "id")],
    )
    db["flags"].create_index(["response_id"])


def _m003_audit_chain(db: "Database") -> None:
    """Each entry gets the SHA-256 of its content and the previous entry's hash (db/audit.py).

    The existing entries are chained in id order. (Also: flags get the clerk's reply.) Writing their hashes is the one change ever
    made to written entries, so the UPDATE trigger is lifted for it; ensure_triggers() restores
    it (and adds the new ones) right after, in the same transaction.
    """
    from .audit import COLUMNS, GENESIS, entry_hash

    conn = db.conn
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    db["audit_log"].add_column("hash", str)
    previous = GENESIS
    for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM audit_log ORDER BY id").fetchall():
        previous = entry_hash(row, previous)
        conn.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (previous, row[0]))
    ensure_triggers(conn)
    # The same release lets the clerk answer a flag instead of closing it (db/review.py).
    for column in ("replied_by", "replied_at", "reply"):
        db["flags"].add_column(column, str)


def _m004_originals(db: "Database") -> None:
    # The returned files themselves (xlsx, or a PDF / scan of the paper), kept with the
    # department so the reviewer can compare the answers with the original. In the database,
    # so `chosho backup` (SQLite's online backup) carries them.
    db["originals"].create(
        {
            "id": int,
            "department_id": int,
            "name": str,
            "sha256": str,
            "size": int,
            "content": bytes,
            "stored_by": str,
            "stored_at": str,
            "why": str,
        },
        pk="id",
        not_null={"department_id", "name", "sha256", "size", "content", "stored_by", "stored_at"},
        foreign_keys=[("department_id", "departments", "id")],
    )
    db["originals"].create_index(["department_id", "sha256"], unique=True)


def _m005_verification(db: "Database") -> None:
    """Double entry (照合入力, db/verification.py): which departments are verified and by what
    recorded rule, the second keying's answers apart from the department's, the adjudicator's
    resolutions, and the keying events the keyer statistics count."""
    db["verification_plans"].create(
        {"id": int, "rule": str, "parameter": int, "seed": int, "description": str, "chosen": str,
         "made_by": str, "made_at": str},
        pk="id",
        not_null={"rule", "description", "chosen", "made_by", "made_at"},
    )
    db["verification_targets"].create(
        {"department_id": int, "plan_id": int},
        pk="department_id",
        not_null={"plan_id"},
        foreign_keys=[("department_id", "departments", "id"), ("plan_id", "verification_plans", "id")],
    )
    db["keyings"].create(
        {"id": int, "department_id": int, "keyer": str, "live": int, "version": int, "started_at": str,
         "completed_at": str, "adjudicated_by": str, "adjudicated_at": str},
        pk="id",
        not_null={"department_id", "keyer", "live", "version", "started_at"},
        defaults={"live": 0, "version": 0},
        foreign_keys=[("department_id", "departments", "id")],
    )
    db["keyings"].create_index(["department_id"], unique=True)
    db["keyed_answers"].create(
        {"keying_id": int, "question_id": str, "state": str, "value": str, "entered_by": str, "entered_at": str},
        pk=("keying_id", "question_id"),
        not_null={"keying_id", "question_id", "state", "value", "entered_by", "entered_at"},
        foreign_keys=[("keying_id", "keyings", "id")],
    )
    db["resolutions"].create(
        {"keying_id": int, "variable": str, "choice": str, "cell": str, "reason": str, "made_by": str, "made_at": str},
        pk=("keying_id", "variable"),
        not_null={"keying_id", "variable", "choice", "made_by", "made_at"},
        foreign_keys=[("keying_id", "keyings", "id")],
    )
    db["key_events"].create(
        {"id": int, "person": str, "at": str, "department_id": int, "kind": str, "field": str, "keyer": str},
        pk="id",
        not_null={"person", "at", "department_id", "kind"},
        foreign_keys=[("department_id", "departments", "id")],
    )
    db["key_events"].create_index(["person", "at"])


def _m006_progress(db: "Database") -> None:
    """Each department's progress on its route (answered / on the route), as the department list
    shows it, kept with the version it was computed at (``progress_version``): the list is drawn
    from SQL alone, without reading the questionnaire or routing 58 departments before its first
    frame. The store computes it (one routing engine) in every write transaction that changes
    the department, and on migrating; a row whose ``progress_version`` is not its ``version``
    is routed again when read (Store.overview), and ``chosho verify`` checks every row."""
    for column in ("progress_version", "answered", "on_route"):
        db["responses"].add_column(column, int)


def _m007_log_record(db: "Database") -> None:
    """The audit log becomes the record (db/journal.py): each entry gets a JSON ``payload`` with
    what replaying it needs, hashed with it. Adding a column keeps the triggers and every earlier
    entry's hash (an entry without payload hashes as before). What the older entries cannot say
    is rebuilt from the tables by the store right after (``journal.reconstruct``: entries marked
    ``reconstructed``), after the backup every migration makes first."""
    db["audit_log"].add_column("payload", str)


def _m008_accounts(db: "Database") -> None:
    """Accounts (db/accounts.py): once a database has one, a person is who logs in with a
    password, not a name anyone can type. ``key`` is the person key (db/who.py): one account per
    person, so a confusable second spelling is refused by the index too. ``password_hash`` is an
    argon2id hash, never the password. Written only through the log (kinds account_*).

    ``sessions``: the browser's logins (``chosho serve``), by the SHA-256 of their token (the
    token itself is never stored). Not a record: not in the log, not compared by verify."""
    db["accounts"].create(
        {"name": str, "key": str, "password_hash": str, "admin": int, "disabled": int,
         "created_at": str, "created_by": str},
        pk="name",
        not_null={"key", "password_hash", "admin", "disabled", "created_at", "created_by"},
        defaults={"admin": 0, "disabled": 0},
    )
    db["accounts"].create_index(["key"], unique=True)
    db["sessions"].create(
        {"token_sha256": str, "name": str, "created_at": str, "last_seen": str, "ended": str},
        pk="token_sha256",
        not_null={"name", "created_at", "last_seen"},
        foreign_keys=[("name", "accounts", "name")],
    )
    db["sessions"].create_index(["name"])


MIGRATION_STEPS = (
    _m001_core, _m002_review, _m003_audit_chain, _m004_originals, _m005_verification, _m006_progress,
    _m007_log_record, _m008_accounts,
)


def migrations() -> "Migrations":
    from sqlite_utils import Migrations

    chosho = Migrations("chosho")
    for name, fn in zip(MIGRATION_NAMES, MIGRATION_STEPS, strict=True):
        chosho(name=name)(fn)
    return chosho


def ensure_triggers(conn) -> list[str]:
    """Create any audit-log trigger that is missing; returns the names it had to recreate.

    The chain trigger needs the ``hash`` column (m003): on an older schema it waits for it.
    """
    present = {
        row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    chained = any(row[1] == "hash" for row in conn.execute("PRAGMA table_info(audit_log)"))
    missing = [name for name in TRIGGERS if name not in present and (chained or name != "audit_log_chained")]
    for name in missing:
        conn.execute(TRIGGERS[name])
    return missing


def trigger_problems(conn) -> list[str]:
    """What differs between the database's triggers and chosho's (Japanese): a missing one, one
    whose SQL was altered, one chosho never makes. Empty when they are exactly chosho's."""
    present = {
        name: " ".join((sql or "").split())
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    problems = [f"{name} がありません" for name in TRIGGERS if name not in present]
    problems += [
        f"{name} が書き換えられています"
        for name, sql in TRIGGERS.items()
        if name in present and present[name] != " ".join(sql.split())
    ]
    problems += [f"chosho にないトリガー {name} があります" for name in present if name not in TRIGGERS]
    return problems
