from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session

from talent_service.auth.principal import SCOPE_ELIGIBILITY_VERIFY, SCOPE_REGISTRY_READ, Principal
from talent_service.core.config import get_settings
from talent_service.models import Client
from talent_service.reference.enums import Role
from talent_service.webhooks.delivery import http_client
from tests.factories import bearer
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with http_client(get_settings()) as client:
        yield client


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The test-only allowance: the receiver listens on loopback, over http."""
    monkeypatch.setenv("TALENT_WEBHOOKS_ALLOW_LOOPBACK", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("TALENT_WEBHOOKS_ALLOW_LOOPBACK")
    get_settings.cache_clear()


def machine_client(
    session: Session,
    client_id: str,
    *,
    city: str | None = None,
    scopes: tuple[str, ...] = (SCOPE_REGISTRY_READ, SCOPE_ELIGIBILITY_VERIFY),
) -> dict[str, str]:
    """A stored machine client and a bearer token for it."""
    session.add(
        Client(
            client_id=client_id,
            secret_hash="x",
            name=client_id,
            scopes=" ".join(scopes),
            city_code=city,
        )
    )
    session.flush()
    return bearer(Principal(f"client:{client_id}", Role.client, city, None, frozenset(scopes)))
