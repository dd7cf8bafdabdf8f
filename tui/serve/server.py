"""Every change chosho makes to textual-serve 1.1.3 (pinned), in this one module.

textual-serve's ``Server`` serves a page and a WebSocket per browser tab, and its ``AppService``
runs the app for that tab as a subprocess. Changed here, each with its test in
tests/test_serve_server.py:

1. ``ChoshoAppService._open_app_process``: the app is ``[python, -m, tui.served, --db, ABS]``
   through ``create_subprocess_exec`` (textual-serve uses a shell); the session's token goes in
   the environment (``_build_environment``: ``CHOSHO_SESSION``, ``CHOSHO_IDLE_SECONDS``), never
   on a command line.
2. ``ChoshoAppService.send_bytes``: every key counts as activity (idle expiry, and the session's
   last_seen touched at most every ``touch_seconds``; a session ended elsewhere closes the tab).
3. ``ChoshoAppService.on_meta``: an app that ends by itself (Ctrl+Q) ends its session, and every
   other tab of it.
4. ``ChoshoAppService.run``/``stop``: an app that dies closes its tab (textual-serve leaves a
   dead terminal); an app that does not quit within a few seconds is killed, and the process is
   always waited for.
5. ``ChoshoServer.handle_index``: the app page only with a valid session, from chosho's own
   template (textual-serve's loads web fonts from the internet); the WebSocket URL from the
   request, not from the listening address.
6. ``ChoshoServer.handle_websocket``: the ``Origin`` must be this server (403) and the session
   valid (401) before the upgrade, and one login has at most ``tabs_per_session`` tabs (429); a
   malformed message from the browser is ignored; the app is stopped even when aiohttp cancels
   the handler (the browser went away).
7. ``ChoshoServer.handle_download``: only the session whose tab made it (401/403); the file name
   as RFC 5987 (Japanese names); shown in the browser only for PDFs and images.
8. ``ChoshoServer.make_app``: chosho's routes (login.py), security headers on every answer, and
   only two files of textual-serve's static folder: xterm.css and textual.js, the latter with
   its font replaced by the OS's Japanese monospace fonts, and refused if it is not the file
   this was written against (``patched_textual_js``).
9. Logging: chosho's own, in Japanese (textual-serve's shows tracebacks with local variables,
   which could hold a password).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from pathlib import Path
from urllib.parse import quote

import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from .settings import ServeSettings
from .store_thread import StoreThread
from .throttle import Throttle

__all__ = [
    "ChoshoAppService",
    "ChoshoServer",
    "FONT_FAMILY",
    "PinError",
    "SERVER_KEY",
    "TEXTUAL_JS_SHA256",
    "build_app",
    "patched_textual_js",
]

log = logging.getLogger("chosho.serve")

HERE = Path(__file__).parent
TEXTUAL_SERVE_STATIC = Path(__import__("textual_serve").__file__).parent / "static"

# textual-serve 1.1.3's textual.js: the one string patched below and the file's SHA-256.
TEXTUAL_JS_SHA256 = "c1e7f29ed0facdd331181d6262f92acfc1cf908569d9e013c16038142a23a470"
_TEXTUAL_JS_FONT = b"fontFamily:\"'Roboto Mono', Monaco, 'Courier New', monospace\""
# The OS's Japanese monospace fonts first (Windows, macOS, Linux), none fetched from anywhere.
FONT_FAMILY = (
    "'BIZ UDGothic', 'MS Gothic', 'ＭＳ ゴシック', 'Osaka-Mono', 'Noto Sans Mono CJK JP', "
    "'Source Han Code JP', 'IPAGothic', 'VL Gothic', 'TakaoGothic', monospace"
)

SERVER_KEY: web.AppKey[ChoshoServer] = web.AppKey("chosho_server")

_STOP_SECONDS = 5.0
_DOWNLOAD_INLINE = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")


class PinError(Exception):
    """textual-serve's textual.js is not the file chosho was written and checked against."""


