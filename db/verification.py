"""Double entry (照合入力) in the store: samples, the blind second keying, adjudication, events.

Functions of the store like the review rules (``Store`` offers each as a method of the same name); the decisions are the pure core's
(``survey.verification``): who may key and adjudicate, how keyings compare, what a set of
resolutions makes of them, where a department stands. The store keeps:

- ``verification_plans`` / ``verification_targets``: each recorded sampling rule (with its seed)
  and the departments it chose. A department once chosen stays chosen;
- ``keyings`` / ``keyed_answers``: one second keying per department, apart from the department's
  answers, which it never touches. Every keyed answer is in the audit log (``keying2``);
- ``resolutions``: the adjudicator's choice per differing variable. Finishing the adjudication
  writes the result into the department's answers (action ``answer``, why 突合), so the
  adjudicator counts as having changed the form for the four-eyes rules of review;
- ``key_events``: keystrokes, accepted fields, corrections and the live check's verdicts, which
  ``keyer_statistics`` counts (入力者統計).

The survey core and the records (``db/keying.py``) are imported inside the methods: none of
this is on the way to the first screen (each dataclass costs a compile at import).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from .errors import RefusedError, StoreError
from .who import Stamp, person_key

if TYPE_CHECKING:
    from survey import Value
    from survey.verification import Adjudication, Comparer, Comparison, Event, Resolution, Sample

    from .keying import Keying, Plan
    from .records import Department

__all__ = ["SECOND_KEYING", "first_keyer_of", "comparer", "choose_for_verification", "verification_plans", "verification_targets", "first_keyers", "second_keying", "live_checked", "blind_refusal", "second_keying_refusal", "start_second_keying", "save_second_answer", "clear_second_answers", "completion_refusal", "complete_second_keying", "finish_refusal", "comparison", "resolutions", "adjudicator_problem", "adjudication", "resolve", "finish_adjudication", "verification_states", "verification_state", "verification_refusal", "record_events", "key_events"]

SECOND_KEYING = "照合入力"


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def first_keyer_of(response, question_id: str) -> str | None:
    """Whose first entry a check of this question is charged to: who stored its answer, else
    who marked the form 入力済."""
    stamp = response.stamps.get(question_id)
    return stamp.who if stamp else (response.entered.who if response.entered else None)


# -- the comparer (one per store: building it walks the whole definition) --------------


def comparer(store) -> Comparer:
    comparer = getattr(store, "_comparer", None)
    if comparer is None:
        from survey.verification import Comparer

        comparer = store._comparer = Comparer(store.questionnaire)
    return comparer


# -- which departments -----------------------------------------------------------------


def choose_for_verification(
    store, rule: str, *, parameter: int | None = None, seed: int | None = None, chosen: Iterable[int] = ()
) -> Sample:
    """Draw a sample by a recorded rule (``survey.verification.draw``) and add its departments.

    Departments are drawn in roster order; by hand, ``chosen`` are department ids. A random rule
    without a seed gets a fresh one, which is recorded (and shown) so the draw can be repeated.
    """
    from survey.verification import EVERY_NTH, PERCENT, VerificationError, draw, fresh_seed

    if rule in (EVERY_NTH, PERCENT) and seed is None:
        seed = fresh_seed()
    roster = [str(d.id) for d in store.departments()]
    try:
        sample = draw(rule, roster, parameter=parameter, seed=seed, chosen=[str(i) for i in chosen])
    except VerificationError as exc:
        raise RefusedError(str(exc)) from exc
    ids = [int(d) for d in sample.departments]
    with store._write():
        store._log(
            None, None, "sample", None, " ".join(map(str, ids)), sample.description,
            plan=store.journal.next_id("verification_plans"), rule=sample.rule, parameter=sample.parameter,
            seed=sample.seed,
        )
    return sample


def verification_plans(store) -> list[Plan]:
    from .keying import Plan

    return [
        Plan(pid, rule, parameter, seed, description, tuple(int(i) for i in chosen.split()), Stamp(by, at))
        for pid, rule, parameter, seed, description, chosen, by, at in store._read(
            "SELECT id, rule, parameter, seed, description, chosen, made_by, made_at FROM verification_plans ORDER BY id"
        )
    ]


def verification_targets(store) -> set[int]:
    return {row[0] for row in store._read("SELECT department_id FROM verification_targets")}


# -- the second keying -----------------------------------------------------------------


def first_keyers(store, department_id: int) -> list[str]:
    """Everyone who keyed or changed the department's answers (the four-eyes 'first keyer')."""
    response = store.response(department_id=department_id)
    names = sorted(store.editors(response.id))
    if response.entered and response.entered.who and response.entered.who not in names:
        names.append(response.entered.who)
    return names


