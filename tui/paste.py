"""Bracketed pastes with escape sequences inside, read as one paste.

Textual 8.2's input parser, inside a bracketed paste (ESC [200~ … ESC [201~), turns any escape
sequence it meets into *keys* (ESC as "^"), sent before the paste itself: a pasted
"貼り付け\\x1b[31m赤" was stored as "^[31m赤貼り付け", and the digits of such a sequence
would land on a code line as codes. This parser removes escape sequences and control
characters from the pasted text before Textual's parser sees it, so a paste stays one paste.
Installed for the drivers that read a terminal (Linux, Windows) when the app starts.
"""

from __future__ import annotations

import sys

from textual._xterm_parser import XTermParser

from .keying import clean_paste

__all__ = ["PasteSafeParser", "install"]

START, END = "\x1b[200~", "\x1b[201~"


def _partial_suffix(text: str, marker: str) -> int:
    """Length of the longest end of ``text`` that could begin ``marker`` (split across reads)."""
    for size in range(min(len(marker) - 1, len(text)), 0, -1):
        if marker.startswith(text[-size:]):
            return size
    return 0


class PasteSafeParser(XTermParser):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._in_paste = False
        self._carry = ""

    def feed(self, data: str):
        if not data:  # the terminal closed: Textual's parser ends on an empty feed
            return super().feed(data)
        data, self._carry = self._carry + data, ""
        out: list[str] = []
        while data:
            if not self._in_paste:
                at = data.find(START)
                if at < 0:
                    keep = _partial_suffix(data, START)
                    out.append(data[: len(data) - keep])
                    self._carry = data[len(data) - keep :]
                    break
                out.append(data[: at + len(START)])
                data, self._in_paste = data[at + len(START) :], True
            else:
                at = data.find(END)
                if at < 0:
                    # Hold back an escape sequence that may continue (or be the end marker).
                    cut = data.rfind("\x1b")
                    cut = cut if cut >= 0 and len(data) - cut < 64 else len(data)
                    out.append(clean_paste(data[:cut], multiline=True))
                    self._carry = data[cut:]
                    break
                out.append(clean_paste(data[:at], multiline=True) + END)
                data, self._in_paste = data[at + len(END) :], False
        text = "".join(out)
        if not text:
            # Everything held back (a lone ESC: the Escape key, or the start of a paste). Feeding
            # "" would tell Textual's parser the input ended, and the next key then raised
            # ParseError in the input thread: Esc closed the app in a real terminal.
            return iter(())
        return super().feed(text)

    def tick(self):
        # A lone ESC held back (it might begin the paste marker) is the Escape key after all.
        if self._carry and not self._in_paste:
            data, self._carry = self._carry, ""
            yield from super().feed(data)
        yield from super().tick()


def install() -> None:
    """Use PasteSafeParser in Textual's terminal drivers (they look the name up when reading)."""
    from textual.drivers import linux_driver

    linux_driver.XTermParser = PasteSafeParser
    if sys.platform == "win32":  # importing it elsewhere loads ctypes for nothing
        from textual.drivers import win32

        win32.XTermParser = PasteSafeParser