def patched_textual_js(path: Path = TEXTUAL_SERVE_STATIC / "js" / "textual.js") -> bytes:
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != TEXTUAL_JS_SHA256 or data.count(_TEXTUAL_JS_FONT) != 1:
        raise PinError(
            f"textual-serve の textual.js（{path}）が chosho の確かめた版と違います。"
            "textual-serve を 1.1.3 に戻してください（pip install 'textual-serve==1.1.3'）。"
        )
    font = FONT_FAMILY.encode("utf-8").replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    return data.replace(_TEXTUAL_JS_FONT, b'fontFamily:"' + font + b'"')


class ChoshoAppService(AppService):
    """One tab's app process, run for the session ``token``'s person."""

    def __init__(self, server: ChoshoServer, token: str, person: str, **kwargs) -> None:
        super().__init__("", download_manager=server.download_manager, **kwargs)
        self.server = server
        self.token = token
        self.person = person
        self.stopping = False
        self.last_input = self.last_touch = time.monotonic()
        self._touching: asyncio.Task | None = None

    # 1. the process, without a shell, the token in its environment
    def command_line(self) -> list[str]:
        settings = self.server.settings
        if settings.app_command:
            return list(settings.app_command)
        return [settings.python, "-m", "tui.served", "--db", str(settings.db)]

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment["CHOSHO_SESSION"] = self.token
        environment["CHOSHO_IDLE_SECONDS"] = str(self.server.settings.idle_seconds)
        environment.pop("CHOSHO_DB", None)  # --db names it
        environment["PYTHONIOENCODING"] = "utf-8"
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24):
        self._process = process = await asyncio.create_subprocess_exec(
            *self.command_line(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            cwd=str(self.server.settings.db.parent),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    # 2. keys are activity
    async def send_bytes(self, data: bytes) -> bool:
        now = time.monotonic()
        self.last_input = now
        if now - self.last_touch >= self.server.settings.touch_seconds and self._touching is None:
            self.last_touch = now
            self._touching = asyncio.create_task(self._touch())
        return await super().send_bytes(data)

    async def _touch(self) -> None:
        try:
            if await self.server.session_person(self.token) is None:
                log.info("セッションが終わっていたため、%r の画面を閉じます。", self.person)
                await self.server.close_session(self.token)
        finally:
            self._touching = None

    # 3. Ctrl+Q ends the session
    async def on_meta(self, data: bytes) -> None:
        meta = json.loads(data)
        if meta.get("type") == "exit" and not self.stopping:
            self.stopping = True
            log.info("%r が画面を終了しました（ログアウト）。", self.person)
            await self.server.end_session(self.token, but=self)
        await super().on_meta(data)

    # 4. an app that dies closes its tab (textual-serve leaves a dead terminal); a bounded stop
    async def run(self) -> None:
        await super().run()
        if not self.stopping:
            log.warning("%r の画面のプロセスが予期せず終わりました。", self.person)
            try:
                await self.remote_close()
            except (ConnectionError, RuntimeError):
                pass

    async def stop(self) -> None:
        self.stopping = True
        try:
            await asyncio.wait_for(super().stop(), _STOP_SECONDS)
        except (asyncio.TimeoutError, ConnectionError, RuntimeError):
            pass
        process = self._process
        if process is not None:
            if process.returncode is None:
                try:
                    await asyncio.wait_for(process.wait(), _STOP_SECONDS)
                except asyncio.TimeoutError:
                    log.warning("%r の画面のプロセスが終わらないため、止めました。", self.person)
                    process.kill()
                    await process.wait()
            if process.returncode not in (0, None):
                log.warning("%r の画面のプロセスが終了コード %s で終わりました。", self.person, process.returncode)


class ChoshoServer(Server):
    def __init__(self, settings: ServeSettings) -> None:
        super().__init__(
            "chosho", host=settings.host, port=settings.port, title="chosho",
            public_url=settings.url, statics_path=TEXTUAL_SERVE_STATIC, templates_path=HERE / "templates",
        )
        self.settings = settings
        self.store = StoreThread(settings.db)
        self.throttle = Throttle(
            slow_after=settings.fail_slow_after, slow_seconds=settings.fail_slow_seconds,
            lock_after=settings.fail_lock_after, lock_seconds=settings.fail_lock_seconds,
        )
        self.services: dict[str, set[ChoshoAppService]] = {}
        self.textual_js = patched_textual_js()
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True
        )
        self._watch: asyncio.Task | None = None
        self._ending: set[asyncio.Future] = set()  # tabs being closed

    # 9. logging
    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S")

    # -- sessions ---------------------------------------------------------------------------

    async def session_person(self, token: str | None) -> str | None:
        if not token:
            return None
        from db.accounts import session_person

        return await self.store.call(session_person, token, idle_seconds=self.settings.idle_seconds)

    async def close_session(self, token: str, but: ChoshoAppService | None = None) -> None:
        """Stop every tab of the session (except ``but``, which is stopping itself)."""
        services = [s for s in self.services.get(token, ()) if s is not but]
        for service in services:
            service.stopping = True
        await asyncio.gather(*(s.remote_close() for s in services), return_exceptions=True)

    async def end_session(self, token: str, but: ChoshoAppService | None = None) -> None:
        from db.accounts import end_session

        await self.store.call(end_session, token)
        await self.close_session(token, but=but)

    async def _watch_idle(self) -> None:
        idle = self.settings.idle_seconds
        while True:
            await asyncio.sleep(max(0.05, min(30.0, idle / 4)))
            now = time.monotonic()
            for token, services in list(self.services.items()):
                if services and all(now - s.last_input > idle for s in services):
                    log.info("%r の操作が %d 分なかったため、ログアウトしました。",
                             next(iter(services)).person, round(idle / 60))
                    await self.end_session(token)

    # -- the aiohttp app --------------------------------------------------------------------

    def make_app(self) -> web.Application:
        from . import login

        app = web.Application(client_max_size=64 * 1024, middlewares=[login.japanese_errors])
        app[SERVER_KEY] = self
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.get("/static/js/textual.js", self.handle_textual_js),
            web.get("/static/css/xterm.css", self.handle_xterm_css),
            web.static("/static/chosho", HERE / "static", name="static"),
            *login.routes(),
        ])
        app.on_response_prepare.append(login.security_headers)
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        app.on_cleanup.append(self.on_cleanup)
        return app

    async def _make_app(self) -> web.Application:
        return self.make_app()

    async def on_startup(self, app: web.Application) -> None:
        await self.store.open()
        self._watch = asyncio.create_task(self._watch_idle())

    async def on_shutdown(self, app: web.Application) -> None:
        """Every tab's app asked to quit (each accepted answer is already saved) and waited for."""
        services = [s for group in self.services.values() for s in group]
        for service in services:
            service.stopping = True
        await asyncio.gather(*(s.stop() for s in services), return_exceptions=True)
        await asyncio.gather(*(s.remote_close() for s in services), return_exceptions=True)
        await asyncio.gather(*self._ending, return_exceptions=True)

    async def on_cleanup(self, app: web.Application) -> None:
        if self._watch is not None:
            self._watch.cancel()
        await self.store.close()

    async def handle_textual_js(self, request: web.Request) -> web.Response:
        return web.Response(body=self.textual_js, content_type="text/javascript", charset="utf-8")

    async def handle_xterm_css(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(TEXTUAL_SERVE_STATIC / "css" / "xterm.css")

    # 5. the app page
    async def handle_index(self, request: web.Request) -> web.Response:
        from . import login

        token, person = await login.require_session(request)
        scheme = "wss" if request.secure else "ws"
        html = self.templates.get_template("app_index.html").render(
            font_size=to_int(request.query.get("fontsize", "16"), 16),
            app_websocket_url=f"{scheme}://{request.host}/ws",
            person=person,
        )
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    # 6. the WebSocket
    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        from . import login

        login.require_same_origin(request, required=True)
        token, person = await login.require_session(request)
        if len(self.services.get(token, ())) >= self.settings.tabs_per_session:
            log.warning("%r の開いている画面が %d を超えるため、断りました。", person, self.settings.tabs_per_session)
            raise web.HTTPTooManyRequests(text="開いている画面が多すぎます。使っていないタブを閉じてください。")
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1024 * 1024)
        width = min(max(to_int(request.query.get("width", "80"), 80), 20), 500)
        height = min(max(to_int(request.query.get("height", "24"), 24), 5), 300)
        await websocket.prepare(request)
        service = ChoshoAppService(
            self, token, person,
            write_bytes=websocket.send_bytes, write_str=websocket.send_str, close=websocket.close,
        )
        self.services.setdefault(token, set()).add(service)
        log.info("%r が画面を開きました（%s）。", person, request.remote)
        try:
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - logged without the traceback's locals
            log.exception("%r の画面で予期しないエラーが起きました。", person)
        finally:
            # aiohttp cancels this handler when the browser goes away: the app is still stopped.
            ending = asyncio.ensure_future(self._end_tab(token, service, websocket))
            self._ending.add(ending)
            ending.add_done_callback(self._ending.discard)
            await asyncio.shield(ending)
        return websocket

    async def _end_tab(self, token: str, service: ChoshoAppService, websocket: web.WebSocketResponse) -> None:
        try:
            await service.stop()
            await websocket.close()
        finally:
            group = self.services.get(token)
            if group is not None:
                group.discard(service)
                if not group:
                    del self.services[token]

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                type_, data = envelope[0], envelope[1] if len(envelope) > 1 else None
                if type_ == "stdin" and isinstance(data, str):
                    await app_service.send_bytes(data.encode("utf-8"))
                elif type_ == "resize":
                    width, height = int(data["width"]), int(data["height"])
                    await app_service.set_terminal_size(min(max(width, 20), 500), min(max(height, 5), 300))
                elif type_ == "ping":
                    await websocket.send_json(["pong", str(data)])
                elif type_ == "blur":
                    await app_service.blur()
                elif type_ == "focus":
                    await app_service.focus()
            except (ValueError, TypeError, KeyError, IndexError):
                continue  # not textual.js talking: ignored

    # 7. downloads
    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        from . import login

        token, person = await login.require_session(request)
        key = request.match_info["key"]
        try:
            meta = await self.download_manager.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="このファイルはもうありません。画面からもう一度出力してください。") from None
        if getattr(meta.app_service, "token", None) != token:
            log.warning("%r が別のセッションのファイルを求めたため、断りました。", person)
            raise web.HTTPForbidden(text="このファイルは別のセッションのものです。")
        response = web.StreamResponse()
        content_type = meta.mime_type + (f"; charset={meta.encoding}" if meta.encoding else "")
        inline = meta.open_method == "browser" and meta.mime_type in _DOWNLOAD_INLINE
        response.headers["Content-Type"] = content_type
        response.headers["Content-Disposition"] = content_disposition(meta.file_name, inline)
        # Anything else than a PDF or an image is never shown as a page of this site; a PDF gets
        # no default-src 'none' (the browser's own viewer must load), nosniff keeps it a PDF.
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'" if inline else "default-src 'none'; sandbox"
        await response.prepare(request)
        async for chunk in self.download_manager.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response


def content_disposition(file_name: str, inline: bool) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…``: an ASCII fallback and the real name."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in file_name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback or 'download'}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def build_app(settings: ServeSettings) -> web.Application:
    """The whole server as an aiohttp application (the store opens at its startup)."""
    return ChoshoServer(settings).make_app()