def _keying_row(store, department_id: int) -> tuple | None:
    rows = store._read(
        "SELECT id, keyer, live, version, started_at, completed_at, adjudicated_by, adjudicated_at"
        " FROM keyings WHERE department_id = ?",
        (department_id,),
    )
    return rows[0] if rows else None


def second_keying(store, department_id: int) -> Keying | None:
    from .keying import Keying

    row = _keying_row(store, department_id)
    if row is None:
        return None
    kid, keyer, live, version, started_at, completed_at, adj_by, adj_at = row
    answers, stamps = _keyed_answers(store, kid)
    department = _department(store, department_id)  # not response(): the first entry stays unread
    return Keying(
        kid, department, keyer, bool(live), version, answers, stamps, Stamp(keyer, started_at),
        Stamp(keyer, completed_at) if completed_at else None, Stamp(adj_by, adj_at) if adj_at else None,
    )


def _keyed_answers(store, keying_id: int) -> tuple[dict[str, Value], dict[str, Stamp]]:
    from .records import load_value

    answers: dict[str, Value] = {}
    stamps: dict[str, Stamp] = {}
    for qid, value, who, at in store._read(
        "SELECT question_id, value, entered_by, entered_at FROM keyed_answers WHERE keying_id = ?", (keying_id,)
    ):
        answers[qid] = load_value(value, qid)
        stamps[qid] = Stamp(who, at)
    return answers, stamps


def live_checked(store, department_id: int) -> list[str]:
    """Questions of the department the live check has settled (a verified field event)."""
    return [row[0] for row in store._read(
        "SELECT DISTINCT field FROM key_events WHERE department_id = ? AND kind = 'verified_field'",
        (department_id,),
    )]


def blind_refusal(store, department_id: int) -> str | None:
    """Keying blind: while a person's second keying of a department is unfinished, the
    screens do not show them its first entry (entry, summary, review); None otherwise."""
    row = _keying_row(store, department_id)
    if row is None or row[5] or person_key(row[1]) != person_key(store.who):
        return None
    name = store.response(department_id=department_id).department.name
    return (
        f"{name} は {store.who} さんが照合入力中です。照合入力を終えるまで、最初の入力は表示しません"
        "（所属一覧の F3 で照合入力を続けます）。"
    )


def _department(store, department_id: int) -> Department:
    from .records import Department

    rows = store._read("SELECT id, bukyoku, name, position FROM departments WHERE id = ?", (department_id,))
    if not rows:
        raise StoreError("指定の所属がありません。")
    return Department(*rows[0])


def second_keying_refusal(store, department_id: int) -> str | None:
    """Why the current person may not key (or go on keying) this department blind; None if they may."""
    from survey.verification import verifier_refusal

    response = store.response(department_id=department_id)
    name = response.department.name
    if department_id not in store.verification_targets():
        return f"{name} は照合入力の対象ではありません（所属一覧の F5 で対象を選びます）。"
    if response.status in ("not_started", "in_progress"):
        return f"{name} は最初の入力が終わっていません（{response.status_label}）。照合入力は入力済になってから行います。"
    for keyer in store.first_keyers(department_id):
        problem = verifier_refusal(keyer, store.who)
        if problem:
            return problem
    row = _keying_row(store, department_id)
    if row is not None:
        keyer, completed = row[1], row[5]
        if person_key(keyer) != person_key(store.who):
            return f"{name} の照合入力は {keyer} さんが始めています。同じ人が続けてください。"
        if completed:
            return f"{name} の照合入力は終わっています（{completed[:16].replace('T', ' ')}）。"
    return None


def start_second_keying(store, department_id: int, *, live: bool = False) -> Keying:
    """Begin (or resume, for the same person) the blind second keying of a department."""
    problem = store.second_keying_refusal(department_id)
    if problem:
        raise RefusedError(problem)
    if _keying_row(store, department_id) is None:
        response = store.response(department_id=department_id)
        with store._write():
            store._log(
                response.id, None, "keying2_start", None, "live" if live else "blind", SECOND_KEYING,
                keying=store.journal.next_id("keyings"), department=department_id, live=bool(live),
            )
    keying = store.second_keying(department_id)
    assert keying is not None
    return keying


