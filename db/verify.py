"""``chosho verify``: is this database what chosho wrote, and is its history intact?

Checks, without changing anything (the file is opened read-only): SQLite's full integrity
check, the format version, every table and index against the schema the migrations build, the
audit log's triggers (exactly as chosho creates them, and no others on it), the whole hash chain
of the audit log, then the log replayed from its first entry (db/replay.py) against every table
the app and the export read — answers, responses (status, version, who signed), flags,
originals (their content hashed again), keyings, resolutions, keying events, users — the stored
questionnaire hashed again against the digest its seed entry logged, and each department's
recorded progress against routing the replayed answers. Each seal (``--head 1234:ab12…``,
written down after a sign-off or printed on a report) must still be in the chain; without one,
the report says plainly that the newest entries could have been removed unseen.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from survey import InputError

from . import audit
from .errors import StoreError, StoreUnavailable
from .schema import APPLICATION_ID, SCHEMA_VERSION, TRIGGERS

__all__ = ["Verification", "verify_database"]


@dataclass
class Verification:
    path: Path
    lines: list[str] = field(default_factory=list)  # what was checked, in order
    problems: list[str] = field(default_factory=list)
    head: tuple[int, str] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def passed(self, text: str) -> None:
        self.lines.append(f"  〇 {text}")

    def failed(self, text: str) -> None:
        self.lines.append(f"  ✕ {text}")
        self.problems.append(text)

    def report(self) -> str:
        out = [f"データベース「{self.path}」を点検しました。", *self.lines]
        if self.ok:
            out.append("問題はありません。")
        else:
            out.append(f"問題が {len(self.problems)} 件あります。最初の問題: {self.problems[0]}")
        return "\n".join(out)


def _reference_schema() -> sqlite3.Connection:
    """A fresh database built by the same migrations: what every chosho database must look like
    (their statements built once a process, db/replay.py)."""
    from .replay import _schema_sql

    conn = sqlite3.connect(":memory:", isolation_level=None)
    for sql in _schema_sql():
        conn.execute(sql)
    return conn


def _shape(conn: sqlite3.Connection) -> dict[str, tuple]:
    """Tables (columns, foreign keys) and indexes by name, in a form independent of SQL spelling."""
    shape = {}
    for name, kind in conn.execute(
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'"
    ):
        if kind == "table":
            columns = tuple((c[1], c[2].upper(), c[3], c[5]) for c in conn.execute(f'PRAGMA table_info("{name}")'))
            keys = tuple(sorted((k[2], k[3], k[4]) for k in conn.execute(f'PRAGMA foreign_key_list("{name}")')))
            shape[f"表 {name}"] = (columns, keys)
        else:
            columns = tuple(c[2] for c in conn.execute(f'PRAGMA index_info("{name}")'))
            shape[f"索引 {name}"] = columns
    return shape


def _triggers(conn: sqlite3.Connection) -> dict[str, str]:
    return {name: " ".join((sql or "").split()) for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
    )}


def _parse_head(text: str) -> tuple[int, str]:
    count, sep, digest = text.strip().replace("：", ":").partition(":")
    try:
        number = int(count.replace(",", ""))
    except ValueError:
        number = -1
    digest = digest.strip().lower()
    if not sep or number < 0 or len(digest) < 12 or any(c not in "0123456789abcdef" for c in digest):
        raise InputError(
            f"「{text}」: 封印は 件数:ハッシュ の形で書いてください（例 1234:3fa2b4c5d6e7、ハッシュは 12 桁以上）。"
        )
    return number, digest


def parse_seals(texts: Iterable[str] = (), files: Iterable[Path] = ()) -> list[tuple[int, str]]:
    """Seals from the command line and from files (one or more a line; # starts a comment)."""
    words = [w for text in texts for w in text.replace(",", " ").replace("、", " ").split()]
    for file in files:
        try:
            content = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"封印のファイル「{file}」を読めません（{getattr(exc, 'strerror', None) or exc}）。") from exc
        for line in content.splitlines():
            words += line.split("#", 1)[0].split()
    return [_parse_head(w) for w in words]


