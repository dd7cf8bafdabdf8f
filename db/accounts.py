"""Accounts: once a database has one, a person is whoever logs in with their password, not a
name anyone can type (issue 24). Functions of the store, like db/answers.py.

- An account is a person (``db.who.person_key``: one account per person, so "ClerkA" next to
  "clerkA" or a Cyrillic look-alike is refused), with an argon2id hash of the password
  (argon2-cffi; never the password itself), an administrator mark and a "disabled" mark.
  Every change is an entry of the audit log (kinds ``account_add``, ``account_password``,
  ``account_disable``; a login is ``login``) and ``chosho verify`` compares the table with it.
- ``check_password`` gives the same answer — and takes about the same time, one argon2
  verification — for an unknown name, a wrong password and a disabled account.
- Passwords are compared after Unicode NFKC (as NIST SP 800-63B advises): "ｐａｓｓ" typed with
  an IME's full-width mode is "pass".
- Browser sessions (``chosho serve``) live in ``sessions`` by the SHA-256 of their random
  token. They are not a record: not in the log, not compared by verify, written here directly.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from .errors import RefusedError
from .who import check_name, person_key

if TYPE_CHECKING:
    from .store import Store

__all__ = [
    "Account",
    "MIN_PASSWORD",
    "add_account",
    "check_password",
    "disable_account",
    "end_session",
    "find_account",
    "has_accounts",
    "list_accounts",
    "open_session",
    "password_problem",
    "record_login",
    "session_person",
    "set_password",
]

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 takes any length; a megabyte "password" is not one


_SAME_RULE = "（大文字・小文字、全角・半角、空白の違いや、他の文字体系の似た文字は区別しません）"


class Account(NamedTuple):
    name: str
    admin: bool
    disabled: bool
    created_at: str
    created_by: str


_hasher = None
_dummy_hash: str | None = None


def _ph():
    """argon2-cffi's hasher (argon2id, RFC 9106's low-memory profile), loaded at its first use:
    the app's first screen does not need it."""
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


def _normal(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str | None) -> str | None:
    """Why ``password`` cannot be set (Japanese), or None."""
    if not password:
        return "パスワードを入力してください。"
    text = _normal(password)
    if len(text) < MIN_PASSWORD:
        return f"パスワードは {MIN_PASSWORD} 文字以上にしてください（{len(text)} 文字でした）。"
    if len(text) > MAX_PASSWORD:
        return f"パスワードが長すぎます（{MAX_PASSWORD} 文字まで）。"
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        return "パスワードに制御文字（改行・タブなど）は使えません。"
    return None


