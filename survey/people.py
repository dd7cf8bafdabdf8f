"""Who is who: the one comparison of person names for the four-eyes rules.

A name typed on a shared PC may differ from the same person's earlier entry only in width
(ＴＡＮＡＫＡ / TANAKA), case, spaces (田中　太郎 / 田中太郎) or invisible characters pasted from
elsewhere (a zero-width space). For "a different person must do this" those are the same person,
so every such rule compares ``person_key`` values, never the names as typed.
"""

from __future__ import annotations

import unicodedata

__all__ = ["person_key", "same_person"]


def person_key(name: str) -> str:
    """NFKC, casefolded, without whitespace and without format characters (zero-width etc.).

    NFKC is applied again after casefolding because casefolding can produce characters that
    NFKC would have composed differently; the key is stable under repeated application.
    """
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    # Category Cf holds the zero-width space, joiners, the word joiner, BOM and the soft hyphen.
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def same_person(a: str, b: str) -> bool:
    """Whether two typed names name the same person (for "the first keyer cannot verify")."""
    return person_key(a) == person_key(b)
