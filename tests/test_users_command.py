"""``chosho users`` (issue 24): add, list, passwd, disable — the password from standard input or
asked twice without echo, never on the command line; Japanese messages and exit codes."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from db import open_store
from db import accounts as A
from tui.cli import main

from .store_support import audit_rows, db_path, template_db  # noqa: F401 - fixtures


class Keyboard(io.StringIO):
    """Standard input of a terminal: getpass is asked instead (monkeypatched below)."""

    def isatty(self) -> bool:
        return True


def _typed(monkeypatch, *answers: str) -> list[str]:
    """getpass answers ``answers`` in turn; returns the prompts it was shown."""
    import getpass

    prompts: list[str] = []
    queue = list(answers)

    def fake(prompt: str = "") -> str:
        prompts.append(prompt)
        if not queue:
            raise EOFError
        answer = queue.pop(0)
        if answer == "^C":
            raise KeyboardInterrupt
        return answer

    monkeypatch.setattr(getpass, "getpass", fake)
    monkeypatch.setattr(sys, "stdin", Keyboard())
    return prompts


def _run(capsys, path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(path), "users", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_from_standard_input_then_list_and_log_in(db_path, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sys, "stdin", io.StringIO("秘密のパスワード\nignored second line\n"))
    code, out, err = _run(capsys, db_path, "add", "田中", "--admin", "--password-stdin")
    assert code == 0, err
    assert "管理者のアカウント「田中」を作りました" in out and "--user は使いません" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO("suzuki-password\r\n"))
    code, out, _ = _run(capsys, db_path, "add", "suzuki", "--password-stdin")
    assert code == 0 and "アカウント「suzuki」を作りました" in out and "--user" not in out  # said once, at the first
    code, out, _ = _run(capsys, db_path, "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["名前", "種別", "状態", "作成日時", "作成者"]
    assert lines[1].split()[:3] == ["田中", "管理者", "使用中"] and lines[2].split()[:3] == ["suzuki", "一般", "使用中"]
    with open_store(db_path) as store:
        assert A.check_password(store, "田中", "秘密のパスワード") == "田中"
        assert A.check_password(store, "suzuki", "suzuki-password") == "suzuki"  # the line end is not part of it


def test_the_password_asked_twice_without_echo(db_path, capsys, monkeypatch):  # noqa: F811
    prompts = _typed(monkeypatch, "first-password", "first-password")
    code, out, err = _run(capsys, db_path, "add", "佐藤")
    assert code == 0, err
    assert len(prompts) == 2 and "「佐藤」のパスワード" in prompts[0] and "もう一度" in prompts[1]
    # a mismatch changes nothing
    _typed(monkeypatch, "second-password", "second-passwort")
    code, _, err = _run(capsys, db_path, "passwd", "佐藤")
    assert code == 2 and "一致しません" in err and "何も変更していません" in err
    # too short: refused at once, not asked again
    prompts = _typed(monkeypatch, "short", "short")
    code, _, err = _run(capsys, db_path, "passwd", "佐藤")
    assert code == 2 and "8 文字以上" in err and len(prompts) == 1
    # Ctrl+C while asked: stopped, nothing changed, no traceback
    _typed(monkeypatch, "^C")
    code, _, err = _run(capsys, db_path, "passwd", "佐藤")
    assert code == 130 and "中止しました" in err and "Traceback" not in err
    _typed(monkeypatch, "second-password", "second-password")
    code, out, _ = _run(capsys, db_path, "passwd", "佐藤")
    assert code == 0 and "パスワードを変更しました" in out
    with open_store(db_path) as store:
        assert A.check_password(store, "佐藤", "first-password") is None
        assert A.check_password(store, "佐藤", "second-password") == "佐藤"
    kinds = [row[4] for row in audit_rows(db_path) if row[4].startswith("account")]
    assert kinds == ["account_add", "account_password"]  # the refused attempts left nothing


def test_no_terminal_and_no_password_stdin_is_refused_in_japanese(db_path, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = _run(capsys, db_path, "add", "田中")
    assert code == 2 and "--password-stdin" in err and "端末がありません" in err
    code, _, err = _run(capsys, db_path, "add", "田中", "--password-stdin")
    assert code == 2 and "1 行目にパスワードがありません" in err
    with open_store(db_path) as store:
        assert not A.has_accounts(store)


def test_refusals_name_the_reason_and_exit_3(db_path, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sys, "stdin", io.StringIO("password-one\n"))
    assert _run(capsys, db_path, "add", "suzuki", "--password-stdin")[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("password-two\n"))
    code, _, err = _run(capsys, db_path, "add", "ＳＵＺＵＫＩ", "--password-stdin")
    assert code == 3 and "アカウント「suzuki」と同じ人" in err
    code, _, err = _run(capsys, db_path, "passwd", "nobody")
    assert code == 3 and "アカウント「nobody」はありません" in err
    code, _, err = _run(capsys, db_path, "add", "a\u200bb")
    assert code == 3 and err.startswith("chosho: ")
    code, out, err = _run(capsys, db_path, "disable", "Suzuki")
    assert code == 0 and "アカウント「suzuki」を使用停止にしました" in out
    code, _, err = _run(capsys, db_path, "disable", "suzuki")
    assert code == 3 and "すでに使用停止" in err
    code, out, _ = _run(capsys, db_path, "list")
    assert "使用停止" in out.splitlines()[1]


def test_the_operations_answer_in_japanese(capsys):
    for argv in (["users"], ["users", "add"], ["users", "frobnicate"], ["users", "add", "x", "--password", "pw"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and "使い方: chosho" in err and "指定に誤りがあります" in err, err
        assert "pw" not in err or "知らない引数があります: pw" in err  # a password is never an option's value
    for op in ("add", "list", "passwd", "disable"):
        with pytest.raises(SystemExit) as exit_:
            main(["users", op, "--help"])
        out = capsys.readouterr().out
        assert exit_.value.code == 0 and "使い方: chosho users" in out and "この説明を表示して終了します" in out


def test_the_installed_command_reads_the_password_from_stdin(db_path):  # noqa: F811
    run = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db_path), "users", "add", "山田", "--password-stdin"],
        input="yamada-password\n", capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "yamada-password" not in run.stdout + run.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db_path), "users", "list"],
        capture_output=True, text=True, timeout=120,
    )
    assert listed.returncode == 0 and "山田" in listed.stdout
