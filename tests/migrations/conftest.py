"""Each migration test gets a database of its own (not the suite's shared one), since it moves
the schema up and down: see ``databases.fresh_database``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from talent_service.core.db import make_engine
from tests.migrations.databases import fresh_database


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database that exists for this test only."""
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def engine_for(fresh_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_url)
    yield engine
    engine.dispose()
