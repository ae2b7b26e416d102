"""`talent-service policies load-defaults` on a database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from talent_service.cities.service import all_cities
from talent_service.cli import app
from talent_service.core.config import get_settings
from talent_service.core.db import get_engine, get_read_engine, make_engine
from talent_service.core.migrations import upgrade
from talent_service.eligibility.policies.defaults import BENEFITS
from talent_service.models import Policy, PolicyParameter, PolicyVersion


def _forget_settings() -> None:
    for cached in (get_read_engine, get_engine):
        if cached.cache_info().currsize:
            cached().dispose()
        cached.cache_clear()
    get_settings.cache_clear()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh SQLite file the CLI reaches through TALENT_DATABASE_URL (settings and engines
    are cached per process, so they are forgotten before and after)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TALENT_DATABASE_URL", url)
    _forget_settings()
    yield url
    _forget_settings()


def test_load_defaults_adds_the_pack_once_and_then_nothing(database: str) -> None:
    upgrade(database)
    runner = CliRunner()

    first = runner.invoke(app, ["policies", "load-defaults"])
    assert first.exit_code == 0, first.output
    engine = make_engine(database)
    with Session(engine) as session:
        cities = len(all_cities(session))
        policies = session.exec(select(func.count()).select_from(Policy)).one()
        versions = session.exec(select(func.count()).select_from(PolicyVersion)).one()
        parameters = session.exec(select(func.count()).select_from(PolicyParameter)).one()
    assert cities == 21
    assert policies == versions == len(BENEFITS) * cities
    assert parameters > 0
    assert f"added {policies} default policies" in first.output

    second = runner.invoke(app, ["policies", "load-defaults"])
    assert second.exit_code == 0, second.output
    assert "added 0 default policies" in second.output
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Policy)).one() == policies
    engine.dispose()


def test_load_defaults_asks_for_migrations_on_an_empty_database(database: str) -> None:
    result = CliRunner().invoke(app, ["policies", "load-defaults"])
    assert result.exit_code == 1
    assert "migrate" in result.output


def test_load_defaults_is_documented_by_help() -> None:
    result = CliRunner().invoke(app, ["policies", "load-defaults", "--help"])
    assert result.exit_code == 0
    assert "illustrative" in result.output and "Idempotent" in result.output
