"""Engines: one for writes, one for safe (GET) requests; the unit of work is in unit_of_work.py.

SQLite, the embedded default, is set up to serve: WAL (readers never block the writer), write
transactions that take the write lock when they begin (``BEGIN IMMEDIATE``) and wait for it up to
a busy timeout instead of failing. A deferred ``BEGIN`` would let a transaction that read first
fail at once when it tries to write while another holds the lock.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from talent_service.core.config import get_settings

# How long a SQLite write waits for the write lock before the request answers 503.
SQLITE_BUSY_TIMEOUT_MS = 15_000


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin, so that SAVEPOINTs work
    # (the documented pysqlite recipe); the BEGIN is emitted in _on_sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked, per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Readers do not block the writer (several workers, one file).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(url: str, *, pool_size: int = 10, writes: bool = True) -> Engine:
    """An engine; on SQLite, ``writes`` decides whether its transactions take the write lock."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _begin_immediate if writes else _begin_deferred)
        return engine
    # No pre-ping: it would cost a round trip on every checkout; connections are recycled
    # instead, and a dropped one fails one request rather than slowing every request.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, pool_size=settings.db_pool_size)


@lru_cache
def get_read_engine() -> Engine:
    """The engine for safe (GET) requests.

    On PostgreSQL its connections autocommit: a read sends no BEGIN and no COMMIT, only its
    SELECTs, and handing the connection back costs no round trip. On SQLite its transactions
    begin deferred, as readers, so a read never takes (or waits for) the write lock.
    """
    settings = get_settings()
    if settings.is_sqlite:
        return make_engine(settings.database_url, writes=False)
    return create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_recycle=1800,
        isolation_level="AUTOCOMMIT",
    )


def connect(bind: Engine | Connection) -> AbstractContextManager[Connection]:
    """A connection from an engine's pool, or the one given (a test's, a caller's)."""
    return bind.connect() if isinstance(bind, Engine) else nullcontext(bind)


def refresh_statistics(engine: Engine) -> None:
    """After a bulk load (the demo), let PostgreSQL's planner see the data at once.

    Otherwise it plans on empty statistics until autovacuum analyses the tables, if autovacuum
    is switched on at all. SQLite plans without statistics unless asked, so nothing is done.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


class ReadSession(Session):
    """A session that refuses to flush: safe methods never write."""


@event.listens_for(ReadSession, "before_flush")
def _refuse_writes(session: Session, *_: Any) -> None:
    raise RuntimeError("a GET request tried to write; safe methods are read-only")


def read_session() -> Session:
    return ReadSession(get_read_engine(), expire_on_commit=False)
