"""Review rules (「複数人の目で」): flags, replies, sign-off, finalising and unlocking.

Functions of the store (``Store`` offers each as a method of the same name), so every adapter
gets the same rules; they read and write through the store, never around it. People are compared by
``person_key`` (one person under any spelling of their name). The rules:

- A flag (疑義) is answered by the clerk with a reply (recorded); it is closed only by its
  raiser or by someone who did not enter or change the form.
- A sign-off is refused to anyone who entered or changed the form, and until the reviewer has
  been shown every question on the route since its answer last changed (the screens record what
  they showed, one question at a time or the one-page overview, in the audit log).
- Unlocking a finalised form is refused to anyone who entered or changed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from .errors import RefusedError
from .schema import STATUS_LABELS
from .who import Stamp, person_key

if TYPE_CHECKING:
    from .records import Response

__all__ = ["Flag", "editors", "is_editor", "unseen", "record_shown", "flags", "raise_flag", "may_close", "reply_flag", "resolve_flag", "hard_errors", "sign_off_refusals", "finalise_refusal", "unlock_refusal", "sign_off", "finalise", "unlock"]


class Flag(NamedTuple):
    id: int
    response_id: int
    question_id: str
    comment: str
    raised: Stamp
    resolved: Stamp | None = None
    resolution: str | None = None
    replied: Stamp | None = None  # the clerk's latest reply (every reply is in the audit log)
    reply: str | None = None

    @property
    def open(self) -> bool:
        return self.resolved is None


_FLAG_COLUMNS = (
    "id, response_id, question_id, comment, raised_by, raised_at, resolved_by, resolved_at, resolution,"
    " replied_by, replied_at, reply"
)


# -- who did what ----------------------------------------------------------------------


def editors(store, response_id: int) -> set[str]:
    """Everyone who entered or changed this department's answers (as they spelled their name)."""
    return {
        row[0]
        for row in store._read(
            "SELECT DISTINCT who FROM audit_log WHERE response_id = ? AND action IN ('answer', 'clear')",
            (response_id,),
        )
    }


def is_editor(store, response_id: int, who: str | None = None) -> bool:
    """Whether ``who`` (default: the current person), under any spelling, entered or changed it."""
    key = person_key(store.who if who is None else who)
    return any(person_key(name) == key for name in store.editors(response_id))


def _own_refusal(store, response_id: int, doing: str) -> str | None:
    if store.is_editor(response_id):
        return f"{store.who} さんはこの所属の回答を入力・変更しているため、自分で{doing}はできません。"
    return None


def _second_keyer_refusal(store, department_id: int) -> str | None:
    """The second keying's keyer has keyed the form too (and 突合 may have taken their values
    into it): they may not sign it off, under any spelling of their name."""
    row = store._read("SELECT keyer FROM keyings WHERE department_id = ?", (department_id,))
    if row and person_key(row[0][0]) == person_key(store.who):
        return (
            f"{store.who} さんはこの所属の照合入力（二回目の入力）をしているため、自分で確認済にはできません。"
            "入力にかかわっていない人に確認を依頼してください。"
        )
    return None


# -- what the reviewer was shown -------------------------------------------------------


def unseen(store, response_id: int, question_ids: Iterable[str] | None = None) -> list[str]:
    """Questions (default: the route's) not shown to this person since their answer last changed."""
    key = person_key(store.who)
    changed: dict[str, int] = {}
    seen: dict[str, int] = {}
    for entry_id, who, qid, action, new in store._read(
        "SELECT id, who, question_id, action, new FROM audit_log"
        " WHERE response_id = ? AND action IN ('answer', 'clear', 'shown') ORDER BY id",
        (response_id,),
    ):
        if action == "shown":
            if person_key(who) == key:
                for shown in (new or "").split():
                    seen[shown] = entry_id
        else:
            changed[qid] = entry_id
    if question_ids is None:
        question_ids = store.router.route(store.response(response_id=response_id).answers).order
    return [qid for qid in question_ids if seen.get(qid, 0) <= changed.get(qid, 0) or qid not in seen]


