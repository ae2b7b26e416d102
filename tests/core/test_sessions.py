"""The request's session: GET gets a read-only session, writes get one unit of work."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from starlette.requests import Request

from talent_service import deps
from talent_service.core import db
from talent_service.models import Firm


def _request(method: str) -> Request:
    return Request({"type": "http", "method": method, "path": "/", "headers": []})


def _first_session(method: str) -> Any:
    async def run() -> Any:
        generator = deps.get_session(_request(method))
        session = await generator.__anext__()
        await generator.aclose()
        return session

    return asyncio.run(run())


@pytest.fixture
def bound_engines(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deps, "get_engine", lambda: engine)
    monkeypatch.setattr(db, "get_read_engine", lambda: engine)


def test_get_requests_receive_a_read_only_session(bound_engines: None) -> None:
    assert isinstance(_first_session("GET"), db.ReadSession)
    assert not isinstance(_first_session("POST"), db.ReadSession)


def test_read_only_session_refuses_to_write(bound_engines: None) -> None:
    session = db.read_session()
    try:
        session.add(Firm(uscc="x", name="x", home_city_code="440500"))
        with pytest.raises(RuntimeError, match="read-only"):
            session.flush()
    finally:
        session.close()