def _bump_keying(store, keying_id: int, expected_version: int | None) -> tuple[int, int]:
    """Check and version the keying; returns (response id, new version)."""
    from .errors import ConflictError

    row = store.conn.execute(
        "SELECT k.version, k.keyer, k.completed_at, r.id FROM keyings k"
        " JOIN responses r ON r.department_id = k.department_id WHERE k.id = ?",
        (keying_id,),
    ).fetchone()
    if row is None:
        raise StoreError(f"照合入力 {keying_id} がありません。")
    version, keyer, completed, response_id = row
    if person_key(keyer) != person_key(store.who):
        raise RefusedError(f"この照合入力は {keyer} さんのものです。")
    if completed:
        raise RefusedError("この照合入力は終わっています。変更できません。")
    if expected_version is not None and version != expected_version:
        raise ConflictError("照合入力が画面を開いた後に変更されました。読み込み直してから入力してください。")
    store.journal.bump_keying(keying_id, version + 1)
    return response_id, version + 1


def save_second_answer(
    store,
    keying_id: int,
    question_id: str,
    value: Value,
    *,
    expected_version: int | None,
    clear: Iterable[str] = (),
    why: str | None = None,
    events: Iterable[Event] = (),
) -> int:
    """Store one answer of the second keying at once (the department's answers are untouched)."""
    from survey import check_answer
    from survey.validation import Severity

    from .records import dump_value, value_state

    store._refuse_unknown(question_id, value)
    errors = [p for p in check_answer(store.questionnaire, question_id, value) if p.severity is Severity.ERROR]
    if errors:
        raise RefusedError("\n".join(p.message for p in errors))
    with store._write():
        response_id, version = _bump_keying(store, keying_id, expected_version)
        for qid in clear:
            _clear_keyed(store, keying_id, response_id, qid, why or "経路の変更により非該当")
        old = store.conn.execute(
            "SELECT value FROM keyed_answers WHERE keying_id = ? AND question_id = ?", (keying_id, question_id)
        ).fetchone()
        store._log(
            response_id, question_id, "keying2", old[0] if old else None, dump_value(value), why or SECOND_KEYING,
            keying=keying_id, state=value_state(value),
        )
        _insert_events(store, events)
    return version


def _clear_keyed(store, keying_id: int, response_id: int, question_id: str, why: str) -> bool:
    old = store.conn.execute(
        "SELECT value FROM keyed_answers WHERE keying_id = ? AND question_id = ?", (keying_id, question_id)
    ).fetchone()
    if old is None:
        return False
    store._log(response_id, question_id, "keying2_clear", old[0], None, why, keying=keying_id)
    return True


def clear_second_answers(
    store, keying_id: int, question_ids: Iterable[str], *, expected_version: int | None, why: str | None = None
) -> int:
    with store._write():
        response_id, version = _bump_keying(store, keying_id, expected_version)
        for qid in question_ids:
            _clear_keyed(store, keying_id, response_id, qid, why or SECOND_KEYING)
    return version


def completion_refusal(store, keying_id: int) -> str | None:
    """Why the second keying may not be finished now (None: it may). The screen asks this
    before its confirm dialog; ``complete_second_keying`` enforces it."""
    row = store._read("SELECT department_id FROM keyings WHERE id = ?", (keying_id,))
    if not row:
        raise StoreError(f"照合入力 {keying_id} がありません。")
    keying = store.second_keying(row[0][0])
    assert keying is not None
    missing = store.unfinished(keying.answers)
    if not missing and keying.live:  # every question on the route compared as it was keyed
        checked = set(store.live_checked(keying.department.id))
        unchecked = [q for q in store.router.route(keying.answers).order if q not in checked]
        if unchecked:
            return (
                f"照合していない問いが {len(unchecked)} 問あります（{'、'.join(unchecked[:8])}"
                f"{' ほか' if len(unchecked) > 8 else ''}）。その問いを開いて Tab で先へ進むと照合します。"
            )
    if missing:
        return (
            f"照合入力が終わっていない問いが {len(missing)} 問あります（{'、'.join(missing[:8])}"
            f"{' ほか' if len(missing) > 8 else ''}）。用紙が空欄なら F2（無回答）です。"
        )
    return None


