"""What a ``chosho serve`` runs with: one frozen record, made by the command line or by a test."""

from __future__ import annotations

import ipaddress
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["COOKIE", "ServeSettings", "is_loopback"]

# The session cookie's name (its value is the token; the database holds only its SHA-256).
COOKIE = "chosho_session"


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to the LAN


@dataclass(frozen=True)
class ServeSettings:
    db: Path
    """The database (made absolute: the app processes get it as ``--db``)."""
    host: str = "127.0.0.1"
    port: int = 8000
    cert: Path | None = None
    key: Path | None = None
    allow_http: bool = False
    idle_seconds: float = 30 * 60
    """A session with no request and no key for this long is ended (its app closed)."""
    touch_seconds: float = 30
    """While a tab is in use, its session's last_seen is written at most this often."""
    fail_slow_after: int = 3
    """Failed logins (per name, per address) after which each further answer is delayed."""
    fail_slow_seconds: float = 1.0
    fail_lock_after: int = 5
    """Failed logins after which the name / the address is locked for ``fail_lock_seconds``."""
    fail_lock_seconds: float = 15 * 60
    tabs_per_session: int = 8
    """Open tabs (app processes, some 40 MB each) one login may have at once."""
    python: str = sys.executable
    """The interpreter that runs each tab's app (``python -m tui.served``)."""
    app_command: tuple[str, ...] | None = None
    """Instead of ``[python, -m, tui.served, --db, DB]`` (tests and benchmarks; no shell either way)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "db", Path(self.db).absolute())

    @property
    def tls(self) -> bool:
        return self.cert is not None

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"
