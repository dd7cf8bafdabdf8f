"""Read a questionnaire from an XLSForm workbook's cells (pure: the cells come from an adapter).

The workbook is the XLSForm standard (ODK, KoboToolbox): sheets ``survey``, ``choices`` and
``settings``; chosho's own needs are extra columns named ``chosho_…`` (``EXTRA``), and the
roster is a sheet ``所属一覧`` (columns 部局, 所属). What the workbook says becomes the same
definition a TOML file gives (``parse_definition``), so both loaders give one ``Questionnaire``.

How XLSForm maps onto chosho:

- ``select_one L`` / ``select_multiple L`` / ``text``: a question; ``label`` its text, ``hint``
  its notes (one a line), ``required`` yes/no;
- a ``text`` row right after a select, relevant exactly when one option is chosen
  (``selected(${Q3}, '5')`` or ``${Q5} = '2'``), is that option's free-text box;
- ``begin_group`` … ``end_group`` with ``appearance`` ``table-list`` of ``select_one`` rows
  sharing one list: a matrix (each row's ``name`` its variable); a group of ``integer`` rows: a
  counts question (``. <= ${other}`` as ``constraint`` caps an item); any other group: a section
  (its ``label`` the heading);
- ``relevant``: each part joined by ``and`` that a run of consecutive questions shares is one
  skip, from the question before the run to the one after it (the paper's "※ …に進んでください");
- ``begin_repeat`` … ``end_repeat``: a table of rows (one per contract…); each row inside is a
  field (``select_one``, ``select_multiple``, ``text``, ``integer``, ``decimal``, ``date``), whose
  ``relevant`` and ``constraint`` (bounds, ``. <= ${other}``) may name the row's earlier fields;
  ``repeat_count`` a number or ``${an earlier integer}``;
- ``note`` rows before the first question: the form's notes; after a question: its notes.

Every problem is collected with where it is in Excel's words (``survey シートの 12 行目
relevant 列: …``), so the author fixes them all in one pass.
"""

from __future__ import annotations

import re

from collections import Counter
from dataclasses import dataclass, field

from .conditions import (
    All,
    Compare,
    Condition,
    ConditionSyntaxError,
    Count,
    Not,
    Reference,
    Ref,
    comparisons,
    format_condition,
    parse_xlsform,
)
from .errors import DefinitionError
from .loader import SCHEMA_VERSION, parse_definition
from .model import CHOOSE_ROUTE, Questionnaire
from .xlsform_sheets import (
    EXTRA,
    FIELD_TYPES,
    NO,
    QUESTION_TYPES,
    ROSTER_GROUP,
    ROSTER_NAME,
    ROSTER_SHEET,
    ROW_KINDS,
    SETTINGS_COLUMNS,
    SETTINGS_PREFIX,
    SURVEY_COLUMNS,
    YES,
    Cells,
    SheetNode,
    SheetReader,
    SheetRow,
)

__all__ = ["EXTRA", "ROSTER_SHEET", "Cells", "definition_from_cells", "questionnaire_from_cells"]


