"""Import answers: every record is checked as the entry screen checks typed input, then all of
them are stored or none.

Readers turn a file into :class:`Record` s (``exports.answer_file`` for the 回答一覧 layout,
xlsx or CSV); :func:`import_records` is the one check-and-store path every reader feeds.

Every record is read as the entry screen reads typed input and checked the same way: the
definition's hard rules (a code that is not an option, a count over its ceiling, 非該当 where
the form allows none) and the route (no answer to a question the department's own answers
take it past). Soft warnings are reported and kept, as for typed entry. All or nothing: one
refusal anywhere and nothing is written; otherwise every answer is stored in one transaction,
logged as entered by the person importing.

An import never overwrites: a department that already has answers is refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from db.location import shown_name
from survey import InputError, NotApplicable, Value, check_answer, check_form
from survey.validation import Severity

from . import layout
from .repeat_import import parse_table
from .answer_file import read_answer_file, read_table
from .import_types import ImportFileError, ImportReport, Record, Refusal

if TYPE_CHECKING:
    from db import Store

__all__ = [
    "ImportFileError",
    "ImportReport",
    "Record",
    "Refusal",
    "import_answers",
    "import_records",
    "read_table",
]


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


# Excel holds at most this many UTF-16 units in a cell; the export cuts longer texts and marks them.
CELL_LIMIT = 32_767
CUT_MARK = "［…以下省略"


def _cut_text(qvars: list, texts: list[str]) -> str:
    """Why a question's cells hold text cut at Excel's cell limit (「…以下省略」), or ''."""
    for v, text in zip(qvars, texts):
        if CUT_MARK in text:
            return (
                f"{v.name}: Excel の 1 セルの上限で切り詰められた文字です（「…以下省略」の印があります）。"
                "切り詰めた文字を回答として取り込むことはしません。全文を書いたセルにしてから取り込んでください。"
            )
        if len(text.encode("utf-16-le")) // 2 >= CELL_LIMIT:
            return (
                f"{v.name}: Excel の 1 セルの上限（{CELL_LIMIT:,} 文字）いっぱいの文字です。切り詰められているかもしれないため"
                "取り込みません。全文を確かめて、入力画面で入力してください。"
            )
    return ""


def _why_off(questionnaire, qid: str, answers) -> str:
    """The paper's skip instructions these answers take past ``qid``, as the form words them."""
    from survey.conditions import evaluate
    from survey.routing import known_codes

    position = questionnaire.position(qid)
    notes = [
        (skip.note or f"{questionnaire.question(skip.at).label}: {skip.when_text}").strip("　 ")
        for skip in questionnaire.skips
        if questionnaire.position(skip.at) < position < questionnaire.position(skip.to)
        and evaluate(skip.when, lambda ref: known_codes(ref, answers))
    ]
    if not notes:
        return ""
    return "経路は「" + "」「".join(notes[:3]) + "」で決まります。その設問の回答と合わせて"


def _unsettled_route(questionnaire, answers, route, refusals: list[Refusal]) -> tuple[str, str] | None:
    """A routing question left empty, 無回答 or 無効 without a route, when the questions after it
    are refused for that: said on that question, not only as refusals of the questions after it."""
    for qid in route.undecided_by:
        value = answers.get(qid)
        # the questions after it whose 非該当 cannot be judged while the route is open
        wheres = [r.where for r in refusals]
        refused = [
            questionnaire.question(q).label for q in questionnaire.ids
            if route.status(q) == "pending" and isinstance(answers.get(q), NotApplicable)
            and questionnaire.question(q).label in wheres
        ]
        if not refused:
            continue
        if value is None:
            return questionnaire.question(qid).label, (
                f"経路を決める設問が空のセルのため、{'・'.join(refused)}の回答が経路上か確かめられません。"
                "回答を書いてください。用紙が空欄なら「無回答」、経路が分かるなら「無回答@1」のように @番号 を付けて書きます。"
            )
        shown = layout.render(questionnaire.question(qid), value, False)[0]
        return questionnaire.question(qid).label, (
            f"「{shown}」では経路が決まらないため、{'・'.join(refused)}の回答を確かめられません。"
            f"経路が分かるなら「{shown}@1」のように @番号 を付けて書いてください。"
        )
    return None


