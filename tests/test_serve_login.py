"""Login, the session cookie, expiry, logout and throttling of ``chosho serve``, through aiohttp's
test client (tests/serve_support.py); the throttle's arithmetic on its own with a fake clock."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import aiohttp
import pytest

from tests.serve_support import (  # noqa: F401 - fixtures
    ADMIN, CERT, CLERK, CLERK_PASSWORD, KEY, PASSWORD, cookie, fake_settings, login, open_tab, origin, serve_db,
    serve_template, serving, token_of,
)
from tui.serve.settings import COOKIE
from tui.serve.throttle import ADDRESS_SHARED, Throttle


async def test_the_login_page_is_japanese_and_posts_name_and_password(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        page = await client.get("/login")
        html = await page.text()
        assert page.status == 200 and '<html lang="ja">' in html and "ログイン" in html
        assert '<form method="post" action="/login">' in html
        assert 'name="name"' in html and 'name="password" type="password"' in html
        policy = page.headers["Content-Security-Policy"]
        # "same-origin", not "no-referrer": with that a browser posts the form with "Origin: null".
        assert page.headers["Referrer-Policy"] == "same-origin"
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "http" not in policy.replace("ws://", "")


async def test_a_right_password_sets_a_strict_http_only_cookie_and_goes_to_the_app(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        response = await login(client)
        assert response.status == 303 and response.headers["Location"] == "/"
        raw = response.headers["Set-Cookie"]
        assert raw.startswith(f"{COOKIE}=")
        flags = {part.strip().lower() for part in raw.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/"} <= flags
        assert "secure" not in flags  # plain http on loopback: a Secure cookie would not come back
        token = response.cookies[COOKIE].value
        assert len(token) >= 40
        page = await client.get("/", headers=cookie(token))
        assert page.status == 200 and ADMIN in await page.text()


async def test_under_tls_the_cookie_is_secure(serve_db):
    async with serving(fake_settings(serve_db, cert=CERT, key=KEY)) as client:
        response = await login(client)
        flags = {part.strip().lower() for part in response.headers["Set-Cookie"].split(";")[1:]}
        assert "secure" in flags and "httponly" in flags


@pytest.mark.parametrize("name, password", [(ADMIN, "wrong password"), ("誰か", PASSWORD), (ADMIN, ""), ("", PASSWORD)])
async def test_a_wrong_login_is_refused_alike_without_a_cookie(serve_db, name, password):
    async with serving(fake_settings(serve_db)) as client:
        response = await login(client, name, password)
        assert response.status == 401 and COOKIE not in response.cookies
        assert "名前かパスワードが違います。" in await response.text()


async def test_a_login_posted_from_another_site_is_refused(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        response = await login(client, Origin="http://evil.example")
        assert response.status == 403 and COOKIE not in response.cookies
        assert (await login(client, Origin=origin(client))).status == 303


@pytest.mark.parametrize("path", ["/", "/download/anything"])
async def test_pages_without_a_valid_session_answer_401(serve_db, path):
    async with serving(fake_settings(serve_db)) as client:
        for headers in ({}, cookie("forged-token")):
            response = await client.get(path, headers=headers)
            assert response.status == 401
            assert "ログイン" in await response.text()


async def test_an_idle_session_expires(serve_db):
    import sqlite3

    async with serving(fake_settings(serve_db, idle_seconds=60)) as client:
        token = await token_of(client)
        assert (await client.get("/", headers=cookie(token))).status == 200
        with sqlite3.connect(serve_db) as conn:  # last seen two minutes ago
            (seen,) = conn.execute("SELECT last_seen FROM sessions").fetchone()
            earlier = (datetime.fromisoformat(seen) - timedelta(minutes=2)).isoformat(timespec="seconds")
            conn.execute("UPDATE sessions SET last_seen = ?", (earlier,))
        expired = await client.get("/", headers=cookie(token))
        assert expired.status == 401 and "期限が切れました" in await expired.text()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await open_tab(client, token)
        assert refused.value.status == 401


async def test_logout_ends_the_session_and_clears_the_cookie(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        token = await token_of(client)
        tab = await open_tab(client, token)
        await asyncio.wait_for(tab.receive(), 5)
        response = await client.get("/logout", headers=cookie(token))
        assert response.status == 200 and "ログアウトしました" in await response.text()
        assert response.cookies[COOKIE].value == ""  # deleted
        assert (await asyncio.wait_for(tab.receive(), 5)).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert (await client.get("/", headers=cookie(token))).status == 401


async def test_repeated_failures_lock_the_name_even_for_the_right_password(serve_db, caplog):
    caplog.set_level(logging.WARNING, logger="chosho.serve")
    async with serving(fake_settings(serve_db, fail_slow_after=3, fail_lock_after=5)) as client:
        statuses = [(await login(client, CLERK, f"guess {n}")).status for n in range(5)]
        assert statuses == [401] * 5
        locked = await login(client, CLERK, CLERK_PASSWORD)
        assert locked.status == 429 and COOKIE not in locked.cookies
        assert int(locked.headers["Retry-After"]) > 14 * 60
        assert "しばらくログインできません" in await locked.text()
    assert any("ロックします" in record.getMessage() for record in caplog.records)
    assert sum("ログインに失敗しました" in record.getMessage() for record in caplog.records) == 5


async def test_ten_people_logging_in_together_from_one_address_all_get_in(serve_db):
    """An office behind one proxy address at nine o'clock: each attempt counts against the
    address until its password is checked, which must not lock the others out."""
    from db import open_store
    from db.accounts import add_account

    people = [f"clerk{n}" for n in range(10)]
    with open_store(serve_db, "管理者") as store:
        for name in people:
            add_account(store, name, f"{name} password")
    async with serving(fake_settings(serve_db)) as client:
        answers = await asyncio.gather(*(
            client.post("/login", data={"name": name, "password": f"{name} password"},
                        allow_redirects=False)
            for name in people
        ))
        assert [a.status for a in answers] == [303] * 10


def test_the_throttle_slows_then_locks_per_name_and_per_address():
    now = [0.0]
    throttle = Throttle(slow_after=3, slow_seconds=1.0, lock_after=5, lock_seconds=900, clock=lambda: now[0])
    delays = [throttle.attempt("taro", "10.0.0.1", "taro").delay for _ in range(5)]
    assert delays == [0, 0, 0, 1.0, 2.0]
    assert throttle.attempt("taro", "10.0.0.2", "taro").locked_for == 900  # the name, from anywhere
    # An address may be a proxy the whole office shares: it is allowed ADDRESS_SHARED times as many.
    assert throttle.attempt("hanako", "10.0.0.1", "hanako").locked_for == 0
    for n in range(5 * ADDRESS_SHARED - 6):
        assert throttle.attempt(f"guess{n}", "10.0.0.1", "guess").locked_for == 0
    assert throttle.attempt("jiro", "10.0.0.1", "jiro").locked_for == 900  # now the address, any name
    assert throttle.attempt("hanako", "10.0.0.3", "hanako").locked_for == 0
    now[0] = 901
    assert throttle.attempt("taro", "10.0.0.2", "taro").locked_for == 0  # the lock has passed


def test_a_success_clears_its_name_and_takes_back_its_own_attempt():
    throttle = Throttle(slow_after=3, slow_seconds=1.0, lock_after=5, lock_seconds=900, clock=lambda: 0.0)
    for _ in range(4):
        throttle.attempt("taro", "10.0.0.1", "taro")
    throttle.attempt("taro", "10.0.0.1", "taro")  # the fifth: right, this time
    throttle.succeeded("taro", "10.0.0.1")
    assert throttle.attempt("taro", "10.0.0.9", "taro").delay == 0
    assert throttle.attempt("jiro", "10.0.0.1", "jiro").locked_for == 0


async def test_the_login_page_sends_a_logged_in_browser_to_the_app(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        token = await token_of(client)
        response = await client.get("/login", headers=cookie(token), allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/"


async def test_errors_are_answered_in_japanese(serve_db, monkeypatch):
    from db.errors import StoreBusy

    async with serving(fake_settings(serve_db)) as client:
        missing = await client.get("/nowhere")
        assert missing.status == 404 and "ページが見つかりません" in await missing.text()
        wrong_method = await client.put("/login")
        assert wrong_method.status == 405 and "この操作はできません" in await wrong_method.text()

        def busy(*args, **kwargs):
            raise StoreBusy("ほかの人が保存中です。")

        monkeypatch.setattr("db.accounts.check_password", busy)
        response = await login(client)
        assert response.status == 503 and "ほかの人が保存中です。" in await response.text()

        def broken(*args, **kwargs):
            raise ZeroDivisionError

        monkeypatch.setattr("db.accounts.check_password", broken)
        response = await login(client)
        text = await response.text()
        assert response.status == 500 and "予期しないエラー" in text and "ZeroDivision" not in text
