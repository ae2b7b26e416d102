"""Hot reads from async code: on PostgreSQL over the loop's own connection, else in a thread."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, column, func, or_, select, table, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from talent_service.core.async_read import close_loop_connections, run_read
from talent_service.core.driver_read import CompiledRead, compile_read, fetch_all
from talent_service.models import City
from talent_service.reference.enums import Region
from tests.factories import SHANTOU, SHENZHEN

T = TypeVar("T")

postgres_only = pytest.mark.usefixtures("_postgres")


@pytest.fixture
def _postgres(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the loop's own connection is used on PostgreSQL only")


def _on_one_loop(body: Callable[[], Awaitable[T]]) -> T:
    """Run ``body`` on a fresh event loop, closing that loop's connections afterwards."""

    async def run() -> T:
        try:
            return await body()
        finally:
            await close_loop_connections()

    return asyncio.run(run())


def _read(engine: Engine, statement: Any) -> CompiledRead:
    return compile_read(statement, engine.dialect)


def test_rows_read_from_async_code_equal_rows_read_in_a_thread(engine: Engine) -> None:
    cities = _read(
        engine,
        select(City.code, City.name_en, City.region)
        .where(or_(City.code == SHENZHEN, City.code == SHANTOU))
        .order_by(col(City.code)),
    )

    rows = _on_one_loop(lambda: run_read(engine, cities, {}))

    with engine.connect() as connection:
        assert rows == fetch_all(connection, cities, {})
    assert [row["code"] for row in rows] == sorted([SHENZHEN, SHANTOU])
    assert rows[0]["region"] in Region  # the column's processor still applies


@postgres_only
def test_a_failed_statement_is_a_sqlalchemy_error_and_the_connection_goes_on(
    engine: Engine,
) -> None:
    missing = _read(engine, select(table("no_such_table", column("id")).c.id))
    backend = _read(engine, select(func.pg_backend_pid().label("pid")))

    async def body() -> tuple[int, int]:
        before = (await run_read(engine, backend, {}))[0]["pid"]
        with pytest.raises(DBAPIError):
            await run_read(engine, missing, {})
        return before, (await run_read(engine, backend, {}))[0]["pid"]

    before, after = _on_one_loop(body)
    assert before == after  # autocommit: no aborted transaction left behind, same connection


@postgres_only
def test_a_dropped_connection_fails_one_read_and_the_next_connects_again(
    engine: Engine,
) -> None:
    backend = _read(engine, select(func.pg_backend_pid().label("pid")))

    async def body() -> tuple[int, int]:
        first = (await run_read(engine, backend, {}))[0]["pid"]
        with engine.connect() as admin:  # as a restarted server or a network cut would
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        with pytest.raises(DBAPIError):
            await run_read(engine, backend, {})
        return first, (await run_read(engine, backend, {}))[0]["pid"]

    first, second = _on_one_loop(body)
    assert second != first


@postgres_only
def test_the_loops_connection_autocommits_and_plans_its_reads_generically_by_index(
    engine: Engine,
) -> None:
    settings = _read(
        engine,
        select(
            func.pg_backend_pid().label("pid"),
            func.current_setting("plan_cache_mode").label("plans"),
            func.current_setting("enable_seqscan").label("seqscan"),
        ),
    )

    async def body() -> tuple[dict[str, Any], str]:
        row = (await run_read(engine, settings, {}))[0]
        with engine.connect() as admin:
            state = admin.execute(
                text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": row["pid"]}
            ).scalar_one()
        return row, state

    row, state = _on_one_loop(body)
    assert row["plans"] == "force_generic_plan"
    assert row["seqscan"] == "off"  # reads by key probe the index even on small tables
    assert state == "idle"  # not "idle in transaction": nothing held open between reads
