"""The loader takes any definition and refuses a broken one, naming the question and the fault."""

from __future__ import annotations

import copy
import tomllib

import pytest

from survey import DefinitionError, Router, Single, load_definition, parse_definition

from .conftest import FIXTURES

BASE = tomllib.loads((FIXTURES / "training.toml").read_text(encoding="utf-8"))


def broken(change) -> list[str]:
    data = copy.deepcopy(BASE)
    change(data)
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, source="training.toml")
    assert "training.toml" in str(caught.value)
    return caught.value.problems


def question(data, qid):
    return next(q for q in data["questions"] if q["id"] == qid)


def test_the_fixture_is_a_valid_second_questionnaire(training):
    assert training.ids == ("A1", "A2", "A3", "B1", "B2")
    router = Router(training)
    assert router.route({"A1": Single(0)}).order == ("A1", "B1", "B2")
    assert training.judgeable == {"A3"}


def test_duplicate_question_id():
    def change(data):
        question(data, "A3")["id"] = "A2"

    assert any(p.startswith("A2:") and "2 回" in p for p in broken(change))


def test_duplicate_option_code():
    def change(data):
        question(data, "A2")["options"][1]["code"] = 1

    assert "A2: 選択肢の番号 1 が重複しています。" in broken(change)


def test_skip_to_missing_question():
    def change(data):
        data["skips"][0]["to"] = "C9"

    assert any("A1 からの飛び先の設問 C9 は存在しません" in p for p in broken(change))


def test_skip_backwards():
    def change(data):
        data["skips"][1]["to"] = "A1"

    assert any("A2 からの飛び先 A1 が A2 より前にあります" in p for p in broken(change))


def test_skip_to_itself():
    def change(data):
        data["skips"][1]["to"] = "A2"

    assert any("飛び先 A2 が A2 より前" in p for p in broken(change))


def test_condition_on_a_later_question():
    def change(data):
        data["skips"][0]["when"] = "A3 = 2"

    assert any("後ろの設問 A3 を参照" in p and p.startswith("分岐（A1）") for p in broken(change))


def test_condition_on_a_missing_question_or_option():
    def change(data):
        data["skips"][0]["when"] = "Z1 = 1 or A1 = 7"

    problems = broken(change)
    assert any("存在しない設問 Z1" in p for p in problems)
    assert any("選択肢にない番号 7" in p for p in problems)


def test_condition_syntax_error_says_where():
    def change(data):
        data["skips"][0]["when"] = "A1 = "

    assert any("条件「A1 = 」" in p and "番号が必要" in p for p in broken(change))


def test_condition_operator_must_fit_the_type():
    def change(data):
        data["skips"][1]["when"] = "A2 = 1"
        data["skips"][0]["when"] = "A1 has 1"

    problems = broken(change)
    assert any("A2 は複数回答です" in p for p in problems)
    assert any("「has」は複数回答の設問にだけ" in p for p in problems)


def test_text_box_on_a_missing_option():
    def change(data):
        question(data, "A2")["text_boxes"] = [{"option": 4, "prompt": "内容"}]

    assert "A2: 記入欄が存在しない選択肢 4 に付いています。" in broken(change)


def test_empty_option_list():
    def change(data):
        question(data, "A3")["options"] = []

    assert "A3: 選択肢（options）が空です。" in broken(change)


def test_unknown_type_and_unknown_key():
    def change(data):
        question(data, "B1")["type"] = "essay"
        question(data, "A3")["requird"] = True

    problems = broken(change)
    assert any(p.startswith("B1: 種類「essay」は不明です") for p in problems)
    assert "A3: 不明な項目「requird」があります（綴りを確かめてください）。" in problems


def test_counts_ceiling_must_be_another_item():
    def change(data):
        question(data, "B2")["items"][1]["at_most"] = "budget"

    assert any(p.startswith("B2: 項目 trained の上限「budget」") for p in broken(change))


def test_matrix_needs_rows_and_conditions_need_the_row():
    def change(data):
        question(data, "A3")["type"] = "matrix"
        data["checks"][0]["when"] = "A1 = 1"

    assert "A3: 表形式の設問に行（rows）がありません。" in broken(change)


def test_roster_duplicates():
    def change(data):
        data["roster"].append({"group": "財政部", "departments": ["人事課"]})

    assert "[[roster]]: 所属「人事課」が 2 回あります。" in broken(change)


def test_all_problems_are_reported_at_once():
    def change(data):
        question(data, "A2")["options"][1]["code"] = 1
        question(data, "A3")["options"] = []
        data["skips"][0]["to"] = "Z9"

    assert len(broken(change)) == 3


def test_toml_syntax_error_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[survey\nid = "x"', encoding="utf-8")
    with pytest.raises(DefinitionError, match="TOML として読めません"):
        load_definition(bad)
    with pytest.raises(DefinitionError, match="ファイルを読めません"):
        load_definition(tmp_path / "none.toml")


def test_full_width_conditions_are_read():
    data = copy.deepcopy(BASE)
    data["skips"][0]["when"] = "Ａ１ ＝ ０"
    assert Router(parse_definition(data)).route({"A1": Single(0)}).order == ("A1", "B1", "B2")


def test_short_chart_title_and_option_labels_are_optional():
    definition = {
        "schema": 1,
        "survey": {"id": "s", "title": "t"},
        "questions": [
            {"id": "Q1", "type": "single", "text": "使いましたか。", "short_title": "利用の有無",
             "options": [{"code": 1, "label": "使った。", "short": "使用"}, {"code": 2, "label": "使っていない。"}]},
            {"id": "Q2", "type": "single", "text": "よいですか。", "options": [{"code": 1, "label": "はい"}]},
        ],
    }
    from survey.loader import parse_definition

    q = parse_definition(definition)
    first, second = q.question("Q1"), q.question("Q2")
    assert first.chart_title == "利用の有無" and second.chart_title == "よいですか"  # whole text, no 「。」
    assert [o.short_label for o in first.options] == ["使用", "使っていない"]


def test_built_in_definition_titles_charts_as_the_report_does():
    from survey import builtin

    q = builtin()
    assert q.question("Q3").chart_title == "情報発信の目的"
    assert q.question("Q12").chart_title == "各メディアの運用要領を知っているか"
    labels = [o.short_label for o in q.question("Q14").options]
    assert len(set(labels)) == len(labels)  # no two options share a chart label
