"""argparse in Japanese: every message, usage line and help heading of the ``chosho`` command.

argparse words its messages through ``gettext`` (a module-level ``_`` and ``ngettext`` in
argparse itself), and Python ships no Japanese catalogue for them. A gettext catalogue would have
to be a compiled .mo file found through the process's locale, so the parser here swaps argparse's
two functions for a lookup in ``MESSAGES`` while it builds itself, parses, formats its help or
reports an error, and puts them back afterwards: no other parser in the process is affected.

Every parser of the command line is a ``JapaneseArgumentParser`` (subcommands get it through
``add_subparsers(parser_class=...)``); tests/test_cli_japanese.py holds ``MESSAGES`` complete
against the running Python's argparse.
"""

from __future__ import annotations

import argparse
import functools
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["JapaneseArgumentParser", "JapaneseHelpFormatter", "MESSAGES", "PLURAL_MESSAGES"]

# argparse's msgids (Python 3.11–3.13) → Japanese, the %-placeholders kept.
MESSAGES: dict[str, str] = {
    "usage: ": "使い方: ",
    "positional arguments": "引数",
    "options": "オプション",
    "optional arguments": "オプション",
    "show this help message and exit": "この説明を表示して終了します",
    "show program's version number and exit": "版を表示して終了します",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s の指定: %(message)s",
    "unrecognized arguments: %s": "知らない引数があります: %s",
    "the following arguments are required: %s": "次の引数を指定してください: %s",
    "one of the arguments %s is required": "次の引数のどれかを指定してください: %s",
    "not allowed with argument %s": "%s と一緒には指定できません",
    "ignored explicit argument %r": "値 %r は受け取れません（値をとらないオプションです）",
    "expected one argument": "値を一つ指定してください",
    "expected at most one argument": "値は一つまでです",
    "expected at least one argument": "値を一つ以上指定してください",
    "ambiguous option: %(option)s could match %(matches)s": "%(option)s では、どのオプションか決まりません（候補: %(matches)s）",
    "unexpected option string: %s": "ここにオプション %s は書けません",
    "invalid %(type)s value: %(value)r": "%(value)r は正しい値ではありません",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r は選べません（選べるのは %(choices)s）",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)":
        "%(value)r は選べません（%(closest)r のことですか。選べるのは %(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "%(parser_name)r というコマンドはありません（あるのは %(choices)s）",
    "can't open '%(filename)s': %(error)s": "「%(filename)s」を開けません: %(error)s",
    'argument "-" with mode %r': "「-」（標準入出力）はモード %r では使えません",
    "%(prog)s: error: %(message)s\n": "%(prog)s: 指定に誤りがあります: %(message)s\n",
    # The mistakes of a program building a parser (ValueError / TypeError while it is made, never
    # a user's typing), in Japanese all the same.
    ".__call__() not defined": ".__call__() が定義されていません",
    "conflicting subparser: %s": "コマンド %s が二重に定義されています",
    "conflicting subparser alias: %s": "コマンドの別名 %s が二重に定義されています",
    "cannot merge actions - two groups are named %r": "引数のグループ %r が二重にあります",
    "'required' is an invalid argument for positionals": "位置引数に required は指定できません",
    "dest= is required for options like %r": "%r のようなオプションには dest= が必要です",
    "invalid conflict_resolution value: %r": "conflict_resolution の値 %r は使えません",
    "mutually exclusive arguments must be optional": "同時に指定できない引数はオプションでなければなりません",
    "cannot have multiple subparser arguments": "コマンドの引数は一つだけです",
    "%r is not callable": "%r は呼び出せません",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r":
        "オプション %(option)r は %(prefix_chars)r のどれかで始めてください",
    "%(prog)s: warning: %(message)s\n": "%(prog)s: 注意: %(message)s\n",
    "argument '%(argument_name)s' is deprecated": "%(argument_name)s は廃止予定です",
    "option '%(option)s' is deprecated": "オプション %(option)s は廃止予定です",
    "command '%(parser_name)s' is deprecated": "コマンド %(parser_name)s は廃止予定です",
    "unrecognized arguments: %s\n": "知らない引数があります: %s\n",
    "error: %(message)s\n": "指定に誤りがあります: %(message)s\n",
}

