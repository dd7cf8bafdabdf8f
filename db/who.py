"""Who is working: the OS login by default, so every write can be stamped with a person."""

from __future__ import annotations

import getpass
import os

__all__ = ["os_login"]


def os_login() -> str:
    # getpass reads LOGNAME/USER/LNAME/USERNAME, then the password database; a container may
    # have neither, and a write must still be stamped with someone.
    try:
        name = getpass.getuser()
    except Exception:  # noqa: BLE001 - any failure means "unknown", never a crash
        name = os.environ.get("USERNAME", "")
    return name.strip() or "不明"
