"""Failed logins, counted per name and per address: slowed, then locked for a while.

After ``slow_after`` failures within the lock window each further answer waits
``slow_seconds`` times the failures beyond it; at ``lock_after`` failures the name (or the
address) is locked for ``lock_seconds``: every login for it is answered 429 without the password
being checked at all. An address is allowed ``ADDRESS_SHARED`` times as many: an office's PCs
may all reach the server through one proxy address, and ten people logging in together from it
must not lock one another out. A success clears its name's count (the address keeps its own). Counts live
in the server's memory: a restart forgets them, as it forgets nothing else of importance.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ADDRESS_SHARED", "Throttle", "Verdict"]

ADDRESS_SHARED = 4

log = logging.getLogger("chosho.serve")


@dataclass
class _Count:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


@dataclass(frozen=True)
class Verdict:
    locked_for: float = 0.0  # seconds left of a lock, 0 when not locked
    delay: float = 0.0  # seconds to wait before answering


class Throttle:
    def __init__(
        self,
        *,
        slow_after: int,
        slow_seconds: float,
        lock_after: int,
        lock_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.slow_after = slow_after
        self.slow_seconds = slow_seconds
        self.lock_after = lock_after
        self.lock_seconds = lock_seconds
        self.clock = clock
        self._counts: dict[tuple[str, str], _Count] = {}

    def _count(self, kind: str, key: str) -> _Count:
        now = self.clock()
        count = self._counts.setdefault((kind, key), _Count())
        count.failures = [t for t in count.failures if now - t < self.lock_seconds]
        return count

    def _limits(self, kind: str) -> tuple[int, int]:
        """(slowed after, locked at) failures for a name or an address."""
        share = ADDRESS_SHARED if kind == "address" else 1
        return self.slow_after * share, self.lock_after * share

    def attempt(self, name_key: str, address: str, shown_name: str) -> Verdict:
        """Before the password is checked: locked (for how long), or how long to wait first.

        The attempt counts as a failure at once (``succeeded`` takes it back), so that many
        logins sent together cannot all pass before the first has failed.
        """
        now = self.clock()
        counts = {kind: self._count(kind, key) for kind, key in (("name", name_key), ("address", address))}
        locked = max(c.locked_until - now for c in counts.values())
        if locked > 0:
            log.warning("ロック中のログインを断りました: 名前 %r、接続元 %s", shown_name, address)
            return Verdict(locked_for=locked)
        over = max(len(c.failures) - self._limits(kind)[0] + 1 for kind, c in counts.items())
        for kind, count in counts.items():
            count.failures.append(now)
            if len(count.failures) >= self._limits(kind)[1]:
                count.locked_until = now + self.lock_seconds
                what = f"名前 {shown_name!r}" if kind == "name" else f"接続元 {address}"
                log.warning(
                    "ログインの失敗が %d 回続いたため、%s を %d 分間ロックします。",
                    self._limits(kind)[1], what, max(1, round(self.lock_seconds / 60)),
                )
        return Verdict(delay=self.slow_seconds * over if over > 0 else 0.0)

    def succeeded(self, name_key: str, address: str) -> None:
        """The attempt's password was right: its name starts afresh, the address loses this one."""
        self._counts.pop(("name", name_key), None)
        count = self._counts.get(("address", address))
        if count and count.failures:
            if len(count.failures) >= self._limits("address")[1]:
                count.locked_until = 0.0
            count.failures.pop()
