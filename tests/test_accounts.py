"""Accounts (issue 24): argon2id hashes, one account per person, the same answer for every
failed login, every change in the audit log (and verify catching an edit that is not), and the
browser's sessions, which are not a record."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

import pytest

import db.store
from db import RefusedError, open_store
from db import accounts as A
from db.journal import KINDS
from tui.cli import main

from .store_support import audit_rows, db_path, store, template_db  # noqa: F401 - fixtures

PASSWORD = "correct horse"


@pytest.fixture
def office(store):  # noqa: F811 - the fixture above
    """A store (alice, the host's administrator) with two accounts."""
    A.add_account(store, "田中", PASSWORD, admin=True)
    A.add_account(store, "suzuki", "suzuki-pass")
    return store


def _raw(path, sql, *params):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_a_new_database_has_no_accounts_and_the_kinds_are_registered(store):  # noqa: F811
    assert not A.has_accounts(store)
    assert {"account_add", "account_password", "account_disable", "login"} <= KINDS
    A.add_account(store, "田中", PASSWORD)
    assert A.has_accounts(store)


def test_the_password_is_stored_as_an_argon2id_hash_never_in_the_clear(office):
    rows = dict(office.conn.execute("SELECT name, password_hash FROM accounts"))
    assert set(rows) == {"田中", "suzuki"}
    for hashed in rows.values():
        assert hashed.startswith("$argon2id$")
    log = " ".join(str(r) for r in office.conn.execute("SELECT old, new, why, payload FROM audit_log"))
    whole = open(office.path, "rb").read() + (office.path.with_name(office.path.name + "-wal").read_bytes()
                                              if office.path.with_name(office.path.name + "-wal").exists() else b"")
    for secret in (PASSWORD, "suzuki-pass"):
        assert secret not in log
        assert secret.encode() not in whole
    # two accounts with one password still get different hashes (a salt each)
    A.set_password(office, "suzuki", PASSWORD)
    rows = dict(office.conn.execute("SELECT name, password_hash FROM accounts"))
    assert rows["田中"] != rows["suzuki"]


def test_login_gives_the_accounts_own_spelling(office):
    assert A.check_password(office, "田中", PASSWORD) == "田中"
    assert A.check_password(office, "SUZUKI", "suzuki-pass") == "suzuki"
    assert A.check_password(office, "ｓｕｚｕｋｉ", "ｓｕｚｕｋｉ－ｐａｓｓ") == "suzuki"  # IME full width: NFKC


def test_unknown_wrong_and_disabled_get_the_same_answer_after_the_same_work(office, monkeypatch):
    A.add_account(office, "佐藤", "sato-pass")
    A.disable_account(office, "佐藤")
    real = A._ph()
    calls = []

    class Counting:
        def verify(self, hashed, password):
            calls.append(hashed)
            return real.verify(hashed, password)

        def hash(self, password):
            return real.hash(password)

    monkeypatch.setattr(A, "_ph", lambda: Counting())
    answers = []
    for name, password in (("誰か", PASSWORD), ("田中", "wrong password"), ("佐藤", "sato-pass"), ("", "")):
        calls.clear()
        answers.append(A.check_password(office, name, password))
        assert len(calls) == 1, name  # one argon2 verification each: no shortcut tells them apart
    assert answers == [None, None, None, None]
    calls.clear()
    assert A.check_password(office, "田中", PASSWORD) == "田中" and len(calls) == 1


@pytest.mark.parametrize("name", ["Suzuki", "ｓｕｚｕｋｉ", " suzuki ", "ѕuzuki"])  # the last with a Cyrillic ѕ
def test_a_confusable_second_account_is_refused(office, name):
    with pytest.raises(RefusedError, match="「suzuki」と同じ人"):
        A.add_account(office, name, "another-pass")
    assert [a.name for a in A.list_accounts(office)] == ["田中", "suzuki"]


def test_an_account_must_spell_a_known_worker_as_before(store):  # noqa: F811
    store.remember_user("ClerkA")
    with pytest.raises(RefusedError, match="これまでの作業者「ClerkA」"):
        A.add_account(store, "clerka", PASSWORD)
    A.add_account(store, "ClerkA", PASSWORD)
    assert A.check_password(store, "clerka", PASSWORD) == "ClerkA"


@pytest.mark.parametrize(
    "name, password, message",
    [
        ("新人", "1234567", "8 文字以上"),
        ("新人", "", "パスワードを入力"),
        ("新人", "tab\there!", "制御文字"),
        ("新\u200b人", PASSWORD, "見えない文字|使えない文字|文字"),  # an invisible character: not a name
        ("", PASSWORD, "名前"),
    ],
)
def test_bad_names_and_passwords_are_refused_and_nothing_is_written(store, name, password, message):  # noqa: F811
    before = len(audit_rows(store.path))
    with pytest.raises(RefusedError, match=message):
        A.add_account(store, name, password)
    assert not A.has_accounts(store)
    assert len(audit_rows(store.path)) == before


def test_every_account_change_is_in_the_log_stamped_with_who_made_it(office):
    A.set_password(office, "suzuki", "new-password")
    A.disable_account(office, "suzuki")
    A.record_login(office, "田中", "端末")
    rows = office.conn.execute(
        "SELECT who, action, new, why, payload FROM audit_log WHERE action LIKE 'account%' OR action = 'login' ORDER BY id"
    ).fetchall()
    assert [(who, action, new) for who, action, new, _why, _p in rows] == [
        ("alice", "account_add", "田中"),
        ("alice", "account_add", "suzuki"),
        ("alice", "account_password", "suzuki"),
        ("alice", "account_disable", "suzuki"),
        ("田中", "login", "端末"),
    ]
    assert rows[0][3] == "管理者" and json.loads(rows[0][4])["admin"] is True
    assert json.loads(rows[-1][4]) == {"how": "端末", "name": "田中"}
    assert A.check_password(office, "suzuki", "new-password") is None  # disabled
    listed = {a.name: a for a in A.list_accounts(office)}
    assert listed["田中"].admin and not listed["田中"].disabled and listed["田中"].created_by == "alice"
    assert listed["suzuki"].disabled and not listed["suzuki"].admin
    with pytest.raises(RefusedError, match="すでに使用停止"):
        A.disable_account(office, "suzuki")
    with pytest.raises(RefusedError, match="アカウント「山田」はありません"):
        A.set_password(office, "山田", "whatever-pass")


def test_verify_replays_the_accounts_and_catches_a_raw_edit(office, capsys):
    A.set_password(office, "suzuki", "new-password")
    A.disable_account(office, "suzuki")
    token = A.open_session(office, "田中")
    path = office.path
    office.close()
    assert main(["--db", str(path), "verify"]) == 0, capsys.readouterr()
    capsys.readouterr()
    # sessions are not a record: ending one by hand is nobody's forgery
    _raw_write(path, "UPDATE sessions SET last_seen = '2000-01-01T00:00:00+00:00'")
    assert main(["--db", str(path), "verify"]) == 0
    capsys.readouterr()
    # re-enabling an account (or swapping its hash) behind the log's back is caught
    _raw_write(path, "UPDATE accounts SET disabled = 0 WHERE name = 'suzuki'")
    assert main(["--db", str(path), "verify"]) == 1
    out = capsys.readouterr()
    assert "アカウント suzuki: アカウントの使用停止が監査ログと違います（データベース「使用中」、監査ログ「使用停止」）" in out.err
    _raw_write(path, "UPDATE accounts SET disabled = 1, password_hash = 'x' WHERE name = 'suzuki'")
    assert main(["--db", str(path), "verify"]) == 1
    assert "アカウント suzuki: アカウントのパスワードのハッシュが監査ログと違います" in capsys.readouterr().err
    assert token


def _raw_write(path, sql):
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(sql)
    finally:
        conn.close()


# -- sessions ---------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2026, 12, 1, 9, 0, 0).astimezone()

    def __call__(self) -> str:
        return self.t.isoformat(timespec="seconds")


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(db.store, "now", c)
    return c


def test_a_session_names_its_person_and_only_its_hash_is_stored(office, clock):
    token = A.open_session(office, "ＳＵＺＵＫＩ")
    assert len(token) >= 40
    assert A.session_person(office, token, idle_seconds=600) == "suzuki"
    stored = office.conn.execute("SELECT token_sha256, name FROM sessions").fetchall()
    assert len(stored) == 1 and stored[0][1] == "suzuki" and token not in stored[0][0]
    import hashlib

    assert stored[0][0] == hashlib.sha256(token.encode()).hexdigest()
    assert A.session_person(office, token + "x", idle_seconds=600) is None
    assert A.session_person(office, "", idle_seconds=600) is None
    assert A.open_session(office, "suzuki") != token  # a new token every time
    # sessions are not in the log
    assert not office.conn.execute("SELECT 1 FROM audit_log WHERE payload LIKE '%' || ? || '%'", (token,)).fetchall()


def test_a_session_idle_too_long_is_over_and_each_use_restarts_the_idle_time(office, clock):
    token = A.open_session(office, "suzuki")
    for _ in range(3):
        clock.t += timedelta(seconds=50)
        assert A.session_person(office, token, idle_seconds=60) == "suzuki"
    clock.t += timedelta(seconds=61)
    assert A.session_person(office, token, idle_seconds=60) is None
    clock.t += timedelta(seconds=1)
    assert A.session_person(office, token, idle_seconds=3600) is None  # ended, not merely late
    assert office.conn.execute("SELECT ended FROM sessions").fetchone()[0] is not None


def test_logout_ends_the_session(office, clock):
    token = A.open_session(office, "田中")
    other = A.open_session(office, "田中")
    A.end_session(office, token)
    A.end_session(office, "not a token")  # nothing happens
    assert A.session_person(office, token, idle_seconds=600) is None
    assert A.session_person(office, other, idle_seconds=600) == "田中"


def test_a_disabled_accounts_sessions_are_dead_and_it_cannot_open_one(office, clock):
    token = A.open_session(office, "suzuki")
    A.disable_account(office, "suzuki")
    assert A.session_person(office, token, idle_seconds=600) is None
    with pytest.raises(RefusedError):
        A.open_session(office, "suzuki")
    with pytest.raises(RefusedError):
        A.open_session(office, "誰か")
    # even if the flag were cleared by the database's owner, the session stays ended
    office.conn.execute("UPDATE accounts SET disabled = 0 WHERE name = 'suzuki'")
    assert A.session_person(office, token, idle_seconds=600) is None


def test_a_session_of_another_process_is_seen(db_path, clock):  # noqa: F811
    with open_store(db_path, "alice") as one:
        A.add_account(one, "suzuki", "suzuki-pass")
        token = A.open_session(one, "suzuki")
    with open_store(db_path, "alice") as two:
        assert A.session_person(two, token, idle_seconds=600) == "suzuki"
        A.end_session(two, token)
    assert _raw(db_path, "SELECT count(*) FROM sessions WHERE ended IS NOT NULL") == [(1,)]