def complete_second_keying(store, keying_id: int) -> None:
    """The verifier has keyed the whole paper: refused while questions on its route are unkeyed."""
    refusal = completion_refusal(store, keying_id)
    if refusal:
        raise RefusedError(refusal)
    keying = second_keying(store, store._read("SELECT department_id FROM keyings WHERE id = ?", (keying_id,))[0][0])
    assert keying is not None
    with store._write():
        response_id, _ = _bump_keying(store, keying_id, None)
        store._log(response_id, None, "keying2_done", None, None, SECOND_KEYING, keying=keying_id)
        if not keying.live:  # blind: each question keyed is a field verified (errors come at 突合)
            first = store.response(response_id=response_id)
            route = store.router.route(keying.answers)
            _insert_events(
                store,
                _verified_events(store, first, keying, [q for q in route.order], kind="verified_field")
            )


# -- comparison and adjudication -------------------------------------------------------


def comparison(store, department_id: int) -> Comparison:
    keying = store.second_keying(department_id)
    if keying is None:
        raise RefusedError("この所属にはまだ照合入力がありません。")
    return store.comparer.compare(store.response(department_id=department_id).answers, keying.answers)


def resolutions(store, department_id: int) -> list[Resolution]:
    from survey.verification import Resolution

    from .keying import cell_from_json

    return [
        Resolution(variable, choice, cell_from_json(cell), reason or "")
        for variable, choice, cell, reason in store._read(
            "SELECT s.variable, s.choice, s.cell, s.reason FROM resolutions s JOIN keyings k ON k.id = s.keying_id"
            " WHERE k.department_id = ? ORDER BY s.rowid",
            (department_id,),
        )
    ]


def adjudicator_problem(store, department_id: int) -> str | None:
    """Why the current person may not adjudicate this department now; None if they may."""
    from survey.verification import adjudicator_refusal

    keying = store.second_keying(department_id)
    if keying is None or keying.completed is None:
        return "照合入力が終わっていません。突合は二つの入力がそろってから行います。"
    if keying.adjudicated is not None:
        return f"突合は済んでいます（{keying.adjudicated.who}）。"
    if store.response(department_id=department_id).status == "final":
        return "この所属は確定済みです。突合するには確定を解除してください。"
    for first in store.first_keyers(department_id):
        problem = adjudicator_refusal(first, keying.keyer, store.who)
        if problem:
            return problem
    return None


def adjudication(store, department_id: int) -> Adjudication:
    """The stored resolutions applied to the current comparison (``survey.verification.adjudication``).

    A resolution the comparison no longer takes (the first entry was changed since — after a
    flag, say — so that variable no longer differs) is left out: its difference is gone, or
    shows as open again, and the adjudication is never stuck on it. It stays in the audit log.
    """
    from survey.verification import VerificationError, adjudicate, check_resolution

    comparison = store.comparison(department_id)
    current = [r for r in store.resolutions(department_id) if check_resolution(store.comparer, comparison, r) is None]
    try:
        return adjudicate(store.comparer, comparison, current)
    except VerificationError as exc:
        raise RefusedError(str(exc)) from exc


def resolve(store, department_id: int, resolution: Resolution) -> None:
    """Record (or change) the adjudicator's choice for one differing variable."""
    from survey.verification import check_resolution

    from .keying import cell_to_json

    problem = store.adjudicator_problem(department_id)
    if problem:
        raise RefusedError(problem)
    comparison = store.comparison(department_id)
    problem = check_resolution(store.comparer, comparison, resolution)
    if problem:  # a third value that is neither keying's without a reason, too
        raise RefusedError(problem)
    keying = store.second_keying(department_id)
    assert keying is not None
    response_id = store.response(department_id=department_id).id
    with store._write():
        question = store.comparer.variables[store.comparer.index[resolution.variable]].question
        cell = cell_to_json(resolution.value)
        store._log(
            response_id, question, "resolve", resolution.variable,
            f"{resolution.choice} {cell or ''}".strip(), resolution.reason or None,
            keying=keying.id, choice=resolution.choice, cell=cell,
        )


def finish_refusal(store, department_id: int) -> str | None:
    """Why the adjudication may not be finished now (None: it may). The screen asks this
    before its confirm dialog; ``finish_adjudication`` enforces it."""
    problem = store.adjudicator_problem(department_id)
    if problem:
        return problem
    result = store.adjudication(department_id)
    if not result.settled:
        left = [str(d) for d in result.unresolved] + [str(p) for p in result.problems]
        left += [f"{q}: どちらの入力にも値がありません（値を入力してください）" for q in result.missing]
        return f"解決していない相違が {len(left)} 件あります。\n" + "\n".join(left[:10])
    return None


