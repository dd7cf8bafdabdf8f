"""The cells of an XLSForm workbook as rows and groups: the sheets, their columns, the types
chosho reads and the choice lists, each fault found named by sheet, row and column.

Pure: an adapter (``exports.xlsform.read_cells``) hands over the cells; ``survey.xlsform``
makes the questionnaire of what this reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "EXTRA", "FIELD_TYPES", "NO", "QUESTION_TYPES", "ROSTER_GROUP", "ROSTER_NAME", "ROSTER_SHEET", "ROW_KINDS", "SETTINGS_COLUMNS", "SETTINGS_PREFIX",
    "SURVEY_COLUMNS", "YES", "Cells", "SheetNode", "SheetReader", "SheetRow",
]

# Sheet name -> rows as (Excel row number, cell texts from column A on).
Cells = Mapping[str, Sequence[tuple[int, Sequence[str]]]]

ROSTER_SHEET = "所属一覧"
ROSTER_GROUP, ROSTER_NAME = "部局", "所属"

# chosho's extra columns (survey sheet unless said): what the paper needs beyond XLSForm.
EXTRA = {
    "number": "chosho_number",  # the question's number as printed (Ｑ１); default its name
    "chart_title": "chosho_chart_title",  # the question as the report titles its chart
    "chart_label": "chosho_chart_label",  # an option (choices) or a matrix row in a chart
    "warn_if": "chosho_warn_if",  # a soft check: flag the form when this holds
    "warn_message": "chosho_warn_message",  # what the flag says
    "skip_note": "chosho_skip_note",  # the paper's ※ line for a skip from this question
    "judgement": "chosho_judgement",  # yes: the department may take that skip on its own judgement
    "on_blank": "chosho_on_blank",  # choose_route: when blank, the clerk picks the route
    "text_instruction": "chosho_text_instruction",  # the sentence above the option boxes
    "unit": "chosho_unit",  # a counts item's unit (人); a number question's unit or scale (円, 千円, km)
}
# settings: XLSForm's own columns are accepted (chosho reads form_id, form_title and version).
SETTINGS_COLUMNS = {
    "form_id", "form_title", "version", "default_language", "style", "instance_name", "public_key",
    "submission_url", "allow_choice_duplicates", "name", "namespaces", "clean_text_values",
}
SETTINGS_PREFIX = "chosho_"  # settings: chosho_form_label, chosho_counts_sheet, …

# Each XLSForm type chosho reads and what a row of it is; issue-sized additions go here.
ROW_KINDS = {
    "select_one": "select",
    "select_multiple": "select",
    "text": "text",
    "integer": "integer",
    "decimal": "integer",  # a number question that takes a point
    "date": "text",  # a date question (和暦 or 西暦 as the paper writes it)
    "note": "note",
    "begin_group": "begin",
    "end_group": "end",
    "begin_repeat": "begin",  # a table of rows (one per contract, vehicle…): its rows are its fields
    "end_repeat": "end",
}
# A row that is a question of its own, and its chosho type.
QUESTION_TYPES = {"select_one": "single", "select_multiple": "multi", "text": "text", "date": "date"}
# A row inside a repeat: a field (one column of its table) of this chosho type.
FIELD_TYPES = {**QUESTION_TYPES, "integer": "number", "decimal": "number"}

SURVEY_COLUMNS = {
    "type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", "appearance",
    "repeat_count",
}
_LANGUAGE_COLUMNS = ("label", "hint", "constraint_message")
YES = {"yes", "true", "true()", "1", "はい"}
NO = {"", "no", "false", "false()", "0", "いいえ"}


@dataclass
class SheetRow:
    sheet: str
    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def at(self, column: str | None = None) -> str:
        where = f"{self.sheet} シートの {self.number} 行目"
        return f"{where} {column} 列" if column else where


@dataclass
class SheetNode:
    row: SheetRow
    type: str
    argument: str = ""  # the list of a select
    children: list[SheetNode] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.row.get("name")


def _language_column(header: str) -> str:
    """``label::日本語 (ja)`` and ``label::Japanese (ja)`` are ``label``."""
    base, sep, _language = header.partition("::")
    return base if sep and base in _LANGUAGE_COLUMNS else header


def _language_rank(title: str) -> int:
    """0 for a Japanese column, 2 for another language (a plain column is 1)."""
    language = title.partition("::")[2].lower()
    return 0 if "(ja)" in language or "日本語" in language or "japanese" in language else 2


class SheetReader:
    def __init__(self, cells: Cells) -> None:
        self.cells = cells
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    # -- sheets -----------------------------------------------------------------------------
    def sheet(self, name: str, known: set[str], *, required: bool = True) -> list[SheetRow]:
        raw = self.cells.get(name)
        if raw is None:
            if required:
                self.fail("ブック", f"{name} シートがありません。")
            return []
        rows = [(n, [str(v).strip() for v in values]) for n, values in raw]
        rows = [(n, values) for n, values in rows if any(values)]
        if not rows:
            if required:
                self.fail(f"{name} シート", "空です（1 行目に列名を書いてください）。")
            return []
        header_number, header = rows[0]
        # One column per name: of label, label::日本語 (ja), label::English (en)…, the Japanese.
        chosen: dict[str, tuple[int, int]] = {}  # column -> (rank, index)
        for index, title in enumerate(header):
            if title:
                column = _language_column(title)
                rank = _language_rank(title) if column != title else 1
                if column not in chosen or rank < chosen[column][0]:
                    chosen[column] = (rank, index)
        columns = {index: column for column, (_, index) in chosen.items()}
        for index, column in columns.items():
            if column not in known and not (column.startswith(SETTINGS_PREFIX) and name == "settings"):
                if any(index < len(values) and values[index] for _, values in rows[1:]):
                    self.fail(
                        f"{name} シートの {header_number} 行目",
                        f"列「{header[index]}」は chosho では読めません（綴りを確かめてください）。",
                    )
        return [
            SheetRow(name, n, {columns[i]: v for i, v in enumerate(values) if i in columns and v})
            for n, values in rows[1:]
        ]

    # -- survey: rows into a tree of groups ------------------------------------------------
    def tree(self, rows: list[SheetRow]) -> list[SheetNode]:
        top: list[SheetNode] = []
        stack: list[SheetNode] = []
        for row in rows:
            written = row.get("type")
            if not written:
                if row.cells:
                    self.fail(row.at("type"), "type が空です。")
                continue
            words = written.replace(" ", "_", 1).split(maxsplit=1) if written.startswith(("begin ", "end ", "select ")) else written.split(maxsplit=1)
            kind = words[0]
            if kind not in ROW_KINDS:
                readable = "、".join(ROW_KINDS)
                self.fail(row.at("type"), f"型「{written}」は chosho では読めません（読める型: {readable}）。")
                continue
            argument = words[1].strip() if len(words) > 1 else ""
            if ROW_KINDS[kind] == "select" and not argument:
                self.fail(row.at("type"), f"{kind} の後に選択肢のリスト名を書いてください（例: {kind} yesno）。")
                continue
            if ROW_KINDS[kind] != "end" and not row.get("name"):
                self.fail(row.at("name"), "name が空です。")
                continue
            node = SheetNode(row, kind, argument)
            if ROW_KINDS[kind] == "end":
                opened = kind.replace("end_", "begin_")
                if not stack:
                    self.fail(row.at("type"), f"対応する {opened} がない {kind} です。")
                    continue
                if stack[-1].type != opened:
                    self.fail(row.at("type"), f"{stack[-1].type}（{stack[-1].row.number} 行目）を {kind} で閉じています。")
                stack.pop()
                continue
            (stack[-1].children if stack else top).append(node)
            if ROW_KINDS[kind] == "begin":
                stack.append(node)
        for node in stack:
            closing = node.type.replace("begin_", "end_")
            self.fail(node.row.at("type"), f"グループ「{node.name}」が {closing} で閉じられていません。")
        return top

    # -- choices ---------------------------------------------------------------------------
    def choices(self, rows: list[SheetRow]) -> dict[str, list[dict]]:
        lists: dict[str, list[dict]] = {}
        seen: dict[tuple[str, int], SheetRow] = {}
        for row in rows:
            list_name, name, label = row.get("list_name"), row.get("name"), row.get("label")
            if not list_name:
                self.fail(row.at("list_name"), "list_name が空です。")
                continue
            if not (name.isdigit() and str(int(name)) == name):
                self.fail(row.at("name"), f"選択肢の name「{name}」は 0 以上の整数にしてください（用紙の番号です）。")
                continue
            code = int(name)
            if (list_name, code) in seen:
                first = seen[(list_name, code)].number
                self.fail(row.at("name"), f"リスト {list_name} の選択肢 {code} が重複しています（{first} 行目にもあります）。")
                continue
            seen[(list_name, code)] = row
            if not label:
                self.fail(row.at("label"), f"リスト {list_name} の選択肢 {code} に label がありません。")
                continue
            option: dict = {"code": code, "label": label}
            if row.get(EXTRA["chart_label"]):
                option["short"] = row.get(EXTRA["chart_label"])
            lists.setdefault(list_name, []).append(option)
        return lists
