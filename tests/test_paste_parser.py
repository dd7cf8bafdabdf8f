"""tui/paste.py: a lone ESC held back (it might begin a bracketed paste) is the Escape key,
and holding it back never tells Textual's parser that the input has ended."""

from __future__ import annotations

import time

from tui.paste import PasteSafeParser


def _keys(events) -> list[str]:
    return [getattr(e, "key", type(e).__name__) for e in events]


def _settle(parser: PasteSafeParser) -> list:
    """What the driver's read loop gets from ticks once the escape timeout has passed."""
    out = list(parser.tick())
    time.sleep(0.3)
    return out + list(parser.tick())


def test_a_lone_escape_is_the_escape_key_and_keys_go_on_after_it():
    parser = PasteSafeParser()
    for _ in range(3):  # Esc, Esc, Esc: each one a key, none ends the input
        assert list(parser.feed("\x1b")) == []  # held back: it might begin a paste
        assert _keys(_settle(parser)) == ["escape"]
    assert _keys(parser.feed("a")) == ["a"]
    pasted = list(parser.feed("\x1b[200~貼り付け\x1b[31m赤\x1b[201~"))
    assert [getattr(e, "text", None) for e in pasted] == ["貼り付け赤"]


def test_a_paste_marker_split_across_reads_is_still_one_paste():
    parser = PasteSafeParser()
    assert list(parser.feed("\x1b")) == []
    events = list(parser.feed("[200~abc\x1b[201~"))
    assert [getattr(e, "text", None) for e in events] == ["abc"]
