"""A questionnaire as XLSForm sheets (pure: an adapter writes the cells to a workbook).

The inverse of ``survey.xlsform``: reading what this writes gives the same ``Questionnaire``
(tests/test_xlsform.py), so next year's form starts from this year's, edited in Excel.
"""

from __future__ import annotations

from .conditions import Condition, Not, Ref, to_xlsform
from .model import Question, Questionnaire, QuestionType
from .xlsform import EXTRA, ROSTER_GROUP, ROSTER_NAME, ROSTER_SHEET, SETTINGS_PREFIX

__all__ = ["SURVEY_COLUMNS", "sheets_from_questionnaire"]

SURVEY_COLUMNS = (
    "type", "name", "label", "hint", "required", "relevant", "constraint", "appearance",
    *EXTRA.values(),
)
CHOICE_COLUMNS = ("list_name", "name", "label", EXTRA["chart_label"])
_TYPES = {
    QuestionType.SINGLE: "select_one", QuestionType.MULTI: "select_multiple", QuestionType.TEXT: "text",
    QuestionType.DATE: "date",
}


def sheets_from_questionnaire(q: Questionnaire) -> dict[str, list[list[str]]]:
    """Sheet name -> rows (the first is the header), in the order they are written."""
    writer = _Writer(q)
    return {
        "survey": [list(writer.columns), *writer.survey()],
        "choices": [list(CHOICE_COLUMNS), *writer.choices()],
        "settings": writer.settings(),
        ROSTER_SHEET: [[ROSTER_GROUP, ROSTER_NAME], *([group, name] for group, name in q.departments)],
    }


def _part(when: Condition) -> Condition:
    """What must hold for a question a skip passes over to be asked."""
    return when.operand if isinstance(when, Not) else Not(when)


