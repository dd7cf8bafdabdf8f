"""The domain's one error for input that cannot be accepted (typed, pasted or imported)."""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Typed input that cannot be accepted; the message says why and what is allowed."""
