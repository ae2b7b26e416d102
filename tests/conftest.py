"""Test database: built by running the migrations once per session; each test runs inside a
transaction that is rolled back at the end (requests commit to a SAVEPOINT inside it).

``TALENT_TEST_DATABASE_URL`` picks the database: unset means SQLite in a temporary folder;
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres`` makes a fresh database per run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

os.environ.setdefault("TALENT_ENVIRONMENT", "test")

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from talent_service.core.db import make_engine
from talent_service.core.migrations import upgrade
from talent_service.main import create_app
from tests.factories import Factory


def _create_postgres_database(base_url: str) -> tuple[str, str]:
    name = f"talent_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(base_url: str, name: str) -> None:
    admin = create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TALENT_TEST_DATABASE_URL", "")
    if base.startswith("postgresql"):
        url, name = _create_postgres_database(base)
        yield url
        _drop_postgres_database(base, name)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def _session(connection: Connection) -> Session:
    return Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session for arranging data and checking what was written; flushes, never commits."""
    with _session(connection) as session:
        yield session


@pytest.fixture
def app(connection: Connection) -> FastAPI:
    app = create_app()
    # The same unit of work as production (core/unit_of_work.py), committing to a SAVEPOINT of
    # the test's transaction: a failed request rolls back exactly what it wrote.
    app.state.session_factory = lambda writes: _session(connection)
    app.state.read_bind = connection  # the hot read's bind (unit_of_work.read_bind)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def make(session: Session) -> Factory:
    return Factory(session)
