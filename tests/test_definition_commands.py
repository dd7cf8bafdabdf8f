"""chosho new (a survey database from a workbook, checked first, never overwriting) and
chosho definition -o (the database's questionnaire back as a workbook)."""

from __future__ import annotations

import sqlite3

import survey
from exports.xlsform import read_definition
from survey import BUILTIN_WORKBOOK
from tui.cli import main

from .xlsform_support import broken_workbook


def _digest(path):
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT sha256 FROM questionnaires").fetchone()[0]


def test_new_creates_a_survey_from_a_workbook(tmp_path, capsys):
    db = tmp_path / "r7.sqlite"
    assert main(["--db", str(db), "new", str(BUILTIN_WORKBOOK)]) == 0
    assert "新しい調査のデータベースを作りました" in capsys.readouterr().out
    from db import open_store

    with open_store(db, "clerk") as store:
        assert store.questionnaire == survey.builtin()
        assert len(store.departments()) == 58


def test_new_never_overwrites(tmp_path, capsys):
    db = tmp_path / "r7.sqlite"
    db.write_bytes(b"someone's work")
    assert main(["--db", str(db), "new", str(BUILTIN_WORKBOOK)]) == 3
    assert "上書きしません" in capsys.readouterr().err
    assert db.read_bytes() == b"someone's work"


def test_new_refuses_a_broken_form_with_every_problem_and_creates_nothing(tmp_path, capsys):
    db = tmp_path / "r7.sqlite"
    assert main(["--db", str(db), "new", str(broken_workbook(tmp_path / "broken.xlsx"))]) == 1
    err = capsys.readouterr().err
    assert "誤りがあります（10件）" in err
    assert "survey シートの 8 行目 type 列" in err
    assert not db.exists()


def test_the_digest_survives_resaving_in_excel(tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(BUILTIN_WORKBOOK)
    book["choices"].column_dimensions["C"].width = 60
    book.save(tmp_path / "resaved.xlsx")
    assert main(["--db", str(tmp_path / "a.sqlite"), "new", str(BUILTIN_WORKBOOK)]) == 0
    assert main(["--db", str(tmp_path / "b.sqlite"), "new", str(tmp_path / "resaved.xlsx")]) == 0
    assert _digest(tmp_path / "a.sqlite") == _digest(tmp_path / "b.sqlite")


def test_definition_writes_the_databases_questionnaire_as_a_workbook(tmp_path, capsys):
    db = tmp_path / "chosho.sqlite"
    out = tmp_path / "next-year.xlsx"
    assert main(["--db", str(db), "definition", "-o", str(out)]) == 0  # a new database: the built-in
    again, _ = read_definition(out)
    assert again == survey.builtin()
    assert main(["--db", str(db), "definition", "-o", str(out)]) == 3
    assert "--force" in capsys.readouterr().err
    assert main(["--db", str(db), "definition", "-o", str(out), "--force"]) == 0
    # Next year's database from this year's workbook: the same questionnaire, the same digest.
    assert main(["--db", str(tmp_path / "next.sqlite"), "new", str(out)]) == 0
    assert main(["--db", str(tmp_path / "first.sqlite"), "new", str(BUILTIN_WORKBOOK)]) == 0
    assert _digest(tmp_path / "next.sqlite") == _digest(tmp_path / "first.sqlite")


def test_new_from_a_toml_file_too(tmp_path):
    from db import open_store

    from .conftest import FIXTURES

    db = tmp_path / "training.sqlite"
    assert main(["--db", str(db), "new", str(FIXTURES / "training.toml")]) == 0
    with open_store(db, "clerk") as store:
        assert store.questionnaire == survey.load_definition(FIXTURES / "training.toml")
