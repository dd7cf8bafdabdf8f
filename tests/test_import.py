"""Import of answers in the 回答一覧 layout: validated like typed input, all or nothing, and
export → import into an empty database gives back the same answers."""

from __future__ import annotations

import csv
import random

import openpyxl
import pytest

from db import RefusedError, open_store
from exports.importer import ImportFileError, import_answers
from exports.synthetic import random_answers
from exports.workbook import export_workbook
from survey import Invalid, Single

from .conftest import FIXTURES
from .export_helpers import SCENARIO, enter, scenario_store


def answers_by_name(store) -> dict[str, dict]:
    return {r.department.name: dict(r.answers) for r in store.responses() if r.answers}


def on_route(store, answers: dict) -> dict:
    route = store.router.route(answers)
    return {q: v for q, v in answers.items() if route.status(q) != "off"}


def test_round_trip_scenario(tmp_path):
    source = scenario_store(tmp_path / "source.sqlite")
    exported = export_workbook(source, tmp_path / "out.xlsx")
    target = open_store(tmp_path / "empty.sqlite", "importer")
    report = import_answers(target, exported.path)
    assert report.imported and not report.refusals, report.lines()
    assert report.departments == len(SCENARIO)
    expected = {name: on_route(source, answers) for name, answers in answers_by_name(source).items()}
    assert answers_by_name(target) == expected
    assert "Q17" not in expected["秘書広聴課"]  # the off-route answer stays in the source's log only
    # imported answers are in the audit log as entered by the importer, and await entry checks
    history = [e for e in target.history() if e.action == "answer"]
    assert len(history) == report.answers and {e.who for e in history} == {"importer"}
    assert {e.why for e in history} == {"取り込み: out.xlsx"}
    # a department whose route is complete is 入力済 at once; the others stay 入力中, listed
    for response in target.responses():
        if not response.answers:
            continue
        route = target.router.route(response.answers)
        complete = all(q in response.answers for q in route.order) and not route.awaiting_choice
        assert response.status == ("entered" if complete else "in_progress"), response.department.name
    incomplete = {g.department for g in report.gaps}
    assert report.entered == report.departments - len(incomplete) > 0 and incomplete
    # warnings are reported (as for typed entry), not refused
    assert any("無効な回答（1,2）" in w.message for w in report.warnings)


@pytest.mark.parametrize("definition", [None, FIXTURES / "training.toml"], ids=["niiza", "training"])
def test_round_trip_synthetic_forms(tmp_path, definition):
    """Random forms drawn along their routes (texts like "=1+1", "NA", "-3", blanks, 無効,
    非該当 by judgement, route choices) come back exactly."""
    source = open_store(tmp_path / "source.sqlite", "clerk", definition=definition)
    rng = random.Random(6)
    for department in source.departments():
        enter(source, department.name, random_answers(source.questionnaire, rng, source.router))
    values = [v for answers in answers_by_name(source).values() for v in answers.values()]
    kinds = {type(v).__name__ for v in values}
    if definition is None:  # 58 departments: every kind of value and empty state is drawn
        assert {"Blank", "Invalid", "Single", "Multi", "Text", "Counts", "Grid", "NotApplicable"} <= kinds
        assert any(getattr(v, "route_as", None) for v in values)
    exported = export_workbook(source, tmp_path / "synthetic.xlsx")
    target = open_store(tmp_path / "target.sqlite", "importer", definition=definition)
    report = import_answers(target, exported.path)
    assert report.imported, report.lines()
    assert answers_by_name(target) == answers_by_name(source)


def _answer_sheet_rows(path):
    ws = openpyxl.load_workbook(path)["回答一覧"]
    return [["" if v is None else v for v in row] for row in ws.iter_rows(min_row=3, values_only=True)]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8"], ids=["bom", "no-bom"])
def test_csv_with_and_without_bom(tmp_path, encoding):
    source = scenario_store(tmp_path / "source.sqlite")
    exported = export_workbook(source, tmp_path / "out.xlsx")
    path = tmp_path / "回答.csv"
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(_answer_sheet_rows(exported.path))
    target = open_store(tmp_path / "empty.sqlite", "importer")
    report = import_answers(target, path)
    assert report.imported, report.lines()
    expected = {name: on_route(source, answers) for name, answers in answers_by_name(source).items()}
    assert answers_by_name(target) == expected


def _csv(tmp_path, rows, name="in.csv"):
    path = tmp_path / name
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_read_like_typed_input(tmp_path):
    store = open_store(tmp_path / "db.sqlite", "clerk")
    path = _csv(tmp_path, [
        ["部局", "所属", "Q1", "Q16", "Q18", "Q18_3_text", "Q19", "Q20", "Q23_respondents", "Q23_line"],
        ["総合政策部", "政策課", "２", "１，２", "3", "  理由\r\nあり ", "無回答", "NA", "１２人", ""],
        ["", "総務課", "無回答@1", "", "", "", "1", "=1+1", "", ""],
    ])
    report = import_answers(store, path)
    assert report.imported, report.lines()
    got = answers_by_name(store)
    policy = got["政策課"]
    assert policy["Q1"] == Single(2)
    assert policy["Q16"] == Invalid(raw="１，２")  # two numbers in a single box: 無効, as typed
    assert policy["Q18"] == Single(3, {3: "理由\nあり"})
    assert policy["Q20"].text == "NA"
    assert policy["Q23"].values == {"respondents": 12, "line": None, "x": None, "facebook": None, "youtube": None}
    assert got["総務課"]["Q1"].route_as == 1 and got["総務課"]["Q20"].text == "=1+1"