def finish_adjudication(store, department_id: int) -> Adjudication:
    """Write the settled result into the department's answers; the two keyings stay as they are."""
    from survey.verification import FIRST, OTHER, SECOND

    refusal = finish_refusal(store, department_id)
    if refusal:
        raise RefusedError(refusal)
    result = store.adjudication(department_id)
    keying = store.second_keying(department_id)
    assert keying is not None
    response = store.response(department_id=department_id)
    with store._write():
        status = store._refuse_if_final(response.id)
        store._bump(response.id, None)
        changed = False
        for qid in store.questionnaire.ids:
            old, new = response.answers.get(qid), result.answers.get(qid)
            if old == new:
                continue
            changed = True
            if new is None:
                store._clear(response.id, qid, "突合の結果")
            else:
                store._put(response.id, qid, new, "突合の結果")
        if changed and status == "reviewed":
            store._withdraw_sign_off(response.id)
        store._log(response.id, None, "adjudicated", None, str(len(result.resolutions)), "突合", keying=keying.id)
        if not keying.live:  # the verdicts of a blind keying are known only now
            by_question: dict[str, set[str]] = {}
            for resolution in result.resolutions:
                question = store.comparer.variables[store.comparer.index[resolution.variable]].question
                by_question.setdefault(question, set()).add(resolution.choice)
            keyer_wrong = [q for q, c in by_question.items() if SECOND in c or OTHER in c]
            verifier_wrong = [q for q, c in by_question.items() if FIRST in c or OTHER in c]
            _insert_events(store, _verified_events(store, response, keying, keyer_wrong, kind="keyer_error"))
            _insert_events(store, _verified_events(store, response, keying, verifier_wrong, kind="verifier_error"))
    return result


# -- where a department stands ---------------------------------------------------------


def verification_states(store, only: int | None = None) -> dict[int, str]:
    """Every department's state (``survey.verification.status``), for the list, queue and export
    (``only``: that department's alone)."""
    from survey.verification.status import verification_state

    targets = store.verification_targets()
    keyings = {
        row[0]: row[1:]
        for row in store._read("SELECT department_id, completed_at, adjudicated_at FROM keyings")
    }
    states = {}
    for did in [only] if only is not None else [d.id for d in store.departments()]:
        keying = keyings.get(did)
        complete = bool(keying and keying[0])
        settled = bool(keying and keying[1]) or (complete and store.comparison(did).identical)
        states[did] = verification_state(
            sampled=did in targets, second_started=keying is not None, second_complete=complete, settled=settled
        )
    return states


def verification_state(store, department_id: int) -> str:
    return store.verification_states(only=department_id)[department_id]


def verification_refusal(store, department_id: int) -> str | None:
    """Why a department may not be signed off yet for its double entry; None if it may."""
    from survey.verification.status import signoff_refusal

    return signoff_refusal(store.verification_state(department_id))


# -- keying events ---------------------------------------------------------------------


def _verified_events(store, response, keying: Keying, questions: Iterable[str], *, kind: str) -> list[Event]:
    """The verifier's events on these questions, each charged to the question's first keyer."""
    from survey.verification import Event

    at = datetime.fromisoformat(store._now())
    return [
        Event(keying.keyer, at, str(response.department.id), kind, qid, first_keyer_of(response, qid))
        for qid in questions
    ]


def _insert_events(store, events: Iterable[Event]) -> None:
    """Store events (``Event.department``: the department's id, as text)."""
    rows = [
        (e.person, e.at.isoformat(timespec="milliseconds"), int(e.department), e.kind, e.field or None, e.keyer)
        for e in events
    ]
    store.journal.events(store.who, rows)


def record_events(store, events: Iterable[Event]) -> None:
    """Keying events not tied to a stored answer (keystrokes before leaving a field, say)."""
    events = list(events)
    if events:
        with store._write():
            _insert_events(store, events)


def key_events(store) -> list[Event]:
    """Every keying event, departments by name, for ``survey.verification.keyer_statistics``."""
    from survey.verification import Event

    names = {d.id: d.name for d in store.departments()}
    return [
        Event(person, _at(at), names.get(did, str(did)), kind, field or "", keyer)
        for person, at, did, kind, field, keyer in store._read(
            "SELECT person, at, department_id, kind, field, keyer FROM key_events ORDER BY id"
        )
    ]
