"""The results chapter drafted from the tallies (``chosho report``), question by question.

The numbers are the workbook's: every figure comes from ``exports.tally`` (the same Tallies and
the same whole percents as the 集計 sheet), never computed again here. The words come from the
phrase templates (``exports.report_phrases``). What is drafted is decided by the question's type
in the definition: nothing here knows a question of any form.

The draft is a list of blocks, written out as .docx (``report_docx``) or Markdown (``render_md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from survey import Question, Questionnaire, QuestionType

from .report_phrases import Phrases
from .tally import (
    INVALID,
    OUTSIDE_STATES,
    STATE_LABELS,
    DepartmentRecord,
    QuestionTally,
    Share,
    Tallies,
    answered_shares,
    by_frequency,
    choice_shares,
    matrix_shares,
    skipped_by,
)

__all__ = ["Block", "Draft", "draft_report", "render_md"]

NAMES_LISTED = 30  # departments named in one warning before 「ほか N 所属」


@dataclass(frozen=True)
class Block:
    """One piece of the draft. ``kind``: title, warning_heading, warning, note, heading, base,
    sentence, table (``rows``, the first being the header), quote_heading, quote."""

    kind: str
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()
    label: str = ""  # a heading's question label (as the definition prints it), whatever its template makes of it


@dataclass
class Draft:
    blocks: list[Block] = field(default_factory=list)
    phrases: Phrases | None = None

    def add(self, kind: str, text: str = "", rows: Sequence[Sequence[str]] = (), label: str = "") -> None:
        self.blocks.append(Block(kind, text, tuple(tuple(r) for r in rows), label))

    def texts(self, kind: str | None = None) -> list[str]:
        return [b.text for b in self.blocks if kind is None or b.kind == kind]

    def question(self, label: str) -> list[Block]:
        """The blocks under the heading that starts with ``label`` (for tests and previews)."""
        out, inside = [], False
        for block in self.blocks:
            if block.kind == "heading":
                inside = block.label == label
                continue
            if inside:
                out.append(block)
        return out


def _plain(label: str) -> str:
    """An option as the report quotes it: without its closing 「。」."""
    return label.rstrip("。．.")


# -- warnings ---------------------------------------------------------------------------------


def _names(p: Phrases, records: Sequence[DepartmentRecord], describe) -> str:
    shown = "、".join(describe(r) for r in records[:NAMES_LISTED])
    more = len(records) - NAMES_LISTED
    return shown + (p.text("warnings", "more", count=p.number(more)) if more > 0 else "")


def _warnings(p: Phrases, records: Sequence[DepartmentRecord], tallies: Tallies) -> list[str]:
    from db import STATUS_LABELS

    found = []
    unsigned = [r for r in records if r.status not in ("reviewed", "final")]
    if unsigned:
        counts = {}
        for r in unsigned:
            counts[r.status] = counts.get(r.status, 0) + 1
        states = "・".join(f"{STATUS_LABELS[s]} {p.number(n)}" for s, n in counts.items())
        found.append(p.text(
            "warnings", "not_signed_off", count=p.number(len(unsigned)), states=states,
            names=_names(p, unsigned, lambda r: f"{r.name}（{STATUS_LABELS[r.status]}）"),
        ))
    flagged = [r for r in records if r.open_flags]
    if flagged:
        found.append(p.text(
            "warnings", "open_flags", count=p.number(sum(r.open_flags for r in flagged)),
            departments=p.number(len(flagged)),
            names=_names(p, flagged, lambda r: f"{r.name}（{p.number(r.open_flags)}件）"),
        ))
    invalid = [t for t in tallies.all() if t.states[INVALID]]
    if invalid:
        items = "、".join(
            p.text("warnings", "invalid_item", label=t.question.label, count=p.number(t.states[INVALID])) for t in invalid
        )
        found.append(p.text("warnings", "invalid", questions=items))
    return found


# -- one question -----------------------------------------------------------------------------


def _base(p: Phrases, questionnaire: Questionnaire, t: QuestionTally) -> str:
    line = p.text("base", "line", base=p.number(t.base)) if t.base else p.text("base", "none")
    reasons = [
        p.text("base", "reason", state=STATE_LABELS[s], count=p.number(t.states[s]))
        for s in OUTSIDE_STATES
        if t.states[s]
    ]
    if reasons:
        line += p.text("base", "excluded", reasons=p.data["base"]["reason_join"].join(reasons))
    skips = [s.note.lstrip("※　 ") for s in skipped_by(questionnaire, t.question.id) if s.note]
    if reasons and skips:
        line += "　" + "　".join(f"※ {note}" for note in skips)
    return line


def _label(share: Share) -> str:
    return _plain(share.label)


def _single(p: Phrases, t: QuestionTally) -> list[str]:
    shares = by_frequency(choice_shares(t))
    key = "item_with_count" if p.setting("single_counts") else "item"
    items = [
        p.text("single", key, option=_label(s), percent=p.percent(s.whole), count=p.number(s.count)) for s in shares
    ]
    return [p.text("single", "sentence", items=p.data["single"]["join"].join(items))]


def _multi(p: Phrases, t: QuestionTally) -> list[str]:
    chosen = [s for s in by_frequency(choice_shares(t)) if s.code is not None and s.count]
    if not chosen:
        return [p.text("multi", "none")]
    items = []
    for i, s in enumerate(chosen):
        key = "first" if i == 0 else "second" if i == 1 else "rest"
        items.append(p.text("multi", key, option=_label(s), percent=p.percent(s.whole), count=p.number(s.count)))
    return [
        p.text("multi", "sentence", items=p.data["multi"]["join"].join(items)),
        p.text("multi", "note", base=p.number(t.base)),
    ]


def _matrix(p: Phrases, t: QuestionTally) -> list[str]:
    items = []
    for row in t.question.rows:
        options = [s for s in matrix_shares(t)[row.id] if s.code is not None]
        most = max((s.count for s in options), default=0)
        if not most:
            items.append(p.text("matrix", "row_none", row=row.short_label))
            continue
        top = [s for s in options if s.count == most]
        if len(top) == 1:
            s = top[0]
            items.append(p.text("matrix", "row", row=row.short_label, option=_label(s),
                                percent=p.percent(s.whole), count=p.number(s.count)))
        else:
            names = p.data["matrix"]["tie_join"].join(
                p.text("matrix", "tie_option", option=_label(s), percent=p.percent(s.whole)) for s in top
            )
            items.append(p.text("matrix", "row_tie", row=row.short_label, options=names, count=p.number(most)))
    return [p.text("matrix", "sentence", items=p.data["matrix"]["join"].join(items))]


def _counts(p: Phrases, t: QuestionTally) -> list[str]:
    question = t.question
    items = []
    for item in question.items:
        unit = item.unit or ""
        items.append(p.text("counts", "total", item=item.label, sum=p.number(t.sums[item.id]), unit=unit,
                            filled=p.number(t.filled[item.id])))
    for item in question.items:
        if not item.at_most:
            continue
        numerator, denominator, departments = t.rate_parts.get(item.id, (0, 0, 0))
        items.append(p.text(
            "counts", "rate", item=item.label, rate=p.rate(t.rate(item.id)), numerator=p.number(numerator),
            denominator=p.number(denominator), departments=p.number(departments), unit=item.unit or "",
            ceiling=question.item(item.at_most).label,
        ))
    out = [p.text("counts", "sentence", items=p.data["counts"]["join"].join(items))]
    if any(item.at_most for item in question.items):
        out.append(p.text("counts", "rule"))
    return out


def _number_values(p: Phrases, t: QuestionTally) -> dict[str, str]:
    stats = t.number_stats()
    return {key: (p.number(value) if key == "count" else p.amount(value)) for key, value in stats.items()}


def _number(p: Phrases, t: QuestionTally) -> list[str]:
    if not t.numbers:
        return []
    stats = p.text("number", "stats", unit=t.question.unit, **_number_values(p, t))
    return [p.text("number", "sentence", stats=stats)]


def _date_range(p: Phrases, t: QuestionTally) -> tuple[str, str]:
    from survey.dates import wareki

    return p.digits(wareki(min(t.days))), p.digits(wareki(max(t.days)))


def _date(p: Phrases, t: QuestionTally) -> list[str]:
    if not t.days:
        return []
    earliest, latest = _date_range(p, t)
    span = p.text("date", "range", count=p.number(len(t.days)), earliest=earliest, latest=latest)
    return [p.text("date", "sentence", range=span)]


def _text_count(p: Phrases, t: QuestionTally) -> list[str]:
    written = next((s.count for s in answered_shares(t) if s.state == "answered"), 0)
    return [p.text("text", "count", base=p.number(t.base), written=p.number(written))]


# -- tables -----------------------------------------------------------------------------------


def _choice_table(p: Phrases, t: QuestionTally) -> list[list[str]]:
    tp = p.data["table"]
    rows = [[tp["option"], tp["count"], tp["percent"]]]
    rows += [[s.label, p.number(s.count), p.percent(s.whole)] for s in choice_shares(t)]
    if t.question.type is QuestionType.MULTI:
        rows.append([tp["base"], p.number(t.base), ""])
    else:
        rows.append([tp["total"], p.number(t.base), p.percent(100 if t.base else None)])
    return rows


def _matrix_table(p: Phrases, t: QuestionTally) -> list[list[str]]:
    by_row = matrix_shares(t)
    media = t.question.rows
    rows = [[p.data["table"]["option"]] + [m.short_label for m in media]]
    first = by_row[media[0].id] if media else []
    for k, share in enumerate(first):
        rows.append([share.label] + [
            f"{p.number(by_row[m.id][k].count)}（{p.percent(by_row[m.id][k].whole)}）" for m in media
        ])
    rows.append([p.data["table"]["total"]] + [f"{p.number(t.base)}（{p.percent(100 if t.base else None)}）"] * len(media))
    return rows


def _counts_table(p: Phrases, t: QuestionTally) -> list[list[str]]:
    tp = p.data["table"]
    rows = [[tp["item"], tp["sum"], tp["filled"], tp["numerator"], tp["denominator"], tp["departments"], tp["rate"]]]
    for item in t.question.items:
        row = [item.label, p.number(t.sums[item.id]), p.number(t.filled[item.id])]
        if item.at_most:
            numerator, denominator, departments = t.rate_parts.get(item.id, (0, 0, 0))
            row += [p.number(numerator), p.number(denominator), p.number(departments), p.rate(t.rate(item.id))]
        else:
            row += ["", "", "", ""]
        rows.append(row)
    return rows


def _number_table(p: Phrases, t: QuestionTally) -> list[list[str]]:
    tp, values, unit = p.data["table"], _number_values(p, t), t.question.unit
    rows = [[tp["item"], unit or ""], [tp["filled"], values["count"]]]
    rows += [[tp[key], values[key]] for key in ("sum", "mean", "median", "min", "max")]
    return rows


def _date_table(p: Phrases, t: QuestionTally) -> list[list[str]]:
    tp = p.data["table"]
    earliest, latest = _date_range(p, t) if t.days else ("-", "-")
    return [[tp["item"], ""], [tp["filled"], p.number(len(t.days))], [tp["earliest"], earliest], [tp["latest"], latest]]


def _text_table(p: Phrases, t: QuestionTally) -> list[list[str]]:
    tp = p.data["table"]
    rows = [["", tp["count"], tp["percent"]]]
    rows += [[s.label, p.number(s.count), p.percent(s.whole)] for s in answered_shares(t)]
    rows.append([tp["total"], p.number(t.base), p.percent(100 if t.base else None)])
    return rows


# -- texts to quote ---------------------------------------------------------------------------


def _quotes(draft: Draft, p: Phrases, question: Question, tallies: Tallies) -> None:
    entries = tallies.texts(question)
    groups: dict[int | None, list] = {}
    for entry in entries:
        groups.setdefault(entry.code, []).append(entry)
    heads: list[tuple[int | None, str]] = [(None, "")] if question.type is QuestionType.TEXT else [
        (box.option, p.text("text", "box_heading", option=_plain(o.label) if (o := question.option(box.option)) else str(box.option),
                            prompt=box.prompt))
        for box in question.text_boxes
    ]
    for code, heading in heads:
        found = groups.get(code, [])
        if not found:
            continue
        if heading:
            draft.add("quote_heading", f"{heading}（{p.number(len(found))}件）")
        for e in found:
            key = "entry" if e.chosen else "entry_not_chosen"
            draft.add("quote", p.text("text", key, text=e.text, bukyoku=e.record.bukyoku, name=e.record.name))


# -- the draft --------------------------------------------------------------------------------

def _repeat(p: Phrases, t: QuestionTally) -> list[str]:
    """A repeat: how many rows, from how many departments (its columns are tallied on the
    workbook's ``{name}_集計`` sheet)."""
    return [f"{p.number(t.table_departments)}所属から計 {p.number(t.table_rows)} 行の記入があった。"]


def _repeat_table(p: Phrases, t: QuestionTally) -> list[list[str]]:
    return [["", "行数"], ["計", p.number(t.table_rows)]]


_SENTENCES = {
    QuestionType.REPEAT: _repeat,
    QuestionType.SINGLE: _single,
    QuestionType.MULTI: _multi,
    QuestionType.MATRIX: _matrix,
    QuestionType.COUNTS: _counts,
    QuestionType.TEXT: _text_count,
    QuestionType.NUMBER: _number,
    QuestionType.DATE: _date,
}
_TABLES = {
    QuestionType.REPEAT: _repeat_table,
    QuestionType.SINGLE: _choice_table,
    QuestionType.MULTI: _choice_table,
    QuestionType.MATRIX: _matrix_table,
    QuestionType.COUNTS: _counts_table,
    QuestionType.TEXT: _text_table,
    QuestionType.NUMBER: _number_table,
    QuestionType.DATE: _date_table,
}


def draft_report(
    questionnaire: Questionnaire, records: Sequence[DepartmentRecord], phrases: Phrases, scope: str
) -> Draft:
    """The results chapter for ``records`` (their ``included`` says which are counted)."""
    p = phrases
    tallies = Tallies(questionnaire, records)
    draft = Draft(phrases=p)
    draft.add("title", p.text("document", "title", survey=questionnaire.title))
    warnings = _warnings(p, records, tallies)
    if warnings:
        draft.add("warning_heading", p.text("warnings", "heading"))
        for warning in warnings:
            draft.add("warning", warning)
    draft.add("note", p.text("document", "scope", scope=scope))
    draft.add("note", p.text("document", "tables_note"))
    for question in questionnaire.questions:
        t = tallies.question(question)
        title = question.chart_title + (p.data["question"]["multi_suffix"] if question.type is QuestionType.MULTI else "")
        draft.add("heading", p.text("question", "heading", label=question.label, title=title), label=question.label)
        draft.add("base", _base(p, questionnaire, t))
        if t.base:
            for sentence in _SENTENCES[question.type](p, t):
                draft.add("sentence", sentence)
            draft.add("table", rows=_TABLES[question.type](p, t))
        _quotes(draft, p, question, tallies)
    return draft


# -- Markdown ---------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def render_md(draft: Draft) -> str:
    lines: list[str] = []
    for block in draft.blocks:
        kind, text = block.kind, block.text
        if lines and lines[-1] and kind not in ("warning", "quote"):
            lines.append("")  # a list or a quotation ends before anything else
        if kind == "title":
            lines += [f"# {text}", ""]
        elif kind == "warning_heading":
            lines += [f"> **{text}**", ">"]
        elif kind == "warning":
            lines += ["> - " + text.replace("\n", " ")]
        elif kind == "heading":
            lines += [f"## {text}", ""]
        elif kind == "table":
            head, *body = block.rows
            lines.append("| " + " | ".join(_cell(c) for c in head) + " |")
            lines.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in body]
            lines.append("")
        elif kind == "quote_heading":
            lines += [f"**{text}**", ""]
        elif kind == "quote":
            lines.append("- " + text.replace("\n", "  \n  "))  # a line break inside the item
        else:
            lines += [text, ""]
    return "\n".join(lines).rstrip() + "\n"
