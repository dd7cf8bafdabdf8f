"""The command line speaks Japanese: argparse's own words (usage, headings, -h, every error) are
translated, for every command, including those added later (they are found in the parser)."""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import subprocess
import sys

import pytest

from tui.cli import build_parser, main
from tui.cli_parser import MESSAGES, PLURAL_MESSAGES, JapaneseArgumentParser, fold


def _argparse_messages() -> tuple[set[str], set[tuple[str, str]]]:
    """Every message the running Python's argparse words through gettext."""
    single, plural = set(), set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and texts:
                single.add(texts[0])
            elif node.func.id == "ngettext" and len(texts) == 2:
                plural.add((texts[0], texts[1]))
    return single, plural


ARGPARSE_SINGLE, ARGPARSE_PLURAL = _argparse_messages()
# argparse's English vocabulary: what must never reach a user (placeholders left out).
ARGPARSE_WORDS = {
    word.lower()
    for message in ARGPARSE_SINGLE | {m for pair in ARGPARSE_PLURAL for m in pair}
    for word in re.findall(r"[A-Za-z]{3,}", re.sub(r"%\(\w+\)[sr]", " ", message))
} - {"dest", "required", "conflict_resolution", "call"}  # a program's mistakes, named by argparse's API


def test_every_message_of_this_pythons_argparse_is_translated():
    assert ARGPARSE_SINGLE, "no messages found: argparse changed how it words them"
    assert ARGPARSE_SINGLE <= MESSAGES.keys(), ARGPARSE_SINGLE - MESSAGES.keys()
    assert ARGPARSE_PLURAL <= PLURAL_MESSAGES.keys(), ARGPARSE_PLURAL - PLURAL_MESSAGES.keys()
    for english, japanese in MESSAGES.items():
        # Placeholders argparse's % formatting can fill: the same positional ones, named ones of its own
        # (the Japanese may leave one out: "invalid %(type)s value" names a Python type).
        assert re.findall(r"%[sr]", english) == re.findall(r"%[sr]", japanese)
        assert set(re.findall(r"%\(\w+\)[sr]", japanese)) <= set(re.findall(r"%\(\w+\)[sr]", english))
        assert not set(re.findall(r"[A-Za-z]{3,}", re.sub(r"%\(\w+\)[sr]", "", japanese))) & {"usage", "error", "argument", "invalid"}


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {"": parser, **subparsers.choices}


def _bad_calls() -> list[list[str]]:
    """For every command: its help, an unknown option, each option without its value or with a
    value it does not take, a choice not offered, and the command without its required arguments."""
    calls = [["exprot"], ["--nope"], ["--help"], ["-h"], ["--db"], ["--user"]]
    for name, parser in _commands().items():
        if not name:
            continue
        calls += [[name, "--help"], [name, "--nope"], [name, "--nope", "x", "y"]]
        if any(a.required and a.nargs not in ("?", "*") for a in parser._actions if not a.option_strings):
            calls.append([name])
        for action in parser._actions:
            if not action.option_strings or isinstance(action, argparse._HelpAction):
                continue
            option = action.option_strings[-1]
            if action.nargs == 0:
                calls.append([name, f"{option}=1"])
            else:
                calls.append([name, option])
            if action.choices:
                calls.append([name, option, "foo"])
        abbreviations = {}
        for option in (o for a in parser._actions for o in a.option_strings if o.startswith("--")):
            abbreviations.setdefault(option[:3], []).append(option)
        calls += [[name, prefix] for prefix, options in abbreviations.items() if len(options) > 1]  # ambiguous
    return calls


def _english(text: str) -> set[str]:
    commands = set(_commands())
    choices = {str(c) for p in _commands().values() for a in p._actions if a.choices for c in a.choices}
    text = re.sub(r"(?<![\w-])--?[\w-]+", " ", text)  # option strings are the command's own names
    return {w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ARGPARSE_WORDS} - commands - choices


@pytest.mark.parametrize("argv", _bad_calls(), ids=" ".join)
def test_bad_arguments_and_help_are_answered_in_japanese(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert shown.strip()
    assert not _english(shown), (_english(shown), shown)
    if "--help" in argv or "-h" in argv:
        assert exit_.value.code == 0 and "使い方: chosho" in captured.out
    else:
        assert exit_.value.code == 2 and "使い方: chosho" in captured.err and "指定に誤りがあります" in captured.err


def test_the_issues_examples(capsys):
    for argv, words in (
        (["exprot"], "'exprot' は選べません（選べるのは 'check',"),
        (["attach", "政策課"], "次の引数を指定してください: ファイル"),
        (["export", "--order", "foo"], "--order の指定: 'foo' は選べません（選べるのは 'code', 'frequency'）"),
        (["export", "--o", "x"], "--o では、どのオプションか決まりません（候補: --output, --order）"),
        (["check", "a", "b"], "知らない引数があります: b"),
    ):
        with pytest.raises(SystemExit):
            main(argv)
        assert words in capsys.readouterr().err


def test_every_value_an_option_takes_is_named_in_japanese():
    """argparse would otherwise name it by its dest in capitals: ``--definition DEFINITION``."""
    for name, parser in _commands().items():
        for action in parser._actions:
            if action.nargs == 0 or isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            assert action.choices or (action.metavar and not str(action.metavar).isascii()), (name, action.dest)


def test_every_parser_is_the_japanese_one():
    assert all(isinstance(p, JapaneseArgumentParser) for p in _commands().values())


def test_argparse_is_left_as_it_was_for_other_parsers(capsys):
    with pytest.raises(SystemExit):
        main(["exprot"])
    capsys.readouterr()
    plain = argparse.ArgumentParser(prog="other")
    assert plain.format_usage().startswith("usage: other")


def test_help_columns_line_up_in_terminal_cells(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        main(["--help"])
    lines = capsys.readouterr().out.splitlines()
    starts = {line.index("作業者名") for line in lines if "作業者名" in line}
    db = next(line for line in lines if line.startswith("  --db ファイル"))
    # "  --db ファイル" is 15 cells but 11 characters: the help column is where -h's is, in cells.
    help_line = next(line for line in lines if line.startswith("  -h, --help"))
    assert db.index("データベース") + 4 == help_line.index("この説明") == max(starts) + 2
    assert all(sum(2 if ord(c) > 0x2E7F else 1 for c in line) <= 80 for line in lines)
    # The commands straight under their heading (argparse names the group again on a line of its own).
    heading = lines.index("コマンド:")
    assert lines[heading + 1].split()[0] == "check"


def test_fold_breaks_japanese_but_never_a_latin_word():
    assert fold("省略時は環境変数 CHOSHO_DB、それもなければ", 20) == ["省略時は環境変数", "CHOSHO_DB、それもな", "ければ"]
    assert fold("所属数の多い順。", 14) == ["所属数の多い", "順。"]


def test_the_installed_command_answers_in_japanese():
    done = subprocess.run([sys.executable, "-m", "tui.cli", "exprot"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "'exprot' は選べません" in done.stderr and "invalid choice" not in done.stderr
