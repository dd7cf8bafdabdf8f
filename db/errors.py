"""What the store refuses or cannot do, each with a message a clerk can act on (Japanese)."""

from __future__ import annotations

__all__ = [
    "StoreError",
    "StoreUnavailable",
    "StoreBusy",
    "ConflictError",
    "RefusedError",
]


class StoreError(Exception):
    """Base class: ``str(error)`` is the Japanese message to show, never a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreUnavailable(StoreError):
    """The database file cannot be opened or used: missing folder, read-only, corrupt, newer."""


class StoreBusy(StoreError):
    """Another process held the write lock past the busy timeout; nothing was written."""


class ConflictError(StoreError):
    """Someone else changed this department's answers since they were read; nothing was written."""


class RefusedError(StoreError):
    """A rule of the office refuses the change: a finalised form, one's own sign-off, open flags."""
