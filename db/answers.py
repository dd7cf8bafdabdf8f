"""Entering answers: one accepted answer stored at once, route changes, 入力済, imports.

Functions of the store (``Store`` offers each as a method of the same name): each write goes
through ``store._write()`` and ``store._log`` (db/journal.py), so it lands in the tables and
the audit log together. Hard errors are refused here too, so no adapter can store what the form
does not allow; a finalised form is read-only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from .errors import RefusedError
from .records import dump_value, value_state

if TYPE_CHECKING:
    from survey import Value

__all__ = ["save_answer", "unfinished", "clear_answers", "mark_entered", "import_answers", "check_imported"]


def _refuse_if_final(store, response_id: int) -> str:
    status = store._status(response_id)
    if status == "final":
        raise RefusedError(
            "この所属は確定済みのため編集できません。修正が必要な場合は、理由を記録して確定を解除してください。"
        )
    return status


def _refuse_unknown(store, question_id: object, value: object) -> None:
    """What no screen produces but a script on the store might: a KeyError or a foreign object."""
    from survey.answers import Value  # every kind of answer survey.answers defines (amounts and dates too)

    if not isinstance(question_id, str) or question_id not in store.questionnaire:
        raise RefusedError(f"{question_id!r} という問いはこの調書にありません。")
    if not isinstance(value, Value):
        raise RefusedError(f"{question_id} の回答として {type(value).__name__} は保存できません。")


def save_answer(
    store,
    response_id: int,
    question_id: str,
    value: Value,
    *,
    expected_version: int | None,
    clear: Iterable[str] = (),
    why: str | None = None,
    events: Iterable = (),
    row: dict | None = None,
) -> int:
    """Store one accepted answer at once; ``clear`` drops answers that left the route.
    ``row``: for a repeat's table changed one row at a time (db/table_rows.py), which row and
    how, kept in the entry's payload so the audit log reads row by row.

    Returns the response's new version. Hard errors are refused here too, so no adapter
    can store what the form does not allow. ``events``: the keying events (入力者統計) that
    led to this answer, stored in the same transaction.
    """
    from survey import Severity, check_answer

    _refuse_unknown(store, question_id, value)
    errors = [p for p in check_answer(store.questionnaire, question_id, value) if p.severity is Severity.ERROR]
    if errors:
        raise RefusedError("\n".join(p.message for p in errors))
    with store._write():
        status = _refuse_if_final(store, response_id)
        before = store._answers(response_id)[0]
        version = store._bump(response_id, expected_version)
        if status == "not_started":
            store._set_status(response_id, status, "in_progress", None)
        elif status == "reviewed":
            _withdraw_sign_off(store, response_id)
        for qid in clear:
            _clear(store, response_id, qid, why or "経路の変更により非該当")
        _put(store, response_id, question_id, value, why, row)
        store._insert_events(events)
        if status == "entered":  # a signed-off form goes back to 入力済, as the issue asks
            _reopen_if_unfinished(store, response_id, before, (question_id,))
    return version


def _put(store, response_id: int, question_id: str, value: Value, why: str | None, row: dict | None = None) -> None:
    """Write one answer (new or replacing) and log it with the value it replaced."""
    old = store.conn.execute(
        "SELECT value FROM answers WHERE response_id = ? AND question_id = ?", (response_id, question_id)
    ).fetchone()
    new = dump_value(value)
    extra = {"row": row} if row is not None else {}
    store._log(response_id, question_id, "answer", old[0] if old else None, new, why, state=value_state(value), **extra)


def unfinished(store, answers: Mapping[str, Value]) -> list[str]:
    """Questions on the route of ``answers`` not entered in full (none, or rows still to key)."""
    from survey.answers import is_complete

    route = store.router.route(answers)
    return [q for q in route.order if not is_complete(store.questionnaire.question(q), answers.get(q))]


def _reopen_if_unfinished(store, response_id: int, before: Mapping[str, Value], changed: Iterable[str]) -> None:
    """A change that puts questions not yet entered on the route (or leaves a changed
    question unfinished: rows still to key, or cleared) takes 入力済 back to 入力中."""
    if store._status(response_id) != "entered":
        return
    after = store._answers(response_id)[0]
    was_on = set(store.router.route(before).order)
    missing = [q for q in store.unfinished(after) if q not in was_on or q in changed]
    if missing:
        store._set_status(
            response_id, "entered", "in_progress", "未入力の設問が経路に加わったため入力中に戻す: " + "、".join(missing)
        )


def _clear(store, response_id: int, question_id: str, why: str | None) -> bool:
    old = store.conn.execute(
        "SELECT value FROM answers WHERE response_id = ? AND question_id = ?", (response_id, question_id)
    ).fetchone()
    if old is None:
        return False
    store._log(response_id, question_id, "clear", old[0], None, why)
    return True


def clear_answers(
    store, response_id: int, question_ids: Iterable[str], *, expected_version: int | None, why: str | None = None
) -> int:
    """Remove recorded answers (kept in the audit log with their old value)."""
    with store._write():
        status = _refuse_if_final(store, response_id)
        version = store._bump(response_id, expected_version)
        before = store._answers(response_id)[0]
        cleared = [qid for qid in question_ids if _clear(store, response_id, qid, why)]
        if cleared and status == "reviewed":
            _withdraw_sign_off(store, response_id)
        if cleared and status == "entered":
            _reopen_if_unfinished(store, response_id, before, cleared)
    return version


def _withdraw_sign_off(store, response_id: int) -> None:
    """A signed-off form changed: back to 入力済, to be reviewed again (the log keeps who signed)."""
    store._set_status(response_id, "reviewed", "entered", "回答の変更により確認を取り消し", unstamp=["reviewed"])


def mark_entered(store, response_id: int, *, expected_version: int | None) -> int:
    """The clerk has entered the whole form: 入力済."""
    with store._write():
        status = _refuse_if_final(store, response_id)
        if status in ("entered", "reviewed"):
            return _current_version(store, response_id)
        version = store._bump(response_id, expected_version)
        store._set_status(response_id, status, "entered", None, stamp=["entered"])
    return version


def _current_version(store, response_id: int) -> int:
    return store.conn.execute("SELECT version FROM responses WHERE id = ?", (response_id,)).fetchone()[0]


def check_imported(store, entries: Mapping[int, Mapping[str, Value]]) -> None:
    """Check every imported value as a typed one is checked; refuse the whole import, listing
    every hard error, before anything is written (the one check of both import paths)."""
    from survey import Severity, check_answer

    problems = []
    for answers in entries.values():
        for question_id, value in answers.items():
            _refuse_unknown(store, question_id, value)
            problems += [
                f"{question_id}: {p.message}"
                for p in check_answer(store.questionnaire, question_id, value)
                if p.severity is Severity.ERROR
            ]
    if problems:
        raise RefusedError("取り込めない回答があります。\n" + "\n".join(problems))


def import_answers(
    store, entries: Mapping[int, Mapping[str, Value]], *, why: str, entered: Collection[int] = ()
) -> int:
    """Store imported answers for many departments in one transaction: all or nothing.

    ``entries`` maps a response id to its answers. Each value is checked like a typed one
    (hard errors refuse the whole import); a department that is finalised or already has
    answers is refused too, so an import never overwrites. Every answer is logged as an
    ``answer`` by this person (who then may not sign those departments off), with ``why``.
    The responses in ``entered`` (their route complete) become 入力済 in the same
    transaction, so review can start. Returns the number of answers stored.
    """
    check_imported(store, entries)
    stored = 0
    with store._write():
        for response_id, answers in entries.items():
            if not answers:
                continue
            status = _refuse_if_final(store, response_id)
            existing = store.conn.execute(
                "SELECT count(*) FROM answers WHERE response_id = ?", (response_id,)
            ).fetchone()[0]
            if existing:
                name = store.conn.execute(
                    "SELECT d.name FROM responses r JOIN departments d ON d.id = r.department_id"
                    " WHERE r.id = ?",
                    (response_id,),
                ).fetchone()[0]
                raise RefusedError(f"{name} にはすでに回答が入力されています。取り込みでは上書きしません。")
            store._bump(response_id, None)
            if status == "not_started":
                store._set_status(response_id, status, "in_progress", why)
            for question_id, value in answers.items():
                new = dump_value(value)
                store._log(response_id, question_id, "answer", None, new, why, state=value_state(value))
                stored += 1
            if response_id in entered:
                store._set_status(response_id, store._status(response_id), "entered", why, stamp=["entered"])
    return stored

