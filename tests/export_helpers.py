"""Shared by the export and import tests: a store with departments entered on both routes, and
readers for the workbook's sheets."""

from __future__ import annotations

import random
from pathlib import Path

from tests.review_support import shown_all
from db import open_store
from exports.synthetic import random_answers
from exports.tally import DepartmentRecord
from survey import Blank, Counts, Grid, Invalid, Multi, NotApplicable, Router, Single, Text, builtin

LONG = "長" * 33_000  # over Excel's 32,767-character cell limit

# Six departments of the built-in roster entered through the store, on every kind of route and
# with every empty state; 人事課 is left 未入力. Expected tallies are worked out by hand in the tests.
SCENARIO = {
    # Q1 = 1, LINE used with the CMS link: nothing skipped.
    "政策課": ("entered", {
        "Q1": Single(1),
        "Q2": Grid({"line": 1, "x": 2, "facebook": 2, "youtube": 5}),
        "Q3": Multi(frozenset({1, 5}), {5: "=1+1"}),
        "Q4": Multi(frozenset({1})),
        "Q5": Single(4, {4: "@x"}),
        "Q6": Single(1),
        "Q7": Multi(frozenset({2, 3})),
        "Q8": Multi(frozenset({1, 2})),
        "Q9": Single(3, {3: "https://example.com/effect"}),
        "Q10": Text("-3"),
        "Q11": Blank(),
        "Q12": Single(1),
        "Q13": Single(1),
        "Q14": Multi(frozenset({1})),
        "Q15": Single(2),
        "Q19": Single(1),
        "Q20": Text("窓口で案内する。"),
        "Q21": Single(1),
        "Q22": Blank(),
        "Q23": Counts({"respondents": 10, "line": 4, "x": 2, "facebook": 1, "youtube": 0}),
    }),
    # Q1 = 1, YouTube only: Q3–Q7 are 非該当.
    "シティプロモーション課": ("entered", {
        "Q1": Single(1),
        "Q2": Grid({"line": 5, "x": 5, "facebook": 5, "youtube": 1}),
        "Q8": Multi(frozenset({1})),
        "Q9": Single(1),
        "Q10": Blank(),
        "Q11": Text("誤送信が心配。"),
        "Q12": Single(2),
        "Q13": Invalid("1,2"),
        "Q14": Multi(frozenset({2, 6}), {6: "起案理由に記載"}),
        "Q15": Single(1, {1: "掲載した情報に誤りがあった。"}),
        "Q19": Blank(),
        "Q20": Blank(),
        "Q21": Single(2),
        "Q22": Text("研修を行ってほしい。"),
        "Q23": Counts({"respondents": 5, "line": 5, "x": None, "facebook": 0, "youtube": 0}),
    }),
    # Q1 = 2 and Q16 = 5: Q17 is 非該当, though an answer was recorded there (kept, never counted).
    "秘書広聴課": ("entered", {
        "Q1": Single(2),
        "Q16": Single(5),
        "Q17": Multi(frozenset({1}), {1: "経路外の記述"}),
        "Q18": Single(3, {3: "周知する内容がない。"}),
        "Q19": Single(3),
        "Q20": Blank(),
        "Q21": Invalid("1,3"),
        "Q22": Blank(),
        "Q23": Blank(),
    }),
    # Q1 = 2, still being entered: Q20, Q22, Q23 not entered yet.
    "公共施設マネジメント課": ("in_progress", {
        "Q1": Single(2),
        "Q16": Single(1),
        "Q17": Multi(frozenset({1, 4})),
        "Q18": Single(1),
        "Q19": Single(2),
        "Q21": Single(1),
    }),
    # Q1 blank, no route chosen: what follows is pending. Q3 answered counts; Q16 blank does not.
    "（仮称）三軒屋公園等複合施設整備推進室": ("entered", {
        "Q1": Blank(),
        "Q3": Multi(frozenset({2})),
        "Q16": Blank(),
        "Q19": Single(1),
        "Q21": Single(1),
    }),
    # Q1 = 1 with the CMS link, Q6 and Q7 recorded 非該当 on the department's judgement; signed off.
    "総務課": ("reviewed", {
        "Q1": Single(1),
        "Q2": Grid({"line": 1, "x": 5, "facebook": 5, "youtube": 5}),
        "Q3": Blank(),
        "Q4": Multi(frozenset({1, 2}), {2: "急ぎの情報のため"}),
        "Q5": Single(1),
        "Q6": NotApplicable(),
        "Q7": NotApplicable(),
        "Q19": Single(3),
        "Q21": Single(1),
    }),
}


