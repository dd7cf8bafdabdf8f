"""Shared by the tests of ``chosho serve``: a database with two accounts, the server under
aiohttp's test client, logging in, and opening a tab's WebSocket."""

from __future__ import annotations

import shutil
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tui.serve.server import build_app
from tui.serve.settings import COOKIE, ServeSettings

HERE = Path(__file__).parent
FAKE_APP = HERE / "serve_fake_app.py"
CERT = HERE / "fixtures" / "serve" / "cert.pem"
KEY = HERE / "fixtures" / "serve" / "key.pem"
OTHER_KEY = HERE / "fixtures" / "serve" / "other_key.pem"

ADMIN, CLERK = "山田", "sato"
PASSWORD = "correct horse 1"
CLERK_PASSWORD = "battery staple 2"


@pytest.fixture(scope="session")
def serve_template(tmp_path_factory) -> Path:
    from db import open_store
    from db.accounts import add_account

    path = tmp_path_factory.mktemp("serve") / "template.sqlite"
    with open_store(path, "管理者") as store:
        add_account(store, ADMIN, PASSWORD, admin=True)
        add_account(store, CLERK, CLERK_PASSWORD)
    return path


@pytest.fixture
def serve_db(serve_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "chosho.sqlite"
    shutil.copyfile(serve_template, path)
    return path


def fake_settings(db: Path, *extra: str, **changes) -> ServeSettings:
    """Settings whose tabs run tests/serve_fake_app.py (fast), throttling made quick."""
    changes.setdefault("fail_slow_seconds", 0.01)
    return ServeSettings(db=db, app_command=(sys.executable, str(FAKE_APP), "--db", str(db), *extra), **changes)


@asynccontextmanager
async def serving(settings: ServeSettings):
    async with TestClient(TestServer(build_app(settings))) as client:
        yield client


def origin(client: TestClient) -> str:
    return str(client.make_url("")).rstrip("/")


async def login(client: TestClient, name: str = ADMIN, password: str = PASSWORD, **headers: str):
    """POST /login as a browser does; the answer (a 303 to / on success), cookies left unset."""
    response = await client.post(
        "/login", data={"name": name, "password": password}, allow_redirects=False, headers=headers
    )
    client.session.cookie_jar.clear()  # each test passes its cookie explicitly
    return response


async def token_of(client: TestClient, name: str = ADMIN, password: str = PASSWORD) -> str:
    response = await login(client, name, password)
    assert response.status == 303, await response.text()
    return response.cookies[COOKIE].value


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={token}"}


async def open_tab(client: TestClient, token: str, **headers: str):
    """The WebSocket of one tab, as textual.js opens it (same Origin, the session's cookie)."""
    return await client.ws_connect("/ws?width=80&height=24", headers={"Origin": origin(client), **cookie(token), **headers})