def record_shown(store, response_id: int, question_ids: Iterable[str], how: str) -> list[str]:
    """Log that these questions were shown to this person (``how``: 一問ずつ, 一覧).

    Only what a sign-off may follow is recorded (a form 入力済, shown to someone who may sign
    it), and only what was not already shown since it last changed. Returns what was logged.
    """
    question_ids = list(question_ids)
    if store._status(response_id) != "entered" or store.is_editor(response_id):
        return []
    new = store.unseen(response_id, question_ids)
    if not new:
        return []
    with store._write():
        store._log(response_id, new[0] if len(new) == 1 else None, "shown", None, " ".join(new), how)
    return new


# -- flags -----------------------------------------------------------------------------


def flags(store, response_id: int | None = None, *, open_only: bool = False) -> list[Flag]:
    sql = f"SELECT {_FLAG_COLUMNS} FROM flags"
    clauses, params = [], []
    if response_id is not None:
        clauses.append("response_id = ?")
        params.append(response_id)
    if open_only:
        clauses.append("resolved_at IS NULL")
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    flags = []
    for fid, rid, qid, comment, rby, rat, sby, sat, resolution, pby, pat, reply in store._read(sql + " ORDER BY id", params):
        flags.append(
            Flag(
                fid, rid, qid, comment, Stamp(rby, rat), Stamp(sby, sat) if sat else None, resolution,
                Stamp(pby, pat) if pat else None, reply,
            )
        )
    return flags


def raise_flag(store, response_id: int, question_id: str, comment: str) -> int:
    comment = comment.strip()
    if not comment:
        raise RefusedError("疑義の内容を入力してください。")
    if store.questionnaire.question(question_id) is None:
        raise RefusedError(f"{question_id} という問いはありません。")
    with store._write():
        fid = store.journal.next_id("flags")
        store._log(response_id, question_id, "flag", None, comment, None, flag=fid)
    return fid


def _open_flag(store, flag_id: int) -> tuple:
    row = store.conn.execute(
        "SELECT response_id, question_id, comment, resolved_at, raised_by FROM flags WHERE id = ?", (flag_id,)
    ).fetchone()
    if row is None:
        raise RefusedError(f"疑義 {flag_id} がありません。")
    if row[3] is not None:
        raise RefusedError("この疑義はすでに解決済みです。")
    return row


def may_close(store, flag: Flag) -> bool:
    """Its raiser, or someone who did not enter or change the form, may close a flag.

    The one rule: screens ask it before offering to close, ``resolve_flag`` enforces it."""
    return _may_close(store, flag.raised.who, flag.response_id)


def _may_close(store, raised_by: str, response_id: int) -> bool:
    return person_key(raised_by) == person_key(store.who) or not store.is_editor(response_id)


def reply_flag(store, flag_id: int, reply: str) -> None:
    """The clerk's answer to a flag: recorded, and the flag stays open for its raiser to close."""
    reply = reply.strip()
    if not reply:
        raise RefusedError("疑義への回答を入力してください。")
    with store._write():
        response_id, question_id, comment, _, _ = _open_flag(store, flag_id)
        store._log(response_id, question_id, "reply", comment, reply, None, flag=flag_id)


def resolve_flag(store, flag_id: int, resolution: str) -> None:
    resolution = resolution.strip()
    if not resolution:
        raise RefusedError("疑義をどう解決したかを入力してください。")
    with store._write():
        response_id, question_id, comment, _, raised_by = _open_flag(store, flag_id)
        if not _may_close(store, raised_by, response_id):
            raise RefusedError(
                f"{store.who} さんはこの所属の回答を入力・変更しているため、疑義を解決済にはできません。"
                "回答として記録し、疑義を付けた人（または入力していない人）が解決済にします。"
            )
        store._log(response_id, question_id, "resolve", comment, resolution, None, flag=flag_id)


# -- sign-off, finalise, unlock --------------------------------------------------------


def hard_errors(store, response: Response) -> list[str]:
    """Stored answers the form does not allow (e.g. entered before a definition fix)."""
    from survey import Severity, check_answer

    messages = []
    for qid, value in response.answers.items():
        for problem in check_answer(store.questionnaire, qid, value):
            if problem.severity is Severity.ERROR:
                messages.append(f"{qid}: {problem.message}")
    return messages


