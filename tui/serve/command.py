"""``chosho serve``: its options, its refusals (exit 2, in Japanese) and the running server.

Refused before anything listens: a non-loopback address without --cert/--key (unless
--allow-http, then a warning in the log), a certificate and key that are not a pair, a missing
database, a database on a network share, a database without accounts, a port in use, and a
textual-serve whose textual.js is not the pinned one. Ctrl+C (or SIGTERM) asks every tab's app
to quit — each accepted answer is already saved — and exits 0.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .settings import ServeSettings, is_loopback

if TYPE_CHECKING:  # asyncio, ssl and aiohttp load when the server starts, not for chosho --help
    import ssl

__all__ = ["Refusal", "add_parser", "run_serve", "serve", "settings_from_args", "ssl_context", "start"]

log = logging.getLogger("chosho.serve")


class Refusal(Exception):
    """``chosho serve`` will not start: the Japanese reason."""


def add_parser(commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="ブラウザから使えるように chosho を配信します（一人ひとりがログイン。docs/serve.md）",
        description="このコンピューターのデータベースを、同じネットワークの PC のブラウザから使えるようにします。"
        "各自が自分の名前とパスワードでログインし、入力・確認はその人の名前で記録されます。"
        "アカウントは先に chosho users add で作ります。終了は Ctrl+C（記録済みの回答は保存されています）。",
    )
    serve.add_argument("--db", dest="serve_db", metavar="ファイル", help="データベースファイル（chosho --db と同じ）")
    serve.add_argument("--host", default="127.0.0.1", metavar="アドレス",
                       help="待ち受けるアドレス。既定は 127.0.0.1（このコンピューターだけ）。LAN には 0.0.0.0 など")
    serve.add_argument("--port", type=int, default=8000, metavar="番号", help="ポート番号（既定 8000）")
    serve.add_argument("--cert", type=Path, metavar="ファイル", help="TLS の証明書（PEM）。--key と一緒に")
    serve.add_argument("--key", type=Path, metavar="ファイル", help="TLS の秘密鍵（PEM）")
    serve.add_argument("--allow-http", action="store_true",
                       help="127.0.0.1 以外でも TLS なし（http）で待ち受けます。パスワードが暗号化されずに流れます")
    serve.add_argument("--idle-minutes", type=float, default=30, metavar="分",
                       help="操作がないままこの時間が過ぎたらログアウトします（既定 30 分）")
    serve.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    return run_serve(args)


def ssl_context(cert: Path, key: Path) -> ssl.SSLContext:
    """TLS 1.2 and newer, with the office's certificate (or a self-signed one)."""
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except FileNotFoundError as exc:
        raise Refusal(f"証明書または秘密鍵のファイル「{exc.filename}」がありません。") from None
    except (ssl.SSLError, OSError, ValueError):
        raise Refusal(
            f"証明書「{cert}」と秘密鍵「{key}」を読めないか、二つが対になっていません"
            "（PEM 形式の証明書と、その証明書の秘密鍵を指定してください。パスフレーズ付きの鍵は使えません）。"
        ) from None
    return context


def settings_from_args(args: argparse.Namespace) -> ServeSettings:
    """The settings, every refusal that needs no database checked first."""
    from db import database_path
    from db.location import network_share

    if not 0 < args.port < 65536:
        raise Refusal(f"ポート番号 {args.port} は使えません（1～65535）。")
    if (args.cert is None) != (args.key is None):
        raise Refusal("TLS には --cert（証明書）と --key（秘密鍵）を両方指定してください。")
    if not args.idle_minutes > 0:
        raise Refusal("--idle-minutes には 0 より大きい分数を指定してください。")
    if args.cert is None and not is_loopback(args.host):
        if not args.allow_http:
            raise Refusal(
                f"{args.host} ではほかの PC から接続できるため、TLS なしでは始めません（パスワードが暗号化されずに流れます）。"
                "--cert と --key で証明書を指定してください（docs/serve.md）。どうしても http で使うときは --allow-http を付けます。"
            )
    path = database_path(args.serve_db or args.db)
    if not path.is_file():
        raise Refusal(
            f"データベース「{path}」がありません。--db で既存のデータベースを指定するか、"
            "chosho --db ファイル でいったん作成してから chosho users add でアカウントを作ってください。"
        )
    share = network_share(path)
    if share:
        raise Refusal(
            f"データベース「{path}」はネットワーク上の場所（{share}）にあります。chosho serve は、データベースを"
            "配信するコンピューター自身のディスクに置いて使います（SQLite はネットワーク共有では安全に使えません）。"
        )
    return ServeSettings(
        db=path, host=args.host, port=args.port, cert=args.cert, key=args.key,
        allow_http=args.allow_http, idle_seconds=args.idle_minutes * 60,
    )