class _Writer:
    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        # repeat_count only when the form has a repeat: this year's workbook stays as it was
        has_repeat = any(question.type is QuestionType.REPEAT for question in q.questions)
        self.columns = SURVEY_COLUMNS + (("repeat_count",) if has_repeat else ())
        self.names: dict[Ref, str] = {}
        for question in q.questions:
            self.names[Ref(question.id)] = question.id
            for row in question.rows:
                self.names[Ref(question.id, row.id)] = question.row_variable(row)
        # Each question's relevant: one part for every skip that passes over it.
        self.parts: dict[str, list[str]] = {question.id: [] for question in q.questions}
        for skip in sorted(q.skips, key=lambda s: (q.position(s.at), q.position(s.to))):
            for qid in q.ids[q.position(skip.at) + 1 : q.position(skip.to)]:
                self.parts[qid].append(self.expression(_part(skip.when)))

    def expression(self, condition: Condition) -> str:
        return to_xlsform(condition, lambda ref: self.names[ref])

    def row(self, **cells: str) -> list[str]:
        return [cells.get(column, "") for column in self.columns]

    def survey(self) -> list[list[str]]:
        out: list[list[str]] = []
        for i, note in enumerate(self.q.meta.get("notes", []) or [], start=1):
            out.append(self.row(type="note", name=f"form_note_{i}", label=str(note)))
        section = None
        for question in self.q.questions:
            if question.section != section:
                if section is not None:
                    out.append(self.row(type="end_group"))
                section = question.section
                if section is not None:
                    heading = self.q.section(section)
                    out.append(self.row(type="begin_group", name=section, label=heading.title if heading else section))
            out += self.question(question)
        if section is not None:
            out.append(self.row(type="end_group"))
        return out

    def extras(self, question: Question) -> dict[str, str]:
        skips = sorted(self.q.skips_at(question.id), key=lambda s: self.q.position(s.to))
        checks = self.q.checks_at(question.id)
        if len(checks) > 1:
            raise ValueError(f"{question.id}: XLSForm の 1 行に置ける点検は一つです（{len(checks)} 件あります）。")
        cells = {
            EXTRA["number"]: question.label if question.label != question.id else "",
            EXTRA["chart_title"]: question.short_title,
            EXTRA["skip_note"]: "\n".join(s.note for s in skips) if any(s.note for s in skips) else "",
            EXTRA["judgement"]: "yes" if any(s.respondent_judgement for s in skips) else "",
            EXTRA["on_blank"]: question.on_blank or "",
            EXTRA["text_instruction"]: question.text_instruction,
            "hint": "\n".join(question.notes),
            "relevant": " and ".join(self.parts[question.id]),
        }
        if checks:
            cells[EXTRA["warn_if"]] = self.expression(checks[0].when)
            cells[EXTRA["warn_message"]] = checks[0].message
        return cells

    def question(self, question: Question) -> list[list[str]]:
        required = "yes" if question.required else ""
        extras = self.extras(question)
        if question.type is QuestionType.MATRIX:
            rows = [self.row(type="begin_group", name=question.id, label=question.text, appearance="table-list", **extras)]
            rows += [
                self.row(type=f"select_one {question.id}", name=question.row_variable(r), label=r.label,
                         required=required, **{EXTRA["chart_label"]: r.short})
                for r in question.rows
            ]
            return [*rows, self.row(type="end_group")]
        if question.type is QuestionType.COUNTS:
            rows = [self.row(type="begin_group", name=question.id, label=question.text, **extras)]
            for item in question.items:
                ceiling = question.item(item.at_most) if item.at_most else None
                rows.append(self.row(
                    type="integer", name=question.item_variable(item), label=item.label, required=required,
                    constraint=f". <= ${{{question.item_variable(ceiling)}}}" if ceiling else "",
                    **{EXTRA["unit"]: item.unit},
                ))
            return [*rows, self.row(type="end_group")]
        if question.type is QuestionType.NUMBER:
            return [self.number(question, required, extras)]
        if question.type is QuestionType.REPEAT:
            count = question.repeat_count
            rows = [self.row(
                type="begin_repeat", name=question.id, label=question.text, required=required,
                repeat_count="" if count is None else str(count) if isinstance(count, int) else f"${{{count}}}", **extras,
            )]
            for f in question.fields:
                cells = {
                    "hint": "\n".join(f.notes),
                    "relevant": to_xlsform(f.relevant, lambda ref: ref.question) if f.relevant else "",
                }
                if f.type is QuestionType.NUMBER:
                    rows.append(self.number(f, "yes" if f.required else "", cells))
                else:
                    kind = _TYPES[f.type]
                    rows.append(self.row(
                        type=f"{kind} {f.id}" if f.options else kind, name=f.id, label=f.text,
                        required="yes" if f.required else "", **cells,
                    ))
            return [*rows, self.row(type="end_repeat")]
        kind = _TYPES[question.type]
        rows = [self.row(
            type=f"{kind} {question.id}" if question.options else kind,
            name=question.id, label=question.text, required=required, **extras,
        )]
        for box in question.text_boxes:
            var = "${" + question.id + "}"
            relevant = (
                f"selected({var}, '{box.option}')" if question.type is QuestionType.MULTI else f"{var} = '{box.option}'"
            )
            rows.append(self.row(type="text", name=question.box_variable(box.option), label=box.prompt, relevant=relevant))
        return rows

    def number(self, question: Question, required: str, extras: dict[str, str]) -> list[str]:
        """An integer / decimal row (a question or a repeat's field): unit, bounds, ceiling."""
        bounds = [f". >= {question.minimum}" if question.minimum is not None else "",
                  f". <= {question.maximum}" if question.maximum is not None else "",
                  f". <= ${{{question.at_most}}}" if question.at_most else ""]
        return self.row(
            type="decimal" if question.decimal else "integer", name=question.id, label=question.text,
            required=required, constraint=" and ".join(b for b in bounds if b), **{EXTRA["unit"]: question.unit},
            **extras,
        )

    def choices(self) -> list[list[str]]:
        return [
            [owner.id, str(option.code), option.label, option.short]
            for question in self.q.questions
            for owner in (question, *question.fields)
            for option in owner.options
        ]

    def settings(self) -> list[list[str]]:
        meta = self.q.meta
        extra = {
            f"{SETTINGS_PREFIX}{key}": value
            for key, value in meta.items()
            if key not in ("id", "title", "version", "notes") and isinstance(value, str)
        }
        header = ["form_id", "form_title", "version", *extra]
        return [header, [self.q.id, self.q.title, str(meta.get("version", "")), *extra.values()]]
