"""The app served to a browser (``chosho serve``): files reach the person through their own
browser, never the host's folders or the host's viewer.

Textual's web driver (``app.is_web``) hands a file to the server, which offers it to that tab
once at a single-use ``/download/<key>`` address: ``open_method="download"`` lands in the
browser's downloads, ``"browser"`` shows it in a new tab (a PDF in the browser's own viewer, an
image as an image). In a terminal nothing here runs: the workbook is written where the clerk
says and an original opens with the OS viewer (``tui/viewer.py``).

A person in a browser names a file, never a place on the host: the workbook is written to a
private temporary folder under that name, read back, the folder removed, and the bytes sent.
Only an original's kinds reach this module (checked by name and content signature,
:func:`db.originals.kind_problem`); of those, the kinds a browser displays itself are shown in
a tab, the rest (Excel books, TIFF) arrive as downloads.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

__all__ = ["in_browser", "file_name", "scratch_file", "send_download", "show_original"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".xlsx": XLSX,
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
# What every browser shows in a tab by itself; anything else would only be downloaded from there.
SHOWN = {".pdf", ".png", ".jpg", ".jpeg"}


def in_browser(app: App) -> bool:
    """Is this app drawn in a browser tab (served by ``chosho serve``)?"""
    return app.is_web


def file_name(typed: str) -> str:
    """The file name alone of what a person in a browser typed: folders (``/`` or ``\\``) are
    dropped, since they would be the host's folders, not theirs. "" when no name is left."""
    name = PureWindowsPath(typed.strip()).name  # splits at both / and \
    return "" if name in {".", ".."} else name


@contextmanager
def scratch_file(name: str) -> Iterator[Path]:
    """A path named ``name`` in a new private temporary folder, removed with all in it after."""
    folder = Path(tempfile.mkdtemp(prefix="chosho-download-"))
    try:
        yield folder / name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _mime(name: str) -> str:
    return MIME.get(Path(name).suffix.lower(), "application/octet-stream")


def send_download(app: App, name: str, content: bytes) -> None:
    """Offer ``content`` to the tab as a download named ``name``."""
    app.deliver_binary(io.BytesIO(content), save_filename=name, open_method="download", mime_type=_mime(name))


def show_original(app: App, name: str, content: bytes) -> str:
    """Send a department's original to the tab: a PDF or an image opens in a new tab, an Excel
    book or a TIFF arrives as a download. Returns what was done, for the notification."""
    shown = Path(name).suffix.lower() in SHOWN
    app.deliver_binary(
        io.BytesIO(content), save_filename=name, open_method="browser" if shown else "download", mime_type=_mime(name)
    )
    if shown:
        return f"原本「{name}」をブラウザの新しいタブで開きました"
    return f"原本「{name}」をブラウザのダウンロードに送りました"
