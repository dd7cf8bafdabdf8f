"""Issue 23, items 1–3: the audit log is the record. After a realistic day (entry, review, flags,
確定, a second keying with 突合, an import with its original), each forgery the issue made with the
``sqlite3`` shell is named by ``chosho verify`` (exit 1), with the department, question and both
values; removing the newest entries is caught by a seal written down before."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from db import open_store
from db.audit import COLUMNS, GENESIS, entry_hash
from db.originals import add_original
from db.schema import TRIGGERS
from survey import Single, Text
from survey.verification import take_second
from tests.review_support import ANSWERS, fill, shown_all
from tui.cli import main

from .store_support import FORM, template_db  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def day_template(template_db, tmp_path_factory) -> tuple[Path, dict]:
    """A day's work, built once: tests get copies."""
    path = tmp_path_factory.mktemp("day") / "chosho.sqlite"
    shutil.copyfile(template_db, path)
    facts: dict = {}
    with open_store(path, "alice") as alice, open_store(path, "bob") as bob, open_store(path, "carol") as carol:
        alice.remember_user(display_name="山田アリス")
        departments = alice.departments()
        for i, dept in enumerate(departments[:4]):  # the third did not use social media: Q16–Q18
            fill(alice, dept.id, {**ANSWERS, "Q1": Single(2)} if i == 2 else None)
        first, second, third = (alice.response(department_id=d.id).id for d in departments[:3])
        fid = bob.raise_flag(first, "Q3", "用紙と違います")
        alice.reply_flag(fid, "用紙どおりです")
        bob.resolve_flag(fid, "確認しました")
        bob.raise_flag(second, "Q5", "読めません")  # stays open
        shown_all(bob, first)
        bob.finalise(first, expected_version=bob.sign_off(first, expected_version=None))
        facts["final_seal"] = bob.last_seal
        shown_all(bob, third)
        bob.sign_off(third, expected_version=None)  # 確認済
        # a second keying, adjudicated
        dept = departments[5]
        response = alice.response(department_id=dept.id)
        version = response.version
        for qid, value in FORM:
            version = alice.save_answer(response.id, qid, value, expected_version=version)
        alice.mark_entered(response.id, expected_version=version)
        alice.choose_for_verification("by_hand", chosen=[dept.id])
        keying = bob.start_second_keying(dept.id)
        version = keying.version
        for qid, value in FORM:
            version = bob.save_second_answer(keying.id, qid, Single(3) if qid == "Q5" else value, expected_version=version)
        bob.complete_second_keying(keying.id)
        carol.resolve(dept.id, take_second("Q5"))
        carol.finish_adjudication(dept.id)
        # an import with its original
        imported = alice.response(department_id=departments[6].id)
        alice.import_answers({imported.id: dict(FORM)}, why="Excel から取り込み", entered=[imported.id])
        add_original(alice, departments[6].id, "政策課.xlsx", b"PK\x03\x04 the returned workbook", why="取り込み")
        facts.update(
            first=first, second=second, third=third, keyed=dept.id, imported=imported.id,
            untouched=alice.response(department_id=departments[7].id).id,
            names={d.id: d.name for d in departments},
            by_response={alice.response(department_id=d.id).id: d.name for d in departments[:8]},
            head=alice.audit_head(),
        )
    return path, facts


@pytest.fixture
def day(day_template, tmp_path) -> tuple[Path, dict]:
    template, facts = day_template
    path = tmp_path / "chosho.sqlite"
    shutil.copyfile(template, path)
    return path, facts


