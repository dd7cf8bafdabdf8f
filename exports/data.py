"""Analysis-ready data (``chosho export --data DIR``): the answers as numeric codes for pandas,
R, SPSS and Stata, beside the workbook that people read.

Files written in DIR (all or nothing: each is written to a temporary name and renamed):

``<name>.dta``          Stata 118, with variable labels and value labels (pandas ``to_stata``).
                        Empty states are Stata's extended missing values: ``.a`` 無回答,
                        ``.b`` 無効, ``.c`` 非該当, ``.`` not entered (未入力 / 経路未確定).
``<name>.csv``          UTF-8 with BOM (Excel opens it as UTF-8), one row per department, the
                        same columns and codes; the empty states written ``.a`` ``.b`` ``.c``,
                        not entered left empty.
``<name>_codebook.csv`` long: variable, code, label; one row per value of each variable.
``読み込み方.txt``       how to read them (pandas, R, Stata, SPSS), in Japanese.

pandas loads only here. Numeric variables are codes (single choice, matrix rows), 0/1 ticks
(multiple choice) and whole numbers (counts); text variables keep the text, the empty state
written as in 回答一覧 (無回答 / 無効（…） / 非該当).
"""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from survey import Questionnaire

from . import layout
from .repeat_tally import cell_of, repeats, table_rows
from .tally import DepartmentRecord

__all__ = ["MISSING_CODES", "DataResult", "csv_safe", "write_data"]

# Stata's extended missing values for the empty states, in order .a .b .c.
MISSING_CODES = ((".a", layout.BLANK_WORD, "無回答（用紙が空欄）"),
                 (".b", layout.INVALID_WORD, "無効（読み取れない回答）"),
                 (".c", layout.NA_WORD, "非該当（経路外、または所属の判断で回答しない設問）"))
NOT_ENTERED = "未入力（まだ入力していない）または経路未確定"
NUMERIC = (layout.CODE, layout.TICK, layout.ROW, layout.ITEM, layout.NUMBER, layout.DATE)
_STATA_EPOCH = date(1960, 1, 1)  # %td counts days from here
# Stand-ins written through pandas (which cannot write .a/.b/.c) and replaced afterwards by the
# bytes Stata uses: doubles no answer can take, patched in the file's data section only.
_SENTINELS = (-1.0e300 - 7.0e285, -1.0e300 - 9.0e285, -1.0e300 - 11.0e285)
_STATA_DOT = 0x7FE0000000000000
_STATA_STEP = 1 << 40  # .a = . + 2^40, .b = . + 2·2^40, …
READ_ME = """\
chosho が書き出した分析用データです（1 行 1 所属）。

{name}.dta          Stata（118 形式）。変数ラベル・値ラベル付き。
{name}.csv          UTF-8（BOM 付き）。Excel でそのまま開けます。
{name}_codebook.csv 変数・値・ラベルの一覧（1 行 1 値）。
{name}_表の名前.dta / .csv / _codebook.csv
                    行の表（繰り返し）ごとに 1 行 1 表の行（部局・所属・行、列は表の列の名前）。
                    部局と所属で {name}.dta とつなげます（pandas: merge(on=["部局", "所属"])）。

空の状態（数値の変数）:
  .a  無回答（用紙が空欄）
  .b  無効（読み取れない回答）
  .c  非該当（経路外、または所属の判断で回答しない設問）
  空欄（Stata では .） 未入力、または経路未確定
文字の変数（自由記述・記入欄）は、空の状態を回答一覧と同じ言葉（無回答・無効（…）・非該当）で書いています。

CSV の数式対策（CSV インジェクション）:
  CSV（{name}.csv と {name}_codebook.csv）では、= + - @ タブ 改行 または ' で始まる文字の先頭に
  ' を一つ付けています。Excel などで開いたときに、所属が書いた文字が数式として実行されないためです
  （OWASP の CSV Injection の対策）。.dta の文字は書かれたとおりで、' は付けていません。
  元の文字に戻すには、' で始まる文字から先頭の ' を一つだけ取り除きます:
    pandas: df[c] = df[c].str.replace(r"^'", "", n=1, regex=True)
    R:      df$c <- sub("^'", "", df$c)

pandas:
  import pandas as pd
  df = pd.read_stata("{name}.dta")   # .a .b .c は欠損（NaN）、値ラベルはカテゴリ
  df = pd.read_csv("{name}.csv", encoding="utf-8-sig", keep_default_na=False,
                   na_values=["", ".a", ".b", ".c"])
  # keep_default_na=False: 記述の「NA」「None」などを欠損と読ませないため
R:
  df <- read.csv("{name}.csv", fileEncoding = "UTF-8-BOM", na.strings = c("", ".a", ".b", ".c"))
  # または haven::read_dta("{name}.dta")（.a .b .c は tagged_na）
Stata:
  use "{name}.dta", clear
SPSS:
  CSV を読み込み、.a .b .c を欠損値として定義してください（または .dta を開く）。
"""


