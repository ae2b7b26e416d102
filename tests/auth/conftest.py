"""Sign-in as an attacker and an owner see it: real accounts, real passwords, the clock moved by
hand (time-machine, not ticking) so that waiting out a lock or the revocation bound is exact."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime

import httpx
import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.accounts.service import create_client, create_user
from talent_service.auth.principal import SCOPE_REGISTRY_READ
from talent_service.models import Client, User
from talent_service.reference.enums import Role

USERNAME = "province-officer"
PASSWORD = "the-right-password-1"
WRONG = "not-the-password-00"
ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"

From = Callable[[str], AbstractContextManager[TestClient]]


@pytest.fixture
def traveller() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(datetime(2026, 9, 15, 4, 0, tzinfo=UTC), tick=False) as t:
        yield t


@pytest.fixture
def user(session: Session, traveller: time_machine.Coordinates) -> User:
    return create_user(session, USERNAME, Role.province, PASSWORD)


@pytest.fixture
def machine(session: Session, traveller: time_machine.Coordinates) -> tuple[Client, str]:
    return create_client(session, "School admission", [SCOPE_REGISTRY_READ])


@pytest.fixture
def from_address(app: FastAPI) -> From:
    """A client of the same app whose requests come from ``host``."""

    def make(host: str) -> TestClient:
        return TestClient(app, raise_server_exceptions=False, client=(host, 40000))

    return make


def sign_in(client: TestClient, password: str, username: str = USERNAME) -> httpx.Response:
    return client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": username, "password": password},
    )
