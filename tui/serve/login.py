"""Login, logout and the session cookie of ``chosho serve``; the headers every answer carries.

The cookie holds a random token (``db.accounts.open_session``; the database keeps its SHA-256):
HttpOnly, SameSite=Strict, Path=/, Secure under TLS, no expiry date (it ends with the browser).
The session itself ends on /logout, on Ctrl+Q in the app, or after ``idle_seconds`` without a
request or a key.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re

from aiohttp import web

from . import pages
from .settings import COOKIE

__all__ = ["japanese_errors", "require_same_origin", "require_session", "routes", "security_headers"]

log = logging.getLogger("chosho.serve")

NAME_MAX = 100
_HOST = re.compile(r"[^A-Za-z0-9.:\[\]-]")
PASSWORD_MAX = 1024  # a megabyte "password" would make each argon2 check a denial of service


def _server(request: web.Request):
    from .server import SERVER_KEY

    return request.app[SERVER_KEY]


def _html(text: str, status: int = 200, **headers: str) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8", headers=headers)


def own_origin(request: web.Request) -> str:
    return f"{'https' if request.secure else 'http'}://{request.host}".lower()


def require_same_origin(request: web.Request, *, required: bool) -> None:
    """403 when the request comes from another site's page (cross-site WebSocket hijacking,
    login CSRF). ``required``: a request without an Origin header is refused too (a browser
    always sends one with a WebSocket)."""
    origin = request.headers.get("Origin")
    if origin is None and not required:
        return
    if origin is None or origin.lower() != own_origin(request):
        log.warning("ほかのサイト（%r）からの接続を断りました: %s %s", origin, request.method, request.path)
        raise web.HTTPForbidden(
            text=pages.message_page("接続できません", "ほかのサイトのページからは接続できません。"),
            content_type="text/html",
        )


async def require_session(request: web.Request) -> tuple[str, str]:
    """(token, person) of a valid session, else 401 with the login form."""
    token = request.cookies.get(COOKIE)
    person = await _server(request).session_person(token)
    if person is None or token is None:
        raise web.HTTPUnauthorized(
            text=pages.login_page("ログインしてください。" if token is None else "ログインの期限が切れました。もう一度ログインしてください。"),
            content_type="text/html",
        )
    return token, person


async def get_login(request: web.Request) -> web.Response:
    if await _server(request).session_person(request.cookies.get(COOKIE)):
        return web.Response(status=303, headers={"Location": "/"})  # already logged in
    return _html(pages.login_page())


async def post_login(request: web.Request) -> web.Response:
    from db.accounts import check_password, open_session, record_login
    from db.who import person_key

    server = _server(request)
    require_same_origin(request, required=False)
    form = await request.post()
    name = str(form.get("name", "")).strip()
    password = str(form.get("password", ""))
    address = request.remote or "?"
    verdict = server.throttle.attempt(person_key(name[:NAME_MAX]), address, name[:NAME_MAX])
    if verdict.locked_for:
        minutes = max(1, math.ceil(verdict.locked_for / 60))
        return _html(
            pages.login_page(f"ログインの失敗が続いたため、しばらくログインできません（あと約 {minutes} 分）。", name),
            status=429, **{"Retry-After": str(math.ceil(verdict.locked_for))},
        )
    if verdict.delay:
        await asyncio.sleep(verdict.delay)
    who = None
    if name and len(name) <= NAME_MAX and 0 < len(password) <= PASSWORD_MAX:
        who = await server.store.call(check_password, name, password)
    if who is None:
        log.warning("ログインに失敗しました: 名前 %r、接続元 %s", name[:NAME_MAX], address)
        return _html(pages.login_page("名前かパスワードが違います。", name), status=401)
    server.throttle.succeeded(person_key(name[:NAME_MAX]), address)
    await server.store.call(record_login, who, "ブラウザ")
    token = await server.store.call(open_session, who)
    log.info("%r がログインしました（%s）。", who, address)
    response = web.Response(status=303, headers={"Location": "/"})
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="Strict", path="/", secure=server.settings.tls or None,
    )
    return response


async def logout(request: web.Request) -> web.Response:
    server = _server(request)
    token = request.cookies.get(COOKIE)
    if token:
        person = await server.session_person(token)
        await server.end_session(token)
        if person:
            log.info("%r がログアウトしました。", person)
    response = _html(pages.logged_out_page())
    response.del_cookie(COOKIE, path="/")
    return response


async def closed(request: web.Request) -> web.Response:
    """Where the app page goes when its app has closed: logged out, or only this tab closed."""
    person = await _server(request).session_person(request.cookies.get(COOKIE))
    return _html(pages.closed_page() if person else pages.logged_out_page())


def routes() -> list[web.AbstractRouteDef]:
    return [
        web.get("/login", get_login),
        web.post("/login", post_login),
        web.get("/logout", logout),
        web.post("/logout", logout),
        web.get("/closed", closed),
        web.get("/favicon.ico", no_icon),
    ]


async def no_icon(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every answer: nothing from other hosts, no framing, nothing cached."""
    host = _HOST.sub("", request.host)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self'; connect-src 'self' ws://{host} wss://{host}; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    # Not "no-referrer": a form's POST would then carry "Origin: null" and be refused as foreign.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def japanese_errors(request: web.Request, handler) -> web.StreamResponse:
    """aiohttp's own error answers ("404: Not Found", a 500 page) in Japanese; the store's
    refusals (busy, unavailable) as their Japanese message."""
    from db.errors import StoreError

    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status in _PLAIN and exc.text == f"{exc.status}: {exc.reason}":
            return _html(pages.message_page(_PLAIN[exc.status], _PLAIN[exc.status] + "。", ("/", "chosho へ")),
                         status=exc.status)
        raise
    except StoreError as exc:
        log.warning("データベースを使えませんでした（%s %s）: %s", request.method, request.path, exc)
        return _html(pages.message_page("しばらくしてからもう一度お試しください", str(exc), ("/", "chosho へ")), status=503)
    except Exception:
        log.exception("予期しないエラーが起きました（%s %s）。", request.method, request.path)
        return _html(pages.message_page(
            "予期しないエラー", "予期しないエラーが起きました。記録済みの回答は保存されています。管理者に連絡してください。",
            ("/", "chosho へ")), status=500)


_PLAIN = {404: "ページが見つかりません", 405: "この操作はできません"}