def _check_database(settings: ServeSettings) -> None:
    from db import open_store
    from db.accounts import has_accounts
    from db.who import os_login

    with open_store(settings.db, os_login()) as store:
        if not has_accounts(store):
            raise Refusal(
                f"データベース「{settings.db}」にはまだアカウントがありません。先に chosho users add 名前 "
                "でアカウントを作ってください（管理者には --admin）。"
            )


async def start(settings: ServeSettings, context: ssl.SSLContext | None = None):
    """Listen (the store opened, every check made) and return the aiohttp runner: stop it with
    ``await runner.cleanup()``. Raises ``Refusal`` for a port in use or an address not this
    host's. For tests and benchmarks: ``settings.url`` is where it listens."""
    import errno

    from aiohttp import web

    from .server import build_app

    if settings.tls and context is None:
        context = ssl_context(settings.cert, settings.key)
    runner = web.AppRunner(build_app(settings), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, ssl_context=context, shutdown_timeout=10)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        if exc.errno == errno.EADDRINUSE:
            raise Refusal(f"ポート {settings.port} はすでに使われています。--port で別の番号を指定してください。") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise Refusal(f"アドレス {settings.host} はこのコンピューターのものではありません。--host を確かめてください。") from None
        raise Refusal(f"{settings.host}:{settings.port} で待ち受けられません（{exc.strerror or exc}）。") from None
    return runner


async def serve(settings: ServeSettings, context: ssl.SSLContext | None = None) -> int:
    """Serve until Ctrl+C / SIGTERM, then stop every tab's app and return 0."""
    import asyncio
    import signal

    runner = await start(settings, context)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C arrives as KeyboardInterrupt
            pass
    print(f"chosho serve: {settings.url}/login で待ち受けています（データベース {settings.db}）。終了は Ctrl+C。",
          file=sys.stderr, flush=True)
    if settings.host in ("0.0.0.0", "::", ""):
        import socket

        scheme = "https" if settings.tls else "http"
        print(f"chosho serve: 各 PC のブラウザでは {scheme}://{socket.gethostname()}:{settings.port}/login"
              "（またはこのコンピューターの IP アドレス）を開きます。", file=sys.stderr, flush=True)
    try:
        await stop.wait()
    finally:
        print("chosho serve: 終了します。開いている画面を閉じています…", file=sys.stderr, flush=True)
        await runner.cleanup()
    print("chosho serve: 終了しました。記録済みの回答はすべて保存されています。", file=sys.stderr, flush=True)
    return 0


def run_serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S",
                        stream=sys.stderr)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # textual-serve's own messages are English; what matters of them chosho logs itself.
    logging.getLogger("textual-serve").setLevel(logging.CRITICAL)
    try:
        from .server import PinError, patched_textual_js

        patched_textual_js()
        settings = settings_from_args(args)
        context = ssl_context(settings.cert, settings.key) if settings.tls else None
        _check_database(settings)
        if settings.cert is None and not is_loopback(settings.host):
            log.warning("注意: %s で TLS なし（http）で待ち受けます。パスワードと回答が暗号化されずにネットワークを流れます。",
                        settings.host)
        import asyncio

        try:
            return asyncio.run(serve(settings, context))
        except KeyboardInterrupt:  # Windows, or Ctrl+C before the handler was set
            print("chosho serve: 終了しました。記録済みの回答はすべて保存されています。", file=sys.stderr)
            return 0
    except (Refusal, PinError) as exc:
        print(f"chosho: {exc}", file=sys.stderr)
        return 2
