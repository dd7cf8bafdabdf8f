"""Issue 27, tables of rows (``begin_repeat`` … ``end_repeat``) in the domain: the repeat read
from an XLSForm workbook and from TOML alike, a Table value that survives storage's plain form,
relevance and ceilings within a row decided by the one routing engine, and a broken repeat
refused with every problem at its cell."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from exports.xlsform import read_definition, write_workbook
from survey import DefinitionError, check_answer, check_form
from survey.answers import (
    Blank, Date, InputError, Invalid, Multi, NotApplicable, Number, Single, Table, Text, decode, describe, encode,
    is_complete, kind_accepts, unfinished_parts,
)
from survey.definition_text import dump_definition
from survey.loader import parse_definition
from survey.model import MAX_ROWS, QuestionType
from survey.routing import OFF, ON, PENDING, Router, expected_rows, row_route
from survey.xlsform import definition_from_cells, questionnaire_from_cells

from .conftest import FIXTURES
from .xlsform_support import ROSTER, SETTINGS, write_sheets

FORM = FIXTURES / "contracts.xlsx"


@pytest.fixture(scope="module")
def form():
    return read_definition(FORM)[0]


def _row(subject="道路補修", amount="1200000", day=date(2024, 4, 1), method=3, reason="緊急のため"):
    row = {"subject": Text(subject), "amount": Number(Decimal(amount)), "signed": Date(day), "method": Single(method)}
    if reason is not None:
        row["reason"] = Text(reason)
    return row


def test_the_workbook_gives_a_repeat_with_its_fields(form):
    contracts = form.question("contracts")
    assert contracts.type is QuestionType.REPEAT and contracts.label == "問５－２"
    assert [f.id for f in contracts.fields] == ["subject", "amount", "signed", "method", "reason"]
    assert [f.type for f in contracts.fields] == [
        QuestionType.TEXT, QuestionType.NUMBER, QuestionType.DATE, QuestionType.SINGLE, QuestionType.TEXT]
    amount = contracts.field("amount")
    assert (amount.unit, amount.minimum, amount.maximum) == ("円", Decimal(0), Decimal("99999999999"))
    assert contracts.field("method").codes == (1, 2, 3)
    assert contracts.repeat_count == "cases"
    assert str(contracts.field("reason").relevant_text) == "method = 3"
    # the repeat is skipped with the other has_contracts questions: one skip over the run
    assert [(s.at, s.to) for s in form.skips] == [("has_contracts", "distance")]
    assert "contracts" not in Router(form).route({"has_contracts": Single(2)})


def test_the_standalone_amount_and_date_stay_beside_the_repeat(form):
    assert form.question("contract_total").type is QuestionType.NUMBER
    assert form.question("contract_date").type is QuestionType.DATE
    assert form.ids.index("contract_date") < form.ids.index("contracts") < form.ids.index("distance")


def test_workbook_written_and_read_again_is_the_same_questionnaire(form, tmp_path):
    again, _ = read_definition(write_workbook(form, tmp_path / "again.xlsx"))
    assert again.questions == form.questions and again.skips == form.skips


def test_the_stored_definition_text_is_toml_that_gives_the_same_questionnaire(form):
    import tomllib

    _, text = read_definition(FORM)
    assert parse_definition(tomllib.loads(text.text)).questions == form.questions


def test_pyxform_accepts_the_repeat_workbook():
    from pyxform.xls2xform import convert

    xform = convert(xlsform=str(FORM)).xform
    assert 'nodeset="/data/contracts"' in xform and "jr:count" in xform


def test_a_row_is_routed_by_its_own_fields(form):
    contracts = form.question("contracts")
    assert row_route(contracts, {"method": Single(3)})["reason"] == ON
    assert row_route(contracts, {"method": Single(1)})["reason"] == OFF
    assert row_route(contracts, {})["reason"] == PENDING  # method not keyed yet: still asked
    assert row_route(contracts, {"method": Blank()})["reason"] == PENDING
    assert Router(form).row_route("contracts", {"method": Single(1)}) == row_route(contracts, {"method": Single(1)})


def test_a_table_is_complete_when_every_row_has_what_it_asks(form):
    contracts = form.question("contracts")
    whole = Table((_row(), _row(method=1, reason=None)))
    assert is_complete(contracts, whole)
    half = Table((_row(), {"subject": Text("備品")}))
    assert unfinished_parts(contracts, half) == ("行2",)
    assert not is_complete(contracts, half)
    assert is_complete(contracts, Table(()))


def test_repeat_count_from_a_field_or_a_number(form):
    contracts = form.question("contracts")
    assert expected_rows(contracts, {"cases": Number(Decimal(3))}) == 3
    assert expected_rows(contracts, {"cases": Blank()}) is None
    assert expected_rows(contracts, {"cases": Number(Decimal(100000))}) == MAX_ROWS
    answers = {"has_contracts": Single(1), "cases": Number(Decimal(2)), "contracts": Table((_row(),))}
    warnings = [p for p in check_form(form, answers) if p.question == "contracts"]
    assert any(p.kind == "row-count" and "行数（1 行）" in p.message for p in warnings)


def test_hard_errors_name_the_row_and_the_field(form):
    bad = Table((_row(), _row(amount="-5"), {"method": Single(7)}, {"amount": Text("x")}))
    messages = [p.message for p in check_answer(form, "contracts", bad)]
    assert any(m.startswith("行2 金額: ") and "小さすぎます" in m for m in messages)
    assert any(m.startswith("行3 方式: 7 は選択肢にありません") for m in messages)
    assert any(m.startswith("行4 金額: ") for m in messages)
    assert check_answer(form, "contracts", Table((_row(),))) == []
    assert check_answer(form, "contracts", Table(({"nothing": Text("x")},)))[0].kind == "unknown-field"


def test_soft_warnings_inside_rows(form):
    answers = {"has_contracts": Single(1), "cases": Number(Decimal(1)),
               "contracts": Table((_row(method=1, reason="書いてある"),))}
    kinds = {p.kind for p in check_form(form, answers) if p.question == "contracts"}
    assert "off-route" in kinds  # a reason for a contract that is not 随意契約


def test_a_table_holds_at_most_max_rows_and_only_cell_values():
    Table(tuple({} for _ in range(MAX_ROWS)))
    with pytest.raises(InputError, match=str(MAX_ROWS)):
        Table(tuple({} for _ in range(MAX_ROWS + 1)))
    with pytest.raises(InputError):
        Table(({"a": NotApplicable()},))
    with pytest.raises(InputError):
        Table(({"a": Blank(route_as=1)},))
    with pytest.raises(InputError):
        Table([{}])


def test_kind_accepts_a_table_only_for_a_repeat(form):
    assert kind_accepts(form.question("contracts"), Table(()))
    assert not kind_accepts(form.question("contracts"), Text("x"))
    assert not kind_accepts(form.question("contract_total"), Table(()))


def test_describe_a_table(form):
    shown = describe(form.question("contracts"), Table((_row(), _row(method=1, reason=None))))
    assert shown.startswith("2 行: ［1］件名 道路補修、金額 1,200,000円、契約日 令和6年4月1日")
    assert "［2］" in shown and "方式 1" in shown
    assert describe(form.question("contracts"), Table(())) == "0 行"


_cells = st.one_of(
    st.builds(Number, st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**12, max_value=10**12)),
    st.builds(Date, st.dates()),
    st.builds(Single, st.integers(0, 99)),
    st.builds(Multi, st.frozensets(st.integers(0, 9), min_size=1)),
    st.builds(Text, st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)),
    st.just(Blank()),
    st.builds(Invalid, st.just("1,2")),
)
_tables = st.builds(
    Table, st.lists(st.dictionaries(st.sampled_from(["subject", "amount", "signed", "method", "x"]), _cells), max_size=8).map(tuple)
)


@settings(max_examples=150, deadline=None)
@given(_tables)
def test_any_table_survives_its_json_form_exactly(table):
    data = json.loads(json.dumps(encode(table)))
    again = decode(data)
    assert again == table
    for before, after in zip(table.rows, again.rows):
        for name, cell in before.items():
            if isinstance(cell, Number):
                assert str(after[name].value) == str(cell.value)  # the digits, no float drift


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([1, 2, 3, None]), max_size=6), st.integers(0, 5), st.integers(0, 3))
def test_row_edits_keep_the_other_rows(methods, at, which):
    rows = tuple({} if m is None else {"method": Single(m)} for m in methods)
    table = Table(rows)
    at = min(at, len(rows))
    new = {"method": Single(which or 1)}
    inserted = table.inserted(at, new)
    assert inserted.rows[at] == new and inserted.removed(at) == table
    if rows:
        i = min(at, len(rows) - 1)
        assert table.replaced(i, new).rows[:i] == rows[:i] and table.replaced(i, new).rows[i + 1:] == rows[i + 1:]
    assert table.replaced(len(rows), new).rows == rows + (new,)


# -- TOML ----------------------------------------------------------------------------------------

def _toml(**repeat):
    return {
        "survey": {"id": "t", "title": "表"},
        "roster": [{"group": "総務部", "departments": ["総務課"]}],
        "questions": [
            {"id": "n", "type": "number", "text": "件数", "unit": "件"},
            {"id": "vehicles", "type": "repeat", "text": "公用車", "repeat_count": "n", "fields": [
                {"id": "plate", "type": "text", "text": "登録番号"},
                {"id": "kind", "type": "single", "text": "種別", "options": [{"code": 1, "label": "普通"}, {"code": 2, "label": "軽"}]},
                {"id": "km", "type": "number", "text": "走行距離", "unit": "km", "decimal": True, "min": 0},
                {"id": "limit", "type": "number", "text": "上限", "unit": "km"},
                {"id": "note", "type": "text", "text": "備考", "relevant": "kind = 2"},
            ], **repeat},
            {"id": "end", "type": "text", "text": "最後"},
        ],
    }


def test_toml_repeat_reads_and_routes_like_the_workbook():
    q = parse_definition(_toml())
    vehicles = q.question("vehicles")
    assert row_route(vehicles, {"kind": Single(2)})["note"] == ON
    assert vehicles.field("km").decimal
    data = _toml()
    data["questions"][1]["fields"][2]["at_most"] = "limit"
    ceiling = parse_definition(data).question("vehicles")
    row = {"km": Number(Decimal("10.5")), "limit": Number(Decimal(10))}
    assert check_answer(parse_definition(data), "vehicles", Table((row,)))[0].kind == "over-ceiling"
    assert ceiling.field("km").at_most == "limit"


def test_toml_questionnaire_to_workbook_and_back(tmp_path):
    data = _toml(repeat_count=5)
    data["questions"][1]["fields"][2]["at_most"] = "limit"
    q = parse_definition(data)
    again, _ = read_definition(write_workbook(q, tmp_path / "v.xlsx"))
    assert again.questions == q.questions


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["questions"][1].update(repeat_count=0), "1 から 200 まで"),
        (lambda d: d["questions"][1].update(repeat_count=201), "1 から 200 まで"),
        (lambda d: d["questions"][1].update(repeat_count="nothing"), "repeat_count の nothing という設問はありません"),
        (lambda d: d["questions"][1].update(repeat_count="end"), "整数（integer）の設問ではありません"),
        (lambda d: d["questions"][1].update(fields=[]), "列（fields）がありません"),
        (lambda d: d["questions"][1]["fields"].append({"id": "m", "type": "matrix", "text": "表", "options": [{"code": 1, "label": "a"}], "rows": [{"id": "r", "label": "r"}]}), "表の列に表（行ごとに単一回答）は置けません"),
        (lambda d: d["questions"][1]["fields"][4].update(relevant="note = 1"), "この行のこれより前の列ではない note"),
        (lambda d: d["questions"][1]["fields"][4].update(relevant="kind = 9"), "選択肢にない番号 9"),
        (lambda d: d["questions"][1]["fields"][2].update(at_most="plate"), "同じ表の別の数値の列ではありません"),
        (lambda d: d["questions"][1]["fields"][0].update(id="n"), "列の名前 n が調書の中で 2 回"),
        (lambda d: d["questions"][2].update(fields=[{"id": "a", "type": "text", "text": "a"}]), "表（repeat）の設問にだけ"),
        (lambda d: d["questions"][1]["fields"][0].update(colour="red"), "不明な項目「colour」"),
    ],
)
def test_a_broken_repeat_is_refused_in_japanese(change, message):
    data = _toml()
    change(data)
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    assert any(message in p for p in caught.value.problems), caught.value.problems


def test_a_skip_may_not_look_at_a_repeat():
    data = _toml()
    data["skips"] = [{"at": "vehicles", "when": "vehicles = 1", "to": "end"}]
    with pytest.raises(DefinitionError, match="条件に使えません"):
        parse_definition(data)


# -- a broken workbook ---------------------------------------------------------------------------

def test_a_broken_repeat_workbook_names_each_cell(tmp_path):
    survey = [
        ["type", "name", "label", "relevant", "constraint", "repeat_count"],
        ["integer", "n", "件数", "", "", ""],  # 2
        ["begin_repeat", "r", "一覧", "", "", "many"],  # 3: repeat_count not a number or ${…}
        ["text", "a", "件名", "${b} = '1'", "", ""],  # 4: a later field
        ["select_one yn", "b", "種別", "", "", ""],
        ["geopoint", "c", "位置", "", "", ""],  # 6: not a field type
        ["integer", "d", "額", "", ". <= ${zz}", ""],  # 7: not a field of the row
        ["end_group", "", "", "", "", ""],  # 8: closes a repeat
        ["text", "z", "最後", "", "", ""],
    ]
    choices = [["list_name", "name", "label"], ["yn", 1, "はい"]]
    path = write_sheets(tmp_path / "b.xlsx", {"survey": survey, "choices": choices, "settings": SETTINGS, "所属一覧": ROSTER})
    from exports.xlsform import read_cells

    with pytest.raises(DefinitionError) as caught:
        definition_from_cells(read_cells(path))
    problems = "\n".join(caught.value.problems)
    assert "survey シートの 3 行目 repeat_count 列" in problems
    assert "survey シートの 4 行目 relevant 列" in problems
    assert "survey シートの 6 行目 type 列" in problems
    assert "survey シートの 7 行目 constraint 列" in problems
    assert "survey シートの 8 行目 type 列: begin_repeat（3 行目）を end_group で閉じています" in problems


def test_repeat_count_names_an_earlier_question_in_the_workbook(tmp_path):
    survey = [
        ["type", "name", "label", "repeat_count"],
        ["begin_repeat", "r", "一覧", "${later}"],
        ["text", "a", "件名", ""],
        ["end_repeat", "", "", ""],
        ["integer", "later", "件数", ""],
    ]
    path = write_sheets(tmp_path / "c.xlsx", {"survey": survey, "settings": SETTINGS, "所属一覧": ROSTER})
    from exports.xlsform import read_cells

    with pytest.raises(DefinitionError, match="survey シートの 2 行目（r）: repeat_count の later はこの表より後ろ"):
        questionnaire_from_cells(read_cells(path))


def test_check_and_show_describe_the_repeat(capsys):
    from tui.cli import main

    assert main(["check", str(FORM)]) == 0
    assert "行の表（繰り返し） 1" in capsys.readouterr().out
    assert main(["show", "--definition", str(FORM)]) == 0
    out = capsys.readouterr().out
    assert "［行数は cases の回答（200 行まで）］" in out
    assert "列 amount（数値）金額" in out and "この行で記入する条件: method = 3" in out


def test_route_refuses_a_table_value_in_japanese(capsys):
    from tui.cli import main

    assert main(["route", "--definition", str(FORM), "has_contracts=1", "contracts=1"]) == 2
    assert "行の表（繰り返し）です" in capsys.readouterr().err
