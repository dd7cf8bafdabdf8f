"""``chosho users``: the accounts people log in with (db/accounts.py).

``add NAME [--admin] [--password-stdin]``, ``list``, ``passwd NAME [--password-stdin]``,
``disable NAME``. Run in the host's own shell, by whoever holds the database file: once the
database has accounts these are stamped with the OS login, like every host command (tui/cli.py
``_open``). A password is asked twice without echo, or read from the first line of standard
input with ``--password-stdin`` (for scripts): never from the command line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from survey import InputError

__all__ = ["add_parser", "run_users"]

_STDIN_HELP = (
    "パスワードを標準入力の 1 行目から読みます（スクリプト用）。"
    "指定しなければ、画面に出さずに 2 回尋ねます。パスワードをコマンドラインに書く方法はありません"
)


def add_parser(commands: argparse._SubParsersAction, parser_class: type) -> argparse.ArgumentParser:
    """``chosho users`` and its four operations, under the command line's subcommands (the
    caller sets its handler)."""
    users = commands.add_parser(
        "users",
        help="アカウント（名前とパスワードでログインする人）を作成・一覧・パスワード変更・使用停止します",
        description="アカウントが一つでもあるデータベースでは、端末でもブラウザでも名前とパスワードで"
        "作業者を確かめ、--user は使いません。このコマンドはデータベースのある機械（ホスト）で実行し、"
        "OS のログイン名で監査ログに記録されます。詳しくは docs/accounts.md。",
    )
    ops = users.add_subparsers(
        dest="users_command", title="操作", metavar="操作", required=True, parser_class=parser_class
    )
    add = ops.add_parser("add", help="アカウントを作ります（パスワードは 8 文字以上）")
    add.add_argument("name", metavar="名前", help="作業者の名前（文字・数字と間の空白。一人に一つ）")
    add.add_argument("--admin", action="store_true", help="管理者のアカウントにします")
    add.add_argument("--password-stdin", action="store_true", help=_STDIN_HELP)
    ops.add_parser("list", help="アカウントの一覧（名前・管理者・使用停止・作成日時・作成者）を表示します")
    passwd = ops.add_parser("passwd", help="アカウントのパスワードを変更します")
    passwd.add_argument("name", metavar="名前", help="アカウントの名前")
    passwd.add_argument("--password-stdin", action="store_true", help=_STDIN_HELP)
    disable = ops.add_parser(
        "disable", help="アカウントを使用停止にします（ログインできなくなり、ブラウザの接続も切れます。記録は残ります）"
    )
    disable.add_argument("name", metavar="名前", help="アカウントの名前")
    return users


class _Cancelled(Exception):
    pass


def _read_password(name: str, from_stdin: bool) -> str:
    """The new password: the first line of standard input, or asked twice without echo."""
    from db.accounts import password_problem

    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise InputError("標準入力の 1 行目にパスワードがありません。")
    else:
        if not sys.stdin or not sys.stdin.isatty():
            raise InputError(
                "パスワードを尋ねる端末がありません。端末から実行するか、--password-stdin を付けて"
                "標準入力からパスワードを渡してください。"
            )
        import getpass

        try:
            password = getpass.getpass(f"「{name}」のパスワード（8 文字以上。画面には表示されません）: ")
            problem = password_problem(password)
            if problem:
                raise InputError(problem + "何も変更していません。")
            again = getpass.getpass("確認のため、もう一度入力してください: ")
        except (KeyboardInterrupt, EOFError) as exc:
            raise _Cancelled from exc
        if again != password:
            raise InputError("2 回のパスワードが一致しません。何も変更していません。もう一度やり直してください。")
    problem = password_problem(password)
    if problem:
        raise InputError(problem + "何も変更していません。")
    return password


def run_users(args: argparse.Namespace, open_store: Callable) -> int:
    from db import accounts
    from db.who import check_name

    try:
        with open_store(args) as store:
            if args.users_command == "list":
                return _list(store)
            name = args.name.strip()
            if args.users_command == "add":
                check_name(name)  # said before a password is asked for
                first = not accounts.has_accounts(store)
                existing = accounts.find_account(store, name)
                if existing is not None:
                    from db import RefusedError

                    raise RefusedError(f"「{name}」は登録済みのアカウント「{existing}」と同じ人の名前とみなされます。一人に一つのアカウントです。")
                accounts.add_account(store, name, _read_password(name, args.password_stdin), admin=args.admin)
                role = "管理者の" if args.admin else ""
                print(f"{role}アカウント「{name}」を作りました（記録者: {store.who}）。")
                if first:
                    print(
                        "このデータベースにはアカウントができました。これからは端末でもブラウザでも名前と"
                        "パスワードで作業者を確かめ、--user は使いません。ホストで実行するコマンドは "
                        "OS のログイン名で記録されます。"
                    )
                return 0
            stored = accounts.find_account(store, name)
            if stored is None:
                print(f"chosho: アカウント「{name}」はありません（chosho users list で一覧を確かめられます）。", file=sys.stderr)
                return 3
            if args.users_command == "passwd":
                accounts.set_password(store, stored, _read_password(stored, args.password_stdin))
                print(f"アカウント「{stored}」のパスワードを変更しました（記録者: {store.who}）。")
                return 0
            accounts.disable_account(store, stored)
            print(f"アカウント「{stored}」を使用停止にしました（記録者: {store.who}）。ログインできなくなり、ブラウザの接続も切れます。")
            return 0
    except _Cancelled:
        print("\nchosho: 中止しました。何も変更していません。", file=sys.stderr)
        return 130


def _list(store) -> int:
    from db import accounts
    from tui.cli import _pad

    listed = accounts.list_accounts(store)
    if not listed:
        print("アカウントはまだありません（chosho users add 名前 で作ります）。")
        return 0
    width = max(12, *(_cells(a.name) + 2 for a in listed))
    print(_pad("名前", width) + _pad("種別", 8) + _pad("状態", 10) + _pad("作成日時", 18) + "作成者")
    for a in listed:
        print(
            _pad(a.name, width)
            + _pad("管理者" if a.admin else "一般", 8)
            + _pad("使用停止" if a.disabled else "使用中", 10)
            + _pad(a.created_at[:16].replace("T", " "), 18)
            + a.created_by
        )
    return 0


def _cells(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
