"""One browser tab of `chosho serve`, spoken directly (for bench/serve.py): log in, open the
app's WebSocket, send keys as textual-serve's page does and follow the screen with a terminal
emulator; and the server as a process, with the memory of each session's app.

textual-serve's protocol (1.1.3): the page sends JSON text frames ``["stdin", text]``,
``["resize", {"width", "height"}]``, ``["ping", x]``, ``["focus"]``, ``["blur"]``; the server
sends the app's output as binary frames, and JSON text frames (``pong``, ``instance_id``,
``deliver_file_start``…).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pyte

ROOT = Path(__file__).resolve().parent.parent

WIDTH, HEIGHT = 80, 24
QUIET = 0.08  # the screen is settled when no character changed for this long
PATIENCE = 5.0  # a key whose screen never changes in this long is counted as lost
PASSWORD = "bench-password-1"
KEYS = {"enter": "\r", "tab": "\t", "escape": "\x1b", "ctrl+q": "\x11"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- one browser tab, spoken directly -----------------------------------------------------------


class Tab:
    """One person's tab: their cookie, their WebSocket, the screen as their browser draws it."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self.screen = pyte.Screen(WIDTH, HEIGHT)
        self.stream = pyte.ByteStream(self.screen)
        self.changed = asyncio.Event()
        self.change_times: list[float] = []  # when a frame changed a character on the screen
        self.rows = [" " * WIDTH] * HEIGHT  # the characters of each row as last seen
        self.unchanged: list[tuple[str, bool, str]] = []  # keys that changed nothing: (key, closed, screen)
        self.closed = False
        self.http: aiohttp.ClientSession | None = None
        self.ws = None
        self.reader: asyncio.Task | None = None

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def login(self) -> None:
        # A cookie for 127.0.0.1: aiohttp keeps cookies of an IP address only when told to.
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        login = {"name": self.name, "password": PASSWORD}
        async with self.http.post(self.url + "/login", data=login, headers={"Origin": self.url}) as answer:
            page = await answer.text()
            if answer.status != 200 or "/login" in str(answer.url):
                raise SystemExit(f"{self.name}: login refused ({answer.status}): {page[:300]}")

    async def connect(self) -> None:
        ws_url = self.url.replace("http", "ws", 1) + f"/ws?width={WIDTH}&height={HEIGHT}"
        self.ws = await self.http.ws_connect(ws_url, headers={"Origin": self.url}, max_msg_size=0)
        await self.ws.send_str(json.dumps(["resize", {"width": WIDTH, "height": HEIGHT}]))
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        screen = self.screen
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.BINARY:
                continue
            screen.dirty.clear()
            self.stream.feed(message.data)
            changed = False
            for y in screen.dirty:
                if y < HEIGHT and (row := _row(screen, y)) != self.rows[y]:
                    self.rows[y] = row
                    changed = True
            if changed:
                self.change_times.append(time.perf_counter())
                self.changed.set()
        self.closed = True
        self.changed.set()

    async def settle(self, since: float, seen: int) -> tuple[float, float] | None:
        """After a key sent at ``since`` (``seen`` changes before it): (first change, settled) in
        seconds, or None when the screen did not change at all."""
        times = self.change_times
        while not self.closed:
            self.changed.clear()
            now = time.perf_counter()
            wait = (times[-1] + QUIET - now) if len(times) > seen else (since + PATIENCE - now)
            if wait <= 0:
                break
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), wait)
        if len(times) == seen:
            return None
        return times[seen] - since, times[-1] - since

    async def wait_for(self, text: str, timeout: float = 20) -> None:
        deadline = time.perf_counter() + timeout
        while text not in self.text():
            if time.perf_counter() > deadline or self.closed:
                raise SystemExit(f"{self.name}: 「{text}」 not on the screen after {timeout} s:\n{self.text()}")
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), 0.2)

    async def key(self, data: str) -> tuple[float, float] | None:
        seen = len(self.change_times)
        since = time.perf_counter()
        await self.ws.send_str(json.dumps(["stdin", data]))
        return await self.settle(since, seen)

    async def quiet(self) -> None:
        """Wait until the screen has not changed for QUIET (after a screen opens)."""
        await self.settle(time.perf_counter(), len(self.change_times) - 1 if self.change_times else 0)

    async def close(self) -> None:
        if self.ws is not None and not self.ws.closed:
            with contextlib.suppress(Exception):
                await self.ws.send_str(json.dumps(["stdin", KEYS["ctrl+q"]]))
                await asyncio.wait_for(self.reader, 10)
            await self.ws.close()
        if self.http is not None:
            await self.http.close()


def _row(screen: pyte.Screen, y: int) -> str:
    line = screen.buffer[y]
    return "".join(line[x].data for x in range(screen.columns))


# -- the server and its processes ---------------------------------------------------------------


def start_server(db: Path, port: int, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "--db", str(db), "serve", "--port", str(port)],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"chosho serve ended ({server.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        time.sleep(0.1)
    raise SystemExit("chosho serve did not listen in 30 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(2)  # Ctrl+C
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parent = int(stat[stat.rindex(")") + 2:].split()[1])
                tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _rss(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def session_memory(server_pid: int) -> tuple[int, list[int]]:
    """The server's own RSS and, per session, the RSS of its app process (with any shell or child
    it started), in bytes."""
    tree = _children()

    def subtree(pid: int) -> int:
        return _rss(pid) + sum(subtree(child) for child in tree.get(pid, []))

    return _rss(server_pid), [subtree(child) for child in tree.get(server_pid, [])]