@dataclass(frozen=True)
class DataResult:
    folder: Path
    files: tuple[Path, ...]
    rows: int
    variables: int


def _frame_columns(questionnaire: Questionnaire, records: Sequence[DepartmentRecord]):
    """(name, kind, label, values, question) for every column, the fixed ones first."""
    from db import STATUS_LABELS

    included = [r for r in records if r.included]
    columns = [
        ("部局", layout.TEXT, "部局", [r.bukyoku for r in included], None),
        ("所属", layout.TEXT, "所属", [r.name for r in included], None),
        ("状態", layout.TEXT, "入力の状態", [STATUS_LABELS.get(r.status, r.status) for r in included], None),
    ]
    by_question = [(q, layout.question_variables(q)) for q in questionnaire.questions]
    cells = {v.name: [] for _, vs in by_question for v in vs}
    for record in included:
        for question, variables in by_question:
            off = record.route.status(question.id) == "off"
            for variable, cell in zip(variables, layout.render(question, record.answers.get(question.id), off, variables)):
                cells[variable.name].append(cell)
    for question, variables in by_question:
        for v in variables:
            columns.append((v.name, v.kind if v.kind in NUMERIC else layout.TEXT, _label(v), cells[v.name], question))
    return included, columns


def _label(variable: layout.Variable) -> str:
    """A Stata variable label: at most 80 characters."""
    q = variable.question
    detail = {
        layout.TICK: lambda: f"{variable.key} {q.option(variable.key).short_label}",
        layout.ROW: lambda: q.row(variable.key).label,
        layout.ITEM: lambda: q.item(variable.key).label,
        layout.BOX: lambda: f"{variable.key} の記入欄",
    }.get(variable.kind, lambda: "")()
    text = f"{q.label} {q.chart_title}" + (f"：{detail}" if detail else "")
    return text if len(text) <= 80 else text[:79] + "…"