def verify_database(
    path: Path, expected_head: str | Iterable[str] | None = None, *, seal_files: Iterable[Path] = ()
) -> Verification:
    """Check the database at ``path``; raises StoreUnavailable only when it cannot be read at all.

    ``expected_head``: one seal or several (``1234:3fa2b4c5d6e7``); ``seal_files``: files of them."""
    from .sqlite_file import _check_regular, translate

    path = Path(path)
    heads = [expected_head] if isinstance(expected_head, str) else list(expected_head or ())
    pinned = parse_seals(heads, seal_files)
    if not path.exists():
        raise StoreUnavailable(f"データベース「{path}」がありません。場所を確認してください。")
    _check_regular(path)
    result = Verification(path)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise translate(exc, path, doing="read") from exc
    try:
        conn.execute("BEGIN")  # one snapshot for every check, even while a clerk keeps working
        _check(conn, result, pinned)
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise translate(exc, path, doing="read") from exc  # in use, not damaged: exit 3, said so
        result.failed(f"データベースを読めません（{exc}）。")
    finally:
        conn.close()
    return result


def _check(conn: sqlite3.Connection, result: Verification, pinned: list[tuple[int, str]]) -> None:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    if rows[0][0] == "ok":
        result.passed("SQLite の整合性検査（integrity_check）: 問題なし")
    else:
        result.failed(f"SQLite の整合性検査で問題: {rows[0][0]}" + (f" ほか {len(rows) - 1} 件" if len(rows) > 1 else ""))
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APPLICATION_ID:
        result.failed("chosho のデータベースではありません（application_id が違います）。")
        return
    if version != SCHEMA_VERSION:
        result.failed(
            f"形式 {version} です（この chosho は形式 {SCHEMA_VERSION}）。"
            + ("chosho で一度開くと更新されます（控えを作ってから）。" if version < SCHEMA_VERSION else "chosho を更新してください。")
        )
        return
    result.passed(f"形式: {version}")

    reference = _reference_schema()
    try:
        expected, actual = _shape(reference), _shape(conn)
        expected_triggers = _triggers(reference)
    finally:
        reference.close()
    differences = [
        f"{name} がありません" if name not in actual else f"{name} の定義が chosho のものと違います"
        for name in expected
        if actual.get(name) != expected[name]
    ] + [f"chosho にない{name} があります" for name in actual if name not in expected]
    if differences:
        result.failed("表と索引: " + "、".join(differences))
    else:
        result.passed(f"表と索引: {len(expected)} 件すべて chosho の定義どおり")

    triggers = _triggers(conn)
    wrong = [f"{n} がありません" for n in expected_triggers if n not in triggers]
    wrong += [f"{n} が書き換えられています" for n in expected_triggers if n in triggers and triggers[n] != expected_triggers[n]]
    wrong += [f"chosho にないトリガー {n} があります" for n in triggers if n not in expected_triggers]
    if wrong:
        result.failed("監査ログの保護（トリガー）: " + "、".join(wrong))
    else:
        result.passed(f"監査ログの保護（トリガー）: {len(TRIGGERS)} 件すべてあり")

    count, last, broken = audit.first_break(audit.chain_rows(conn))
    if broken is not None:
        result.failed(broken.describe())
    else:
        result.head = (count, last)
        result.passed(f"監査ログの連鎖: {count} 件すべて一致（末尾のハッシュ {last}、封印 {audit.seal(count, last)}）")
    for number, digest in pinned:
        row = conn.execute("SELECT hash FROM audit_log ORDER BY id LIMIT 1 OFFSET ?", (number - 1,)).fetchone()
        if number >= 1 and row and (row[0] or "").startswith(digest):
            later = f"その後 {count - number} 件の追記" if count > number else "その後の追記なし"
            result.passed(f"封印 {number}:{digest[:12]}: 連鎖の中にあります（{later}）")
        else:
            result.failed(
                f"封印 {number}:{digest[:12]}（監査ログの {number} 件目）が、この連鎖にありません。"
                "封印を書き留めた後に記録が削除されたか、作り直されたか、別のデータベースです。"
            )
    if not pinned:
        result.lines.append(
            "  △ 封印（--head）の指定がありません。連鎖は自分自身の末尾を証明できないため、"
            "最新の記録が削除されていてもこの点検では分かりません。確認・確定の後に表示された封印か、"
            "報告書に印刷された封印を --head で指定してください。"
        )
    if broken is None:
        _check_record(conn, result)