def enter(store, name: str, answers: dict, status: str = "entered") -> int:
    department = next(d for d in store.departments() if d.name == name)
    response_id = store.response(department_id=department.id).id
    for qid, value in answers.items():
        store.save_answer(response_id, qid, value, expected_version=None)
    if status in ("entered", "reviewed"):
        store.mark_entered(response_id, expected_version=None)
    if status == "reviewed":
        clerk, store.who = store.who, "reviewer"
        shown_all(store, response_id)
        store.sign_off(response_id, expected_version=None)
        store.who = clerk
    return response_id


def scenario_store(path: Path, extra: dict | None = None):
    store = open_store(path, "clerk")
    for name, (status, answers) in SCENARIO.items():
        enter(store, name, {**answers, **(extra or {}).get(name, {})}, status)
    return store


def synthetic_records(seed: int = 15) -> list[DepartmentRecord]:
    """All 58 departments answered along their routes (texts, blanks, 無効, 非該当), entered."""
    q = builtin()
    router, rng = Router(q), random.Random(seed)
    records = []
    for position, (bukyoku, name) in enumerate(q.departments):
        answers = random_answers(q, rng, router)
        records.append(DepartmentRecord(position + 1, bukyoku, name, position, "entered", answers, router.route(answers)))
    return records


# -- reading the workbook back ----------------------------------------------------------------


def blocks(ws) -> dict[str, dict]:
    """The 集計 sheet's question blocks by label (Ｑ１ …): title, base line, base and rows.

    Columns: A 番号, B 選択肢, C グラフの表示名, D 所属数, E 割合（整数）, F 割合.
    choice and text questions: rows {label: (count, share)}, whole {label: whole share},
    chart_labels {label: C}; matrix: media, cells {label: {medium: (count, share)}} and whole
    {medium: {label: whole}}; counts: items {label: (sum, departments, numerator, denominator,
    rate departments, rate)} and rows by state.
    """
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    width = max(len(r) for r in rows) if rows else 1
    rows = [r + [None] * (width - len(r)) for r in rows] + [[None] * width] * 3
    out: dict[str, dict] = {}
    for i, row in enumerate(rows):
        title = row[0]
        if not (isinstance(title, str) and "　" in title and str(rows[i + 1][1]).startswith("基数 Ｎ＝")):
            continue
        block: dict = {"title": title, "base_line": rows[i + 1][1]}
        if rows[i + 3][1] == "選択肢" and rows[i + 2][3]:  # matrix: three columns per medium
            media = [c for c in rows[i + 2][3:] if c]
            cells, whole, j = {}, {}, i + 4
            while rows[j][1] != "計":
                for k, medium in enumerate(media):
                    col = 3 + 3 * k
                    cells.setdefault(rows[j][1], {})[medium] = (rows[j][col], rows[j][col + 2])
                    whole.setdefault(medium, {})[rows[j][1]] = rows[j][col + 1]
                j += 1
            block.update(media=media, cells=cells, whole=whole, base=rows[j][3])
        elif rows[i + 2][1] == "項目":  # counts
            items, j = {}, i + 3
            while rows[j][1] and not str(rows[j][1]).startswith("※"):
                items[rows[j][1]] = tuple(rows[j][2:8])
                j += 1
            while rows[j][1] != "所属の回答状況":
                j += 1
            states, j = {}, j + 1
            while rows[j][1]:
                states[rows[j][1]] = (rows[j][3], rows[j][5])
                j += 1
            block.update(items=items, rows=states)
        else:
            states, whole, labels, j = {}, {}, {}, i + 3
            while rows[j][1] not in ("計", "基数（回答対象の所属）"):
                states[rows[j][1]] = (rows[j][3], rows[j][5])
                whole[rows[j][1]] = rows[j][4]
                labels[rows[j][1]] = rows[j][2]
                j += 1
            block.update(rows=states, whole=whole, chart_labels=labels, base=rows[j][3])
        out[title.split("　")[0]] = block
    return out


def sheet_rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def answer_rows(ws) -> dict[str, dict]:
    """回答一覧 as {所属: {variable: cell}} (row 3 holds the variable names)."""
    rows = sheet_rows(ws)
    names = rows[2]
    return {row[1]: dict(zip(names, row)) for row in rows[3:]}
