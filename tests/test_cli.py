"""The chosho command: help, definition check, questionnaire listing, route display."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui.cli import main

from .conftest import FIXTURES


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("check", "show", "route", "backup", "--db"):
        assert command in out
    assert "使い方: chosho" in out


def test_console_script_help():
    out = subprocess.run([sys.executable, "-m", "tui.cli", "--help"], capture_output=True, text=True, check=True)
    assert "調書定義ファイルを点検" in out.stdout


def test_check_builtin(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "誤りはありません" in out
    assert "設問 23 問" in out
    assert "対象所属 58（12 部局）" in out


def test_check_second_definition(capsys):
    assert main(["check", str(FIXTURES / "training.toml")]) == 0
    assert "職員研修に関するアンケート" in capsys.readouterr().out


def test_check_broken_definition_reports_in_japanese(tmp_path, capsys):
    broken = tmp_path / "broken.toml"
    text = (FIXTURES / "training.toml").read_text(encoding="utf-8").replace('to = "B1"', 'to = "A1"', 1)
    broken.write_text(text, encoding="utf-8")
    assert main(["check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "誤りがあります（1件）" in err
    assert "A1 からの飛び先 A1 が A1 より前にあります" in err


def test_show_lists_questions_options_and_skips(capsys):
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "Ｑ２３（人数・任意）" in out
    assert "5 その他　［記入欄: その他の内容］" in out
    assert "→ Q8" in out
    assert "【共通（全所属回答してください。）】" in out


def test_route_command(capsys):
    assert main(["route", "Q1=２", "Q16=5"]) == 0
    out = capsys.readouterr().out
    assert "〇 Ｑ１６" in out
    assert "－ Ｑ１７" in out
    assert "  － Ｑ２" in out.splitlines()


def test_route_command_blank_q1_and_bad_input(capsys):
    assert main(["route", "Q1=無回答"]) == 0
    out = capsys.readouterr().out
    assert "△ Ｑ２" in out
    assert "Q1=無回答@番号" in out
    assert main(["route", "Q1=3"]) == 2
    assert "3 は選択肢にありません。1、2 の番号を入力してください。" in capsys.readouterr().err
    assert main(["route", "Q1=無回答@x"]) == 2
    assert "経路の番号" in capsys.readouterr().err
    assert main(["route", "Q23=5,6,0,0,0"]) == 1
    assert "回答者数（5人）を超えています" in capsys.readouterr().out


def test_route_command_takes_what_an_ime_types(capsys):
    assert main(["route", "Q1=１", "Q2=５，５，５，２", "Q8=１、２", "Q23=１２、３、０、０、１３"]) == 1
    out = capsys.readouterr().out
    assert "  － Ｑ３" in out.splitlines()  # YouTube only: straight to Q8
    assert "〇 Ｑ８    1、2" in out
    assert "ＹｏｕＴｕｂｅ（13人）が回答者数（12人）を超えています。" in out
