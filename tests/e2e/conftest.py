"""Live-server fixtures: each test module gets its own server and fresh database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.api import World
from tests.e2e.live import Database, LiveServer


def _started(tmp: Path) -> Iterator[LiveServer]:
    database = Database(tmp)
    server = LiveServer(database, tmp / "server.log")
    try:
        server.prepare()
        server.start()
        yield server
    finally:
        server.stop()
        database.drop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from _started(tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="module")
def world(server: LiveServer) -> Iterator[World]:
    world = World(server)
    yield world
    world.client.close()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server this test may kill, stop or break."""
    yield from _started(tmp_path)


@pytest.fixture(autouse=True, scope="session")
def _quiet_http_log() -> None:
    # Thousands of requests: httpx's per-request INFO lines would drown a failure's output.
    logging.getLogger("httpx").setLevel(logging.WARNING)
