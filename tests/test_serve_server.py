"""What tui/serve/server.py changes of textual-serve, one test (or two) per change, numbered as
in its docstring. Tabs run tests/serve_fake_app.py (it speaks the protocol in milliseconds),
except the last tests, which start the real app for a logged-in person."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time

import aiohttp
import pytest

from tests.serve_support import (
    ADMIN, CLERK, CLERK_PASSWORD, FAKE_APP, cookie, fake_settings, open_tab, origin, serve_db, serve_template,  # noqa: F401
    serving, token_of,
)
from tui.serve import server as server_module
from tui.serve.server import FONT_FAMILY, ChoshoAppService, ChoshoServer, PinError, patched_textual_js
from tui.serve.settings import ServeSettings


async def hello(tab) -> dict:
    message = await asyncio.wait_for(tab.receive(), 10)
    assert message.type == aiohttp.WSMsgType.BINARY, message
    return json.loads(message.data)


async def closed(tab, seconds: float = 5) -> bool:
    """Wait for the server to close the tab; True when it did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        message = await asyncio.wait_for(tab.receive(), deadline - time.monotonic())
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return True
    return False


# 1. exec, not a shell; the token in the environment, never in argv


def test_the_tab_command_is_the_served_module_with_the_absolute_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = ChoshoServer(ServeSettings(db="office.sqlite"))

    async def nothing(*_):
        return None

    service = ChoshoAppService(server, "tok", ADMIN, write_bytes=nothing, write_str=nothing, close=nothing)
    assert service.command_line() == [sys.executable, "-m", "tui.served", "--db", str(tmp_path / "office.sqlite")]
    environment = service._build_environment(100, 30)
    assert environment["CHOSHO_SESSION"] == "tok" and environment["COLUMNS"] == "100"
    assert float(environment["CHOSHO_IDLE_SECONDS"]) == 30 * 60


async def test_a_tab_starts_its_app_without_a_shell_and_with_the_token_only_in_its_environment(serve_db, monkeypatch):
    def no_shell(*args, **kwargs):
        raise AssertionError("a shell was used")

    monkeypatch.setattr(asyncio, "create_subprocess_shell", no_shell)
    async with serving(fake_settings(serve_db)) as client:
        token = await token_of(client)
        tab = await open_tab(client, token)
        first = await hello(tab)
        assert first["session"] == token
        assert first["argv"][1:] == ["--db", str(serve_db)]
        assert not any(token in word for word in first["argv"])
        await tab.close()


# 2. keys are activity: a tab in use keeps its session, an idle one is logged out


async def test_an_idle_tab_is_logged_out_and_a_typing_one_is_not(serve_db):
    # The store keeps last_seen to the second: idle 1.2 s, keys every 0.12 s for 1.7 s.
    settings = fake_settings(serve_db, idle_seconds=1.2, touch_seconds=0.1)
    async with serving(settings) as client:
        busy, idle = await token_of(client), await token_of(client, CLERK, CLERK_PASSWORD)
        busy_tab, idle_tab = await open_tab(client, busy), await open_tab(client, idle)
        await hello(busy_tab), await hello(idle_tab)
        for _ in range(14):
            await busy_tab.send_json(["stdin", "1"])
            await asyncio.sleep(0.12)
        assert idle_tab.closed or await closed(idle_tab, 2)
        assert not busy_tab.closed
        assert (await client.get("/", headers=cookie(idle))).status == 401
        assert (await client.get("/", headers=cookie(busy))).status == 200
        await busy_tab.close()


async def test_a_tab_whose_session_ended_elsewhere_closes_at_its_next_key(serve_db):
    async with serving(fake_settings(serve_db, touch_seconds=0)) as client:
        token = await token_of(client)
        tab = await open_tab(client, token)
        await hello(tab)
        from db import open_store
        from db.accounts import end_session

        with open_store(serve_db, "管理者") as store:  # another process ends it
            end_session(store, token)
        await tab.send_json(["stdin", "1"])
        assert await closed(tab)


# 3. Ctrl+Q in the app ends the session and every tab of it


