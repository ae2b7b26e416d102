"""Health and readiness are public and honest about the database."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from talent_service import health
from talent_service.core.db import make_engine


def test_healthz_needs_no_token(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_reports_ready_on_a_migrated_database(
    client: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reader's engine, as in production: the test's own connection holds the write lock.
    reader = make_engine(database_url, writes=False)
    monkeypatch.setattr(health, "get_read_engine", lambda: reader)
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready"


def test_readyz_is_503_on_an_unmigrated_database(
    client: TestClient, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = create_engine(f"sqlite:///{tmp_path}/empty.db")
    monkeypatch.setattr(health, "get_read_engine", lambda: empty)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "run migrations" in r.json()["detail"]
