"""The unit of work: a route's writes are committed before its 2xx, or the caller gets a problem."""

from __future__ import annotations

import random
import sqlite3
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from talent_service.core.unit_of_work import UnitOfWorkRoute, get_session
from talent_service.main import create_app
from talent_service.models import Firm
from talent_service.reference.identifiers import synthetic_uscc
from tests.factories import SHANTOU, Factory


def _uses_session(dependant: Any) -> bool:
    return dependant.call is get_session or any(_uses_session(d) for d in dependant.dependencies)


def test_every_route_with_a_session_runs_in_a_unit_of_work() -> None:
    contexts = iter_route_contexts(create_app().routes)
    routes = [c.original_route for c in contexts if isinstance(c.original_route, APIRoute)]
    outside = [
        r.path for r in routes if _uses_session(r.dependant) and not isinstance(r, UnitOfWorkRoute)
    ]
    # 40 or more: an enumeration that finds nothing must not pass vacuously.
    assert len(routes) >= 40 and not outside, outside


def _failing_commit(connection: Connection, error: Exception) -> Any:
    def factory(writes: bool) -> Session:
        session = Session(bind=connection, join_transaction_mode="create_savepoint")

        @event.listens_for(session, "before_commit")
        def _fail(_: Session) -> None:
            raise error

        return session

    return factory


@pytest.mark.parametrize(
    ("error", "status", "retry_after"),
    [
        (IntegrityError("COMMIT", {}, sqlite3.IntegrityError("deferred check")), 409, None),
        (OperationalError("COMMIT", {}, sqlite3.OperationalError("disk I/O error")), 503, "1"),
        (RuntimeError("bug"), 500, None),
    ],
)
def test_a_commit_that_fails_answers_a_problem_and_keeps_nothing(
    app: FastAPI,
    connection: Connection,
    make: Factory,
    session: Session,
    error: Exception,
    status: int,
    retry_after: str | None,
) -> None:
    headers = make.province()
    app.state.session_factory = _failing_commit(connection, error)
    body = {
        "uscc": synthetic_uscc(random.Random(7), SHANTOU),
        "name": "Never Kept Ltd",
        "home_city_code": SHANTOU,
    }
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/v1/firms", json=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers.get("retry-after") == retry_after
    assert session.exec(select(Firm).where(Firm.name == "Never Kept Ltd")).first() is None
