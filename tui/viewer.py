"""Open a department's stored original (the returned xlsx, or a PDF / scan of the paper) with
the operating system's viewer, so the reviewer compares the answers with it.

The original lives in the database; it is written to a private temporary folder first (the
viewer needs a file) under its own name, so the viewer shows the name the department sent.
Only an original's kinds are handed to the OS (PDF, spreadsheets, images — by name and by the
content's signature, :func:`db.originals.kind_problem`): the OS opener runs whatever it is
given (a .bat on Windows). The temporary copies are removed when the app ends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db import Store

__all__ = ["open_original", "os_open", "opener"]


def os_open(path: Path) -> subprocess.Popen | None:
    """Hand ``path`` to the OS viewer without waiting for it (raises OSError when none).

    The launcher (xdg-open, open) is reaped by a daemon thread when it exits: unwaited, each
    Ctrl+O left a defunct process behind until chosho ended."""
    if sys.platform.startswith("win"):
        os.startfile(str(path))  # type: ignore[attr-defined]  # noqa: S606
        return None
    command = "open" if sys.platform == "darwin" else "xdg-open"
    process = subprocess.Popen(  # noqa: S603
        [command, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # the viewer outlives chosho and never draws into its terminal
    )
    threading.Thread(target=process.wait, name="chosho-viewer-reaper", daemon=True).start()
    return process


opener: Callable[[Path], None] = os_open  # tests put a recorder here
_copies: list[Path] = []  # the temporary folders Ctrl+O made, removed at exit


def remove_copies() -> None:
    """Remove the temporary copies of originals this process made (called at exit)."""
    while _copies:
        shutil.rmtree(_copies.pop(), ignore_errors=True)


atexit.register(remove_copies)


def open_original(
    store: Store, department_id: int, original_id: int | None = None, *, send: Callable[[str, bytes], str] | None = None
) -> tuple[str, str]:
    """Open one of the department's originals (default: the newest). Returns (message, severity)
    for a notification. ``send`` (name, content) -> what it did, hands the original to the
    person's browser instead of the host's viewer (tui/browser.py)."""
    from db.errors import StoreError
    from db.originals import kind_problem, original_content, originals

    kept = originals(store, department_id)
    if not kept:
        return "この所属の原本は保存されていません（chosho import で様式を取り込むか、chosho attach で保存します）。", "warning"
    newest = next((o for o in kept if o.id == original_id), kept[0])
    try:
        content = original_content(store, newest.id)
    except StoreError as exc:
        return str(exc), "error"
    if problem := kind_problem(newest.name, content[:16]):
        return f"{problem}開きません。", "error"
    more = f"（ほかに {len(kept) - 1} 件）" if len(kept) > 1 and original_id is None else ""
    if send is not None:
        return f"{send(newest.name, content)}{more}。", "information"
    folder = Path(tempfile.mkdtemp(prefix="chosho-original-"))
    _copies.append(folder)
    path = folder / Path(newest.name).name
    try:
        path.write_bytes(content)
        opener(path)
    except OSError as exc:
        return f"原本「{newest.name}」を開けませんでした（{exc.strerror or exc}）。一時ファイル: {path}", "error"
    return f"原本「{newest.name}」を開きました{more}。", "information"