@dataclass
class _Question:
    """A question as read, before its definition entry is written."""

    node: SheetNode
    kind: str  # single, multi, text, matrix, counts
    section: str | None
    relevant: list[tuple[SheetRow, str]]  # (row, text): its own and its section's
    entry: dict = field(default_factory=dict)
    boxes: list[tuple[SheetNode, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.node.name


def definition_from_cells(cells: Cells, source: str = "<workbook>") -> tuple[dict, dict[str, str]]:
    """The TOML-shaped definition of an XLSForm workbook, and where each question is.

    Raises DefinitionError listing every problem, each with its sheet, row and column.
    """
    reader = SheetReader(cells)
    builder = _Builder(reader)
    data = builder.build()
    if reader.problems:
        problems = list(dict.fromkeys(reader.problems))  # a group's relevant is read for each question
        raise DefinitionError(source, sorted(problems, key=_place))
    return data, builder.located


_SHEET_ORDER = ("ブック", "survey", "choices", "settings", ROSTER_SHEET)


_CEILING = re.compile(r"\.\s*<=\s*\$\{(?P<name>[^}]*)\}")
_BOUND = re.compile(r"\.\s*(?P<op>>=|<=)\s*(?P<bound>-?[0-9]+(?:\.[0-9]+)?)")


def _place(problem: str) -> tuple[int, int]:
    """Problems in the order of the workbook: sheet by sheet, row by row."""
    sheet, _, rest = problem.partition(" シート")
    rank = _SHEET_ORDER.index(sheet) if sheet in _SHEET_ORDER else len(_SHEET_ORDER)
    row = rest.removeprefix("の ").partition(" 行目")[0]
    return rank, int(row) if row.isdigit() else 0


def questionnaire_from_cells(cells: Cells, source: str = "<workbook>") -> Questionnaire:
    data, located = definition_from_cells(cells, source)
    try:
        return parse_definition(data, source=source)
    except DefinitionError as exc:
        raise DefinitionError(source, [_locate(p, located) for p in exc.problems]) from exc


def _locate(problem: str, located: dict[str, str]) -> str:
    """The TOML builder names a question; the author wants its row."""
    head, sep, rest = problem.partition(": ")
    name = head.removeprefix("分岐（").removeprefix("点検（").removesuffix("）")
    return f"{located[name]}（{name}）: {rest}" if sep and name in located else problem


_OPPOSITE = {"=": "!=", "!=": "="}


def _negation(part: Condition) -> Condition:
    """When to skip the questions that ``part`` makes relevant: ``${B} != '2'`` is ``B = 2``."""
    if isinstance(part, Not):
        return part.operand
    if isinstance(part, Compare) and part.op in _OPPOSITE:
        return Compare(part.ref, _OPPOSITE[part.op], part.codes)
    return Not(part)


class _Builder:
    def __init__(self, reader: SheetReader) -> None:
        self.r = reader
        self.located: dict[str, str] = {}

    def fail(self, where: str, message: str) -> None:
        self.r.fail(where, message)

    def build(self) -> dict:
        r = self.r
        extras = set(EXTRA.values())
        survey_rows = r.sheet("survey", SURVEY_COLUMNS | extras)
        choice_rows = r.sheet("choices", {"list_name", "name", "label", EXTRA["chart_label"]}, required=False)
        settings_rows = r.sheet("settings", SETTINGS_COLUMNS)
        roster_rows = r.sheet(ROSTER_SHEET, {ROSTER_GROUP, ROSTER_NAME})
        lists = r.choices(choice_rows)
        survey = self.settings(settings_rows)
        sections: list[dict] = []
        questions = self.questions(r.tree(survey_rows), lists, sections, survey)
        references = self.references(questions)
        self.find_boxes(questions, references)
        questions = [q for q in questions if q.kind != "box"]
        order = {q.id: i for i, q in enumerate(questions)}
        skips = self.skips(questions, references, order)
        checks = self.checks(questions, references, order)
        for q in questions:
            self.located[q.id] = q.node.row.at()
        return {
            "schema": SCHEMA_VERSION,
            "survey": survey,
            "sections": sections,
            "questions": [q.entry for q in questions],
            "skips": skips,
            "checks": checks,
            "roster": self.roster(roster_rows),
        }

    # -- settings and roster ---------------------------------------------------------------
    def settings(self, rows: list[SheetRow]) -> dict:
        if not rows:
            self.fail("settings シート", "2 行目に form_id と form_title を書いてください。")
            return {}
        row = rows[0]
        survey: dict = {"id": row.get("form_id"), "title": row.get("form_title")}
        for column in ("form_id", "form_title"):
            if not row.get(column):
                self.fail(row.at(column), f"{column} が空です。")
        if row.get("version"):
            survey["version"] = row.get("version")
        for column, value in row.cells.items():
            key = column.removeprefix(SETTINGS_PREFIX)
            if column == key:
                continue
            if key in ("id", "title", "version", "notes"):
                self.fail(row.at(column), f"{column} は使えません（form_id、form_title、version、note の行で書きます）。")
                continue
            survey[key] = value
        return survey

    def roster(self, rows: list[SheetRow]) -> list[dict]:
        groups: list[dict] = []
        where_group: dict[str, int] = {}
        for row in rows:
            group, name = row.get(ROSTER_GROUP), row.get(ROSTER_NAME)
            if not group or not name:
                self.fail(row.at(ROSTER_GROUP if not group else ROSTER_NAME), "部局と所属の両方を書いてください。")
                continue
            if groups and groups[-1]["group"] == group:
                groups[-1]["departments"].append(name)
                continue
            if group in where_group:
                self.fail(row.at(ROSTER_GROUP), f"部局「{group}」の所属は続けて並べてください（{where_group[group]} 行目から始まっています）。")
                continue
            where_group[group] = row.number
            groups.append({"group": group, "departments": [name]})
        if not groups and not self.r.problems:
            self.fail(f"{ROSTER_SHEET} シート", "所属が一つもありません。")
        return groups

    # -- questions -------------------------------------------------------------------------
    def questions(self, nodes: list[SheetNode], lists: dict, sections: list[dict], survey: dict) -> list[_Question]:
        out: list[_Question] = []
        form_notes: list[str] = []

        def walk(items: list[SheetNode], section: str | None, inherited: list[tuple[SheetRow, str]]) -> None:
            for node in items:
                kind = ROW_KINDS[node.type]
                relevant = inherited + ([(node.row, node.row.get("relevant"))] if node.row.get("relevant") else [])
                if kind == "note":
                    text = node.row.get("label")
                    if not text:
                        self.fail(node.row.at("label"), "note に label がありません。")
                    elif out:
                        out[-1].notes.append(text)  # after a question: that question's note
                    else:
                        form_notes.append(text)  # before the first question: the form's
                elif kind == "begin":
                    group_kind = self.group_kind(node)
                    if group_kind == "section":
                        if section is not None:
                            self.fail(node.row.at("type"), "見出しのグループの中に見出しのグループは置けません。")
                            continue
                        sections.append({"id": node.name, "title": node.row.get("label") or node.name})
                        walk(node.children, node.name, relevant)
                    elif group_kind == "repeat":
                        out.append(self.repeat(node, section, relevant, lists))
                    elif group_kind:
                        out.append(self.question(node, group_kind, section, relevant, lists))
                elif kind == "integer":  # a number of its own: an amount, km, 件 (a group of them is counts)
                    out.append(self.question(node, "number", section, relevant, lists))
                else:
                    out.append(self.question(node, QUESTION_TYPES[node.type], section, relevant, lists))

        walk(nodes, None, [])
        if form_notes:
            survey["notes"] = form_notes
        for q in out:
            if q.notes:
                q.entry.setdefault("notes", []).extend(q.notes)
        names = Counter(q.id for q in out)
        for q in out:
            if names[q.id] > 1:
                self.fail(q.node.row.at("name"), f"name「{q.id}」が {names[q.id]} 回使われています。")
        return out

    def group_kind(self, node: SheetNode) -> str | None:
        children = node.children
        if not children:
            self.fail(node.row.at("type"), f"グループ「{node.name}」に中身がありません。")
            return None
        if node.type == "begin_repeat":
            return "repeat"
        if "table-list" in node.row.get("appearance"):
            lists = {c.argument for c in children if c.type == "select_one"}
            if any(c.type != "select_one" for c in children) or len(lists) != 1:
                self.fail(
                    node.row.at("appearance"),
                    "table-list のグループ（表形式の問い）には、同じリストの select_one の行だけを置いてください。",
                )
                return None
            return "matrix"
        if all(c.type == "integer" for c in children):
            return "counts"
        return "section"

    def question(self, node: SheetNode, kind: str, section: str | None, relevant: list, lists: dict) -> _Question:
        row = node.row
        entry: dict = {"id": node.name, "label": row.get(EXTRA["number"]) or node.name, "type": kind}
        if not (node.name.isascii() and node.name.replace("_", "").isalnum() and node.name[0].isalpha()):
            self.fail(row.at("name"), f"name「{node.name}」は英字で始まる半角英数字と _ にしてください。")
        entry["text"] = row.get("label")
        if not entry["text"]:
            self.fail(row.at("label"), f"{node.name} に label（問いの文）がありません。")
        if section:
            entry["section"] = section
        required = self.required(row) if kind != "counts" else any(self.required(c.row) for c in node.children)
        if kind == "matrix":
            required = any(self.required(c.row) for c in node.children) or required
        entry["required"] = required
        if row.get(EXTRA["on_blank"]):
            entry["on_blank"] = row.get(EXTRA["on_blank"])
            if entry["on_blank"] != CHOOSE_ROUTE:
                self.fail(row.at(EXTRA["on_blank"]), f"書けるのは {CHOOSE_ROUTE} だけです。")
        if row.get("hint"):
            entry["notes"] = row.get("hint").splitlines()
        if row.get(EXTRA["chart_title"]):
            entry["short_title"] = row.get(EXTRA["chart_title"])
        if row.get(EXTRA["text_instruction"]):
            entry["text_instruction"] = row.get(EXTRA["text_instruction"])
        if kind == "number":
            entry.update(self.number(row, node.type == "decimal"))
        elif row.get("constraint") and kind != "counts":
            self.fail(row.at("constraint"), "chosho が読む constraint は人数の項目の「. <= ${項目}」と数値の範囲だけです。")
        list_name = node.argument if kind in ("single", "multi") else node.children[0].argument if kind == "matrix" else ""
        if list_name:
            if list_name not in lists:
                self.fail(row.at("type") if kind != "matrix" else node.children[0].row.at("type"),
                          f"リスト「{list_name}」が choices シートにありません。")
            entry["options"] = lists.get(list_name, [])
        if kind == "matrix":
            entry["rows"] = [self.member(node, child, "row") for child in node.children]
        if kind == "counts":
            entry["items"] = [self.member(node, child, "item") for child in node.children]
            self.ceilings(node, entry["items"])
        return _Question(node, kind, section, relevant, entry)

    def number(self, row: SheetRow, decimal: bool, siblings: set[str] | None = None) -> dict:
        """An integer / decimal row: its unit (``chosho_unit``) and its bounds from ``constraint``
        (``. >= 0``, ``. <= 99999999``, joined by ``and``), as the TOML's ``min`` / ``max``; in a
        repeat (``siblings``: its fields' names) also ``. <= ${other field}``, as ``at_most``."""
        out: dict = {"decimal": decimal}
        if row.get(EXTRA["unit"]):
            out["unit"] = row.get(EXTRA["unit"])
        constraint = row.get("constraint").strip()
        for part in filter(None, (p.strip() for p in re.split(r"\band\b", constraint))):
            match = _BOUND.fullmatch(part)
            ceiling = _CEILING.fullmatch(part)
            if ceiling and siblings is not None:
                if ceiling["name"] not in siblings or ceiling["name"] == row.get("name"):
                    self.fail(row.at("constraint"), f"${{{ceiling['name']}}} は同じ表の別の列ではありません。")
                out["at_most"] = ceiling["name"]
                continue
            if not match:
                self.fail(row.at("constraint"), f"「{part}」は読めません。数値の constraint は「. >= 0」「. <= 99999999」"
                          "のように書き、二つは and でつなぎます。")
                continue
            out["min" if match["op"] == ">=" else "max"] = match["bound"]
        return out

    def repeat(self, node: SheetNode, section: str | None, relevant: list, lists: dict) -> _Question:
        """A ``begin_repeat`` group: a table of rows, each child row one of its fields."""
        q = self.question(node, "repeat", section, relevant, lists)
        count = node.row.get("repeat_count").strip()
        if count:
            if count.isdigit():
                q.entry["repeat_count"] = int(count)
            elif count.startswith("${") and count.endswith("}"):
                q.entry["repeat_count"] = count[2:-1].strip()
            else:
                self.fail(node.row.at("repeat_count"), f"repeat_count「{count}」は行数（数字）か ${{問いの name}} にしてください。")
        names = {child.name for child in node.children}
        references: dict[str, Reference] = {}
        fields = []
        for child in node.children:
            kind = FIELD_TYPES.get(child.type)
            if kind is None:
                self.fail(child.row.at("type"), f"表（repeat）の中に {child.type} は置けません（置けるのは {'、'.join(FIELD_TYPES)}）。")
                continue
            field = self.field(child, kind, lists, names, references)
            fields.append(field)
            codes = tuple(o["code"] for o in field.get("options", []))
            references[child.name] = Reference(Ref(child.name), kind, codes)
        q.entry["fields"] = fields
        return q

    def field(self, child: SheetNode, kind: str, lists: dict, names: set[str], earlier: dict) -> dict:
        row = child.row
        entry: dict = {"id": child.name, "type": kind, "text": row.get("label")}
        if not (child.name.isascii() and child.name.replace("_", "").isalnum() and child.name[0].isalpha()):
            self.fail(row.at("name"), f"name「{child.name}」は英字で始まる半角英数字と _ にしてください。")
        if not entry["text"]:
            self.fail(row.at("label"), f"{child.name} に label（列の見出し）がありません。")
        entry["required"] = self.required(row)
        if row.get("hint"):
            entry["notes"] = row.get("hint").splitlines()
        if kind == "number":
            entry.update(self.number(row, child.type == "decimal", names))
        elif row.get("constraint"):
            self.fail(row.at("constraint"), "constraint は数値の列にだけ置けます。")
        if kind in ("single", "multi"):
            if child.argument not in lists:
                self.fail(row.at("type"), f"リスト「{child.argument}」が choices シートにありません。")
            entry["options"] = lists.get(child.argument, [])
        text = row.get("relevant")
        if text:
            try:
                condition = parse_xlsform(text, earlier.get)
            except ConditionSyntaxError as exc:
                self.fail(row.at("relevant"), f"{text} … {exc}（表の中の relevant は同じ行の前の列だけを参照できます）")
            else:
                entry["relevant"] = format_condition(condition)
        return entry

    def required(self, row: SheetRow) -> bool:
        value = row.get("required").lower()
        if value not in YES | NO:
            self.fail(row.at("required"), f"required は yes か空欄にしてください（「{row.get('required')}」）。")
        return value in YES

    def member(self, group: SheetNode, child: SheetNode, what: str) -> dict:
        """A matrix row or a counts item: its id is its name without the group's ``name_``."""
        row = child.row
        prefix = f"{group.name}_"
        member_id = child.name.removeprefix(prefix) if child.name.startswith(prefix) else child.name
        entry: dict = {"id": member_id, "label": row.get("label")}
        if not entry["label"]:
            self.fail(row.at("label"), f"{child.name} に label がありません。")
        if child.name != f"{prefix}{member_id}":
            entry["name"] = child.name
        if what == "row" and row.get(EXTRA["chart_label"]):
            entry["short"] = row.get(EXTRA["chart_label"])
        if what == "item" and row.get(EXTRA["unit"]):
            entry["unit"] = row.get(EXTRA["unit"])
        if row.get("relevant"):
            self.fail(row.at("relevant"), "表や人数のグループの中の行には relevant を置けません（グループの行に置いてください）。")
        return entry

    def ceilings(self, group: SheetNode, items: list[dict]) -> None:
        names = {child.name: item["id"] for child, item in zip(group.children, items)}
        for child, item in zip(group.children, items):
            constraint = child.row.get("constraint").replace(" ", "")
            if not constraint:
                continue
            target = constraint.removeprefix(".<=${").removesuffix("}")
            if not constraint.startswith(".<=${") or not constraint.endswith("}"):
                self.fail(child.row.at("constraint"), "chosho が読む constraint は「. <= ${同じグループの項目}」だけです。")
            elif target not in names or target == child.name:
                self.fail(child.row.at("constraint"), f"${{{target}}} は同じグループの別の項目ではありません。")
            else:
                item["at_most"] = names[target]

    # -- expressions -----------------------------------------------------------------------
    def references(self, questions: list[_Question]) -> dict[str, tuple[Reference, str]]:
        """What each ``${name}`` stands for, and the question it belongs to."""
        out: dict[str, tuple[Reference, str]] = {}
        for q in questions:
            codes = tuple(o["code"] for o in q.entry.get("options", []))
            if q.kind in ("single", "multi"):
                out[q.id] = (Reference(Ref(q.id), q.kind, codes), q.id)
            elif q.kind == "matrix":
                for child, row in zip(q.node.children, q.entry["rows"]):
                    out[child.name] = (Reference(Ref(q.id, row["id"]), "single", codes), q.id)
            elif q.kind == "counts":
                for child in q.node.children:
                    out[child.name] = (Reference(Ref(q.id), "counts"), q.id)
            else:
                out[q.id] = (Reference(Ref(q.id), q.kind), q.id)
        return out

    def parse(self, row: SheetRow, column: str, text: str, references: dict) -> Condition | None:
        try:
            return parse_xlsform(text, lambda name: references.get(name, (None,))[0])
        except ConditionSyntaxError as exc:
            self.fail(row.at(column), f"{text} … {exc}")
            return None

    def find_boxes(self, questions: list[_Question], references: dict) -> None:
        """A text row right after a select (or its boxes), relevant exactly when one of its
        options is chosen, is that option's box."""
        owner: _Question | None = None
        for q in questions:
            if q.kind in ("single", "multi"):
                owner = q
                continue
            own = q.node.row.get("relevant")
            if q.kind != "text" or owner is None or not own:
                owner = None
                continue
            condition = self.quiet_parse(own, references)
            op = "has" if owner.kind == "multi" else "="
            if not (isinstance(condition, Compare) and condition.ref == Ref(owner.id) and condition.op == op):
                owner = None
                continue
            code = condition.codes[0]
            if any(b["option"] == code for b in owner.entry.get("text_boxes", [])):
                self.fail(q.node.row.at("relevant"), f"{owner.id} の選択肢 {code} の記入欄が二つあります。")
            box: dict = {"option": code, "prompt": q.entry["text"]}
            if q.id != f"{owner.id}_{code}_text":
                box["name"] = q.id
            owner.entry.setdefault("text_boxes", []).append(box)
            q.kind = "box"
            del references[q.id]

    @staticmethod
    def quiet_parse(text: str, references: dict) -> Condition | None:
        try:
            return parse_xlsform(text, lambda name: references.get(name, (None,))[0])
        except ConditionSyntaxError:
            return None

    def earlier_only(self, row: SheetRow, column: str, condition: Condition, references: dict, order: dict, here: int) -> bool:
        ok = True
        for compare in comparisons(condition):
            asked = order.get(compare.ref.question)
            if asked is None or asked >= here:
                name = next((n for n, (ref, _) in references.items() if ref.ref == compare.ref), compare.ref.question)
                self.fail(row.at(column), f"${{{name}}} はこの問いより後ろ（またはこの問い自身）です。{column} は前の問いだけを参照できます。")
                ok = False
        return ok

    def skips(self, questions: list[_Question], references: dict, order: dict) -> list[dict]:
        """Each part of a relevant (joined by ``and``) shared by consecutive questions is a skip
        over them, from the question before to the one after."""
        parts_of: list[dict[str, Condition]] = []
        for i, q in enumerate(questions):
            parts: dict[str, Condition] = {}
            for row, text in q.relevant:
                condition = self.parse(row, "relevant", text, references)
                if condition is None or not self.earlier_only(row, "relevant", condition, references, order, i):
                    continue
                if any(isinstance(c, Count) for c in comparisons(condition)):
                    self.fail(row.at("relevant"), "count-selected は relevant には使えません（chosho_warn_if に使えます）。")
                    continue
                for part in condition.operands if isinstance(condition, All) else (condition,):
                    parts[format_condition(part)] = part
            parts_of.append(parts)
        skips: list[tuple[int, int, dict]] = []
        for i, parts in enumerate(parts_of):
            for key, part in parts.items():
                if i > 0 and key in parts_of[i - 1]:
                    continue  # the run started earlier
                end = i
                while end + 1 < len(questions) and key in parts_of[end + 1]:
                    end += 1
                row = questions[i].node.row
                if i == 0:
                    self.fail(row.at("relevant"), "最初の問いには relevant を置けません（飛ばす元になる前の問いがありません）。")
                    continue
                if end == len(questions) - 1:
                    self.fail(row.at("relevant"), "最後の問いまで続く relevant は読めません（飛び先になる後ろの問いを置いてください）。")
                    continue
                when = _negation(part)
                skips.append((i - 1, end + 1, {"at": questions[i - 1].id, "when": format_condition(when), "to": questions[end + 1].id}))
        skips.sort(key=lambda s: (s[0], s[1]))
        for q in questions:
            mine = [s for _, _, s in skips if s["at"] == q.id]
            row = q.node.row
            note = row.get(EXTRA["skip_note"])
            if note:
                lines = note.splitlines()
                if len(lines) != len(mine):
                    self.fail(
                        row.at(EXTRA["skip_note"]),
                        f"{q.id} から飛ぶ分岐は {len(mine)} 件です。注記は分岐ごとに 1 行（飛び先の順）で書いてください。",
                    )
                for skip, line in zip(mine, lines):
                    skip["note"] = line
            if row.get(EXTRA["judgement"]):
                if not mine:
                    self.fail(row.at(EXTRA["judgement"]), f"{q.id} から飛ぶ分岐（後ろの問いの relevant）がありません。")
                for skip in mine:
                    skip["respondent_judgement"] = self.required_like(row, EXTRA["judgement"])
        return [s for _, _, s in skips]

    def required_like(self, row: SheetRow, column: str) -> bool:
        value = row.get(column).lower()
        if value not in YES | NO:
            self.fail(row.at(column), f"yes か空欄にしてください（「{row.get(column)}」）。")
        return value in YES

    def checks(self, questions: list[_Question], references: dict, order: dict) -> list[dict]:
        checks = []
        for i, q in enumerate(questions):
            row = q.node.row
            text, message = row.get(EXTRA["warn_if"]), row.get(EXTRA["warn_message"])
            if not text:
                if message:
                    self.fail(row.at(EXTRA["warn_if"]), f"{EXTRA['warn_message']} がありますが、条件がありません。")
                continue
            if not message:
                self.fail(row.at(EXTRA["warn_message"]), "点検の条件に、表示する文がありません。")
            condition = self.parse(row, EXTRA["warn_if"], text, references)
            if condition is None or not self.earlier_only(row, EXTRA["warn_if"], condition, references, order, i + 1):
                continue
            checks.append({"at": q.id, "when": format_condition(condition), "message": message})
        return checks
