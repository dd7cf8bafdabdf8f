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
from decimal import Decimal

from .errors import InputError

__all__ = [
    "MAX_DIGITS", "MAX_NUMBER_DIGITS", "NumberError", "grouped", "is_whole", "parse_number", "parse_whole",
    "to_ascii_digits",
]

# Codes are one or two digits and counts are staff numbers: nine digits is far beyond any real
# value and far below int()'s 4,300-digit limit, so a pasted 5,000-digit string is refused politely.
MAX_DIGITS = 9

# Amounts and plain numbers (issue 27) may be longer: fifteen significant digits is what Excel
# keeps exactly, so a value chosho stores is the value the exported workbook shows.
MAX_NUMBER_DIGITS = 15

_ASCII_DIGITS = re.compile(r"[0-9]+")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
# 万・億 and kanji numerals: the paper's "123万" is refused, not read (see parse_number).
_KANJI_NUMBER = re.compile(r"[〇零一二三四五六七八九十百千万萬億兆]")
# The Japanese public-accounting minus signs (△1,000 is -1,000), and the minus signs NFKC keeps.
_MINUS = ("-", "△", "▲", "\u2212")


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
    Codes, counts and question numbers: no sign, no grouping, no point (:func:`parse_number`
    with everything an amount may carry switched off).
    """
    number = parse_number(raw, what=what, allow_empty=allow_empty)
    return None if number is None else int(number)


def parse_number(
    raw: str,
    *,
    what: str = "番号",
    allow_empty: bool = False,
    amount: bool = False,
    decimal: bool = False,
    unit: str = "",
) -> Decimal | None:
    """The one parse of every code and number: the exact value of ``raw`` as a Decimal.

    Always: NFKC (full-width digits), circled digits, surrounding spaces. With ``amount`` (an
    ``integer``/``decimal`` question): digit grouping ``1,234,567`` (commas every three digits
    only), a sign ``-`` ``－`` or the accounting ``△``/``▲``, the question's ``unit`` after the
    digits (``1,000円``), up to :data:`MAX_NUMBER_DIGITS` digits; with ``decimal`` a point too.
    ``123万`` and kanji numerals are refused with the reason: a clerk keys the digits the paper
    shows, and reading 万 would let ``1万2千`` and ``12000`` differ by a typo nobody sees.
    """
    text = to_ascii_digits(raw).strip()
    if not text:
        if allow_empty:
            return None
        raise NumberError(f"{what}が空です。数字を入力してください。")
    shown = text if len(text) <= 20 else text[:20] + "…"
    if not amount:
        if text.startswith("-") and _ASCII_DIGITS.fullmatch(text[1:]):
            raise NumberError(f"{text} は負の数です。0 以上の整数を入力してください。")
        if not _ASCII_DIGITS.fullmatch(text):
            raise NumberError(f"「{shown}」は{what}ではありません。半角・全角の数字で入力してください。")
        if len(text.lstrip("0")) > MAX_DIGITS:
            raise NumberError(f"{len(text)} 桁の数は大きすぎます（{MAX_DIGITS} 桁まで）。")
        return Decimal(int(text))
    body = text.replace(" ", "")
    unit_text = unicodedata.normalize("NFKC", unit).replace(" ", "")
    if unit_text and body.endswith(unit_text):
        body = body[: -len(unit_text)]
    negative = body.startswith(_MINUS)
    if negative:
        body = body[1:]
    if _KANJI_NUMBER.search(body):
        raise NumberError(
            f"「{shown}」は読みません。「万」「億」や漢数字は使わず、用紙の額を数字だけで入力してください"
            "（例: 123万 → 1230000）。"
        )
    if not (_PLAIN.fullmatch(body) or _GROUPED.fullmatch(body)):
        if "," in body and _PLAIN.fullmatch(body.replace(",", "")):
            raise NumberError(f"「{shown}」の桁区切りの位置が違います（3 桁ごとに , を置きます）。")
        if "." in body and not decimal and _PLAIN.fullmatch(body.replace(",", "")):
            raise NumberError(f"「{shown}」は小数です。この問いは整数で入力してください。")
        suffix = f"（単位「{unit}」は付けても付けなくても構いません）" if unit else ""
        raise NumberError(f"「{shown}」は{what}ではありません。半角・全角の数字で入力してください{suffix}。")
    digits = body.replace(",", "")
    if "." in digits and not decimal:
        raise NumberError(f"「{shown}」は小数です。この問いは整数で入力してください。")
    if len(digits.replace(".", "").lstrip("0")) > MAX_NUMBER_DIGITS:
        raise NumberError(f"桁が多すぎます（{MAX_NUMBER_DIGITS} 桁まで）。")
    value = Decimal(digits)
    return -value if negative and value else value


def grouped(value: Decimal | int) -> str:
    """A number as the report prints it: digit grouping, the exact digits (no float rounding)."""
    return format(value, ",")