# ngettext's (singular, plural) → Japanese, which has one form.
PLURAL_MESSAGES: dict[tuple[str, str], str] = {
    ("expected %s argument", "expected %s arguments"): "値を %s 個指定してください",
    ("conflicting option string: %s", "conflicting option strings: %s"): "オプションが二重に定義されています: %s",
}


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return PLURAL_MESSAGES.get((singular, plural), singular if n == 1 else plural)


@contextmanager
def _in_japanese() -> Iterator[None]:
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = _gettext, _ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def _japanese(method: Callable) -> Callable:
    @functools.wraps(method)
    def wrapped(*args, **kwargs):
        with _in_japanese():
            return method(*args, **kwargs)

    return wrapped


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Cells(str):
    """An option's invocation (``--db ファイル``) measured in terminal cells, as argparse
    compares and pads it with ``len``: a full-width character takes two."""

    def __len__(self) -> int:
        return _cells(self)


_NO_LINE_START = set("、。，．,.）)」』】〕］]！!？?ー・：:；;")


def _latin(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def fold(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken at any character (Japanese has no
    spaces for textwrap), but never inside a Latin word or number, nor before 、。）."""
    lines: list[str] = []
    text = " ".join(text.split())
    while _cells(text) > width:
        used = cut = 0
        while used + _cells(text[cut]) <= width:
            used += _cells(text[cut])
            cut += 1
        start = cut
        while start > 0 and _latin(text[start - 1]) and _latin(text[start]):
            start -= 1
        if start > 0:  # else one word wider than the line: cut it where it must
            cut = start
        while cut > 1 and text[cut] in _NO_LINE_START:
            cut -= 1
        lines.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return lines + [text] if text else lines


class JapaneseHelpFormatter(argparse.HelpFormatter):
    """argparse's layout measured in terminal cells: the help column lines up after Japanese
    metavars, and Japanese help text (no spaces for textwrap to break at) folds to the width."""

    def _format_action_invocation(self, action: argparse.Action) -> str:
        return _Cells(super()._format_action_invocation(action))

    def _format_action(self, action: argparse.Action) -> str:
        if isinstance(action, argparse._SubParsersAction) and action.help is None:
            # The commands straight under their heading, not under a line naming them again.
            return self._join_parts([self._format_action(command) for command in action._get_subactions()])
        help_position = min(self._action_max_length + 2, self._max_help_position)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        if not action.help or len(header) > action_width:  # its own line, the help below it
            parts = [" " * self._current_indent + header + "\n"]
            indent_first = help_position
        else:
            parts = [" " * self._current_indent + header + " " * (action_width - len(header) + 2)]
            indent_first = 0
        if action.help and action.help.strip():
            help_text = self._expand_help(action)
            lines = self._split_lines(help_text, max(self._width - help_position, 11)) if help_text else []
            for number, line in enumerate(lines):
                parts.append(" " * (indent_first if number == 0 else help_position) + line + "\n")
        for subaction in self._iter_indented_subactions(action):
            parts.append(self._format_action(subaction))
        return self._join_parts(parts)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return fold(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in fold(text, width - len(indent)))


class JapaneseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose own words (usage, headings, -h, every error) are Japanese."""

    @_japanese
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", JapaneseHelpFormatter)
        super().__init__(*args, **kwargs)

    @_japanese
    def add_subparsers(self, **kwargs):
        kwargs.setdefault("parser_class", type(self))
        return super().add_subparsers(**kwargs)

    parse_args = _japanese(argparse.ArgumentParser.parse_args)
    parse_known_args = _japanese(argparse.ArgumentParser.parse_known_args)
    format_usage = _japanese(argparse.ArgumentParser.format_usage)
    format_help = _japanese(argparse.ArgumentParser.format_help)

    @_japanese
    def error(self, message: str):  # noqa: ANN201 - argparse's signature; never returns
        self.print_usage(sys.stderr)
        self.exit(2, _gettext("%(prog)s: error: %(message)s\n") % {"prog": self.prog, "message": message})
