"""``chosho serve`` as an office runs it: each refusal (exit 2, one Japanese message, no
traceback), and a running server stopped with Ctrl+C (exit 0, its tabs' apps ended)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.serve_support import ADMIN, CERT, KEY, OTHER_KEY, PASSWORD, serve_db, serve_template  # noqa: F401
from tui.serve import command
from tui.serve.settings import COOKIE

TIMEOUT = 60


def serve(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "serve", *args], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT,
        env={**os.environ, "CHOSHO_DB": ""},
    )


def refused(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "\nchosho: " in "\n" + result.stderr and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_lan_address_without_tls_is_refused(tmp_path):
    refused(serve("--host", "0.0.0.0", cwd=tmp_path), "TLS なしでは始めません", "--allow-http")


def test_a_certificate_wants_its_key(tmp_path):
    refused(serve("--cert", str(CERT), cwd=tmp_path), "--cert", "--key")


def test_a_certificate_and_a_key_that_are_not_a_pair_are_refused(serve_db, tmp_path):
    refused(serve("--db", str(serve_db), "--cert", str(CERT), "--key", str(OTHER_KEY), cwd=tmp_path), "対になっていません")


def test_a_missing_database_is_refused_and_not_created(tmp_path):
    refused(serve("--db", "無い.sqlite", cwd=tmp_path), "無い.sqlite", "ありません")
    assert not (tmp_path / "無い.sqlite").exists()


def test_a_database_without_accounts_is_refused(tmp_path):
    from db import open_store

    open_store(tmp_path / "new.sqlite", "管理者").close()
    refused(serve("--db", "new.sqlite", cwd=tmp_path), "chosho users add")


def test_a_database_on_a_network_share_is_refused(serve_db, monkeypatch):
    monkeypatch.setattr("db.location.network_share", lambda path: "cifs")
    args = argparse.Namespace(serve_db=str(serve_db), db=None, port=8000, cert=None, key=None, idle_minutes=30,
                              host="127.0.0.1", allow_http=False)
    with pytest.raises(command.Refusal, match="ネットワーク上の場所（cifs）"):
        command.settings_from_args(args)


def test_a_port_in_use_is_refused_and_allow_http_is_warned_about(serve_db, tmp_path):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = serve("--db", str(serve_db), "--host", "0.0.0.0", "--allow-http", "--port", str(port), cwd=tmp_path)
    refused(result, f"ポート {port} はすでに使われています")
    assert "注意: 0.0.0.0 で TLS なし（http）で待ち受けます" in result.stderr


def test_tls_is_at_least_version_1_2():
    import ssl

    assert command.ssl_context(CERT, KEY).minimum_version == ssl.TLSVersion.TLSv1_2


async def test_ctrl_c_stops_the_server_and_its_apps_and_exits_0(serve_db, tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "serve", "--db", str(serve_db), "--port", str(port),
         "--cert", str(CERT), "--key", str(KEY)],
        cwd=tmp_path, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert "待ち受けています" in await asyncio.wait_for(asyncio.to_thread(server.stderr.readline), TIMEOUT)
        url = f"https://127.0.0.1:{port}"
        connector = aiohttp.TCPConnector(ssl=False)  # the test certificate is self-signed
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            response = await browser.post(f"{url}/login", data={"name": ADMIN, "password": PASSWORD}, allow_redirects=False)
            assert response.status == 303
            token = response.cookies[COOKIE].value
            tab = await browser.ws_connect(f"wss://127.0.0.1:{port}/ws", headers={"Origin": url, "Cookie": f"{COOKIE}={token}"})
            first = await asyncio.wait_for(tab.receive(), 30)
            assert first.type == aiohttp.WSMsgType.BINARY
            started = time.monotonic()
            server.send_signal(signal.SIGINT)
            rest = await asyncio.wait_for(asyncio.to_thread(server.communicate), TIMEOUT)
            assert server.returncode == 0, rest[1]
            assert "終了しました" in rest[1] and "Traceback" not in rest[1]
            assert time.monotonic() - started < 10
            ends = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
            while (await asyncio.wait_for(tab.receive(), 5)).type not in ends:
                pass  # the app's last screen updates
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
