"""A footer that rebuilds its keys only when what it shows changes.

Textual's Footer recomposes (a new FooterKey per key, each styled anew) every time the screen
publishes that its bindings may have changed: on every focus change, every ``refresh_bindings``
and the screen's own stack update. Opening a department did that seven times for the same row of
keys, about half the time from the key to the entry screen drawn (bench/open_department.py).
Here a recompose waits until the keys shown (key, description, enabled, tooltip) differ from those
drawn, and two requests before a refresh make one.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["KeyFooter"]


class KeyFooter(Footer):
    _drawn: tuple | None = None
    _pending = False

    def _shown(self, screen: Screen) -> tuple:
        keys = tuple(
            (key, active.binding.description, active.enabled, active.tooltip)
            for key, active in screen.active_bindings.items()
            if active.binding.show
        )
        return keys, self.show_command_palette, self.compact

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen or self._pending:
            return
        self._pending = True
        self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        shown = self._shown(self.screen)
        if shown != self._drawn:
            self._drawn = shown
            await self.recompose()
