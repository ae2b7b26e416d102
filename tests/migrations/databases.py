"""Which server the migration tests run on, a database of their own there, and small readers of
a database's tables.

``TALENT_TEST_DATABASE_URL`` set to a PostgreSQL server makes each fresh database a new one
created there and dropped after; otherwise it is a SQLite file in a temporary folder.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

BASE_URL = os.environ.get("TALENT_TEST_DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith("postgresql")
ALEMBIC_TABLE = "alembic_version"


def _admin() -> Engine:
    return sa.create_engine(
        make_url(BASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """The URL of an empty database that exists inside the block only."""
    if not ON_POSTGRES:
        yield f"sqlite:///{folder / 'fresh.db'}"
        return
    name = f"talent_migrations_{uuid.uuid4().hex[:10]}"
    admin = _admin()
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(BASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_tables(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {ALEMBIC_TABLE}


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608
