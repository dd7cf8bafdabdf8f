"""Where the database lives: ``--db``, else $CHOSHO_DB, else ``chosho.sqlite`` here."""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["DEFAULT_NAME", "ENV_VAR", "NAME_MAX", "SQLITE_PATH_MAX", "database_path", "name_problem", "network_share"]

DEFAULT_NAME = "chosho.sqlite"
ENV_VAR = "CHOSHO_DB"

# /proc/mounts writes space, tab, newline and backslash in mount points as octal escapes.
_OCTAL = re.compile(r"\\([0-7]{3})")

# Filesystem types whose locking SQLite's documentation calls unreliable.
_NETWORK_FS = {"nfs", "nfs4", "cifs", "smbfs", "smb3", "afs", "9p", "fuse.sshfs", "ncpfs", "glusterfs", "ceph"}


# A file name may have 255 bytes (Linux, macOS; 255 UTF-16 units on Windows): a Japanese
# character is 3 bytes in UTF-8, so about 85 of them.
NAME_MAX = 255
# SQLite's unix VFS keeps full paths in 512 bytes, including the "-journal" it appends: a
# longer database path fails with a bare "unable to open database file" (measured: 504 opens).
SQLITE_PATH_MAX = 504


def _units(name: str) -> int:
    return len(name.encode("utf-16-le")) // 2 if os.name == "nt" else len(os.fsencode(name))


def name_problem(path: Path, what: str = "ファイル", extra: int = 0) -> str | None:
    """Why ``path`` cannot be a file name here, if it is too long (else None).

    ``extra``: what the program adds to the name for its own work files (``.part``, ``-wal``).
    """
    limit = NAME_MAX - extra
    for part in Path(path).parts:
        if _units(part) > limit:
            unit = "文字" if os.name == "nt" else "バイト"
            return (
                f"{what}の名前「{part[:40]}…」が長すぎます（{_units(part)} {unit}。ここで使えるのは {limit} {unit}までで、"
                "日本語は 1 文字 3 バイトです）。短い名前にしてください。"
            )
    full = os.path.abspath(path)
    if _units(full) >= 4096:
        return f"{what}の場所（パス）が長すぎます（{_units(full)} バイト）。浅いフォルダを指定してください。"
    return None


def database_path(option: str | None = None, environ: dict[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    chosen = option or environ.get(ENV_VAR) or DEFAULT_NAME
    return Path(chosen).expanduser()


def network_share(path: Path, mounts: str | None = None) -> str | None:
    """The kind of network share ``path`` is on (e.g. "cifs", "UNC"), or None if local."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "UNC パス"
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        return _windows_remote(path)
    if mounts is None:
        try:
            with open("/proc/mounts", encoding="utf-8", errors="replace") as handle:
                mounts = handle.read()
        except OSError:
            return None
    target = os.path.realpath(path.parent if not path.exists() else path)
    best, kind = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), parts[1])  # \040 is a space, …
        if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind if kind in _NETWORK_FS else None


def _windows_remote(path: Path) -> str | None:  # pragma: no cover - Windows only
    import ctypes

    drive = os.path.splitdrive(os.path.abspath(path))[0]
    if not drive:
        return None
    DRIVE_REMOTE = 4
    if ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE:
        return f"ネットワークドライブ {drive}"
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown_name(name: str | os.PathLike) -> str:
    """A file name as it may be printed: control characters (an escape sequence would set the
    terminal's title or colours), bidirectional overrides and bytes that are not text are shown
    as \\x1b-style escapes, never sent raw to the terminal."""
    text = os.fspath(name) if not isinstance(name, str) else name
    try:
        raw = text.encode("utf-8", "surrogateescape")  # bytes the OS gave that are not UTF-8
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogatepass")
    text = raw.decode("utf-8", "backslashreplace")
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)