def sign_off_refusals(store, response_id: int) -> list[str]:
    """Why this person may not sign this department off now (empty: they may)."""
    response = store.response(response_id=response_id)
    reasons = []
    if response.status != "entered":
        reasons.append(f"状態が「{response.status_label}」です。確認できるのは「入力済」の所属だけです。")
    own = _own_refusal(store, response_id, "確認済に")
    if own:
        reasons.append(own)
    keyer = _second_keyer_refusal(store, response.department.id)
    if keyer:
        reasons.append(keyer)
    open_flags = store.flags(response_id, open_only=True)
    if open_flags:
        reasons.append(
            f"未解決の疑義が {len(open_flags)} 件あります（" + "、".join(f.question_id for f in open_flags) + "）。"
        )
    verification = store.verification_refusal(response.department.id)
    if verification:
        reasons.append(verification)
    errors = store.hard_errors(response)
    if errors:
        reasons.append("誤りのある回答があります: " + " / ".join(errors))
    if not own and response.status == "entered":
        unseen = store.unseen(response_id, store.router.route(response.answers).order)
        if unseen:
            reasons.append(
                f"まだ表示していない問いが {len(unseen)} 問あります（{'、'.join(unseen[:8])}"
                f"{' ほか' if len(unseen) > 8 else ''}）。↓ で一問ずつ、または F6 の一覧で確かめてください。"
            )
    return reasons


def sign_off(store, response_id: int, *, expected_version: int | None) -> int:
    with store._write():
        reasons = store.sign_off_refusals(response_id)
        if reasons:
            raise RefusedError("確認済にできません。\n" + "\n".join(reasons))
        on_route = len(store.router.route(store.response(response_id=response_id).answers).order)
        version = store._bump(response_id, expected_version)
        store._set_status(
            response_id, "entered", "reviewed", f"経路上の {on_route} 問をすべて表示して確認",
            stamp=["reviewed"], signed=version,
        )
    return version


# Each write below is refused for the reasons its *_refusal gives: screens ask that first, so
# nobody types a reason into a dialog only to be refused after Enter; the write asks it again
# inside its transaction (someone may have changed the department meanwhile).


def finalise_refusal(store, response_id: int) -> str | None:
    """Why this person may not finalise this department now (None: they may)."""
    status = store._status(response_id)
    if status != "reviewed":
        return f"状態が「{STATUS_LABELS[status]}」のため確定できません。確定できるのは「確認済」の所属だけです。"
    # Chosen for a second keying after its sign-off: it is verified before it is final.
    department_id = store.conn.execute("SELECT department_id FROM responses WHERE id = ?", (response_id,)).fetchone()[0]
    verification = store.verification_refusal(department_id)
    if verification:
        return verification.replace("確認済にできません", "確定できません")
    return None


def unlock_refusal(store, response_id: int) -> str | None:
    """Why this person may not unlock this finalised department (None: they may)."""
    status = store._status(response_id)
    if status != "final":
        return (
            f"状態が「{STATUS_LABELS[status]}」のため、解除するものがありません。"
            "確定を解除できるのは「確定」の所属だけです。"
        )
    own = _own_refusal(store, response_id, "確定を解除すること")
    if own:
        return own + "入力していない人に解除を依頼してください。"
    return None


def finalise(store, response_id: int, *, expected_version: int | None) -> int:
    with store._write():
        refusal = finalise_refusal(store, response_id)
        if refusal:
            raise RefusedError(refusal)
        version = store._bump(response_id, expected_version)
        store._set_status(response_id, "reviewed", "final", None, stamp=["finalised"], signed=version)
    return version


def unlock(store, response_id: int, reason: str, *, expected_version: int | None) -> int:
    """Reopen a finalised department; its sign-off is cancelled, the reason logged."""
    reason = reason.strip()
    if not reason:
        raise RefusedError("確定を解除する理由を入力してください。")
    with store._write():
        refusal = unlock_refusal(store, response_id)
        if refusal:
            raise RefusedError(refusal)
        version = store._bump(response_id, expected_version)
        store._set_status(response_id, "final", "entered", reason, unstamp=["reviewed", "finalised"])
    return version