def verify(path: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["--db", str(path), "verify", *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def forge(path: Path, *statements: str, drop_triggers: bool = False, restore_triggers: bool = False) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    if drop_triggers or restore_triggers:
        for name in TRIGGERS:
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in statements:
        conn.execute(sql)
    if restore_triggers:  # the careful forger puts them back exactly
        for sql in TRIGGERS.values():
            conn.execute(sql)
    conn.close()


def stored(path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_the_honest_day_verifies(day, capsys):
    path, facts = day
    code, text = verify(path, capsys)
    assert code == 0, text
    assert "監査ログの再生" in text and "一致" in text
    assert "最新の記録が削除されていてもこの点検では分かりません" in text  # no seal given


@pytest.mark.parametrize("question", ["Q9", "Q21", "Q23", "Q10"])
def test_a_changed_answer_is_named_with_both_values(day, capsys, question):
    path, facts = day
    rid = facts["first"]
    (before,) = stored(path, "SELECT value FROM answers WHERE response_id = ? AND question_id = ?", (rid, question))[0]
    forged = '{"single": 2, "texts": {}}' if question != "Q10" else '{"text": "偽の記述"}'
    forge(path, f"UPDATE answers SET value = '{forged}' WHERE response_id = {rid} AND question_id = '{question}'")
    code, text = verify(path, capsys)
    assert code == 1
    name = facts["by_response"][rid]
    assert f"{name} {question}: 回答の値が監査ログと違います（データベース「{forged}」、監査ログ「{before}」）" in text


def test_q16_of_a_signed_off_department(day, capsys):
    path, facts = day
    rid = facts["third"]
    forge(path, f"UPDATE answers SET value = '{{\"single\": 9, \"texts\": {{}}}}' WHERE response_id = {rid} AND question_id = 'Q16'")
    code, text = verify(path, capsys)
    assert code == 1 and f"{facts['by_response'][rid]} Q16: 回答の値が監査ログと違います" in text


def test_a_deleted_and_an_inserted_answer_row(day, capsys):
    path, facts = day
    rid, other = facts["first"], facts["untouched"]
    forge(
        path,
        f"DELETE FROM answers WHERE response_id = {rid} AND question_id = 'Q5'",
        "INSERT INTO answers (response_id, question_id, state, value, entered_by, entered_at)"
        f" VALUES ({other}, 'Q22', 'answered', '{{\"text\": \"挿入\"}}', 'alice', '2024-10-01T09:00:00+09:00')",
    )
    code, text = verify(path, capsys)
    assert code == 1
    assert f"{facts['by_response'][rid]} Q5: 監査ログにある回答がデータベースにありません" in text
    assert f"{facts['by_response'][other]} Q22: 監査ログにない回答があります" in text
    assert "回答そのものは変わっていません" not in text


@pytest.mark.parametrize("status", ["reviewed", "final"])
def test_a_forged_sign_off(day, capsys, status):
    path, facts = day
    rid = facts["second"]
    forge(path, f"UPDATE responses SET status = '{status}', reviewed_by = 'bob' WHERE id = {rid}")
    code, text = verify(path, capsys)
    assert code == 1
    name = facts["by_response"][rid]
    label = {"reviewed": "確認済", "final": "確定"}[status]
    assert f"{name}: 回答票の状態が監査ログと違います（データベース「{label}」、監査ログ「入力済」）" in text
    assert f"{name}: 回答票の確認者が監査ログと違います（データベース「bob」、監査ログ「（なし）」）" in text


def test_deleted_flags(day, capsys):
    path, facts = day
    forge(path, "DELETE FROM flags")
    code, text = verify(path, capsys)
    assert code == 1
    assert f"{facts['by_response'][facts['second']]} Q5 疑義" in text and "監査ログにある疑義がデータベースにありません" in text


def test_an_original_replaced_with_its_hash(day, capsys):
    path, facts = day
    fake = b"a forged workbook"
    forge(path, f"UPDATE originals SET content = x'{fake.hex()}', sha256 = '{hashlib.sha256(fake).hexdigest()}', size = {len(fake)}")
    code, text = verify(path, capsys)
    assert code == 1
    assert "政策課.xlsx" in text and "原本のSHA-256が監査ログと違います" in text


def test_a_definition_edited_with_its_hash_recomputed(day, capsys):
    path, facts = day
    (source,) = stored(path, "SELECT source FROM questionnaires")[0]
    edited = source.replace("ソーシャルメディア", "SNS", 1)
    assert edited != source
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE questionnaires SET source = ?, sha256 = ?", (edited, hashlib.sha256(edited.encode()).hexdigest()))
    conn.close()
    code, text = verify(path, capsys)
    assert code == 1
    assert "調書定義の内容が監査ログに記録された SHA-256 と一致しません" in text
    assert "調書定義の本文が監査ログと違います" in text


def _append(path: Path, action: str, response_id: int | None, old, new, payload: dict | None) -> None:
    """A correctly chained entry, as a forger who read db/audit.py would append it."""
    conn = sqlite3.connect(path, isolation_level=None)
    last_id, last_hash = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    row = (last_id + 1, "2024-10-02T09:00:00+09:00", "bob", response_id, None, action, old, new, None)
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")) if payload is not None else None
    conn.execute(
        f"INSERT INTO audit_log ({', '.join(COLUMNS)}, payload, hash) VALUES ({', '.join('?' * (len(COLUMNS) + 2))})",
        (*row, text, entry_hash(row, last_hash or GENESIS, text)),
    )
    conn.close()


def test_a_correctly_chained_entry_appended(day, capsys):
    path, facts = day
    rid = facts["second"]
    _append(path, "status", rid, "entered", "reviewed", {"stamp": ["reviewed"], "signed": 99})
    code, text = verify(path, capsys)
    assert code == 1
    assert f"{facts['by_response'][rid]}: 回答票の状態が監査ログと違います（データベース「入力済」、監査ログ「確認済」）" in text


def test_an_appended_entry_that_replay_cannot_read(day, capsys):
    path, facts = day
    _append(path, "status", facts["second"], "entered", "reviewed", None)
    code, text = verify(path, capsys)
    assert code == 1 and "再生の内容（payload）のない記録" in text


@pytest.mark.parametrize("removed", [1, 5])
def test_removing_the_newest_entries_is_caught_by_a_seal(day, capsys, removed):
    path, facts = day
    count, last = facts["head"]
    seal = f"{count}:{last[:12]}"
    assert verify(path, capsys, "--head", seal)[0] == 0
    # The forger removes the tail and puts the triggers back exactly: the chain that is left
    # verifies as a chain; the seal written down before does not.
    forge(path, f"DELETE FROM audit_log WHERE id > {count - removed}", restore_triggers=True)
    code, text = verify(path, capsys, "--head", facts["final_seal"], seal)
    assert code == 1
    assert f"封印 {seal}（監査ログの {count} 件目）が、この連鎖にありません" in text
    assert f"封印 {facts['final_seal']}: 連鎖の中にあります" in text


def test_seals_from_a_file(day, capsys, tmp_path):
    path, facts = day
    count, last = facts["head"]
    seals = tmp_path / "seals.txt"
    seals.write_text(f"# 決裁文書から\n{facts['final_seal']}  # 確定\n{count}:{last[:12]}\n", encoding="utf-8")
    code, text = verify(path, capsys, "--seals", str(seals))
    assert code == 0, text
    assert text.count("連鎖の中にあります") == 2
    assert "最新の記録が削除されていても" not in text
    code, text = verify(path, capsys, "--head", "12:zz")
    assert code == 2 and "封印は 件数:ハッシュ の形で" in text


def test_a_wholly_recomputed_chain_verifies_as_a_chain_but_not_against_a_seal(day, capsys):
    """What docs/audit-log.md says: a forger who rewrites the entries and recomputes every hash
    has a chain that verifies; a seal written down before no longer matches."""
    path, facts = day
    count, last = facts["head"]
    rid = facts["first"]
    forge(path, f"UPDATE answers SET value = '{{\"single\": 2, \"texts\": {{}}}}' WHERE response_id = {rid} AND question_id = 'Q9'")
    conn = sqlite3.connect(path, isolation_level=None)
    for name in TRIGGERS:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(
        "UPDATE audit_log SET new = '{\"single\": 2, \"texts\": {}}' WHERE id ="
        f" (SELECT max(id) FROM audit_log WHERE response_id = {rid} AND question_id = 'Q9' AND action = 'answer')"
    )
    previous = GENESIS
    for row in conn.execute(f"SELECT {', '.join(COLUMNS)}, payload FROM audit_log ORDER BY id").fetchall():
        previous = entry_hash(row, previous)
        conn.execute("UPDATE audit_log SET hash = ? WHERE id = ?", (previous, row[0]))
    for sql in TRIGGERS.values():
        conn.execute(sql)
    conn.close()
    code, text = verify(path, capsys)
    assert code == 0, text  # the chain alone cannot tell
    code, text = verify(path, capsys, "--head", f"{count}:{last[:12]}")
    assert code == 1 and "この連鎖にありません" in text


def test_sign_off_and_finalise_show_a_seal(day):
    path, facts = day
    count, last = facts["head"]
    with open_store(path, "carol") as carol:
        assert carol.last_seal == f"{count}:{last[:12]}"  # nothing written yet: the head
        rid = facts["second"]
        assert carol.flags(rid, open_only=True)
        carol.resolve_flag(carol.flags(rid, open_only=True)[0].id, "確認しました")
        shown_all(carol, rid)
        carol.sign_off(rid, expected_version=None)
        number, digest = carol.last_seal.split(":")
        assert int(number) == carol.audit_head()[0] and carol.audit_head()[1].startswith(digest)


def test_backup_prints_the_seal(day, capsys, tmp_path):
    path, facts = day
    count, last = facts["head"]
    assert main(["--db", str(path), "--user", "carol", "backup", str(tmp_path / "copy.sqlite")]) == 0
    out = capsys.readouterr().out
    assert f"監査ログの封印: {count}:{last[:12]}" in out


def test_the_text_answer_is_named(day, capsys):
    path, facts = day
    rid = facts["imported"]
    (value,) = stored(path, "SELECT value FROM answers WHERE response_id = ? AND question_id = 'Q20'", (rid,))[0]
    assert Text("特になし") and "特になし" in value
    forge(path, f"UPDATE answers SET value = '{{\"text\": \"特にあり\"}}' WHERE response_id = {rid} AND question_id = 'Q20'")
    code, text = verify(path, capsys)
    assert code == 1 and f"{facts['by_response'][rid]} Q20: 回答の値が監査ログと違います" in text and "特になし" in text


def test_a_forged_keying_and_a_forged_user(day, capsys):
    path, facts = day
    forge(
        path,
        "UPDATE keyed_answers SET value = '{\"single\": 1, \"texts\": {}}' WHERE question_id = 'Q5'",
        "UPDATE keyings SET adjudicated_by = 'bob'",
        "UPDATE users SET display_name = '偽名' WHERE name = 'alice'",
    )
    code, text = verify(path, capsys)
    assert code == 1
    name = facts["names"][facts["keyed"]]
    assert f"{name} Q5: 照合入力の回答の値が監査ログと違います" in text
    assert f"{name}: 照合入力の突合した人が監査ログと違います（データベース「bob」、監査ログ「carol」）" in text


def test_the_viewer_refuses_an_original_replaced_with_its_hash(day):
    """Ctrl+O showed the forgery as genuine: the content is now checked against the log's digest."""
    from db import StoreError
    from db.originals import original_content, originals

    path, facts = day
    fake = b"a forged workbook"
    with open_store(path, "carol") as carol:
        (original,) = originals(carol)
        assert original_content(carol, original.id).startswith(b"PK")
    forge(path, f"UPDATE originals SET content = x'{fake.hex()}', sha256 = '{hashlib.sha256(fake).hexdigest()}', size = {len(fake)}")
    with open_store(path, "carol") as carol:
        with pytest.raises(StoreError, match="監査ログの記録と不一致"):
            original_content(carol, original.id)


def test_a_replacing_import_with_its_original_is_in_the_record(day, capsys):
    """issue 25's import --replace writes through the journal too: replayed, it gives the tables."""
    from db.originals import store_import

    path, facts = day
    rid = facts["imported"]
    with open_store(path, "dave") as dave:
        department = dave.response(response_id=rid).department.id
        answers = {**dict(FORM), "Q5": Single(3)}
        answers.pop("Q20")
        store_import(
            dave, {rid: answers}, why="訂正された回答", entered=[rid], replace=True,
            original=(department, "訂正.pdf", b"%PDF-1.4 corrected"),
        )
    code, text = verify(path, capsys)
    assert code == 0, text
    forge(path, "UPDATE originals SET why = '差し替え' WHERE name = '訂正.pdf'")
    code, text = verify(path, capsys)
    assert code == 1 and "訂正.pdf" in text


def test_every_compared_column_is_named_in_japanese():
    from db.replay import _COLUMN_NAMES, COMPARED, replay

    conn = replay([])
    try:
        for table, (_label, _keys, skipped) in COMPARED.items():
            for (_cid, column, *_rest) in conn.execute(f"PRAGMA table_info({table})"):
                assert column in _COLUMN_NAMES or column in skipped, (table, column)
    finally:
        conn.close()
