"""The request's session: GET gets a read-only session, writes get one unit of work."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.requests import Request

from talent_service.core import db, unit_of_work
from talent_service.core.errors import DomainError
from talent_service.core.preconditions import get_if_match
from talent_service.models import Firm


def _first_session(writes: bool) -> Any:
    unit = unit_of_work.RequestUnit(unit_of_work.default_session, writes)
    session = unit.session()
    asyncio.run(unit.finish(succeeded=False))
    return session


@pytest.fixture
def bound_engines(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unit_of_work, "get_engine", lambda: engine)
    monkeypatch.setattr(db, "get_read_engine", lambda: engine)


def test_get_requests_receive_a_read_only_session(bound_engines: None) -> None:
    assert isinstance(_first_session(writes=False), db.ReadSession)
    assert not isinstance(_first_session(writes=True), db.ReadSession)


def test_read_only_session_refuses_to_write(bound_engines: None) -> None:
    session = db.read_session()
    try:
        session.add(Firm(uscc="x", name="x", home_city_code="440500", sign_up_state="approved"))
        with pytest.raises(RuntimeError, match="read-only"):
            session.flush()
    finally:
        session.close()


@pytest.mark.parametrize("raw", [b'"\xb2"', b"\xb9", b'"abc"', b'"1234567890"'])
def test_if_match_that_is_not_a_plain_version_is_a_422(raw: bytes) -> None:
    # Headers arrive as latin-1: byte 0xB2 is '²', which str.isdigit() accepts and int() refuses.
    request = Request(
        {"type": "http", "method": "PATCH", "path": "/", "headers": [(b"if-match", raw)]}
    )
    with pytest.raises(DomainError) as refused:
        asyncio.run(get_if_match(request))
    assert refused.value.problem.status == 422
    assert [e.field for e in refused.value.errors] == ["header.If-Match"]


def test_if_match_reads_the_version() -> None:
    request = Request(
        {"type": "http", "method": "PATCH", "path": "/", "headers": [(b"if-match", b'W/"7"')]}
    )
    assert asyncio.run(get_if_match(request)) == 7


def test_statistics_are_refreshed_after_a_bulk_load_on_postgresql(engine: Engine) -> None:
    db.refresh_statistics(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            analysed = connection.execute(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'talent'")
            ).scalar_one()
            assert analysed is not None
        else:  # nothing to do on SQLite, and nothing done: no statistics table appears
            tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
            assert "sqlite_stat1" not in tables