# What a spreadsheet reads as the start of a formula (OWASP, CSV Injection), and the quote
# itself so that removing one leading quote always gives the text back.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_safe(text: str) -> str:
    """A text for a CSV cell: a leading ' before what a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _numeric(cell) -> float | int | str | None:
    """A numeric cell as a number, or the missing code of its empty state (".a" …), or None."""
    if cell is None:
        return None
    if isinstance(cell, (int, Decimal)):  # an amount: exact in the CSV, a double in the .dta
        return cell
    if isinstance(cell, date):  # a date: Stata's %td day number (the CSV writes it as ISO)
        return (cell - _STATA_EPOCH).days
    for code, word, _ in MISSING_CODES:
        if str(cell).startswith(word):
            return code
    return ".b"  # a value of the wrong kind: unusable


def _value_labels(variable_kind: str, question) -> dict[int, str]:
    if variable_kind in (layout.CODE, layout.ROW):
        return {o.code: o.label[:32000] for o in question.options}
    if variable_kind == layout.TICK:
        return {0: "非選択", 1: "選択"}
    return {}


def _patch_missing(data: bytes, sentinels: dict[bytes, bytes]) -> bytes:
    start = data.index(b"<data>")
    end = data.index(b"</data>", start)
    body = data[start:end]
    for old, new in sentinels.items():
        body = body.replace(old, new)
    return data[:start] + body + data[end:]


def _patch_formats(data: bytes, positions: list[int]) -> bytes:
    """Give the variables at ``positions`` Stata's %td display format (pandas writes a date
    only as datetime64, which cannot carry the .a/.b/.c of the empty states)."""
    if not positions:
        return data
    start = data.index(b"<formats>") + len(b"<formats>")
    width = 57  # format 118: one fixed 57-byte entry per variable
    out = bytearray(data)
    for position in positions:
        at = start + position * width
        out[at: at + width] = b"%td".ljust(width, b"\0")
    return bytes(out)


def _frames(columns):
    """The CSV's and the .dta's columns, the %td positions, the labels and the codebook rows."""
    import pandas as pd

    csv_frame, stata_frame = {}, {}
    dates: list[int] = []  # the positions of the date variables: given Stata's %td format
    variable_labels, value_labels, codebook = {}, {}, []
    for col, kind, label, values, question in columns:
        variable_labels[col] = label
        codebook.append((col, "", label))
        if kind in NUMERIC:
            numbers = [_numeric(c) for c in values]
            csv_frame[col] = ["" if n is None else c.isoformat() if isinstance(c, date) else n for n, c in zip(numbers, values)]
            if kind == layout.DATE:
                dates.append(len(stata_frame))
            sentinel = {code: _SENTINELS[i] for i, (code, _, _) in enumerate(MISSING_CODES)}
            stata_frame[col] = pd.Series(
                [math.nan if n is None else sentinel[n] if isinstance(n, str) else float(n) for n in numbers],
                dtype="float64",
            )
            labels = _value_labels(kind, question)
            if labels:
                value_labels[col] = labels
            for code, text in labels.items():
                codebook.append((col, str(code), text))
            if kind == layout.ITEM:
                codebook.append((col, "0 以上の整数", "人数など（記入された数）"))
            if kind == layout.NUMBER:
                unit = f"（単位: {question.unit}）" if question.unit else ""
                codebook.append((col, "数値", f"記入された数値{unit}"))
            if kind == layout.DATE:
                codebook.append((col, "日付", "Stata の %td（1960-01-01 からの日数）。CSV では 2024-04-01 の形"))
            for code, _, meaning in MISSING_CODES:
                codebook.append((col, code, meaning))
            codebook.append((col, "（空欄）", NOT_ENTERED))
        else:
            texts = ["" if c is None else str(c) for c in values]
            csv_frame[col] = [csv_safe(t) for t in texts]
            stata_frame[col] = pd.Series(texts, dtype=object)  # the .dta keeps the text as written
            if question is not None:
                codebook.append((col, "（文字）", "記述。空の状態は 無回答・無効（…）・非該当、空欄は未入力"))

    return csv_frame, stata_frame, dates, variable_labels, value_labels, codebook


def _repeat_columns(question, records: Sequence[DepartmentRecord]):
    """A repeat in long format: 部局, 所属, 行, then each field (a choice's code with its labels,
    an amount, a Stata %td day, a multiple choice's codes and a text as text)."""
    from survey import QuestionType
    from survey.routing import row_route

    rows = table_rows(question, records)
    kinds = {QuestionType.NUMBER: layout.NUMBER, QuestionType.DATE: layout.DATE, QuestionType.SINGLE: layout.CODE}
    columns = [
        ("部局", layout.TEXT, "部局", [r.bukyoku for r, _, _ in rows], None),
        ("所属", layout.TEXT, "所属", [r.name for r, _, _ in rows], None),
        ("行", layout.ITEM, "表の行（所属ごとに 1 から）", [n for _, n, _ in rows], None),
    ]
    statuses = [row_route(question, row) for _, _, row in rows]
    for f in question.fields:
        values = [cell_of(f, row, status[f.id]) for (_, _, row), status in zip(rows, statuses)]
        label = f"{question.label} {f.text}"
        columns.append((f.id, kinds.get(f.type, layout.TEXT), label[:80], values, f))
    return columns


def write_data(
    folder: str | Path, questionnaire: Questionnaire, records: Sequence[DepartmentRecord], *, name: str = "chosho_data"
) -> DataResult:
    """Write the .dta, the CSV, the codebook and the read-me into ``folder`` (created if missing)."""
    import pandas as pd

    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    included, columns = _frame_columns(questionnaire, records)
    frames = {name: _frames(columns)}
    for question in repeats(questionnaire):  # each repeat: its own files, linked by 部局 and 所属
        frames[f"{name}_{question.id}"] = _frames(_repeat_columns(question, records))

    from .leftovers import sweep, temp_beside

    targets = {}
    for stem in frames:
        targets |= {(stem, "dta"): folder / f"{stem}.dta", (stem, "csv"): folder / f"{stem}.csv",
                    (stem, "codebook"): folder / f"{stem}_codebook.csv"}
    targets["readme"] = folder / "読み込み方.txt"
    for path in targets.values():
        sweep(path, f"{path.suffix}.tmp")  # what a killed export left
    temps = {key: temp_beside(path, f"{path.suffix}.tmp") for key, path in targets.items()}
    import pandas as pd

    try:
        for stem, (csv_frame, stata_frame, dates, variable_labels, value_labels, codebook) in frames.items():
            frame = pd.DataFrame(stata_frame)
            dta = temps[(stem, "dta")]
            frame.to_stata(
                dta, write_index=False, version=118, byteorder="<",
                variable_labels=variable_labels, value_labels=value_labels,
                data_label=questionnaire.title[:80],
            )
            replace = {
                struct.pack("<d", value): struct.pack("<Q", _STATA_DOT + (i + 1) * _STATA_STEP)
                for i, value in enumerate(_SENTINELS)
            }
            dta.write_bytes(_patch_formats(_patch_missing(dta.read_bytes(), replace), dates))
            pd.DataFrame(csv_frame).to_csv(temps[(stem, "csv")], index=False, encoding="utf-8-sig", lineterminator="\r\n")
            pd.DataFrame([tuple(csv_safe(str(c)) for c in row) for row in codebook], columns=["variable", "code", "label"]).to_csv(
                temps[(stem, "codebook")], index=False, encoding="utf-8-sig", lineterminator="\r\n"
            )
        temps["readme"].write_text(READ_ME.format(name=name), encoding="utf-8")
        for key, temp in temps.items():
            os.replace(temp, targets[key])
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    return DataResult(folder, tuple(targets.values()), len(included), len(columns))
