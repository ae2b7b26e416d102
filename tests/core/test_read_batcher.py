"""Reads that arrive while a batch is in flight go together in the next one, and only then."""

from __future__ import annotations

import asyncio

import pytest

from talent_service.core.read_batcher import ReadBatcher, per_loop


class Recorder:
    """A fetch that records each batch and can hold the first one until released.

    Its events are made on first use, inside the test's event loop.
    """

    def __init__(self, hold_first: bool = False) -> None:
        self.batches: list[dict[str, list[int]]] = []
        self.hold_first = hold_first
        self._events: tuple[asyncio.Event, asyncio.Event] | None = None

    @property
    def started(self) -> asyncio.Event:
        return self._made()[0]

    @property
    def release(self) -> asyncio.Event:
        return self._made()[1]

    def _made(self) -> tuple[asyncio.Event, asyncio.Event]:
        if self._events is None:
            self._events = (asyncio.Event(), asyncio.Event())
            if not self.hold_first:
                self._events[1].set()
        return self._events

    async def __call__(self, groups: dict[str, list[int]]) -> dict[str, dict[int, str]]:
        self.batches.append({group: sorted(keys) for group, keys in groups.items()})
        self.started.set()
        await asyncio.wait_for(self.release.wait(), timeout=5)
        return {
            group: {key: f"{group}:{key}" for key in keys if key > 0}
            for group, keys in groups.items()
        }


def test_a_read_alone_goes_at_once() -> None:
    fetch = Recorder()

    async def run() -> str | None:
        return await ReadBatcher(fetch).get("city", 7)

    assert asyncio.run(run()) == "city:7"
    assert fetch.batches == [{"city": [7]}]


def test_reads_arriving_during_a_batch_share_the_next_one_by_group() -> None:
    fetch = Recorder(hold_first=True)

    async def run() -> list[str | None]:
        batcher = ReadBatcher(fetch)
        first = asyncio.create_task(batcher.get("city", 1))
        await fetch.started.wait()  # the first batch is in flight, held
        later = [
            asyncio.create_task(batcher.get(group, key))
            for group, key in [("city", 2), ("city", 3), ("firm", 2), ("city", -1)]
        ]
        await asyncio.sleep(0.01)
        fetch.release.set()
        return await asyncio.gather(first, *later)

    assert asyncio.run(run()) == ["city:1", "city:2", "city:3", "firm:2", None]
    # The read that arrived first went alone; none joined a batch already in flight.
    assert fetch.batches == [{"city": [1]}, {"city": [-1, 2, 3], "firm": [2]}]


def test_after_a_busy_batch_reads_received_meanwhile_join_the_next() -> None:
    fetch = Recorder(hold_first=True)

    async def run() -> list[str | None]:
        batcher = ReadBatcher(fetch)

        async def client(first: int, then: int) -> str | None:
            # A client that sends its next request as soon as it has the answer.
            await batcher.get("city", first)
            return await batcher.get("city", then)

        clients = [asyncio.create_task(client(1, 4)), asyncio.create_task(client(2, 5))]
        await fetch.started.wait()
        waiting = asyncio.create_task(batcher.get("city", 3))
        await asyncio.sleep(0.01)
        fetch.release.set()
        return await asyncio.gather(*clients, waiting)

    assert asyncio.run(run()) == ["city:4", "city:5", "city:3"]
    # 3 waited during the first batch; 4 and 5 were asked for when it ended: one batch, not two.
    assert fetch.batches == [{"city": [1, 2]}, {"city": [3, 4, 5]}]


def test_a_batch_is_capped_and_the_rest_follows() -> None:
    fetch = Recorder(hold_first=True)

    async def run() -> list[str | None]:
        batcher = ReadBatcher(fetch, limit=2)
        first = asyncio.create_task(batcher.get("city", 1))
        await fetch.started.wait()
        later = [asyncio.create_task(batcher.get("city", key)) for key in (2, 3, 4)]
        await asyncio.sleep(0.01)
        fetch.release.set()
        return await asyncio.gather(first, *later)

    assert asyncio.run(run()) == ["city:1", "city:2", "city:3", "city:4"]
    assert [batch["city"] for batch in fetch.batches] == [[1], [2, 3], [4]]


def test_a_failed_batch_fails_its_reads_and_not_the_next() -> None:
    calls: list[list[int]] = []

    async def fetch(groups: dict[str, list[int]]) -> dict[str, dict[int, str]]:
        keys = groups["city"]
        calls.append(keys)
        if 13 in keys:
            raise RuntimeError("database down")
        return {"city": {key: "ok" for key in keys}}

    async def run() -> tuple[BaseException | str | None, str | None]:
        batcher = ReadBatcher(fetch)
        failed = await asyncio.gather(batcher.get("city", 13), return_exceptions=True)
        return failed[0], await batcher.get("city", 14)

    failure, after = asyncio.run(run())
    assert isinstance(failure, RuntimeError)
    assert after == "ok"


def test_one_batcher_per_event_loop() -> None:
    made = per_loop(lambda: ReadBatcher(Recorder()))

    async def get() -> ReadBatcher[str, str]:
        return made()

    async def twice() -> tuple[ReadBatcher[str, str], ReadBatcher[str, str]]:
        return made(), made()

    a, b = asyncio.run(twice())
    assert a is b
    assert asyncio.run(get()) is not a
    with pytest.raises(RuntimeError):
        made()  # outside any event loop
