"""Temporary files beside an output, and what a killed run left of them.

Every output (the workbook, the forms, the analysis data) is written to a temporary name and
renamed when complete, so a reader never sees half a file. A run that fails removes its own
temporary file; a run that is killed (SIGKILL, power cut) cannot, so each temporary name carries
the writing process's id, and the next run writing beside it removes those whose process is
gone. A full disk also leaves zip writers that fail once more when collected: their second
complaint ("Exception ignored …") is kept from the terminal.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

__all__ = ["TEMP_EXTRA", "os_reason", "quiet_collect", "sweep", "temp_beside"]

TEMP_EXTRA = 14  # ".NAME.<pid>.tmp" beyond the name itself (a pid has at most 7 digits on Linux)


_REASONS = {
    "ENOSPC": "ディスクの空き容量が足りません",
    "EDQUOT": "ディスクの割り当て容量を超えました",
    "EFBIG": "ファイルが大きすぎます",
    "EACCES": "書き込む権限がありません",
    "EPERM": "書き込む権限がありません",
    "EROFS": "読み取り専用の場所です",
    "ENOENT": "フォルダがありません",
    "EIO": "ディスクの読み書きでエラーが起きました",
}


def os_reason(exc: BaseException | None) -> str:
    """Why a write failed, in Japanese (the OS's own words are English): from the OSError
    itself or the one a library wrapped (xlsxwriter's FileCreateError)."""
    import errno

    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError) and exc.errno:
            return _REASONS.get(errno.errorcode.get(exc.errno, ""), "書き込めませんでした")
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return "空き容量と書き込み権限を確認してください"


def temp_beside(target: Path, suffix: str = ".tmp") -> Path:
    """A temporary name in ``target``'s folder: ``.STEM.<pid><suffix>`` (one writer per process)."""
    return target.with_name(f".{target.stem}.{os.getpid()}{suffix}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if sys.platform.startswith("win"):  # pragma: no cover - no signal 0 there: keep it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: not ours to judge
    return True


def sweep(target: Path, suffix: str = ".tmp") -> list[Path]:
    """Remove the temporary files of ``target`` left by runs that were killed. Returns them."""
    pattern = re.compile(rf"^\.{re.escape(target.stem)}\.(\d+){re.escape(suffix)}$")
    removed = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match and not _alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed.append(entry)
    return removed


@contextlib.contextmanager
def quiet_collect() -> Iterator[None]:
    """Collect what a failed write left (a zip writer whose file is gone) without letting its
    destructor's second error reach the terminal as 「Exception ignored …」 and a traceback."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        yield
        gc.collect()
    finally:
        sys.unraisablehook = hook
