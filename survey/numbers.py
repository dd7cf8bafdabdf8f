"""The one place where typed or imported text becomes a whole number.

Every code, count and question number goes through :func:`parse_whole`, so the entry screens,
the command line and the import accept and refuse the same things with the same Japanese
messages. What is accepted: ASCII digits after NFKC (so full-width "１２" typed through an IME is
12, and ① ⑫ become 1 and 12), and the circled numbers an IME also offers for a digit (❶ ➀ ⓵ …),
read as their value. Everything else for which ``str.isdigit()`` is true but which is no digit a
Japanese clerk types (፩, superscripts after NFKC mapping aside, other scripts' digits) is refused:
guessing would record something the paper does not say.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import InputError

__all__ = ["MAX_DIGITS", "NumberError", "is_whole", "parse_whole", "to_ascii_digits"]

# Codes are one or two digits and counts are staff numbers: nine digits is far beyond any real
# value and far below int()'s 4,300-digit limit, so a pasted 5,000-digit string is refused politely.
MAX_DIGITS = 9

_ASCII_DIGITS = re.compile(r"[0-9]+")


class NumberError(InputError):
    """Text that is not a whole number; the message is Japanese and says what is allowed."""


def _circled_value(char: str) -> int | None:
    """❶ ➀ ⓵ ⑴ … : the number an enclosed or circled digit stands for, else None."""
    try:
        name = unicodedata.name(char)
    except ValueError:
        return None
    if not any(word in name for word in ("CIRCLED", "PARENTHESIZED", "DINGBAT")):
        return None
    value = unicodedata.numeric(char, None)
    if value is None or value != int(value) or value < 0:
        return None
    return int(value)


def to_ascii_digits(raw: str) -> str:
    """NFKC, then circled numbers replaced by their value; other characters are left as they are."""
    text = unicodedata.normalize("NFKC", raw)
    out = []
    for char in text:
        if "0" <= char <= "9":
            out.append(char)
            continue
        value = _circled_value(char)
        out.append(str(value) if value is not None else char)
    return "".join(out)


def is_whole(raw: str) -> bool:
    """True when :func:`parse_whole` would return a number for ``raw``."""
    try:
        return parse_whole(raw) is not None
    except NumberError:
        return False


def parse_whole(raw: str, *, what: str = "番号", allow_empty: bool = False) -> int | None:
    """A non-negative whole number, or NumberError with a Japanese message naming ``what``.

    Surrounding spaces are ignored; an empty string is None when ``allow_empty``, else refused.
    """
    text = to_ascii_digits(raw).strip()
    if not text:
        if allow_empty:
            return None
        raise NumberError(f"{what}が空です。数字を入力してください。")
    if text.startswith("-") and _ASCII_DIGITS.fullmatch(text[1:]):
        raise NumberError(f"{text} は負の数です。0 以上の整数を入力してください。")
    if not _ASCII_DIGITS.fullmatch(text):
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise NumberError(f"「{shown}」は{what}ではありません。半角・全角の数字で入力してください。")
    if len(text.lstrip("0")) > MAX_DIGITS:
        raise NumberError(f"{len(text)} 桁の数は大きすぎます（{MAX_DIGITS} 桁まで）。")
    return int(text)
