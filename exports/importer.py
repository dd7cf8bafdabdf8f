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

from survey import InputError, NotApplicable, Value, check_answer, check_form
from survey.validation import Severity

from . import layout
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


def import_answers(store: Store, path: str | Path, *, check_only: bool = False) -> ImportReport:
    """Read the 回答一覧 file at ``path``, check every row, and store all of it or none of it.

    Returns the report (refusals and warnings, each with its row); raises ImportFileError when
    the file cannot be read as a 回答一覧, and the store's errors when the database refuses.
    """
    path = Path(path)
    records, refusals = read_answer_file(path, store.questionnaire)
    report = import_records(store, records, source=path.name, check_only=check_only, refusals=refusals)
    report.path = path
    return report


def import_records(
    store: Store,
    records: list[Record],
    *,
    source: str,
    check_only: bool = False,
    refusals: Iterable[Refusal] = (),
) -> ImportReport:
    """Check every record and store all of them or none.

    ``source`` names the import in the report and in the audit log (「取り込み: source」).
    ``refusals``: what the reader already found wrong (a bad column name, …); any of them
    refuses the import like a record's own.
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

        answers: dict[str, Value] = {}
        for question, qvars in by_question:
            texts = [cells.get(v.name, "") for v in qvars]
            try:
                value = layout.parse(question, texts)
            except InputError as exc:
                refuse(question.label, str(exc))
                continue
            if value is not None:
                answers[question.id] = value
        route = router.route(answers)
        for qid, value in list(answers.items()):
            if route.status(qid) != "off":
                continue
            if isinstance(value, NotApplicable):
                del answers[qid]  # off the route: 非該当 is derived, nothing to store
            else:
                causes = "・".join(questionnaire.question(q).label for q in route.undecided_by) or "前の回答"
                refuse(
                    questionnaire.question(qid).label,
                    f"この所属の回答では経路外（非該当）の設問に回答があります。{causes}などの回答と合わせて用紙を確かめてください。",
                )
        for qid, value in answers.items():
            for problem in check_answer(questionnaire, qid, value):
                if problem.severity is Severity.ERROR:
                    refuse(questionnaire.question(qid).label, problem.message)
        if not answers:
            report.empty_rows += 1
            continue
        response = existing.get(department.id)
        if response is not None and response.status == "final":
            refuse("", "確定済みの所属には取り込めません。")
        elif response is not None and response.answers:
            refuse("", "すでに回答が入力されています。取り込みでは上書きしません。")
        for problem in check_form(questionnaire, answers, route):
            if problem.severity is Severity.WARNING and problem.kind != "not-entered":
                where = questionnaire.question(problem.question).label if problem.question in questionnaire else ""
                report.warnings.append(Refusal(record.row, shown, where, problem.message, record.source))
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
    store.import_answers(entries, why=f"取り込み: {source}", entered=complete)
    report.imported = True
    report.entered = len(complete)
    return report
