"""The message line of the entry, review and adjudication screens: a Folded ``#message`` whose
class (error, warning, success) colours it (tui/app.tcss)."""

from __future__ import annotations

from ..widgets.folded import Folded, Paragraph

__all__ = ["MessageLine"]


class MessageLine:
    """Mixed into a screen that composes ``Folded(id="message")``."""

    def set_message(self, text: str | list[Paragraph], kind: str = "") -> None:
        """A line of text, or paragraphs (prefix, body): a list of reasons hangs under its marks."""
        message = self.query_one("#message", Folded)
        message.update(text)
        message.set_classes(kind)

    @property
    def message(self) -> str:
        return self.query_one("#message", Folded).plain
