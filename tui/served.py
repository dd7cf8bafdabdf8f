"""One browser tab's app, started by ``chosho serve`` (tui/serve/server.py) as
``python -m tui.served --db ABS`` with the session's token in ``CHOSHO_SESSION``.

The person comes from the session, never from the command line: the token is resolved with
``db.accounts.session_person``, the who screen is skipped and every write is stamped with that
person. An ended or unknown session starts nothing. Its messages go to stderr (stdout is
textual-serve's channel to the browser).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from tui.cli_parser import JapaneseArgumentParser


def main(argv: Sequence[str] | None = None) -> int:
    parser = JapaneseArgumentParser(prog="python -m tui.served", description="chosho serve が各タブに起動するアプリ")
    parser.add_argument("--db", required=True, metavar="ファイル")
    args = parser.parse_args(argv)
    token = os.environ.pop("CHOSHO_SESSION", "")
    try:
        idle = float(os.environ.get("CHOSHO_IDLE_SECONDS", "1800"))
    except ValueError:
        idle = 1800.0
    if not token:
        print("chosho: ログインのセッションがありません（chosho serve から起動してください）。", file=sys.stderr)
        return 2

    from db import StoreError, open_store
    from db.accounts import session_person
    from db.who import os_login

    try:
        store = open_store(args.db, os_login(), defer_definition=True)
    except StoreError as exc:
        print(f"chosho: {exc}", file=sys.stderr)
        return 3
    try:
        person = session_person(store, token, idle_seconds=idle)
        if person is None:
            print("chosho: ログインの期限が切れたか、ログアウトしました。もう一度ログインしてください。", file=sys.stderr)
            return 2
        store.who = person  # every write from here on is this person's
        return _run(store)
    finally:
        store.close()


def _run(store) -> int:
    from .app import ChoshoApp
    from .paste import install

    install()
    app = ChoshoApp(store, ask_who=False)
    app.title = f"chosho — {store.who}"
    app.run()
    if app.failure:
        print(f"chosho: {app.failure}", file=sys.stderr)
        return app.return_code or 3
    if app.return_code:
        print("chosho: 予期しないエラーで終了しました。記録済みの回答はデータベースに保存されています。", file=sys.stderr)
        return app.return_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
