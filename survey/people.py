"""Who is who: the one comparison of person names for the four-eyes rules, and what a name is.

A name typed on a shared PC may differ from the same person's earlier entry only in width
(ＴＡＮＡＫＡ / TANAKA), case, spaces (田中　太郎 / 田中太郎), or in letters that look alike from
another script (a Cyrillic ``а`` for the Latin ``a``, a dotless ``ı`` for ``i``). For "a different
person must do this" those are the same person, so every such rule compares ``person_key``
values, never the names as typed. The look-alikes are Unicode's own list (UTS #39, the
confusable *skeleton*), taken from ICU's spoof checker, not a hand table.

What cannot be seen cannot tell two people apart either: ``name_problem`` refuses a name with
control, format, combining, filler or blank characters, so such a name is never stored.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

__all__ = ["name_problem", "person_key", "same_person"]

# The spaces a name may hold between its words: the ASCII one and the ideographic one (田中　太郎).
_SPACES = (" ", "\u3000")
# The kana voicing marks (゛゜ as combining characters): a Japanese name may arrive decomposed
# (か + U+3099 for が); NFC composes them, so they never stand alone in the key.
_KANA_MARKS = ("\u3099", "\u309a")
# Inside a name, the ASCII joiners of login names (taro.yamada, clerk-a, t_sato): visible, and
# not confusable with a letter. Any look-alike of them (U+2010 ‐) is not ASCII and is refused.
_JOINERS = ("-", ".", "_")


@lru_cache(maxsize=1)
def _spoof_checker():
    import icu  # PyICU (pyicu-wheels): only when a name is compared or checked

    return icu.SpoofChecker()


@lru_cache(maxsize=1)
def _default_ignorable():
    import icu

    prop = icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT
    return lambda ch: icu.Char.hasBinaryProperty(ch, prop)


def _show(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def name_problem(name: str | None) -> str | None:
    """Why ``name`` cannot be a person's name (Japanese), or None when it can.

    A name is letters and digits, with spaces only between words (leading and trailing spaces
    are trimmed by the caller's ``strip()``, not refused); inside it, the ASCII ``-``, ``.`` and
    ``_`` of login names are letters too (``clerk-a``, ``taro.yamada``). Refused: control characters (``\\x00``,
    an escape sequence), format characters (zero-width space, joiners, BOM), combining marks
    standing alone (U+034F, U+0323, a variation selector), fillers and blanks that draw nothing
    (ハングルの U+3164 / U+FFA0, U+17B4, the braille blank U+2800), other spaces and symbols.
    """
    text = (name or "").strip()
    if not text:
        return "作業者名を入力してください（空白や見えない文字だけの名前は使えません）。"
    bare = text.replace(" ", "").replace("-", "").replace(".", "").replace("_", "")
    if text.isascii() and bare.isalnum() and text[0].isalnum() and text[-1].isalnum():
        return None  # a plain login name (clerk-a): no ICU needed on the way to the first screen
    ignorable = _default_ignorable()
    for index, ch in enumerate(text):
        if ch in _SPACES or (ch in _JOINERS and 0 < index < len(text) - 1):
            continue
        category = unicodedata.category(ch)
        if category == "Cc":
            kind = "制御文字"
        elif category == "Cf":
            kind = "書式用の見えない文字"
        elif ignorable(ch):
            kind = "表示されない文字（埋め草・空白扱いの文字）"
        elif category.startswith("M") and ch not in _KANA_MARKS:
            kind = "前の文字に重ねる記号（結合文字）"
        elif category.startswith("Z"):
            kind = "使えない空白"
        elif category[0] in "LN" or ch in _KANA_MARKS:
            continue
        else:
            kind = "文字・数字以外の記号"
        shown = "".join(
            c if (unicodedata.category(c)[0] in "LN" and not ignorable(c)) or c in _SPACES + _JOINERS
            else f"<{_show(c)}>"
            for c in text
        )
        return (
            f"作業者名「{shown}」には{kind}（{_show(ch)}）が含まれています。"
            "名前は文字と数字（間に空白と - . _ も可）で書いてください。"
        )
    return None


def _fold(key: str) -> str:
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", key).casefold())
    # Category Cf holds the zero-width space, joiners, the word joiner, BOM and the soft hyphen.
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Cf")


def person_key(name: str) -> str:
    """The key people are compared by: NFKC, casefolded, without whitespace and format
    characters, then the UTS #39 confusable skeleton (ICU), so look-alike letters of other
    scripts are one letter.

    Repeated until nothing changes: casefolding can undo NFKC's composition, removing a space
    can let a combining mark compose with the letter before it, NFKC can itself produce a space,
    and the skeleton (defined on NFD) can give letters that fold further. A few passes suffice in
    practice; the bound only guards against the unforeseen.
    """
    checker = _spoof_checker()
    key = name
    for _ in range(8):
        folded = _fold(key)
        skeleton = _fold(checker.getSkeleton(0, folded)) if folded else folded
        if skeleton == key:
            break
        key = skeleton
    return key


def same_person(a: str, b: str) -> bool:
    """Whether two typed names name the same person (for "the first keyer cannot verify")."""
    return person_key(a) == person_key(b)