def import_answers(store: Store, path: str | Path, *, check_only: bool = False, replace: bool = False) -> ImportReport:
    """Read the 回答一覧 file at ``path``, check every row, and store all of it or none of it.

    Returns the report (refusals and warnings, each with its row); raises ImportFileError when
    the file cannot be read as a 回答一覧, and the store's errors when the database refuses.
    """
    path = Path(path)
    records, refusals = read_answer_file(path, store.questionnaire)
    report = import_records(store, records, source=shown_name(path.name), check_only=check_only, refusals=refusals, replace=replace)
    report.path = path
    return report


def import_records(
    store: Store,
    records: list[Record],
    *,
    source: str,
    check_only: bool = False,
    refusals: Iterable[Refusal] = (),
    replace: bool = False,
    original: tuple[str, bytes] | None = None,
) -> ImportReport:
    """Check every record and store all of them or none.

    ``source`` names the import in the report and in the audit log (「取り込み: source」).
    ``refusals``: what the reader already found wrong (a bad column name, …); any of them
    refuses the import like a record's own. ``replace``: a department that has answers gets
    this file's instead (a corrected return), refused once it is signed off. ``original``:
    (file name, content) kept as the original of the file's one department, in the same
    transaction as its answers. Raises the store's errors when the database refuses the write
    (nothing of the file is then stored).
    """
    report = ImportReport(source, checked_only=check_only)
    report.refusals.extend(refusals)
    questionnaire = store.questionnaire
    router = store.router
    variables = layout.variables(questionnaire)

    departments = store.departments()
    by_pair = {(_key(d.bukyoku), _key(d.name)): d for d in departments}
    by_name: dict[str, list] = {}
    for d in departments:
        by_name.setdefault(_key(d.name), []).append(d)
    existing = {r.department.id: r for r in store.responses()}
    seen: dict[int, str] = {}
    entries: dict[int, dict[str, Value]] = {}
    complete: set[int] = set()  # route complete: every question on it answered, 無回答 or 無効
    replaced: set[int] = set()  # departments whose answers this import replaces (--replace)
    by_question = [(q, layout.question_variables(q)) for q in questionnaire.questions]

    for record in records:
        cells = record.cells
        name, group = record.name.strip(), record.bukyoku.strip()
        shown = name or "（所属名なし）"

        def refuse(where: str, message: str, record: Record = record, shown: str = shown) -> None:
            report.refusals.append(Refusal(record.row, shown, where, message, record.source))

        if not name:
            if not group and all(not cells.get(v.name, "").strip() for v in variables):
                report.empty_rows += 1  # an empty row, or a label or note row
                continue
            refuse("", "所属名がありません。")
            continue
        if group:
            department = by_pair.get((_key(group), _key(name)))
        else:
            matches = by_name.get(_key(name), [])
            department = matches[0] if len(matches) == 1 else None
        if department is None:
            refuse("", f"所属「{group + ' ' if group else ''}{name}」はこのデータベースの所属一覧にありません。")
            continue
        if department.id in seen:
            refuse("", f"{seen[department.id]}と同じ所属です。一つの所属は一行にしてください。")
            continue
        seen[department.id] = f"{record.row} 行目" if record.row is not None else f"「{record.source}」"

        first_refusal = len(report.refusals)
        answers: dict[str, Value] = {}
        for question, qvars in by_question:
            if record.unreadable and any(v.name in record.unreadable for v in qvars):
                continue  # refused by the reader, cell by cell: the question is not judged on a guess
            texts = [cells.get(v.name, "") for v in qvars]
            cut = _cut_text(qvars, texts)
            if cut:
                refuse(question.label, cut)
                continue
            try:
                value = layout.parse(question, texts)
            except InputError as exc:
                refuse(question.label, str(exc).removeprefix(f"{question.label}: "))
                continue
            if value is not None:
                answers[question.id] = value
        for qid, rows in record.tables.items():  # a repeat's rows, read as typed entry reads them
            question = questionnaire.question(qid)
            try:
                answers[qid] = parse_table(question, rows, record.table_sheets.get(qid, qid))
            except InputError as exc:
                refuse(question.label, str(exc))
        route = router.route(answers)
        for qid, value in list(answers.items()):
            if route.status(qid) != "off":
                continue
            if isinstance(value, NotApplicable):
                del answers[qid]  # off the route: 非該当 is derived, nothing to store
            else:
                refuse(
                    questionnaire.question(qid).label,
                    f"この所属の回答では経路外（非該当）の設問に回答があります。{_why_off(questionnaire, qid, answers)}"
                    "用紙を確かめてください。",
                )
        for qid, value in answers.items():
            for problem in check_answer(questionnaire, qid, value):
                if problem.severity is Severity.ERROR:
                    refuse(questionnaire.question(qid).label, problem.message)
        unsettled = _unsettled_route(questionnaire, answers, route, report.refusals[first_refusal:])
        if unsettled:
            report.refusals.insert(first_refusal, Refusal(record.row, shown, unsettled[0], unsettled[1], record.source))
        if not answers:
            report.empty_rows += 1
            continue
        response = existing.get(department.id)
        report.department = f"{department.name}（{department.bukyoku}）" if department.bukyoku else department.name
        if response is not None and response.status == "final":
            refuse("", "確定済みの所属には取り込めません。")
        elif response is not None and response.answers and not replace:
            refuse("", "すでに回答が入力されています。取り込みでは上書きしません（訂正された回答で置き換えるには --replace を付けます）。")
        elif response is not None and response.answers and response.status == "reviewed":
            refuse("", "確認済みの所属は置き換えられません。確認を取り消してから取り込んでください。")
        elif response is not None and response.answers:
            replaced.add(response.id)
        empty_required = []
        for problem in check_form(questionnaire, answers, route):
            if problem.severity is not Severity.WARNING:
                continue
            if problem.kind == "not-entered":
                # pending questions (route not settled, 経路未確定) may yet be off the route: not counted
                if questionnaire.question(problem.question).required and route.status(problem.question) == "on":
                    empty_required.append(questionnaire.question(problem.question).label)
                continue
            where = questionnaire.question(problem.question).label if problem.question in questionnaire else ""
            report.warnings.append(Refusal(record.row, shown, where, problem.message, record.source))
        if empty_required:
            report.not_entered.append((Refusal(record.row, shown, "", "", record.source), empty_required))
        if response is not None:
            entries[response.id] = answers
            gaps = [questionnaire.question(q).label for q in route.order if q not in answers]
            if route.awaiting_choice:
                gaps.insert(0, "経路の選択（" + "・".join(questionnaire.question(q).label for q in route.awaiting_choice) + "）")
            if gaps:
                report.gaps.append(Refusal(record.row, shown, "", "未入力 " + "、".join(gaps), record.source))
            else:
                complete.add(response.id)

    report.departments = len(entries)
    report.answers = sum(len(a) for a in entries.values())
    if report.refusals or check_only or not entries:
        return report
    from db.errors import RefusedError
    from db.originals import store_import

    kept = None
    if original is not None and len(entries) == 1:
        department_id = next(r.department.id for r in existing.values() if r.id in entries)
        kept = (department_id, original[0], original[1])
    why = f"取り込み（置き換え）: {source}" if replaced else f"取り込み: {source}"
    try:
        report.changed = store_import(store, entries, why=why, entered=complete, replace=replace, original=kept)
    except RefusedError as exc:  # what changed since the check: another import of the department won
        report.refusals.append(Refusal(None, report.department, "", str(exc), source))
        return report
    report.replaced = bool(replaced)
    report.original_kept = kept is not None
    report.imported = True
    report.entered = len(complete)
    return report
