"""The app served to a real browser: `chosho serve` on a free port of the loopback, accounts made
with `chosho users add --password-stdin`, and headless Chromium (Debian's ``chromium`` and
``chromium-driver``, which `.ci/run` installs) driven by Selenium.

Without Chromium the browser tests are skipped on a developer's machine, and fail under CI
(``CI`` set): there a missing browser is a broken setup, not a reason to pass.

What the page shows is read from xterm.js itself: a script run before the page's own (CDP
``Page.addScriptToEvaluateOnNewDocument``) notes each xterm ``Terminal`` as it is made (its
constructor sets ``_addonManager``), and :meth:`Browser.screen` reads that terminal's buffer —
the characters the person sees, whichever renderer (WebGL, canvas) paints them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # root in CI's container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # nothing leaves the machine: no updates, no sync, no metrics
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1100,760",
]

# Runs in the page before textual.js: keeps every xterm Terminal made (see the module's docstring).
_HOOK = """(() => {
  window.__choshoTerminals = [];
  Object.defineProperty(Object.prototype, '_addonManager', {
    configurable: true,
    set(value) {
      window.__choshoTerminals.push(this);
      Object.defineProperty(this, '_addonManager', {value, writable: true, configurable: true, enumerable: true});
    },
  });
})();"""
_READ = """const t = (window.__choshoTerminals || []).at(-1);
if (!t) return null;
const buffer = t.buffer.active, lines = [];
for (let i = 0; i < t.rows; i++) { const line = buffer.getLine(buffer.viewportY + i); lines.push(line ? line.translateToString(true) : ''); }
return lines.join('\\n');"""


def require_chromium() -> None:
    """Skip when Chromium or its driver is missing here; under CI that is a failure."""
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromium-driver", CHROMEDRIVER)) if not Path(path).exists()]
    if not missing:
        return
    message = f"{' と '.join(missing)} がありません（apt-get install chromium chromium-driver）"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chosho(db: Path, *args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``chosho --db DB ARGS…`` as the host's shell would (no name or password on it but ARGS)."""
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db), *args],
        input=stdin, capture_output=True, text=True, cwd=REPO, timeout=timeout,
    )


def add_account(db: Path, name: str, password: str, *, admin: bool = False) -> None:
    """An account, made as an office's administrator does: the password on stdin."""
    done = chosho(db, "users", "add", name, *(["--admin"] if admin else []), "--password-stdin", stdin=password + "\n")
    assert done.returncode == 0, done.stderr


class Served:
    """A running server on 127.0.0.1:<port>; its log is kept for a failing test's message."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path) -> None:
        self.process = process
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server ended ({self.process.returncode}):\n{self.log_text()}")
            try:
                urllib.request.urlopen(self.url + "/login", timeout=2).close()
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not answer in {timeout} s:\n{self.log_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(2)  # Ctrl+C, as a person stops it
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def server_command(db: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "tui.cli", "--db", str(db), "serve", "--port", str(port)]


@contextlib.contextmanager
def serve(db: Path, *, env: dict[str, str] | None = None) -> Iterator[Served]:
    """``chosho serve`` on a free loopback port, stopped (Ctrl+C) afterwards."""
    port = free_port()
    log = db.parent / f"serve-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            server_command(db, port), cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    served = Served(process, port, log)
    try:
        served.wait_ready()
        yield served
    finally:
        served.stop()


class Browser:
    """One headless Chromium (its own profile: cookies are this person's alone)."""

    def __init__(self, folder: Path) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.folder = folder
        self.downloads = folder / "downloads"
        self.downloads.mkdir(parents=True)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={folder / 'profile'}")  # new and empty
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.driver.set_page_load_timeout(30)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _HOOK})
        self.driver.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(self.downloads), "eventsEnabled": True}
        )

    def quit(self) -> None:
        with contextlib.suppress(Exception):
            self.driver.quit()

    # -- the page ---------------------------------------------------------------------------

    def open(self, url: str) -> None:
        self.driver.get(url)

    def new_tab(self, url: str) -> None:
        """Another tab of this browser (the same cookie: the same person's session) at ``url``."""
        self.driver.switch_to.new_window("tab")
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _HOOK})  # per tab
        self.open(url)

    def login(self, served: Served, name: str, password: str) -> None:
        from selenium.webdriver.common.by import By

        self.open(served.url + "/login")
        self.driver.find_element(By.NAME, "name").send_keys(name)
        field = self.driver.find_element(By.NAME, "password")
        field.send_keys(password)
        field.submit()

    def body_text(self) -> str:
        """The page's text ("" while a new page is loading)."""
        from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
        from selenium.webdriver.common.by import By

        try:
            return self.driver.find_element(By.TAG_NAME, "body").text
        except (NoSuchElementException, StaleElementReferenceException):
            return ""

    def screen(self) -> str:
        """The terminal's characters as shown, one line per row ("" before it is drawn)."""
        return self.driver.execute_script(_READ) or ""

    def wait_for(self, want: str | Callable[[str], bool], timeout: float = 15, what: Callable[[], str] | None = None) -> str:
        """Wait until the screen (or ``what``) contains ``want`` / satisfies it; returns it."""
        read = what or self.screen
        check = want if callable(want) else (lambda text: want in text)
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = read()
            if check(text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"not on the screen after {timeout} s: {want!r}\n{text}")

    # -- keys -------------------------------------------------------------------------------

    def _input(self):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")

    def press(self, *keys: str) -> None:
        """Keys as a person types them (Selenium's key events into xterm.js's input)."""
        box = self._input()
        for key in keys:
            box.send_keys(key)

    def ime(self, text: str) -> None:
        """Text committed by an input method (CDP ``Input.insertText``: the composition's end)."""
        self.driver.execute_script("arguments[0].focus()", self._input())
        self.driver.execute_cdp_cmd("Input.insertText", {"text": text})

    def paste(self, text: str) -> None:
        """The browser's paste (Ctrl+V): a paste event with ``text`` on xterm.js's input."""
        self.driver.execute_script(
            "const box = arguments[0], data = new DataTransfer(); data.setData('text/plain', arguments[1]);"
            "box.focus(); box.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));",
            self._input(), text,
        )

    def downloaded(self, suffix: str, timeout: float = 20) -> Path:
        """The file that arrived in this browser's downloads (complete: no .crdownload left)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = [p for p in self.downloads.iterdir() if p.name.endswith(suffix)]
            partial = [p for p in self.downloads.iterdir() if p.name.endswith(".crdownload")]
            if done and not partial:
                return done[0]
            time.sleep(0.1)
        raise AssertionError(f"no {suffix} download after {timeout} s: {sorted(p.name for p in self.downloads.iterdir())}")


@pytest.fixture
def browsers(tmp_path) -> Iterator[Callable[[], Browser]]:
    """Makes browsers (each its own profile and downloads) and quits them all after the test."""
    require_chromium()
    made: list[Browser] = []

    def make() -> Browser:
        browser = Browser(Path(tempfile.mkdtemp(prefix="browser-", dir=tmp_path)))
        made.append(browser)
        return browser

    yield make
    for browser in made:
        browser.quit()
