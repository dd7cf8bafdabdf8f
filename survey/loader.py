"""Read a questionnaire definition (TOML) and refuse a broken one.

Every problem found is collected, so the office editing the file sees them all at once, each
naming the question (or table) and what is wrong, in Japanese.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from .conditions import Condition, ConditionSyntaxError, Count, comparisons, parse_condition
from .errors import DefinitionError
from .numbers import NumberError, parse_number
from .model import (
    CHOOSE_ROUTE,
    FIELD_TYPES,
    MAX_ROWS,
    Check,
    Group,
    Item,
    Option,
    Question,
    Questionnaire,
    QuestionType,
    Row,
    Section,
    Skip,
    TextBox,
)

__all__ = ["DefinitionError", "load_definition", "parse_definition"]

SCHEMA_VERSION = 1

_TOP_KEYS = {"schema", "survey", "sections", "questions", "skips", "checks", "roster"}
_QUESTION_KEYS = {
    "id", "label", "type", "text", "section", "required", "on_blank", "notes", "options",
    "text_instruction", "text_boxes", "rows", "items", "short_title", "unit", "decimal", "min", "max",
    "fields", "repeat_count",
}
# A field of a repeat: a question of its own kind, with its relevance and ceiling within the row.
_FIELD_KEYS = {
    "id", "label", "type", "text", "required", "notes", "options", "unit", "decimal", "min", "max", "relevant", "at_most",
}
_SKIP_KEYS = {"at", "when", "to", "note", "respondent_judgement"}
_CHECK_KEYS = {"at", "when", "message"}
_TYPE_NAMES = "、".join(t.value for t in QuestionType)


def load_definition(path: str | Path) -> Questionnaire:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(str(path), [f"ファイルを読めません: {exc.strerror or exc}"]) from exc
    except UnicodeDecodeError as exc:
        raise DefinitionError(str(path), ["UTF-8 のテキストとして読めません。"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(str(path), [f"TOML として読めません: {exc}"]) from exc
    return parse_definition(data, source=str(path))


def parse_definition(data: dict[str, Any], source: str = "<definition>") -> Questionnaire:
    builder = _Builder()
    questionnaire = builder.build(data)
    if builder.problems:
        raise DefinitionError(source, builder.problems)
    assert questionnaire is not None
    return questionnaire


def _where(kind: str, index: int, entry: Any) -> str:
    name = entry.get("id") if isinstance(entry, dict) else None
    return str(name) if isinstance(name, str) and name else f"{kind} {index + 1} 番目"


class _Builder:
    def __init__(self) -> None:
        self.problems: list[str] = []
        # Questions that exist but are faulty: references to them are not reported again.
        self.broken: set[str] = set()

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    # -- small typed getters ---------------------------------------------------------------
    def text(self, where: str, entry: dict, key: str, *, required: bool = True) -> str:
        value = entry.get(key, None)
        if value is None:
            if required:
                self.fail(where, f"「{key}」がありません。")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(where, f"「{key}」は空でない文字列にしてください。")
            return ""
        return value

    def variable_name(self, where: str, entry: dict) -> str:
        """An optional ``name``: the variable of a row, item or box when not the usual one."""
        name = self.text(where, entry, "name", required=False)
        if name and not (name.isascii() and name.replace("_", "").isalnum() and name[0].isalpha()):
            self.fail(where, f"変数名「{name}」は英字で始まる半角英数字と _ にしてください。")
        return name

    def table_list(self, where: str, entry: dict, key: str) -> list[dict]:
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(where, f"「{key}」は表の並び（[[{key}]] か {{…}} のリスト）にしてください。")
            return []
        return value

    def unknown_keys(self, where: str, entry: dict, allowed: set[str]) -> None:
        for key in entry:
            if key not in allowed:
                self.fail(where, f"不明な項目「{key}」があります（綴りを確かめてください）。")

    # -- the whole file --------------------------------------------------------------------
    def build(self, data: dict[str, Any]) -> Questionnaire | None:
        self.unknown_keys("定義", data, _TOP_KEYS)
        if data.get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
            self.fail("定義", f"schema = {data.get('schema')!r} には対応していません（{SCHEMA_VERSION} のみ）。")
        survey = data.get("survey", {})
        if not isinstance(survey, dict):
            self.fail("[survey]", "表にしてください。")
            survey = {}
        survey_id = self.text("[survey]", survey, "id")
        title = self.text("[survey]", survey, "title")

        sections = self.sections(self.table_list("定義", data, "sections"))
        raw_questions = self.table_list("定義", data, "questions")
        if not raw_questions:
            self.fail("定義", "設問（[[questions]]）が一つもありません。")
        questions = [self.question(i, q, sections) for i, q in enumerate(raw_questions)]
        ids = [q.id for q in questions if q is not None]
        for qid, count in Counter(ids).items():
            if count > 1:
                self.fail(qid, f"設問番号 {qid} が {count} 回使われています。")
        usable = tuple(q for q in questions if q is not None)
        variables = Counter(v for q in usable for v in q.variables)
        for name, count in variables.items():
            if count > 1:
                self.fail(name, f"変数名 {name} が {count} 回使われています（回答一覧の列名は一つずつにしてください）。")
        order = {q.id: i for i, q in reversed(list(enumerate(usable)))}
        by_id = {q.id: q for q in usable}
        self.repeats(usable, order)

        skips = tuple(
            s for i, raw in enumerate(self.table_list("定義", data, "skips"))
            if (s := self.skip(i, raw, by_id, order)) is not None
        )
        checks = tuple(
            c for i, raw in enumerate(self.table_list("定義", data, "checks"))
            if (c := self.check(i, raw, by_id, order)) is not None
        )
        roster = self.roster(self.table_list("定義", data, "roster"))
        if self.problems:
            return None
        return Questionnaire(
            id=survey_id,
            title=title,
            questions=usable,
            sections=tuple(sections.values()),
            skips=skips,
            checks=checks,
            roster=roster,
            meta=dict(survey),
        )

    def sections(self, raw: list[dict]) -> dict[str, Section]:
        sections: dict[str, Section] = {}
        for i, entry in enumerate(raw):
            where = f"[[sections]] {_where('見出し', i, entry)}"
            self.unknown_keys(where, entry, {"id", "title"})
            sid, title = self.text(where, entry, "id"), self.text(where, entry, "title")
            if sid in sections:
                self.fail(where, f"見出し {sid} が重複しています。")
            elif sid:
                sections[sid] = Section(sid, title)
        return sections

    # -- questions -------------------------------------------------------------------------
    def question(
        self, index: int, entry: dict, sections: dict[str, Section], *, within: str | None = None
    ) -> Question | None:
        """A question, or (``within`` the repeat's id) a field of a repeat."""
        where = _where("設問", index, entry) if within is None else f"{within} の列 {_where('', index, entry).strip()}"
        before = len(self.problems)
        self.unknown_keys(where, entry, _QUESTION_KEYS if within is None else _FIELD_KEYS)
        qid = self.text(where, entry, "id")
        if qid and not (qid.isascii() and qid.replace("_", "").isalnum() and qid[0].isalpha()):
            self.fail(where, "「id」は英字で始まる半角英数字にしてください（例: Q1）。")
        type_name = entry.get("type")
        try:
            qtype = QuestionType(type_name)
        except ValueError:
            self.fail(where, f"種類「{type_name}」は不明です（{_TYPE_NAMES} のいずれか）。")
            qtype = None
        text = self.text(where, entry, "text")
        label = self.text(where, entry, "label", required=False) or qid
        section = entry.get("section")
        if section is not None and section not in sections:
            self.fail(where, f"見出し「{section}」は [[sections]] にありません。")
        required = entry.get("required", True)
        if not isinstance(required, bool):
            self.fail(where, "「required」は true か false にしてください。")
        on_blank = entry.get("on_blank")
        if on_blank is not None and on_blank != CHOOSE_ROUTE:
            self.fail(where, f"「on_blank」は \"{CHOOSE_ROUTE}\" だけが使えます。")
        if on_blank is not None and qtype is not QuestionType.SINGLE:
            self.fail(where, "「on_blank」は単一回答（single）の設問にだけ使えます。")
        notes = entry.get("notes", [])
        if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
            self.fail(where, "「notes」は文字列のリストにしてください。")
            notes = []

        options = self.options(where, entry, qtype)
        text_boxes = self.text_boxes(where, entry, options)
        rows = self.rows(where, entry, qtype)
        items = self.items(where, entry, qtype)
        number = self.number(where, entry, qtype)
        repeat = self.repeat(where, entry, qtype, sections) if within is None else {}
        if within is not None:
            if qtype is not None and qtype not in FIELD_TYPES:
                kinds = "、".join(t.value for t in FIELD_TYPES)
                self.fail(where, f"表の列に{qtype.label}は置けません（{kinds} のいずれか）。")
            for key in ("relevant", "at_most"):
                if key in entry and not isinstance(entry[key], str):
                    self.fail(where, f"「{key}」は文字列にしてください。")
            if "at_most" in entry and qtype is not QuestionType.NUMBER:
                self.fail(where, "「at_most」は数値（number）の列にだけ置けます。")
        if len(self.problems) > before or qtype is None:
            if qid:
                self.broken.add(qid)
            return None
        return Question(
            id=qid,
            label=label,
            type=qtype,
            text=text,
            section=section,
            required=required,
            on_blank=on_blank,
            notes=tuple(notes),
            options=options,
            text_instruction=self.text(where, entry, "text_instruction", required=False),
            short_title=self.text(where, entry, "short_title", required=False),
            text_boxes=text_boxes,
            rows=rows,
            items=items,
            **number,
            **repeat,
            relevant_text=entry.get("relevant", "") if within is not None else "",
            at_most=entry.get("at_most") if within is not None else None,
        )

    def repeat(self, where: str, entry: dict, qtype: QuestionType | None, sections: dict) -> dict[str, Any]:
        """A repeat's ``fields`` (its table's columns) and ``repeat_count`` (a number from 1 to
        MAX_ROWS, or the id of an earlier integer question; checked with the whole form)."""
        keys = [k for k in ("fields", "repeat_count") if k in entry]
        if qtype is not QuestionType.REPEAT:
            if keys:
                self.fail(where, f"「{'」「'.join(keys)}」は表（repeat）の設問にだけ置けます。")
            return {}
        raw = self.table_list(where, entry, "fields")
        if not raw:
            self.fail(where, "表（repeat）に列（fields）がありません。")
        qid = entry.get("id") if isinstance(entry.get("id"), str) else where
        fields = [self.question(i, f, sections, within=qid) for i, f in enumerate(raw)]
        fields = [f for f in fields if f is not None]
        for fid, count in Counter(f.id for f in fields).items():
            if count > 1:
                self.fail(where, f"列 {fid} が重複しています。")
        fields = [self.field_links(where, f, fields[:i], fields) for i, f in enumerate(fields)]
        count = entry.get("repeat_count")
        if count is not None:
            if isinstance(count, bool) or not isinstance(count, (int, str)):
                self.fail(where, "「repeat_count」は行数（整数）か設問の id にしてください。")
                count = None
            elif isinstance(count, int) and not 1 <= count <= MAX_ROWS:
                self.fail(where, f"「repeat_count」は 1 から {MAX_ROWS} までにしてください（chosho の表は {MAX_ROWS} 行までです）。")
                count = None
        return {"fields": tuple(fields), "repeat_count": count}

    def repeats(self, questions: tuple[Question, ...], order: dict[str, int]) -> None:
        """Names unique across the form (a field's name is its column in the repeat's sheet and
        data file, its choice list's name in XLSForm); ``repeat_count`` naming an earlier
        integer question."""
        names = Counter(q.id for q in questions) + Counter(f.id for q in questions for f in q.fields)
        for q in questions:
            for f in q.fields:
                if names[f.id] > 1:
                    self.fail(q.id, f"列の名前 {f.id} が調書の中で {names[f.id]} 回使われています（名前は調書全体で一つずつにしてください）。")
            count = q.repeat_count
            if isinstance(count, str):
                target = next((t for t in questions if t.id == count), None)
                if target is None:
                    self.fail(q.id, f"repeat_count の {count} という設問はありません。")
                elif target.type is not QuestionType.NUMBER or target.decimal:
                    self.fail(q.id, f"repeat_count の {count} は整数（integer）の設問ではありません。")
                elif order[count] >= order[q.id]:
                    self.fail(q.id, f"repeat_count の {count} はこの表より後ろにあります（前の設問にしてください）。")

    def field_links(self, where: str, field: Question, earlier: list[Question], fields: list[Question]) -> Question:
        """A field's ``relevant`` (on the row's earlier single / multiple-choice fields) and its
        ``at_most`` (another number field of the row)."""
        from dataclasses import replace

        condition = None
        if field.relevant_text:
            by_id = {f.id: f for f in earlier}
            condition = self.condition(
                f"{where} 列 {field.id}", field.relevant_text, by_id, {f.id: i for i, f in enumerate(earlier)}, None,
                unknown="この行のこれより前の列ではない",
            )
        if field.at_most is not None:
            ceiling = next((f for f in fields if f.id == field.at_most), None)
            if ceiling is None or ceiling is field or ceiling.type is not QuestionType.NUMBER:
                self.fail(where, f"列 {field.id} の上限「{field.at_most}」は同じ表の別の数値の列ではありません。")
        return replace(field, relevant=condition)

    def number(self, where: str, entry: dict, qtype: QuestionType | None) -> dict[str, Any]:
        """A number question's ``unit``, ``decimal``, ``min`` and ``max`` (written as TOML numbers
        or as digit strings, which keep a decimal bound exact)."""
        keys = [k for k in ("unit", "decimal", "min", "max") if k in entry]
        if qtype is not QuestionType.NUMBER:
            if keys:
                self.fail(where, f"「{'」「'.join(keys)}」は数値（number）の設問にだけ置けます。")
            return {}
        out: dict[str, Any] = {"unit": self.text(where, entry, "unit", required=False)}
        decimal = entry.get("decimal", False)
        if not isinstance(decimal, bool):
            self.fail(where, "「decimal」は true か false にしてください。")
        out["decimal"] = decimal is True
        for key, field_name in (("min", "minimum"), ("max", "maximum")):
            raw = entry.get(key)
            if raw is None:
                continue
            try:
                if isinstance(raw, bool) or not isinstance(raw, (int, str)):
                    raise NumberError("")
                bound = parse_number(str(raw), amount=True, decimal=True)
            except NumberError:
                self.fail(where, f"「{key}」は整数か数字の文字列（例: \"0.5\"）にしてください。")
                continue
            out[field_name] = bound
        if out.get("minimum") is not None and out.get("maximum") is not None and out["minimum"] > out["maximum"]:
            self.fail(where, "「min」が「max」より大きくなっています。")
        return out

    def options(self, where: str, entry: dict, qtype: QuestionType | None) -> tuple[Option, ...]:
        wants = qtype in (QuestionType.SINGLE, QuestionType.MULTI, QuestionType.MATRIX)
        raw = self.table_list(where, entry, "options")
        if not wants:
            if raw:
                self.fail(where, f"{qtype.label if qtype else 'この種類'}の設問に選択肢は置けません。")
            return ()
        if not raw:
            self.fail(where, "選択肢（options）が空です。")
            return ()
        options = []
        for i, option in enumerate(raw):
            self.unknown_keys(f"{where} 選択肢 {i + 1} 番目", option, {"code", "label", "short"})
            code = option.get("code")
            if not isinstance(code, int) or isinstance(code, bool) or code < 0:
                self.fail(where, f"選択肢 {i + 1} 番目の番号（code）は 0 以上の整数にしてください。")
                continue
            label = self.text(f"{where} 選択肢 {code}", option, "label")
            options.append(Option(code, label, self.text(f"{where} 選択肢 {code}", option, "short", required=False)))
        for code, count in Counter(o.code for o in options).items():
            if count > 1:
                self.fail(where, f"選択肢の番号 {code} が重複しています。")
        return tuple(options)

    def text_boxes(self, where: str, entry: dict, options: tuple[Option, ...]) -> tuple[TextBox, ...]:
        boxes = []
        codes = {o.code for o in options}
        for box in self.table_list(where, entry, "text_boxes"):
            self.unknown_keys(f"{where} 記入欄", box, {"option", "prompt", "name"})
            option = box.get("option")
            prompt = self.text(f"{where} 記入欄", box, "prompt")
            if option not in codes:
                self.fail(where, f"記入欄が存在しない選択肢 {option} に付いています。")
                continue
            boxes.append(TextBox(option, prompt, self.variable_name(where, box)))
        for code, count in Counter(b.option for b in boxes).items():
            if count > 1:
                self.fail(where, f"選択肢 {code} の記入欄が重複しています。")
        return tuple(boxes)

    def rows(self, where: str, entry: dict, qtype: QuestionType | None) -> tuple[Row, ...]:
        raw = self.table_list(where, entry, "rows")
        if qtype is not QuestionType.MATRIX:
            if raw:
                self.fail(where, "行（rows）は表形式（matrix）の設問にだけ置けます。")
            return ()
        if not raw:
            self.fail(where, "表形式の設問に行（rows）がありません。")
        for i, r in enumerate(raw):
            self.unknown_keys(f"{where} 行 {i + 1} 番目", r, {"id", "label", "short", "name"})
        rows = [
            Row(
                self.text(where, r, "id"), self.text(where, r, "label"), self.text(where, r, "short", required=False),
                self.variable_name(where, r),
            )
            for r in raw
        ]
        for rid, count in Counter(r.id for r in rows).items():
            if count > 1:
                self.fail(where, f"行 {rid} が重複しています。")
        return tuple(rows)

    def items(self, where: str, entry: dict, qtype: QuestionType | None) -> tuple[Item, ...]:
        raw = self.table_list(where, entry, "items")
        if qtype is not QuestionType.COUNTS:
            if raw:
                self.fail(where, "項目（items）は人数（counts）の設問にだけ置けます。")
            return ()
        if not raw:
            self.fail(where, "人数の設問に項目（items）がありません。")
        items = []
        for item in raw:
            self.unknown_keys(f"{where} 項目", item, {"id", "label", "unit", "at_most", "name"})
            items.append(
                Item(
                    self.text(where, item, "id"),
                    self.text(where, item, "label"),
                    self.text(where, item, "unit", required=False),
                    item.get("at_most"),
                    self.variable_name(where, item),
                )
            )
        ids = {i.id for i in items}
        for iid, count in Counter(i.id for i in items).items():
            if count > 1:
                self.fail(where, f"項目 {iid} が重複しています。")
        for item in items:
            if item.at_most is not None and (item.at_most not in ids or item.at_most == item.id):
                self.fail(where, f"項目 {item.id} の上限「{item.at_most}」は同じ設問の別の項目ではありません。")
        return tuple(items)

    # -- routing and checks ----------------------------------------------------------------
    def condition(
        self, where: str, text: str, by_id: dict[str, Question], order: dict[str, int], latest: str | None,
        counting: bool = False, unknown: str = "存在しない設問",
    ) -> Condition | None:
        try:
            condition = parse_condition(text)
        except ConditionSyntaxError as exc:
            self.fail(where, str(exc))
            return None
        ok = True
        for compare in comparisons(condition):
            ref = compare.ref
            question = by_id.get(ref.question)
            if question is None:
                if ref.question not in self.broken:
                    self.fail(where, f"条件が{unknown} {ref.question} を参照しています。")
                ok = False
                continue
            if latest is not None and order[ref.question] > order[latest]:
                self.fail(where, f"条件が後ろの設問 {ref.question} を参照しています（{latest} の時点では未回答）。")
                ok = False
            if question.type is QuestionType.MATRIX:
                if ref.row is None or question.row(ref.row) is None:
                    rows = "、".join(r.id for r in question.rows)
                    self.fail(where, f"{ref.question} は表形式です。行を「{ref.question}.行」で指定してください（行: {rows}）。")
                    ok = False
            elif ref.row is not None:
                self.fail(where, f"{ref.question} は表形式ではないので「.{ref.row}」は使えません。")
                ok = False
            if question.type in (
                QuestionType.TEXT, QuestionType.COUNTS, QuestionType.NUMBER, QuestionType.DATE, QuestionType.REPEAT
            ):
                self.fail(where, f"{question.type.label}の設問 {ref.question} は条件に使えません。")
                ok = False
                continue
            multi = question.type is QuestionType.MULTI
            if isinstance(compare, Count):
                if not counting:
                    self.fail(where, "選んだ数（count）は点検にだけ使えます（分岐には使えません）。")
                    ok = False
                elif not multi:
                    self.fail(where, f"count は複数回答の設問にだけ使えます（{ref.question} は複数回答ではありません）。")
                    ok = False
                continue
            if multi and compare.op != "has":
                self.fail(where, f"{ref.question} は複数回答です。「{ref.question} has 番号」で書いてください。")
                ok = False
            if not multi and compare.op == "has":
                self.fail(where, f"「has」は複数回答の設問にだけ使えます（{ref.question} は単一回答）。")
                ok = False
            for code in compare.codes:
                if code not in question.codes:
                    self.fail(where, f"条件の {ref} に選択肢にない番号 {code} があります。")
                    ok = False
        return condition if ok else None

    def skip(self, index: int, entry: dict, by_id: dict[str, Question], order: dict[str, int]) -> Skip | None:
        at, to = entry.get("at"), entry.get("to")
        where = f"分岐（{at or index + 1}）"
        before = len(self.problems)
        self.unknown_keys(where, entry, _SKIP_KEYS)
        if at not in by_id and at not in self.broken:
            self.fail(where, f"分岐元の設問 {at} は存在しません。")
        if to not in by_id:
            if to not in self.broken:
                self.fail(where, f"{at} からの飛び先の設問 {to} は存在しません。")
        elif at in by_id and order[to] <= order[at]:
            self.fail(where, f"{at} からの飛び先 {to} が {at} より前にあります（飛び先は後ろの設問にしてください）。")
        judgement = entry.get("respondent_judgement", False)
        if not isinstance(judgement, bool):
            self.fail(where, "「respondent_judgement」は true か false にしてください。")
        when = self.text(where, entry, "when")
        condition = self.condition(where, when, by_id, order, at if at in by_id else None) if when else None
        if len(self.problems) > before or condition is None:
            return None
        return Skip(at, condition, to, when, self.text(where, entry, "note", required=False), judgement)

    def check(self, index: int, entry: dict, by_id: dict[str, Question], order: dict[str, int]) -> Check | None:
        at = entry.get("at")
        where = f"点検（{at or index + 1}）"
        before = len(self.problems)
        self.unknown_keys(where, entry, _CHECK_KEYS)
        if at not in by_id and at not in self.broken:
            self.fail(where, f"点検を置く設問 {at} は存在しません。")
        when, message = self.text(where, entry, "when"), self.text(where, entry, "message")
        condition = (
            self.condition(where, when, by_id, order, at if at in by_id else None, counting=True) if when else None
        )
        if len(self.problems) > before or condition is None:
            return None
        return Check(at, condition, message, when)

    def roster(self, raw: list[dict]) -> tuple[Group, ...]:
        groups = []
        for i, entry in enumerate(raw):
            where = f"[[roster]] {entry.get('group') or i + 1}"
            self.unknown_keys(where, entry, {"group", "departments"})
            name = self.text(where, entry, "group")
            departments = entry.get("departments", [])
            if not isinstance(departments, list) or not departments or not all(
                isinstance(d, str) and d.strip() for d in departments
            ):
                self.fail(where, "「departments」は所属名（空でない文字列）のリストにしてください。")
                continue
            groups.append(Group(name, tuple(departments)))
        names = Counter(d for g in groups for d in g.departments)
        for name, count in names.items():
            if count > 1:
                self.fail("[[roster]]", f"所属「{name}」が {count} 回あります。")
        for name, count in Counter(g.name for g in groups).items():
            if count > 1:
                self.fail("[[roster]]", f"部局「{name}」が {count} 回あります。")
        return tuple(groups)
