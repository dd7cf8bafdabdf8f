"""The server's one connection to the database, owned by one thread.

A ``Store`` refuses use from another thread than the one that opened it, and a password check
(argon2) takes tens of milliseconds: both stay off the event loop by running every call of the
server in this one worker thread, one after another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["StoreThread"]

T = TypeVar("T")


class StoreThread:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chosho-store")

    def _open(self):
        from db import open_store
        from db.who import os_login

        # The server acts as the host's administrator: whoever runs it holds the file.
        self.store = open_store(self.path, os_login())
        return self.store

    async def open(self):
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._open)

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(store, *args, **kwargs)`` in the store's thread."""
        store = self.store

        def run() -> T:
            return function(store, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._pool, run)

    async def close(self) -> None:
        if self.store is not None:
            store, self.store = self.store, None
            await asyncio.get_running_loop().run_in_executor(self._pool, store.close)
        self._pool.shutdown(wait=True)
