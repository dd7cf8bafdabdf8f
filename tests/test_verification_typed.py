"""A third value typed by the adjudicator, and who may verify or adjudicate."""

from __future__ import annotations

import pytest

from survey.verification import (
    ANSWER, BLANK, INVALID, NO_TEXT, NOT_APPLICABLE, Cell, VerificationError, adjudicator_refusal, typed_cell,
    verifier_refusal,
)

from .test_verification_compare import COMPARER


@pytest.mark.parametrize("name, raw, cell", [
    ("Q1", "２", Cell(ANSWER, 2)),
    ("Q1", "無回答@１", Cell(BLANK, None, 1)),
    ("Q1", "無効（1,2）＠2", Cell(INVALID, "1,2", 2)),
    ("Q9", "1,2", Cell(INVALID, "1,2")),  # two numbers in a single box: 無効, as in entry
    ("Q9", "", Cell(BLANK)),
    ("Q2_line", "５", Cell(ANSWER, 5)),
    ("Q3_5", "〇", Cell(ANSWER, 1)),
    ("Q3_5", "0", Cell(ANSWER, 0)),
    ("Q3_5_text", "  はがき ", Cell(ANSWER, "はがき")),
    ("Q3_5_text", "記入なし", Cell(NO_TEXT)),
    ("Q10", "成果あり", Cell(ANSWER, "成果あり")),
    ("Q10", "無回答", Cell(BLANK)),
    ("Q23_line", "１２人", Cell(ANSWER, 12)),
    ("Q23_line", "", Cell(BLANK)),
    ("Q6", "非該当", Cell(NOT_APPLICABLE)),
])
def test_typed_third_values_read_as_entry_reads_them(name, raw, cell):
    assert typed_cell(COMPARER, name, raw) == cell


@pytest.mark.parametrize("name, raw, message", [
    ("Q1", "7", "7 は選択肢にありません"),
    ("Q1", "いち", "番号ではありません"),
    ("Q9", "無回答@1", "経路を選べません"),
    ("Q16", "非該当", "非該当にできません"),
    ("Q3_5", "2", "1（選択）か 0"),
    ("Q23_line", "-3", "Q23_line"),
    ("Q1", "無回答（空欄）", "無効（記載内容）"),
    ("Q99", "1", "この調書にありません"),
])
def test_typed_values_the_form_cannot_hold_are_refused_in_japanese(name, raw, message):
    with pytest.raises(VerificationError, match=message):
        typed_cell(COMPARER, name, raw)


def test_the_second_keyer_is_not_the_first_and_the_adjudicator_is_neither():
    assert verifier_refusal("田中太郎", "鈴木花子") is None
    assert "別の人" in verifier_refusal("田中太郎", "田中　太郎\u200b")
    assert adjudicator_refusal("A", "B", "C") is None
    assert "最初の入力" in adjudicator_refusal("A", "B", "ａ")
    assert "照合入力" in adjudicator_refusal("A", "B", " b ")
    assert "名前がありません" in verifier_refusal("A", "　")
