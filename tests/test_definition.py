"""The built-in 調書 is the paper form, complete and faithful."""

from __future__ import annotations

import re

import pytest

from survey import QuestionType

from .conftest import REPORT_CHART_TITLES, fixture_text, paper_form_text

# As the form (tests/fixtures/paper_form.txt) shows them: the options that carry a free-text box.
TEXT_BOXES = {
    "Q3": {5}, "Q4": {2}, "Q5": {2, 3, 4}, "Q8": {5}, "Q9": {1, 2, 3}, "Q14": {6}, "Q15": {1},
    "Q17": {1, 2, 5}, "Q18": {3, 4}, "Q19": {1, 2}, "Q21": {2, 3},
}
TYPES = {
    "single": ["Q1", "Q5", "Q6", "Q9", "Q12", "Q13", "Q15", "Q16", "Q18", "Q19", "Q21"],
    "multi": ["Q3", "Q4", "Q7", "Q8", "Q14", "Q17"],
    "text": ["Q10", "Q11", "Q20", "Q22"],
    "matrix": ["Q2"],
    "counts": ["Q23"],
}
OPTION_COUNTS = {
    "Q1": 2, "Q2": 5, "Q3": 5, "Q4": 2, "Q5": 4, "Q6": 3, "Q7": 14, "Q8": 5, "Q9": 3, "Q12": 3,
    "Q13": 4, "Q14": 6, "Q15": 2, "Q16": 5, "Q17": 5, "Q18": 4, "Q19": 3, "Q21": 3,
}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_questions_in_order_with_types(niiza):
    assert niiza.ids == tuple(f"Q{n}" for n in range(1, 24))
    for type_name, ids in TYPES.items():
        assert [q.id for q in niiza.questions if q.type is QuestionType(type_name)] == ids


def test_options_and_text_boxes(niiza):
    for question in niiza.questions:
        assert len(question.options) == OPTION_COUNTS.get(question.id, 0), question.id
        assert question.codes == tuple(range(1, len(question.options) + 1)), question.id
        assert {b.option for b in question.text_boxes} == TEXT_BOXES.get(question.id, set())
        for box in question.text_boxes:
            assert box.prompt.strip(), (question.id, box.option)
        if question.text_boxes:
            assert question.text_instruction, question.id


def test_matrix_counts_and_optional(niiza):
    q2 = niiza.question("Q2")
    assert [r.label for r in q2.rows] == ["ＬＩＮＥ", "Ｘ（旧Ｔｗｉｔｔｅｒ）", "Ｆａｃｅｂｏｏｋ", "ＹｏｕＴｕｂｅ"]
    q23 = niiza.question("Q23")
    assert [i.label for i in q23.items] == ["回答者数", "ＬＩＮＥ", "Ｘ（旧Ｔｗｉｔｔｅｒ）", "Ｆａｃｅｂｏｏｋ", "ＹｏｕＴｕｂｅ"]
    assert [i.at_most for i in q23.items] == [None] + ["respondents"] * 4
    assert all(i.unit == "人" for i in q23.items)
    assert [q.id for q in niiza.questions if not q.required] == ["Q23"]
    assert [q.id for q in niiza.questions if q.chooses_route_when_blank] == ["Q1"]


def test_sections_follow_the_routes(niiza):
    sections = {q.id: q.section for q in niiza.questions}
    assert sections["Q1"] is None
    assert {sections[f"Q{n}"] for n in range(2, 16)} == {"used"}
    assert {sections[f"Q{n}"] for n in range(16, 19)} == {"not_used"}
    assert {sections[f"Q{n}"] for n in range(19, 24)} == {"common"}
    assert niiza.section("common").title == "【共通（全所属回答してください。）】"


def test_skip_rules_as_on_paper(niiza):
    rules = [(s.at, s.to, s.respondent_judgement) for s in niiza.skips]
    assert rules == [
        ("Q1", "Q16", False),
        ("Q2", "Q8", False),
        ("Q5", "Q8", True),
        ("Q15", "Q19", False),
        ("Q16", "Q18", False),
    ]
    assert niiza.judgeable == {"Q6", "Q7"}
    assert all(s.note.startswith("※") for s in niiza.skips)


def test_roster_58_departments_in_12_groups(niiza):
    assert len(niiza.roster) == 12
    assert len(niiza.departments) == 58
    assert niiza.roster[0].name == "総合政策部"
    assert niiza.roster[0].departments[:2] == ("政策課", "シティプロモーション課")
    assert niiza.roster[-1].departments[-1] == "固定資産評価審査委員会"
    assert ("まちづくり未来部", "地下鉄１２号線延伸促進室") in niiza.departments


def test_every_text_is_the_papers_own_words(niiza):
    """Question texts, options, prompts' sources, notes and skip notes all appear on the paper form."""
    seed = squeeze(paper_form_text())
    texts = [niiza.meta["instructions"], niiza.title]
    for question in niiza.questions:
        texts += [question.text, question.text_instruction, *question.notes]
        texts += [o.label for o in question.options] + [r.label for r in question.rows]
        texts += [i.label for i in question.items]
    texts += [s.note for s in niiza.skips] + [s.title for s in niiza.sections]
    texts += [d for _, d in niiza.departments]
    missing = [t for t in texts if t and squeeze(t) not in seed]
    assert missing == []


@pytest.mark.parametrize("qid", ["Q1", "Q14", "Q23"])
def test_question_follows_its_label_in_the_seed(niiza, qid):
    seed = squeeze(paper_form_text())
    question = niiza.question(qid)
    assert squeeze(question.label + question.text)[:30] in seed


def test_chart_titles_are_the_reports_own(niiza):
    """Every question the report charts is titled as the report titles it (Ｑ３ 情報発信の目的 …)."""
    seed = squeeze(fixture_text(REPORT_CHART_TITLES))
    charted = [q for q in niiza.questions if q.id not in ("Q10", "Q11", "Q20", "Q23")]
    missing = [(q.id, q.short_title) for q in charted if not q.short_title or squeeze(q.short_title) not in seed]
    assert not missing
