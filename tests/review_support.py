"""Helpers for the review tests: a department's form filled in through the store, as a clerk would."""

from __future__ import annotations

from collections.abc import Mapping

from db import Store
from survey import Blank, Counts, Grid, Invalid, Multi, QuestionType, Single, Text, Value

# A department that used social media (Q1 = 1): Q2–Q15, then Q19–Q23.
ANSWERS: dict[str, Value] = {
    "Q1": Single(1),
    "Q2": Grid({"line": 1, "x": 2, "facebook": 5, "youtube": 3}),
    "Q3": Multi(frozenset({1, 2, 5}), {5: "職員採用試験の案内"}),
    "Q4": Multi(frozenset({1})),
    "Q5": Single(4, {4: "イベントはＬＩＮＥ、災害情報は全媒体に投稿している。"}),
    "Q7": Multi(frozenset({2, 3, 13})),
    "Q10": Text("閲覧数が伸びない。写真の選び方を学ぶ研修があるとよい。"),
    "Q23": Counts({"respondents": 12, "line": 8, "x": 3, "facebook": None, "youtube": 2}),
}


def default_value(store: Store, question_id: str) -> Value:
    question = store.questionnaire.question(question_id)
    if question.type is QuestionType.SINGLE:
        return Single(question.codes[0])
    if question.type is QuestionType.MULTI:
        return Multi(frozenset({question.codes[0]}))
    if question.type is QuestionType.TEXT:
        return Text("特になし。")
    if question.type is QuestionType.MATRIX:
        return Grid({row.id: question.codes[0] for row in question.rows})
    return Counts({item.id: 1 for item in question.items})


def fill(
    store: Store,
    department_id: int,
    answers: Mapping[str, Value] | None = None,
    *,
    until: str | None = None,
    mark_entered: bool = True,
) -> int:
    """Record the department's answers along its route (as ``store.who``); returns the response id."""
    answers = dict(ANSWERS if answers is None else answers)
    response = store.response(department_id=department_id)
    while True:
        route = store.router.route(response.answers)
        missing = [qid for qid in route.order if qid not in response.answers]
        if not missing or missing[0] == until:
            break
        qid = missing[0]
        store.save_answer(
            response.id, qid, answers.get(qid, default_value(store, qid)), expected_version=response.version
        )
        response = store.response(department_id=department_id)
    if mark_entered and until is None:
        store.mark_entered(response.id, expected_version=response.version)
    return response.id


# A form with every state a reviewer must tell apart: 無効 and 無回答 rows, a text box, a blank
# question, 無効 with what the paper showed, off-route questions (Q6–Q7, Q16–Q18), a blank count.
SHOWCASE: dict[str, Value] = {
    "Q1": Single(1),
    "Q2": Grid({"line": 1, "x": Invalid("2,3"), "facebook": 5, "youtube": Blank()}),
    "Q3": Multi(frozenset({1, 5}), {5: "職員採用試験の案内"}),
    "Q4": Multi(frozenset({2}), {2: "掲載依頼書の方が写真を選びやすいため。"}),
    "Q5": Blank(),
    "Q8": Invalid("1と2の間に丸"),
    "Q9": Single(1, {1: "イベントの集客が伸びた。"}),
    "Q10": Text(
        "閲覧数が伸びない。写真の選び方や投稿の時間帯について学ぶ研修があるとよい。"
        "ＣＭＳとの連携で、ＬＩＮＥの文字数の上限を超えたときの表示を分かりやすくしてほしい。"
    ),
    "Q23": Counts({"respondents": 12, "line": 8, "x": 3, "facebook": None, "youtube": 2}),
}


def showcase(a: Store, b: Store, name: str = "市民課") -> int:
    """The showcase department entered by ``a``, with one resolved and one open flag by ``b``."""
    department = next(d for d in a.departments() if d.name == name)
    rid = fill(a, department.id, SHOWCASE)
    old = b.raise_flag(rid, "Q3", "記入欄の内容が用紙と一字違います")
    b.resolve_flag(old, "入力者と用紙を照合し、そのままで正しいことを確認")
    b.raise_flag(rid, "Q3", "用紙では 5 に丸がありません。記入欄の内容を確認してください")
    return department.id


def shown_all(store: Store, response_id: int) -> list[str]:
    """What the review screen's one-page overview records: every question on the route shown."""
    response = store.response(response_id=response_id)
    return store.record_shown(response_id, store.router.route(response.answers).order, "一覧")
