"""Japanese text folded at any character, to the widget's width, with hanging indents.

Word wrapping treats a Japanese sentence as one long word: after 「※　」 the whole sentence
jumps to the next line. The paper's text breaks anywhere, so we do too, keeping closing
punctuation (、。）」) off the start of a line and opening brackets (（「) off its end (kinsoku).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text
from textual.widget import Widget

__all__ = ["Folded", "fold", "Paragraph"]

_NO_LINE_START = set("、。，．,.）)」』】〕］]！!？?ー・：:；;ぁぃぅぇぉっゃゅょァィゥェォッャュョ々")
_NO_LINE_END = set("（(「『【〔［[")

# A paragraph: its first-line prefix (a number, a mark) and its body; continuation lines are
# indented by the prefix's width so that a long option label hangs under its own text.
Paragraph = tuple[Text | str, Text | str]


def _word(ch: str) -> bool:
    """Part of a run of Latin letters, digits (full-width too: ＹｏｕＴｕｂｅ, １０) and the
    marks inside dates and times."""
    if ch.isascii():
        return ch.isalnum() or ch in "-:/._"
    return "０" <= ch <= "９" or "Ａ" <= ch <= "Ｚ" or "ａ" <= ch <= "ｚ"


def _breaks(text: str, width: int) -> list[int]:
    """Offsets at which ``text`` must break to fit ``width`` cells.

    Kinsoku by pushing out (追い出し): a closing mark that would start a line takes the
    character before it down with it (and an opening bracket that would end one goes down
    with what it opens), so no line is wider than ``width``.
    """
    offsets: list[int] = []
    start = 0
    used = 0
    index = 0
    while index < len(text):
        cells = cell_len(text[index])
        if used + cells > width and index > start:
            cut = index
            # An opening bracket may not end a line either: it goes down with what it opens.
            # A date, a time, a number or a Latin word goes down whole: 「2024-10」「-01」 misreads.
            while cut > start + 1 and (
                text[cut] in _NO_LINE_START or text[cut - 1] in _NO_LINE_END or (_word(text[cut]) and _word(text[cut - 1]))
            ):
                cut -= 1
            if cut == start + 1 and _word(text[cut]) and _word(text[start]):
                cut = index  # one word wider than the line: break it where it must
            offsets.append(cut)
            start = cut
            used = sum(cell_len(ch) for ch in text[cut:index])
        used += cells
        index += 1
    return offsets


def fold(prefix: Text | str, body: Text | str, width: int) -> list[Text]:
    """Lines of ``prefix + body`` no wider than ``width`` (bar a hanging closing mark)."""
    prefix = Text(prefix) if isinstance(prefix, str) else prefix
    body = Text(body) if isinstance(body, str) else body
    indent = cell_len(prefix.plain)
    room = max(4, width - indent)
    lines: list[Text] = []
    for number, part in enumerate(body.split("\n", allow_blank=True)):
        pieces = part.divide(_breaks(part.plain, room)) if part.plain else [Text("")]
        for piece in pieces:
            if piece is not pieces[0] and piece.plain.startswith(" "):
                piece = piece[1:]  # the space a line broke at is not carried to the next line's start
            lead = prefix.copy() if not lines else Text(" " * indent)
            if number > 0 and piece is pieces[0] and lines:
                lead = Text(" " * indent)
            line = Text.assemble(lead, piece)  # not lead + piece: that spreads lead's style
            line.no_wrap = True  # already folded to the width: never wrapped again
            lines.append(line)
    return lines


class Folded(Widget):
    """Paragraphs folded to the width the layout gives; height follows the content."""

    DEFAULT_CSS = """
    Folded {
        height: auto;
    }
    """

    def __init__(self, paragraphs: Iterable[Paragraph] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        self._paragraphs: list[Paragraph] = list(paragraphs)

    def update(self, paragraphs: Sequence[Paragraph] | str) -> None:
        if isinstance(paragraphs, str):
            paragraphs = [("", paragraphs)] if paragraphs else []
        self._paragraphs = list(paragraphs)
        self.display = bool(self._paragraphs)
        self.refresh(layout=True)

    @property
    def plain(self) -> str:
        return "\n".join(f"{Text(p) if isinstance(p, str) else p}{b}" for p, b in self._paragraphs)

    def _lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        for prefix, body in self._paragraphs:
            lines += fold(prefix, body, width)
        return lines

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._lines(width))

    def render(self):
        return Group(*self._lines(self.content_size.width or self.size.width or 80))
