"""The domain's errors: input that cannot be accepted (typed, pasted or imported), and a
definition file that cannot be used (here, not in the loader, so catching it imports nothing)."""

from __future__ import annotations

__all__ = ["DefinitionError", "InputError"]


class InputError(ValueError):
    """Typed input that cannot be accepted; the message says why and what is allowed."""


class DefinitionError(ValueError):
    """A definition file that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"調書定義 {source} に誤りがあります（{len(problems)}件）:\n{lines}")
