"""A compiled read (driver_read.py) run from async code.

On PostgreSQL the read goes over one psycopg ``AsyncConnection`` per event loop and engine,
awaited on the loop itself. The read batcher keeps at most one batch in flight per loop, so one
connection is enough, and a batch costs no hand-off to a worker thread and back, nor contention
for the GIL with that thread, which together cost more than the statement. The connection
autocommits, like the read engine's: a read sends only its SELECT. Its prepared statements use
their generic plan: they are reads by key, whose best plan does not depend on the keys, and
planning them afresh on each call (PostgreSQL's default when the estimates favour it) cost the
server more than running them. Nor do they scan tables: on a small registry (a new deployment,
the demo) the cost model prefers reading all 141 firms to probing the firm's key, which cost the
server more CPU than the probe; a read by key wants the index at any size, so the connection
turns sequential scans off (a table without a usable index is still scanned).

Any other bind (SQLite, a test's connection) runs the synchronous read in the thread pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import psycopg
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from talent_service.core.db import connect
from talent_service.core.driver_read import CompiledRead, decode_rows, driver_args, fetch_all
from talent_service.core.read_batcher import per_loop


async def run_read(
    bind: Engine | Connection, read: CompiledRead, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every row of ``read`` as ``{column key: value}``, as ``fetch_all`` returns them."""
    if isinstance(bind, Engine) and bind.dialect.driver == "psycopg":
        return await _fetch_on_loop(bind, read, params)
    return await run_in_threadpool(_fetch_in_thread, bind, read, params)


def _fetch_in_thread(
    bind: Engine | Connection, read: CompiledRead, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    with connect(bind) as connection:
        return fetch_all(connection, read, params)


async def _fetch_on_loop(
    engine: Engine, read: CompiledRead, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    args = driver_args(read, params)
    try:
        connection = await _loop_connections().get(engine)
        try:
            async with connection.cursor() as cursor:
                await cursor.execute(read.sql, args)
                rows = await cursor.fetchall()
        except psycopg.Error:
            if connection.broken:  # let go of it now; the next read connects afresh
                await connection.close()
            raise
    except psycopg.Error as exc:
        # The same error the synchronous path raises, so callers handle one kind.
        raise DBAPIError.instance(read.sql, args, exc, psycopg.Error) from exc
    return decode_rows(read, rows)


class LoopConnections:
    """The open ``AsyncConnection`` of each engine, for one event loop."""

    def __init__(self) -> None:
        self._open: dict[Engine, psycopg.AsyncConnection[Any]] = {}
        self._connecting = asyncio.Lock()

    async def get(self, engine: Engine) -> psycopg.AsyncConnection[Any]:
        connection = self._open.get(engine)
        if connection is not None and not connection.closed:
            return connection
        async with self._connecting:  # reads waiting meanwhile take the one connection made
            connection = self._open.get(engine)
            if connection is None or connection.closed:
                # The engine's own connect arguments: same server, user and type adapters.
                args, kwargs = engine.dialect.create_connect_args(engine.url)
                connection = await psycopg.AsyncConnection.connect(*args, autocommit=True, **kwargs)
                await connection.execute("SET plan_cache_mode = force_generic_plan")
                await connection.execute("SET enable_seqscan = off")
                self._open[engine] = connection
            return connection

    async def close(self) -> None:
        for connection in self._open.values():
            await connection.close()
        self._open.clear()


_loop_connections = per_loop(LoopConnections)


async def close_loop_connections() -> None:
    """Close this event loop's connections (the app's shutdown)."""
    await _loop_connections().close()