def test_refusals_are_reported_and_nothing_is_written(tmp_path):
    store = open_store(tmp_path / "db.sqlite", "clerk")
    enter(store, "人事課", {"Q1": Single(2)}, "in_progress")
    rows = [
        ["部局", "所属", "Q1", "Q3_1", "Q12", "Q16", "Q23_respondents", "Q23_line", "Q99"],
        ["総合政策部", "政策課", "1", "1", "", "", "", "", ""],           # fine on its own
        ["総合政策部", "秘書広聴課", "3", "", "", "", "", "", ""],        # not an option
        ["総合政策部", "広報課", "1", "", "", "", "", "", ""],            # no such department
        ["総務部", "総務課", "2", "1", "", "", "", "", ""],               # Q3 is off the Q1 = 2 route
        ["財政部", "財政課", "1", "", "非該当", "", "", "", ""],           # 非該当 where the form has none
        ["財政部", "課税課", "1", "", "", "", "5", "6", ""],             # over 回答者数
        ["総合政策部", "政策課", "1", "", "", "", "", "", ""],            # the same department twice
        ["総務部", "人事課", "2", "", "", "5", "", "", ""],              # already has answers
        ["財政部", "納税課", "1", "2", "", "", "", "", ""],              # not a tick
    ]
    # every tick column of Q3, the others not ticked where Q3_1 is filled
    rows = [row[:4] + (["Q3_2", "Q3_3", "Q3_4", "Q3_5"] if i == 0 else ["0"] * 4 if row[3] else [""] * 4) + row[4:]
            for i, row in enumerate(rows)]
    path = _csv(tmp_path, rows)
    report = import_answers(store, path)
    assert not report.imported
    messages = [str(r) for r in report.refusals]
    expected = [
        ("1 行目", "Q99", "この調書にない列名です"),
        ("3 行目 秘書広聴課", "Ｑ１", "3 は選択肢にありません"),
        ("4 行目 広報課", "", "所属一覧にありません"),
        ("5 行目 総務課", "Ｑ３", "経路外（非該当）の設問に回答があります"),
        ("6 行目 財政課", "Ｑ１２", "非該当にできません"),
        ("7 行目 課税課", "Ｑ２３", "回答者数（5人）を超えています"),
        ("8 行目 政策課", "", "2 行目と同じ所属です"),
        ("9 行目 人事課", "", "すでに回答が入力されています"),
        ("10 行目 納税課", "", "1（選択）か 0（非選択）で書いてください"),
    ]
    assert len(messages) == len(expected), messages
    for (where, question, text), message in zip(expected, messages):
        assert message.startswith(where) and question in message and text in message, message
    assert "何も取り込んでいません" in report.lines()[0]
    assert answers_by_name(store) == {"人事課": {"Q1": Single(2)}}
    assert [e for e in store.history() if e.action == "answer" and e.question_id != "Q1"] == []


def test_check_only_writes_nothing(tmp_path):
    store = open_store(tmp_path / "db.sqlite", "clerk")
    path = _csv(tmp_path, [["所属", "Q1"], ["政策課", "1"]])
    report = import_answers(store, path, check_only=True)
    assert not report.imported and report.answers == 1 and not report.refusals
    assert "点検のみ" in report.lines()[0]
    assert answers_by_name(store) == {}


def test_unreadable_files(tmp_path):
    store = open_store(tmp_path / "db.sqlite", "clerk")
    with pytest.raises(ImportFileError, match="列名の行"):
        import_answers(store, _csv(tmp_path, [["a", "b"], ["1", "2"]]))
    (tmp_path / "x.ods").write_bytes(b"PK")
    with pytest.raises(ImportFileError, match="読めない形式"):
        import_answers(store, tmp_path / "x.ods")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ImportFileError, match="xlsx）として読めません"):
        import_answers(store, tmp_path / "broken.xlsx")
    with pytest.raises(ImportFileError, match="ありません"):
        import_answers(store, tmp_path / "missing.csv")


def test_store_import_is_all_or_nothing(tmp_path):
    """Even past the importer's checks, the store refuses the whole batch in one transaction."""
    store = open_store(tmp_path / "db.sqlite", "clerk")
    first = enter(store, "政策課", {}, "not_started")
    taken = enter(store, "総務課", {"Q1": Single(1)}, "in_progress")
    with pytest.raises(RefusedError, match="総務課 にはすでに回答"):
        store.import_answers({first: {"Q1": Single(2)}, taken: {"Q1": Single(2)}}, why="test")
    assert store.response(response_id=first).answers == {}
    assert store.response(response_id=first).status == "not_started"
    with pytest.raises(RefusedError, match="選択肢にありません"):
        store.import_answers({first: {"Q1": Single(7)}}, why="test")
