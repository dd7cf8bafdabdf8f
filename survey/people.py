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

    Repeated until nothing changes: casefolding can undo NFKC's composition, removing a space
    can let a combining mark compose with the letter before it, and NFKC can itself produce a
    space (the spacing diaeresis ¨ is a space and a combining mark). Two passes suffice in
    practice; the bound only guards against the unforeseen.
    """
    key = name
    for _ in range(8):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", key).casefold())
        # Category Cf holds the zero-width space, joiners, the word joiner, BOM and the soft hyphen.
        stripped = "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Cf")
        if stripped == key:
            break
        key = stripped
    return key


def same_person(a: str, b: str) -> bool:
    """Whether two typed names name the same person (for "the first keyer cannot verify")."""
    return person_key(a) == person_key(b)
