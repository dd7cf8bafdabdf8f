"""Heads-down keying rules, apart from any widget so they can be tested alone.

A code is taken the moment it is complete: typed digits that name an option no longer code
starts with (Q7 has 1–14: "2" is taken at once, "1" waits for a second digit, Enter or a
separator). Full-width digits from an IME count as digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from survey.numbers import NumberError, is_whole, parse_whole, to_ascii_digits

__all__ = ["SEPARATORS", "clean_paste", "complete_code", "normalize", "split_codes", "question_id_from", "starts_stray"]

SEPARATORS = re.compile(r"[\s,、，.。・/]+")


def normalize(text: str) -> str:
    """NFKC with circled numbers (❶ ➀ …, IME candidates for a digit) read as their digits."""
    return to_ascii_digits(text)


def complete_code(codes: Iterable[int], text: str) -> int | None:
    """The code ``text`` names once no longer code could still follow, else None."""
    try:
        code = parse_whole(text)
    except NumberError:
        return None
    codes = tuple(codes)
    if code not in codes:
        return None
    longer = any(other != code and str(other).startswith(str(code)) for other in codes)
    return None if longer else code


def split_codes(text: str) -> tuple[list[str], str]:
    """Finished tokens (followed by a separator) and the token still being typed."""
    parts = SEPARATORS.split(normalize(text))
    return [p for p in parts[:-1] if p], parts[-1]


def question_id_from(text: str, ids: Iterable[str], labels: Iterable[str] = ()) -> str | None:
    """"8", "q8", "Ｑ８" → "Q8" when such a question exists; otherwise a question whose printed
    number (its label: 問８, Ｑ８) is what was typed, or whose id it is, letter case aside."""
    word = normalize(text).strip().upper()
    ids = list(ids)
    lookup = {qid.upper(): qid for qid in ids}
    for label, qid in zip(labels, ids):
        printed = normalize(label).strip().upper()
        lookup.setdefault(printed, qid)
        number = "".join(ch for ch in printed if ch.isdigit() or ch == "-")
        if number:
            lookup.setdefault(number, qid)
    if is_whole(word) and f"Q{parse_whole(word)}" in lookup:
        return lookup[f"Q{parse_whole(word)}"]
    return lookup.get(word)


# Whole escape sequences a terminal paste may carry: CSI (ESC [ … final, or the 8-bit CSI),
# OSC (ESC ] … BEL or ST), and two-character escapes. Removed whole, so "\x1b[31m" leaves
# nothing behind instead of a literal "[31m".
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_PASTE_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_paste(text: str, *, multiline: bool) -> str:
    """Pasted text without escape sequences or control characters.

    ``multiline`` keeps line breaks (the editor); a single-line field gets them as spaces, so
    nothing pasted is lost past the first line.
    """
    text = _ESCAPES.sub("", text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    return _PASTE_CONTROLS.sub("", text)


def starts_stray(text: str) -> bool:
    """A code line that begins with something other than a digit (",2" after "1,2" on a
    single choice): never taken as an answer, shown for the clerk to decide."""
    head = normalize(text)[:1]
    return bool(head) and not ("0" <= head <= "9")
