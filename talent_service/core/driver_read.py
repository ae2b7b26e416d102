"""A statement compiled once and run straight on the driver: for hot reads by key.

For a one-row read, SQLAlchemy's Core execution (execution context, result metadata, row
objects) costs about twice what the driver itself does. A statement whose shape never changes
can be compiled once per dialect and run on the pooled DBAPI connection instead. The columns'
own bind and result processors are still applied (``UtcDateTime``, enums, SQLite's dates), so a
row reads exactly as it would through SQLAlchemy; driver errors are wrapped in SQLAlchemy's
``DBAPIError`` and a dropped connection is invalidated, as SQLAlchemy would do. On PostgreSQL,
psycopg prepares a statement it has seen a few times on a connection, so it is planned once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class CompiledRead:
    sql: str
    defaults: Mapping[str, Any]  # every bind parameter, so a caller need only give its own
    positional: tuple[str, ...] | None  # parameter order for qmark drivers (SQLite)
    binds: tuple[tuple[str, Processor], ...]  # parameters whose type converts the value
    keys: tuple[str, ...]  # result column names
    converted: tuple[tuple[str, Processor], ...]  # the columns whose type converts the value


def compile_read(statement: Select[Any], dialect: Dialect) -> CompiledRead:
    compiled = statement.compile(dialect=dialect)
    binds = []
    for name, bind in compiled.binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            binds.append((name, processor))
    columns = list(statement.selected_columns)
    if any(column.key is None for column in columns):
        raise ValueError("every selected column needs a name")
    return CompiledRead(
        sql=compiled.string,
        defaults={name: bind.effective_value for name, bind in compiled.binds.items()},
        positional=tuple(compiled.positiontup) if compiled.positional else None,  # type: ignore[arg-type]
        binds=tuple(binds),
        keys=tuple(str(column.key) for column in columns),
        converted=tuple(
            (str(column.key), processor)
            for column in columns
            if (processor := column.type.dialect_impl(dialect).result_processor(dialect, None))
        ),
    )


def fetch_all(
    connection: Connection, read: CompiledRead, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Every row as ``{column key: value}``."""
    args = driver_args(read, params)
    dbapi_connection = connection.connection
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(read.sql, args)
        rows = cursor.fetchall()
    except connection.dialect.loaded_dbapi.Error as exc:
        if connection.dialect.is_disconnect(exc, dbapi_connection, cursor):
            connection.invalidate(exc)
        raise DBAPIError.instance(
            read.sql, args, exc, connection.dialect.loaded_dbapi.Error
        ) from exc
    finally:
        cursor.close()
    return decode_rows(read, rows)


def driver_args(read: CompiledRead, params: Mapping[str, Any]) -> Any:
    values = {**read.defaults, **params}
    for name, processor in read.binds:
        values[name] = processor(values[name])
    return values if read.positional is None else [values[n] for n in read.positional]


def decode_rows(read: CompiledRead, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    decoded = []
    for row in rows:
        values = dict(zip(read.keys, row, strict=True))
        for key, process in read.converted:
            values[key] = process(values[key])
        decoded.append(values)
    return decoded