def _check_record(conn: sqlite3.Connection, result: Verification) -> None:
    """The tables against the log's replay, the definition and originals hashed again, progress."""
    from .journal import entry_from_row
    from .replay import differences, logged_definition_digest, replay

    has_payload = any(row[1] == "payload" for row in conn.execute("PRAGMA table_info(audit_log)"))
    entries = [
        entry_from_row(row)
        for row in conn.execute(
            f"SELECT {', '.join(audit.COLUMNS)}, {'payload' if has_payload else 'NULL'} FROM audit_log ORDER BY id"
        )
    ]
    first = next((i for i, e in enumerate(entries) if e.payload is not None), len(entries))
    unreadable = [i + 1 for i, e in enumerate(entries) if i > first and e.payload is None]
    if unreadable:
        result.failed(
            f"監査ログの {'、'.join(map(str, unreadable[:5]))} 件目{' ほか' if len(unreadable) > 5 else ''}は、"
            "再生の内容（payload）のない記録です。形式 7 以降の chosho はこう書きません（外から追記された記録です）。"
        )
    logged = logged_definition_digest(entries)
    bad = []
    for survey_id, source, digest in conn.execute("SELECT survey_id, source, sha256 FROM questionnaires"):
        actual = hashlib.sha256((source or "").encode("utf-8")).hexdigest()
        if actual != digest or (logged is not None and actual != logged):
            bad.append(
                f"{survey_id}（本文の SHA-256 {actual[:12]}…、表の記録 {(digest or '')[:12]}…、"
                f"監査ログの記録 {(logged or '')[:12]}…）"
            )
    if bad:
        result.failed("調書定義の内容が監査ログに記録された SHA-256 と一致しません: " + "、".join(bad))
    else:
        result.passed("調書定義: 本文の SHA-256 が監査ログ（登録時）の記録と一致")

    originals = [
        f"{name}（{did}）"
        for _id, did, name, content, digest in conn.execute(
            "SELECT id, department_id, name, content, sha256 FROM originals ORDER BY id"
        )
        if hashlib.sha256(bytes(content or b"")).hexdigest() != digest
    ]
    if originals:
        result.failed("原本の内容が記録された SHA-256 と一致しません: " + "、".join(originals[:5]))
    else:
        result.passed("原本: すべて内容の SHA-256 が記録と一致")

    replayed = replay(entries)
    try:
        found = differences(conn, replayed)
        if found:
            more = f"（ほか {len(found) - 20} 件）" if len(found) > 20 else ""
            result.failed(
                f"監査ログを最初から再生した結果とデータベースの内容が {len(found)} 件違います{more}。"
                "外から書き換えられたおそれがあります:\n    " + "\n    ".join(found[:20])
            )
        else:
            result.passed(
                f"監査ログの再生: {len(entries)} 件の記録から作った内容が、回答・状態・確認者・疑義・原本・"
                "照合入力・作業者・アカウントの表と一致"
            )
        _check_progress(conn, replayed, result)
    finally:
        replayed.close()


def _check_progress(conn: sqlite3.Connection, replayed: sqlite3.Connection, result: Verification) -> None:
    """The progress the department list reads (recorded with each change, m006) is what routing
    the department's answers — as the log says — gives; a row recorded at another version is
    routed when read."""
    from .records import load_value
    from .store import Store

    store = Store(replayed, Path(":memory:"), "verify", timeout=0)
    try:
        store._load(defer=True)
        answers: dict[int, dict] = {}
        for rid, qid, value in replayed.execute("SELECT response_id, question_id, value FROM answers"):
            answers.setdefault(rid, {})[qid] = load_value(value, qid)
        rows = conn.execute(
            "SELECT r.id, d.name, r.progress_version IS r.version, r.answered, r.on_route"
            " FROM responses r JOIN departments d ON d.id = r.department_id ORDER BY d.position"
        ).fetchall()
        wrong = [
            name for rid, name, current, answered, on_route in rows
            if current and store._progress(answers.get(rid, {})) != (answered, on_route)
        ]
    except StoreError as exc:
        result.failed(f"進捗の記録を点検できません（{exc}）")
        return
    if wrong:
        result.failed(
            f"所属一覧の進捗の記録が回答と一致しません（{'、'.join(wrong[:5])}"
            + (f" ほか {len(wrong) - 5} 所属" if len(wrong) > 5 else "")
            + "）。外から書き換えられたおそれがあります。"
        )
        return
    stale = sum(1 for row in rows if not row[2])
    result.passed(
        f"所属一覧の進捗: {len(rows)} 所属すべて回答と一致"
        + (f"（うち {stale} 所属は記録が古く、読むときに計算し直します）" if stale else "")
    )
