"""Reads by key that arrive while the database is busy share the next round trip.

Under load a worker holds many requests that each want one row by key. For such a read the
round trip costs more than the row: system calls and wake-ups on both sides, and a statement for
the server to run. Here at most one batch is in flight per event loop (see async_read.py);
reads that arrive meanwhile queue, grouped by what must be equal to share a statement (``G``:
the database and the caller's view), and the next batch carries them all, one statement per
group.

A read never joins a batch that started before it arrived, so a client that reads its own
committed write sees it. Alone, a read goes at once, no waiting; after a batch of several, the
next one is taken one turn of the event loop later, which under load makes batches larger (fewer
statements) at a cost of microseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

G = TypeVar("G", bound=Hashable)
V = TypeVar("V")

Fetch = Callable[[dict[G, list[int]]], Awaitable[dict[G, dict[int, V]]]]


class ReadBatcher(Generic[G, V]):
    def __init__(self, fetch: Fetch[G, V], *, limit: int = 32) -> None:
        self._fetch = fetch
        self._limit = limit  # keys per statement
        self._queued: dict[G, list[tuple[int, asyncio.Future[V | None]]]] = {}
        self._drain_task: asyncio.Task[None] | None = None

    async def get(self, group: G, key: int) -> V | None:
        """The row for ``key`` as ``group`` reads it, or None."""
        future: asyncio.Future[V | None] = asyncio.get_running_loop().create_future()
        self._queued.setdefault(group, []).append((key, future))
        if self._drain_task is None:
            self._drain_task = asyncio.create_task(self._drain())
        return await future

    def _take(self) -> dict[G, list[tuple[int, asyncio.Future[V | None]]]]:
        batch = {group: waiting[: self._limit] for group, waiting in self._queued.items()}
        self._queued = {
            group: waiting[self._limit :]
            for group, waiting in self._queued.items()
            if len(waiting) > self._limit
        }
        return batch

    async def _drain(self) -> None:
        try:
            busy = False
            while self._queued:
                if busy:
                    # Under load, let the loop take one turn first: requests already received
                    # reach the queue and share this batch rather than wait for the next.
                    await asyncio.sleep(0)
                batch = self._take()
                keys = {group: [key for key, _ in waiting] for group, waiting in batch.items()}
                busy = sum(map(len, keys.values())) > 1
                try:
                    found = await self._fetch(keys)
                except BaseException as exc:
                    _settle(batch, exc)
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for group, waiting in batch.items():
                    rows = found.get(group, {})
                    for key, future in waiting:
                        if not future.done():  # its request may have been cancelled
                            future.set_result(rows.get(key))
        finally:
            self._drain_task = None
            _settle(self._queued, RuntimeError("the read batcher stopped"))


def _settle(
    waiting: dict[G, list[tuple[int, asyncio.Future[V | None]]]], exc: BaseException
) -> None:
    for futures in waiting.values():
        for _, future in futures:
            if not future.done():
                future.set_exception(exc)


T = TypeVar("T")


def per_loop(factory: Callable[[], T]) -> Callable[[], T]:
    """One ``factory()`` per running event loop (a batcher's futures belong to one loop)."""
    made: WeakKeyDictionary[asyncio.AbstractEventLoop, T] = WeakKeyDictionary()

    def get() -> T:
        loop = asyncio.get_running_loop()
        if loop not in made:
            made[loop] = factory()
        return made[loop]

    return get
