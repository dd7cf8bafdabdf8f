"""The store: schema, seeding, who/when, statuses, the audit log, versions, users, where the file is."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest

import survey
from db import (
    SCHEMA_VERSION,
    STATUS_LABELS,
    ConflictError,
    RefusedError,
    Stamp,
    database_path,
    open_store,
)
from db.location import DEFAULT_NAME, ENV_VAR
from db.schema import APPLICATION_ID
from survey import BUILTIN_DEFINITION, Grid, Multi, Router, Single, Text
from tui.cli import main

from .conftest import FIXTURES
from .review_support import shown_all
from .store_support import FORM, audit_rows, db_path, dump, store, template_db  # noqa: F401 - fixtures

ISO_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

# (column, declared type, NOT NULL, position in the primary key) — as PRAGMA table_info reports.
SCHEMA = {
    "questionnaires": [
        ("id", "INTEGER", 0, 1),
        ("survey_id", "TEXT", 1, 0),
        ("title", "TEXT", 1, 0),
        ("sha256", "TEXT", 1, 0),
        ("source", "TEXT", 1, 0),
        ("loaded_at", "TEXT", 1, 0),
        ("loaded_by", "TEXT", 1, 0),
    ],
    "departments": [
        ("id", "INTEGER", 0, 1),
        ("questionnaire_id", "INTEGER", 1, 0),
        ("bukyoku", "TEXT", 1, 0),
        ("name", "TEXT", 1, 0),
        ("position", "INTEGER", 1, 0),
    ],
    "responses": [
        ("id", "INTEGER", 0, 1),
        ("questionnaire_id", "INTEGER", 1, 0),
        ("department_id", "INTEGER", 1, 0),
        ("status", "TEXT", 1, 0),
        ("version", "INTEGER", 1, 0),
        ("status_by", "TEXT", 0, 0),
        ("status_at", "TEXT", 0, 0),
        ("updated_by", "TEXT", 0, 0),
        ("updated_at", "TEXT", 0, 0),
        ("entered_by", "TEXT", 0, 0),
        ("entered_at", "TEXT", 0, 0),
        ("reviewed_by", "TEXT", 0, 0),
        ("reviewed_at", "TEXT", 0, 0),
        ("finalised_by", "TEXT", 0, 0),
        ("finalised_at", "TEXT", 0, 0),
        ("progress_version", "INTEGER", 0, 0),
        ("answered", "INTEGER", 0, 0),
        ("on_route", "INTEGER", 0, 0),
    ],
    "answers": [
        ("response_id", "INTEGER", 1, 1),
        ("question_id", "TEXT", 1, 2),
        ("state", "TEXT", 1, 0),
        ("value", "TEXT", 1, 0),
        ("entered_by", "TEXT", 1, 0),
        ("entered_at", "TEXT", 1, 0),
    ],
    "audit_log": [
        ("id", "INTEGER", 0, 1),
        ("at", "TEXT", 1, 0),
        ("who", "TEXT", 1, 0),
        ("response_id", "INTEGER", 0, 0),
        ("question_id", "TEXT", 0, 0),
        ("action", "TEXT", 1, 0),
        ("old", "TEXT", 0, 0),
        ("new", "TEXT", 0, 0),
        ("why", "TEXT", 0, 0),
        ("hash", "TEXT", 0, 0),
        ("payload", "TEXT", 0, 0),
    ],
    "users": [
        ("name", "TEXT", 0, 1),
        ("display_name", "TEXT", 0, 0),
        ("first_seen", "TEXT", 1, 0),
        ("last_seen", "TEXT", 1, 0),
    ],
    "flags": [
        ("id", "INTEGER", 0, 1),
        ("response_id", "INTEGER", 1, 0),
        ("question_id", "TEXT", 1, 0),
        ("comment", "TEXT", 1, 0),
        ("raised_by", "TEXT", 1, 0),
        ("raised_at", "TEXT", 1, 0),
        ("resolved_by", "TEXT", 0, 0),
        ("resolved_at", "TEXT", 0, 0),
        ("resolution", "TEXT", 0, 0),
        ("replied_by", "TEXT", 0, 0),
        ("replied_at", "TEXT", 0, 0),
        ("reply", "TEXT", 0, 0),
    ],
    "originals": [
        ("id", "INTEGER", 0, 1),
        ("department_id", "INTEGER", 1, 0),
        ("name", "TEXT", 1, 0),
        ("sha256", "TEXT", 1, 0),
        ("size", "INTEGER", 1, 0),
        ("content", "BLOB", 1, 0),
        ("stored_by", "TEXT", 1, 0),
        ("stored_at", "TEXT", 1, 0),
        ("why", "TEXT", 0, 0),
    ],
    "verification_plans": [
        ("id", "INTEGER", 0, 1),
        ("rule", "TEXT", 1, 0),
        ("parameter", "INTEGER", 0, 0),
        ("seed", "INTEGER", 0, 0),
        ("description", "TEXT", 1, 0),
        ("chosen", "TEXT", 1, 0),
        ("made_by", "TEXT", 1, 0),
        ("made_at", "TEXT", 1, 0),
    ],
    "verification_targets": [
        ("department_id", "INTEGER", 0, 1),
        ("plan_id", "INTEGER", 1, 0),
    ],
    "keyings": [
        ("id", "INTEGER", 0, 1),
        ("department_id", "INTEGER", 1, 0),
        ("keyer", "TEXT", 1, 0),
        ("live", "INTEGER", 1, 0),
        ("version", "INTEGER", 1, 0),
        ("started_at", "TEXT", 1, 0),
        ("completed_at", "TEXT", 0, 0),
        ("adjudicated_by", "TEXT", 0, 0),
        ("adjudicated_at", "TEXT", 0, 0),
    ],
    "keyed_answers": [
        ("keying_id", "INTEGER", 1, 1),
        ("question_id", "TEXT", 1, 2),
        ("state", "TEXT", 1, 0),
        ("value", "TEXT", 1, 0),
        ("entered_by", "TEXT", 1, 0),
        ("entered_at", "TEXT", 1, 0),
    ],
    "resolutions": [
        ("keying_id", "INTEGER", 1, 1),
        ("variable", "TEXT", 1, 2),
        ("choice", "TEXT", 1, 0),
        ("cell", "TEXT", 0, 0),
        ("reason", "TEXT", 0, 0),
        ("made_by", "TEXT", 1, 0),
        ("made_at", "TEXT", 1, 0),
    ],
    "key_events": [
        ("id", "INTEGER", 0, 1),
        ("person", "TEXT", 1, 0),
        ("at", "TEXT", 1, 0),
        ("department_id", "INTEGER", 1, 0),
        ("kind", "TEXT", 1, 0),
        ("field", "TEXT", 0, 0),
        ("keyer", "TEXT", 0, 0),
    ],
    "accounts": [
        ("name", "TEXT", 0, 1),
        ("key", "TEXT", 1, 0),
        ("password_hash", "TEXT", 1, 0),
        ("admin", "INTEGER", 1, 0),
        ("disabled", "INTEGER", 1, 0),
        ("created_at", "TEXT", 1, 0),
        ("created_by", "TEXT", 1, 0),
    ],
    "sessions": [
        ("token_sha256", "TEXT", 0, 1),
        ("name", "TEXT", 1, 0),
        ("created_at", "TEXT", 1, 0),
        ("last_seen", "TEXT", 1, 0),
        ("ended", "TEXT", 0, 0),
    ],
}


def first_response(store):
    return store.response(department_id=store.departments()[0].id)


# -- schema and settings ----------------------------------------------------------------------


def test_every_table_is_declared_column_by_column(store):
    tables = {
        name
        for (name,) in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    assert tables == set(SCHEMA) | {"_sqlite_migrations"}
    for table, columns in SCHEMA.items():
        info = [(name, type_, notnull, pk) for _, name, type_, notnull, _, pk in store.conn.execute(f"PRAGMA table_info({table})")]
        assert info == columns, table


def test_foreign_keys_are_declared_and_enforced(store):
    refs = {
        (table, row[3], row[2])
        for table in SCHEMA
        for row in store.conn.execute(f"PRAGMA foreign_key_list({table})")
    }
    assert refs == {
        ("departments", "questionnaire_id", "questionnaires"),
        ("responses", "questionnaire_id", "questionnaires"),
        ("responses", "department_id", "departments"),
        ("answers", "response_id", "responses"),
        ("audit_log", "response_id", "responses"),
        ("flags", "response_id", "responses"),
        ("originals", "department_id", "departments"),
        ("verification_targets", "department_id", "departments"),
        ("verification_targets", "plan_id", "verification_plans"),
        ("keyings", "department_id", "departments"),
        ("keyed_answers", "keying_id", "keyings"),
        ("resolutions", "keying_id", "keyings"),
        ("key_events", "department_id", "departments"),
        ("sessions", "name", "accounts"),
    }
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store.conn.execute(
            "INSERT INTO answers (response_id, question_id, state, value, entered_by, entered_at)"
            " VALUES (9999, 'Q1', 'answered', '{}', 'x', 'y')"
        )


def test_codes_are_stored_as_text(store):
    response = first_response(store)
    store.save_answer(response.id, "Q3", Multi(frozenset({1, 3})), expected_version=response.version)
    row = store.conn.execute(
        "SELECT typeof(question_id), typeof(state), typeof(value), value FROM answers"
    ).fetchone()
    assert row == ("text", "text", "text", '{"multi": [1, 3], "texts": {}}')
    statuses = {r[0] for r in store.conn.execute("SELECT DISTINCT typeof(status) FROM responses")}
    assert statuses == {"text"}


def test_durability_settings_on_every_connection(db_path):
    with open_store(db_path, "alice", timeout=2.5) as opened:
        pragma = lambda name: opened.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 2500
        assert pragma("application_id") == APPLICATION_ID
        assert pragma("user_version") == SCHEMA_VERSION
        assert opened.conn.isolation_level is None  # our BEGIN IMMEDIATE, not Python's deferred BEGIN


# -- the first run in an empty folder, and the next ones --------------------------------------------


def test_first_run_in_an_empty_folder_creates_and_seeds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    with open_store(database_path(), "alice") as opened:
        assert opened.path == Path(DEFAULT_NAME)
        departments = opened.departments()
        assert [(d.bukyoku, d.name) for d in departments] == list(survey.builtin().departments)
        assert len(departments) == 58
        assert [d.position for d in departments] == list(range(1, 59))
        states = opened.overview()
        assert [s.department for s in states] == departments
        assert {(s.status, s.version, s.answered) for s in states} == {("not_started", 0, 0)}
        source = BUILTIN_DEFINITION.read_text(encoding="utf-8")
        row = opened.conn.execute("SELECT survey_id, source, sha256, loaded_by FROM questionnaires").fetchall()
        assert row == [("niiza-fy2024-social-media", source, hashlib.sha256(source.encode()).hexdigest(), "alice")]
        assert [e.action for e in opened.history()] == ["create", "seed"]
    assert (tmp_path / "chosho.sqlite").is_file()


def test_reopening_does_not_seed_again(db_path):
    with open_store(db_path, "alice") as first:
        response = first_response(first)
        first.save_answer(response.id, "Q1", Single(2), expected_version=response.version)
    for who in ("bob", "carol"):
        with open_store(db_path, who, definition=FIXTURES / "training.toml") as again:
            counts = [again.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("questionnaires", "departments", "responses")]
            assert counts == [1, 58, 58]
            assert again.questionnaire.title == survey.builtin().title
            assert again.response(response_id=response.id).answers == {"Q1": Single(2)}
    assert len(audit_rows(db_path, "seed")) == 1
    assert audit_rows(db_path, "migrate") == []


def test_a_new_database_can_be_seeded_from_another_definition(tmp_path):
    training = survey.load_definition(FIXTURES / "training.toml")
    with open_store(tmp_path / "training.sqlite", "alice", definition=FIXTURES / "training.toml") as opened:
        assert [(d.bukyoku, d.name) for d in opened.departments()] == list(training.departments)
        assert opened.questionnaire.title == training.title


# -- who and when ------------------------------------------------------------------------------


def test_answers_and_statuses_are_stamped_with_who_and_when(db_path):
    alice = open_store(db_path, "alice")
    bob = open_store(db_path, "bob")
    try:
        response = first_response(alice)
        version = alice.save_answer(response.id, "Q1", Single(1), expected_version=response.version)
        version = alice.save_answer(response.id, "Q10", Text("広報担当"), expected_version=version)
        version = bob.save_answer(response.id, "Q10", Text("広報担当（２名）"), expected_version=version)
        read = bob.response(response_id=response.id)
        assert read.stamps["Q1"].who == "alice"
        assert read.stamps["Q10"].who == "bob"
        assert all(ISO_STAMP.match(s.at) for s in read.stamps.values())
        assert read.updated.who == "bob"
        row = alice.conn.execute(
            "SELECT status, status_by, status_at FROM responses WHERE id = ?", (response.id,)
        ).fetchone()
        assert row[:2] == ("in_progress", "alice") and ISO_STAMP.match(row[2])
        alice.mark_entered(response.id, expected_version=version)
        read = alice.response(response_id=response.id)
        assert read.entered.who == "alice" and ISO_STAMP.match(read.entered.at)
        assert {(e.who, e.action) for e in alice.history(response.id)} == {
            ("alice", "answer"),
            ("alice", "status"),
            ("bob", "answer"),
        }
    finally:
        alice.close()
        bob.close()


# -- statuses ---------------------------------------------------------------------------------


def test_status_path_from_not_started_to_final_and_back(db_path):
    alice = open_store(db_path, "alice")  # enters
    bob = open_store(db_path, "bob")  # reviews
    try:
        rid = first_response(alice).id
        assert alice.response(response_id=rid).status_label == "未入力"
        v = alice.save_answer(rid, "Q1", Single(1), expected_version=0)
        assert alice.response(response_id=rid).status_label == "入力中"
        v = alice.mark_entered(rid, expected_version=v)
        assert alice.response(response_id=rid).status_label == "入力済"

        # No one signs off their own entry.
        assert any("自分で確認済にはできません" in r for r in alice.sign_off_refusals(rid))
        with pytest.raises(RefusedError, match="自分で確認済にはできません"):
            alice.sign_off(rid, expected_version=v)
        assert any("まだ表示していない問いが" in r for r in bob.sign_off_refusals(rid))
        shown_all(bob, rid)
        assert bob.sign_off_refusals(rid) == []
        v = bob.sign_off(rid, expected_version=v)
        read = bob.response(response_id=rid)
        assert read.status_label == "確認済" and read.reviewed.who == "bob"

        # An edit of a signed-off form takes the sign-off back.
        v = alice.save_answer(rid, "Q1", Single(2), expected_version=v)
        read = alice.response(response_id=rid)
        assert (read.status_label, read.reviewed) == ("入力済", None)
        withdrawn = alice.history(rid)[-2]
        assert (withdrawn.who, withdrawn.action, withdrawn.old, withdrawn.new, withdrawn.why) == (
            "alice",
            "status",
            "reviewed",
            "entered",
            "回答の変更により確認を取り消し",
        )

        shown_all(bob, rid)  # Q1 changed since bob saw it
        v = bob.sign_off(rid, expected_version=v)
        with pytest.raises(RefusedError, match="「確認済」のため、解除するものがありません"):
            bob.unlock(rid, "念のため", expected_version=v)  # nothing to unlock yet
        v = bob.finalise(rid, expected_version=v)
        read = bob.response(response_id=rid)
        assert read.status_label == "確定" and read.finalised.who == "bob"
    finally:
        alice.close()
        bob.close()


@pytest.fixture
def finalised(db_path):
    """A department entered by alice, signed off and finalised by bob: (alice, bob, rid, version)."""
    alice = open_store(db_path, "alice")
    bob = open_store(db_path, "bob")
    rid = first_response(alice).id
    v = alice.save_answer(rid, "Q1", Single(1), expected_version=0)
    v = alice.save_answer(rid, "Q3", Multi(frozenset({2})), expected_version=v)
    v = alice.mark_entered(rid, expected_version=v)
    shown_all(bob, rid)
    v = bob.sign_off(rid, expected_version=v)
    v = bob.finalise(rid, expected_version=v)
    yield alice, bob, rid, v
    alice.close()
    bob.close()


def test_a_finalised_form_refuses_every_edit(finalised, db_path):
    alice, _, rid, v = finalised
    before = (alice.response(response_id=rid), len(audit_rows(db_path)))
    with pytest.raises(RefusedError, match="確定済みのため編集できません"):
        alice.save_answer(rid, "Q1", Single(2), expected_version=v)
    with pytest.raises(RefusedError, match="確定済みのため編集できません"):
        alice.clear_answers(rid, ["Q3"], expected_version=v)
    with pytest.raises(RefusedError, match="確定済みのため編集できません"):
        alice.mark_entered(rid, expected_version=v)
    assert (alice.response(response_id=rid), len(audit_rows(db_path))) == before


def test_unlocking_needs_a_reason_and_cancels_the_sign_off(finalised):
    alice, bob, rid, v = finalised
    for reason in ("", "　 "):
        with pytest.raises(RefusedError, match="理由を入力してください"):
            bob.unlock(rid, reason, expected_version=v)
    assert bob.response(response_id=rid).status == "final"
    v = bob.unlock(rid, "所属から訂正の連絡（Q1）", expected_version=v)
    read = bob.response(response_id=rid)
    assert (read.status_label, read.reviewed, read.finalised) == ("入力済", None, None)
    last = bob.history(rid)[-1]
    assert (last.who, last.action, last.old, last.new, last.why) == ("bob", "status", "final", "entered", "所属から訂正の連絡（Q1）")
    alice.save_answer(rid, "Q1", Single(2), expected_version=v)  # editable again
    assert alice.response(response_id=rid).answers["Q1"] == Single(2)


def test_clearing_answers_of_a_signed_off_form_takes_the_sign_off_back(db_path):
    with open_store(db_path, "alice") as alice, open_store(db_path, "bob") as bob:
        rid = first_response(alice).id
        v = alice.save_answer(rid, "Q3", Multi(frozenset({1})), expected_version=0)
        v = alice.mark_entered(rid, expected_version=v)
        shown_all(bob, rid)
        v = bob.sign_off(rid, expected_version=v)
        v = bob.clear_answers(rid, ["Q3"], expected_version=v, why="所属の誤記")
        read = bob.response(response_id=rid)
        assert (read.status, read.reviewed, read.answers) == ("entered", None, {})


def test_finalising_needs_a_sign_off_first(store):
    rid = first_response(store).id
    v = store.save_answer(rid, "Q1", Single(1), expected_version=0)
    v = store.mark_entered(rid, expected_version=v)
    with pytest.raises(RefusedError, match="「入力済」のため確定できません"):
        store.finalise(rid, expected_version=v)


def test_sign_off_waits_for_open_flags(db_path):
    with open_store(db_path, "alice") as alice, open_store(db_path, "bob") as bob:
        rid = first_response(alice).id
        v = alice.mark_entered(rid, expected_version=alice.save_answer(rid, "Q1", Single(1), expected_version=0))
        fid = bob.raise_flag(rid, "Q1", "用紙では 2 に見える")
        shown_all(bob, rid)
        with pytest.raises(RefusedError, match="未解決の疑義が 1 件あります（Q1）"):
            bob.sign_off(rid, expected_version=v)
        alice.reply_flag(fid, "所属に電話で確認、1 で正しい")  # the clerk answers; the raiser closes
        bob.resolve_flag(fid, "回答を確認")
        flag = bob.flags(rid)[0]
        assert (flag.open, flag.raised.who, flag.replied.who, flag.reply, flag.resolved.who) == (
            False, "bob", "alice", "所属に電話で確認、1 で正しい", "bob"
        )
        bob.sign_off(rid, expected_version=v)
        assert [e.action for e in bob.history(rid)][-5:] == ["flag", "shown", "reply", "resolve", "status"]


# -- the audit log ------------------------------------------------------------------------------


def test_every_change_is_logged_with_old_new_and_why(store, db_path):
    rid = first_response(store).id
    v = store.save_answer(rid, "Q1", Single(1), expected_version=0)
    v = store.save_answer(rid, "Q1", Single(2), expected_version=v, why="所属に電話で確認")
    v = store.clear_answers(rid, ["Q1"], expected_version=v, why="用紙の読み違い")
    log = [(who, r, q, action, old, new, why) for _, who, r, q, action, old, new, why in audit_rows(db_path)]
    assert log[-4:] == [
        ("alice", rid, None, "status", "not_started", "in_progress", None),
        ("alice", rid, "Q1", "answer", None, dump(Single(1)), None),
        ("alice", rid, "Q1", "answer", dump(Single(1)), dump(Single(2)), "所属に電話で確認"),
        ("alice", rid, "Q1", "clear", dump(Single(2)), None, "用紙の読み違い"),
    ]


def test_a_route_change_logs_every_answer_it_drops_in_one_step(store, niiza):
    rid = first_response(store).id
    grid = Grid({"line": 1, "x": 2, "facebook": 5, "youtube": 3})
    v = store.save_answer(rid, "Q1", Single(1), expected_version=0)
    v = store.save_answer(rid, "Q2", grid, expected_version=v)
    v = store.save_answer(rid, "Q3", Multi(frozenset({1, 3})), expected_version=v)
    answers = store.response(response_id=rid).answers
    leaving = Router(niiza).change(answers, "Q1", Single(2)).leaving
    assert leaving == ("Q2", "Q3")
    new_v = store.save_answer(rid, "Q1", Single(2), expected_version=v, clear=leaving)
    assert new_v == v + 1  # one change, one version
    assert store.response(response_id=rid).answers == {"Q1": Single(2)}
    tail = [(e.question_id, e.action, e.old, e.new, e.why) for e in store.history(rid)[-3:]]
    assert tail == [
        ("Q2", "clear", dump(grid), None, "経路の変更により非該当"),
        ("Q3", "clear", dump(Multi(frozenset({1, 3}))), None, "経路の変更により非該当"),
        ("Q1", "answer", dump(Single(1)), dump(Single(2)), None),
    ]


def test_a_route_change_keeps_the_clerks_reason(store):
    rid = first_response(store).id
    v = store.save_answer(rid, "Q1", Single(1), expected_version=0)
    v = store.save_answer(rid, "Q3", Multi(frozenset({4})), expected_version=v)
    store.save_answer(rid, "Q1", Single(2), expected_version=v, clear=["Q3"], why="用紙の訂正印")
    assert [(e.question_id, e.action, e.why) for e in store.history(rid)[-2:]] == [
        ("Q3", "clear", "用紙の訂正印"),
        ("Q1", "answer", "用紙の訂正印"),
    ]


@pytest.mark.parametrize(
    "sql, message",
    [
        ("UPDATE audit_log SET new = '改ざん' WHERE id = 1", "監査ログは変更できません（追記のみ）"),
        ("UPDATE audit_log SET who = 'someone'", "監査ログは変更できません（追記のみ）"),
        ("DELETE FROM audit_log WHERE id = 1", "監査ログは削除できません（追記のみ）"),
        ("DELETE FROM audit_log", "監査ログは削除できません（追記のみ）"),
    ],
)
def test_the_audit_log_refuses_update_and_delete_from_any_program(store, db_path, sql, message):
    rid = first_response(store).id
    store.save_answer(rid, "Q1", Single(1), expected_version=0)
    before = audit_rows(db_path)
    other = sqlite3.connect(db_path)  # another program, not the store
    try:
        with pytest.raises(sqlite3.IntegrityError, match=re.escape(message)):
            other.execute(sql)
        other.rollback()
    finally:
        other.close()
    with pytest.raises(sqlite3.IntegrityError, match=re.escape(message)):
        store.conn.execute(sql)
    assert audit_rows(db_path) == before
    assert len(before) >= 4


# -- two clerks on one department ------------------------------------------------------------------


def test_a_stale_version_is_refused_and_nothing_is_written(db_path):
    with open_store(db_path, "alice") as alice, open_store(db_path, "bob") as bob:
        alice.remember_user(display_name="山田")
        seen_by_bob = first_response(bob)
        rid = seen_by_bob.id
        alice.save_answer(rid, "Q1", Single(1), expected_version=seen_by_bob.version)
        before = (alice.response(response_id=rid), len(audit_rows(db_path)))
        name = seen_by_bob.department.name
        with pytest.raises(ConflictError, match=rf"{name} の回答は.*山田 さんが変更しました.*上書きせずに止めました"):
            bob.save_answer(rid, "Q1", Single(2), expected_version=seen_by_bob.version)
        for attempt in (
            lambda: bob.clear_answers(rid, ["Q1"], expected_version=seen_by_bob.version),
            lambda: bob.mark_entered(rid, expected_version=seen_by_bob.version),
        ):
            with pytest.raises(ConflictError):
                attempt()
        assert (alice.response(response_id=rid), len(audit_rows(db_path))) == before
        fresh = bob.response(response_id=rid)
        bob.save_answer(rid, "Q1", Single(2), expected_version=fresh.version)
        assert alice.response(response_id=rid).answers["Q1"] == Single(2)


def test_versions_count_every_change(store):
    rid = first_response(store).id
    version = 0
    for qid, value in FORM[:5]:
        version = store.save_answer(rid, qid, value, expected_version=version)
    assert version == 5 == store.response(response_id=rid).version
    assert store.mark_entered(rid, expected_version=version) == 6


def test_a_hard_error_is_refused_before_anything_is_written(store, db_path):
    rid = first_response(store).id
    before = len(audit_rows(db_path))
    with pytest.raises(RefusedError, match="7 は選択肢にありません"):
        store.save_answer(rid, "Q1", Single(7), expected_version=0)
    read = store.response(response_id=rid)
    assert (read.answers, read.version, read.status, len(audit_rows(db_path))) == ({}, 0, "not_started", before)


# -- people ------------------------------------------------------------------------------------------


def test_display_names(store):
    assert store.display_name(None) == ""
    assert store.display_name("tanaka") == "tanaka"  # unknown: the login name itself
    store.remember_user("tanaka", "田中 一郎")
    assert store.who == "tanaka"
    assert store.display_name("tanaka") == "田中 一郎"
    store.remember_user()  # seen again, no new display name: the old one stays
    assert store.display_name("tanaka") == "田中 一郎"
    store.remember_user("suzuki")
    assert store.display_name("suzuki") == "suzuki"
    assert {(name, display) for name, display, _ in store.users()} == {("suzuki", None), ("tanaka", "田中 一郎")}
    rid = first_response(store).id
    store.save_answer(rid, "Q1", Single(1), expected_version=0)
    assert store.response(response_id=rid).stamps["Q1"].who == "suzuki"


def test_the_os_login_is_the_default_person(db_path, monkeypatch):
    monkeypatch.setenv("LOGNAME", "sato")
    with open_store(db_path) as opened:
        assert opened.who == "sato"


# -- where the database is ------------------------------------------------------------------------


def test_database_path_option_then_environment_then_default(monkeypatch, tmp_path):
    assert database_path("x/given.sqlite", {ENV_VAR: "env.sqlite"}) == Path("x/given.sqlite")
    assert database_path(None, {ENV_VAR: "env.sqlite"}) == Path("env.sqlite")
    assert database_path(None, {}) == Path("chosho.sqlite")
    assert database_path(None, {ENV_VAR: ""}) == Path("chosho.sqlite")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert database_path("~/調書.sqlite", {}) == tmp_path / "調書.sqlite"
    monkeypatch.setenv(ENV_VAR, "from-env.sqlite")
    assert database_path() == Path("from-env.sqlite")


def test_the_command_line_finds_the_database_the_same_way(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert main(["--user", "alice", "backup", "default-copy.sqlite"]) == 0
    assert (tmp_path / "chosho.sqlite").is_file()  # created and seeded in the current folder
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.sqlite"))
    assert main(["backup", "env-copy.sqlite"]) == 0
    assert (tmp_path / "env.sqlite").is_file()
    assert main(["--db", str(tmp_path / "option.sqlite"), "backup", "option-copy.sqlite"]) == 0
    assert (tmp_path / "option.sqlite").is_file()
    assert not (tmp_path / "other.sqlite").exists()
    for copy in ("default-copy.sqlite", "env-copy.sqlite", "option-copy.sqlite"):
        conn = sqlite3.connect(tmp_path / copy)
        assert conn.execute("SELECT count(*) FROM departments").fetchone()[0] == 58
        conn.close()
    assert capsys.readouterr().out.count("バックアップしました") == 3


def test_status_labels_are_the_offices_words():
    assert STATUS_LABELS == {
        "not_started": "未入力",
        "in_progress": "入力中",
        "entered": "入力済",
        "reviewed": "確認済",
        "final": "確定",
    }