def _hash(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise RefusedError(problem)
    return _ph().hash(_normal(password))


def has_accounts(store: Store) -> bool:
    """True once the database has an account (a disabled one too): from then on every person logs in."""
    return bool(store._read("SELECT 1 FROM accounts LIMIT 1"))


def _account_row(store: Store, name: str | None) -> tuple | None:
    """(name, password_hash, disabled) of the account that is this person, or None."""
    if not name:
        return None
    rows = store._read("SELECT name, password_hash, disabled FROM accounts WHERE key = ?", (person_key(name),))
    return rows[0] if rows else None


def find_account(store: Store, name: str) -> str | None:
    """The stored spelling of the account that is the person ``name`` names, or None."""
    row = _account_row(store, name)
    return row[0] if row else None


def _existing(store: Store, name: str) -> str:
    """The stored spelling of the account ``name`` names (RefusedError when there is none)."""
    row = _account_row(store, name)
    if row is None:
        raise RefusedError(f"アカウント「{name}」はありません（chosho users list で一覧を確かめられます）。")
    return row[0]


def add_account(store: Store, name: str, password: str, *, admin: bool = False) -> None:
    """A new account (journal kind ``account_add``), stamped with the store's person."""
    name = (name or "").strip()
    check_name(name)
    hashed = _hash(password)  # before the write lock: argon2 takes a tenth of a second on purpose
    key = person_key(name)
    with store._write():
        row = _account_row(store, name)
        if row is not None:
            rule = "" if row[0] == name else _SAME_RULE
            raise RefusedError(
                f"「{name}」は登録済みのアカウント「{row[0]}」と同じ人の名前とみなされます{rule}。一人に一つのアカウントです。"
            )
        known = [r[0] for r in store.conn.execute("SELECT name FROM users") if r[0] != name and person_key(r[0]) == key]
        if known:
            raise RefusedError(
                f"「{name}」はこれまでの作業者「{known[0]}」と同じ人の名前とみなされます{_SAME_RULE}。"
                f"同じ人なら「{known[0]}」の綴りでアカウントを作ってください。"
            )
        store._log(None, None, "account_add", None, name, "管理者" if admin else None,
                   name=name, key=key, hash=hashed, admin=bool(admin))


def set_password(store: Store, name: str, password: str) -> None:
    """A new password for the account (journal kind ``account_password``)."""
    _existing(store, name)  # an unknown name is said before the password is hashed
    hashed = _hash(password)
    with store._write():
        stored = _existing(store, name)
        store._log(None, None, "account_password", None, stored, "パスワードを変更", name=stored, hash=hashed)


def disable_account(store: Store, name: str) -> None:
    """The account can no longer log in, and its browser sessions end (journal kind ``account_disable``)."""
    with store._write():
        stored = _existing(store, name)
        disabled = store.conn.execute("SELECT disabled FROM accounts WHERE name = ?", (stored,)).fetchone()[0]
        if disabled:
            raise RefusedError(f"アカウント「{stored}」はすでに使用停止です。")
        store._log(None, None, "account_disable", None, stored, "使用停止", name=stored)
        # sessions are not a record (see the module's docstring): ended here, not logged
        store.conn.execute("UPDATE sessions SET ended = ? WHERE name = ? AND ended IS NULL", (store._now(), stored))


def list_accounts(store: Store) -> list[Account]:
    rows = store._read("SELECT name, admin, disabled, created_at, created_by FROM accounts ORDER BY rowid")
    return [Account(name, bool(admin), bool(disabled), at, by) for name, admin, disabled, at, by in rows]


def check_password(store: Store, name: str, password: str) -> str | None:
    """The account's name if ``name`` may log in with ``password``, else None.

    Unknown name, wrong password, disabled account: the same None after one argon2
    verification each (an unknown name is checked against a hash of a random password), so
    neither the answer nor its time tells which it was."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    import secrets

    global _dummy_hash
    if _dummy_hash is None:  # made at the first check, whatever its outcome
        _dummy_hash = _ph().hash(secrets.token_urlsafe(16))
    row = _account_row(store, name)
    if row is None:
        stored_name, hashed, disabled = None, _dummy_hash, True
    else:
        stored_name, hashed, disabled = row
    try:
        ok = _ph().verify(hashed, _normal(password or "")[: MAX_PASSWORD + 1])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return stored_name if ok and not disabled else None


def record_login(store: Store, name: str, how: str) -> None:
    """A login (journal kind ``login``, no table): ``name`` (the account's) via ``how`` (端末 / ブラウザ)."""
    stored = _existing(store, name)
    with store._write():
        store.journal.record(stored, None, None, "login", None, how, None, {"name": stored, "how": how})


# -- browser sessions: not a record ---------------------------------------------------------


def _token_digest(token: str) -> str:
    import hashlib  # not on the way to the first screen (OpenSSL)

    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(store: Store, name: str) -> str:
    """A new session for the account (which must be usable); returns its token, stored hashed."""
    import secrets

    token = secrets.token_urlsafe(32)
    with store._write():
        row = _account_row(store, name)
        if row is None or row[2]:
            raise RefusedError(f"アカウント「{name}」は使えません。")
        at = store._now()
        store.conn.execute(
            "INSERT INTO sessions (token_sha256, name, created_at, last_seen) VALUES (?, ?, ?, ?)",
            (_token_digest(token), row[0], at, at),
        )
    return token


def session_person(store: Store, token: str | None, *, idle_seconds: float) -> str | None:
    """The person of a live session, its idle time restarted; None when the token is unknown,
    the session ended or idle for more than ``idle_seconds`` (it is ended then), or the account
    disabled."""
    if not token:
        return None
    digest = _token_digest(token)
    with store._write():
        rows = store.conn.execute(
            "SELECT s.name, s.last_seen, s.ended, a.disabled FROM sessions s JOIN accounts a ON a.name = s.name"
            " WHERE s.token_sha256 = ?",
            (digest,),
        ).fetchall()
        if not rows:
            return None
        name, last_seen, ended, disabled = rows[0]
        if ended is not None or disabled:
            return None
        at = store._now()
        idle = (datetime.fromisoformat(at) - datetime.fromisoformat(last_seen)).total_seconds()
        if idle > idle_seconds:
            store.conn.execute("UPDATE sessions SET ended = ? WHERE token_sha256 = ?", (at, digest))
            return None
        store.conn.execute("UPDATE sessions SET last_seen = ? WHERE token_sha256 = ?", (at, digest))
    return name


def end_session(store: Store, token: str | None) -> None:
    """Log out: the session is ended (a token that is unknown or already ended is left as it is)."""
    if not token:
        return
    with store._write():
        store.conn.execute(
            "UPDATE sessions SET ended = ? WHERE token_sha256 = ? AND ended IS NULL", (store._now(), _token_digest(token))
        )