async def test_ctrl_q_ends_the_session_and_its_other_tabs(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        token = await token_of(client)
        first, second = await open_tab(client, token), await open_tab(client, token)
        await hello(first), await hello(second)
        await first.send_json(["stdin", "\x11"])
        assert await closed(first) and await closed(second)
        assert (await client.get("/", headers=cookie(token))).status == 401
        page = await client.get("/closed", headers=cookie(token))
        assert "ログアウトしました／閉じました" in await page.text()


async def test_closing_a_tab_keeps_the_session(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        token = await token_of(client)
        tab = await open_tab(client, token)
        await hello(tab)
        await tab.close()
        await asyncio.sleep(0.2)
        assert (await client.get("/", headers=cookie(token))).status == 200
        page = await client.get("/closed", headers=cookie(token))
        assert "画面を閉じました" in await page.text()


# 4. an app that dies closes its tab; an app that will not quit is killed, and waited for


async def test_an_app_that_dies_closes_its_tab_and_keeps_the_session(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        token = await token_of(client)
        tab = await open_tab(client, token)
        await hello(tab)
        await tab.send_json(["stdin", "crash"])
        assert await closed(tab)
        assert (await client.get("/", headers=cookie(token))).status == 200


async def test_an_app_that_ignores_quit_is_killed(serve_db, monkeypatch):
    monkeypatch.setattr(server_module, "_STOP_SECONDS", 0.3)
    async with serving(fake_settings(serve_db, "--stubborn")) as client:
        tab = await open_tab(client, await token_of(client))
        pid = (await hello(tab))["pid"]
        await tab.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break  # killed and reaped (a zombie would still answer)
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the stubborn app was left running")


# 5. the app page: only with a session, nothing from outside the host


async def test_the_app_page_loads_nothing_from_outside_the_host(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        token = await token_of(client)
        page = await client.get("/", headers=cookie(token))
        html = await page.text()
        assert page.status == 200 and f"chosho — {ADMIN}" in html
        links = re.findall(r'(?:src|href)="([^"]*)"', html)
        assert links and all(link.startswith("/") and not link.startswith("//") for link in links), links
        assert "googleapis" not in html and "http" not in html.replace("data-session-websocket-url", "")
        assert f'data-session-websocket-url="ws://127.0.0.1:{client.port}/ws"' in html
        for link in links:
            assert (await client.get(link)).status == 200, link
        assert (await client.get("/static/fonts/RobotoMono-VariableFont_wght.ttf")).status == 404


def test_textual_js_gets_the_japanese_fonts_and_must_be_the_pinned_file(tmp_path):
    patched = patched_textual_js()
    assert FONT_FAMILY.encode() in patched and b"Roboto Mono" not in patched
    assert not re.search(rb"https?://(?!www\.w3\.org)", patched)  # only XML namespace names
    changed = tmp_path / "textual.js"
    changed.write_bytes(server_module.TEXTUAL_SERVE_STATIC.joinpath("js", "textual.js").read_bytes() + b"\n")
    with pytest.raises(PinError, match="1.1.3"):
        patched_textual_js(changed)


# 6. the WebSocket: same Origin and a session, else refused before the upgrade


async def test_the_websocket_wants_a_session_and_this_servers_origin(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        token = await token_of(client)
        cases = [
            ({"Origin": origin(client)}, 401),
            ({"Origin": origin(client), **cookie("forged")}, 401),
            ({"Origin": "http://evil.example", **cookie(token)}, 403),
            (cookie(token), 403),  # no Origin at all
        ]
        for headers, status in cases:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect("/ws", headers=headers)
            assert refused.value.status == status, headers


async def test_one_login_has_a_bounded_number_of_tabs(serve_db):
    async with serving(fake_settings(serve_db, tabs_per_session=2)) as client:
        token = await token_of(client)
        tabs = [await open_tab(client, token), await open_tab(client, token)]
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await open_tab(client, token)
        assert refused.value.status == 429
        other = await open_tab(client, await token_of(client, CLERK, CLERK_PASSWORD))  # another login: its own count
        for tab in (*tabs, other):
            await tab.close()


async def test_malformed_messages_from_the_browser_are_ignored(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        tab = await open_tab(client, await token_of(client))
        await hello(tab)
        for junk in ("not json", "[]", '["resize", "x"]', '["stdin", 5]', "{}"):
            await tab.send_str(junk)
        await tab.send_json(["stdin", "still here"])
        echoed = await asyncio.wait_for(tab.receive(), 5)
        assert echoed.data == b"still here"
        await tab.close()


# 7. downloads reach only the session whose tab made them


async def test_a_download_reaches_only_its_own_session(serve_db):
    async with serving(fake_settings(serve_db)) as client:
        own, other = await token_of(client), await token_of(client, CLERK, CLERK_PASSWORD)
        tab = await open_tab(client, own)
        await hello(tab)
        await tab.send_json(["stdin", "download"])
        kind, key = json.loads((await asyncio.wait_for(tab.receive(), 5)).data)
        assert kind == "deliver_file_start"
        assert (await client.get(f"/download/{key}")).status == 401
        assert (await client.get(f"/download/{key}", headers=cookie(other))).status == 403
        response = await client.get(f"/download/{key}", headers=cookie(own))
        assert response.status == 200
        assert await response.read() == "集計の中身".encode() * 10
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and "filename*=UTF-8''%E5%A0%B1%E5%91%8A%E6%9B%B8%202024.xlsx" in disposition
        assert "sandbox" in response.headers["Content-Security-Policy"]
        await tab.close()


@pytest.mark.parametrize("offer, inline", [("pdf", True), ("html", False)])
async def test_only_a_pdf_or_an_image_opens_in_the_browser(serve_db, offer, inline):
    async with serving(fake_settings(serve_db)) as client:
        token = await token_of(client)
        tab = await open_tab(client, token)
        await hello(tab)
        await tab.send_json(["stdin", offer])
        _, key = json.loads((await asyncio.wait_for(tab.receive(), 5)).data)
        response = await client.get(f"/download/{key}", headers=cookie(token))
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("inline;" if inline else "attachment;")
        # A page from the app never runs as this site's own (it would reach the session).
        assert ("sandbox" in response.headers["Content-Security-Policy"]) is not inline
        await tab.close()


# The real app: the person from the session, the who screen skipped


async def test_the_real_app_runs_as_the_logged_in_person(serve_db):
    async with serving(ServeSettings(db=serve_db)) as client:
        token = await token_of(client, CLERK, CLERK_PASSWORD)
        tab = await open_tab(client, token)
        screen = b""
        deadline = time.monotonic() + 20
        while b"\xe4\xbd\x9c\xe6\xa5\xad\xe8\x80\x85" not in screen and time.monotonic() < deadline:  # 作業者
            message = await asyncio.wait_for(tab.receive(), deadline - time.monotonic())
            assert message.type == aiohttp.WSMsgType.BINARY, message
            screen += message.data
        text = screen.decode("utf-8", "replace")
        assert "所属一覧" in text and f"作業者 {CLERK}" in text
        # Q1 of 保育課 keyed through the WebSocket: the write is the logged-in person's.
        await tab.send_json(["stdin", "保育課"])  # the filter, as an IME commits it
        await asyncio.sleep(0.5)
        await tab.send_json(["stdin", "\r"])
        answer = await saved_q1(tab, serve_db)
        assert answer.who == CLERK and answer.action == "answer"
        await tab.send_json(["stdin", "\x11"])  # Ctrl+Q: the app ends, and the session
        assert await closed(tab, 10)
        assert (await client.get("/", headers=cookie(token))).status == 401


async def saved_q1(tab, db, seconds: float = 20):
    """Key 1 for Q1 once the entry screen is up, then the audit entry of 保育課's Q1."""
    from db import open_store

    deadline = time.monotonic() + seconds
    sent = False
    while time.monotonic() < deadline:
        try:
            message = await asyncio.wait_for(tab.receive(), 0.3)
        except asyncio.TimeoutError:
            message = None
        if not sent and message is not None and isinstance(message.data, bytes) and b"Q1" in message.data:
            await tab.send_json(["stdin", "1"])  # the entry screen is up
            sent = True
        with open_store(db, "check") as store:
            department = next(d for d in store.departments() if d.name == "保育課")
            response = store.response(department_id=department.id)
            entries = [e for e in store.history(response.id) if e.question_id == "Q1"]
        if entries:
            return entries[-1]
    raise AssertionError("Q1 was never saved")


def test_the_served_app_refuses_an_unknown_session(serve_db):
    result = subprocess.run(
        [sys.executable, "-m", "tui.served", "--db", str(serve_db)],
        env={**os.environ, "CHOSHO_SESSION": "not-a-session"}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert "もう一度ログインしてください" in result.stderr and "Traceback" not in result.stderr
