"""Who may reach a firm's tier certificates and history: the firm itself, the bureaus that see
the firm, the province. Another firm or a bureau of another city is answered as if the firm did
not exist (404) or refused outright when its role may never call the route (403); nothing
changes either way."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from talent_service.auth.principal import ALL_SCOPES, Principal
from talent_service.models import FirmTierPeriod
from talent_service.reference.enums import FirmTier, Role, TierState
from tests.access.world import (
    FIRM_TIER_ROUTES,
    MISSING,
    IdRoute,
    World,
    assert_like_missing,
    assert_problem,
    build_world,
)
from tests.factories import Factory, bearer
from tests.firms import stored

# Firm B (Meizhou, a center hosted in Guangzhou) is the target throughout.
SEES_B = ["firm_b", "bureau_meizhou", "bureau_guangzhou", "province", "client_province"]
BLIND_TO_B = ["firm_a", "bureau_shantou", "bureau_shenzhen", "bureau_dongguan", "client_shenzhen"]
# Roles a route's rule does not admit at all: 403 for any id.
ADMITTED = {
    "GET /v1/firms/{id}/tiers": {"firm", "bureau", "province", "client"},
    "POST /v1/firms/{id}/tiers": {"firm", "province"},
    "POST /v1/firms/{id}/tiers/{period_id}/approve": {"province"},
    "POST /v1/firms/{id}/tiers/{period_id}/reject": {"province"},
    "GET /v1/firms/{id}/history": {"firm", "bureau", "province", "client"},
}


@pytest.fixture
def world(make: Factory) -> World:
    return build_world(make)


@pytest.fixture
def pending(make: Factory, world: World) -> FirmTierPeriod:
    """A certificate firm B submitted, awaiting the province."""
    return make.tier(world.b, FirmTier.little_giant, "GD-SECRET-0001", state=TierState.submitted)


def _role(caller: str) -> str:
    return caller.split("_")[0]


def _call(
    client: TestClient, route: IdRoute, firm_id: int, period_id: int, headers: dict[str, str]
) -> Response:
    url = route.path.format(id=firm_id, period_id=period_id)
    body = route.body if route.method == "POST" else None
    return client.request(route.method, url, json=body, headers=headers)


@pytest.mark.parametrize("caller", BLIND_TO_B)
@pytest.mark.parametrize("route", FIRM_TIER_ROUTES, ids=str)
def test_a_caller_who_cannot_see_the_firm_is_refused_and_nothing_changes(
    client: TestClient,
    session: Session,
    world: World,
    pending: FirmTierPeriod,
    route: IdRoute,
    caller: str,
) -> None:
    assert world.b.id is not None and pending.id is not None
    headers = world.headers(caller)
    before = stored(session)
    refused = _call(client, route, world.b.id, pending.id, headers)
    if _role(caller) not in ADMITTED[str(route)]:
        assert_problem(refused, 403)
    else:
        missing = _call(client, route, MISSING, pending.id, headers)
        assert_problem(refused, 404)
        assert_like_missing(refused, missing, world.b.id)
    assert stored(session) == before
    for secret in ("GD-SECRET-0001", world.b.name, world.b.uscc):
        assert secret not in refused.text


@pytest.mark.parametrize("caller", SEES_B)
@pytest.mark.parametrize("route", FIRM_TIER_ROUTES, ids=str)
def test_a_caller_who_sees_the_firm_reaches_what_its_role_allows(
    client: TestClient,
    session: Session,
    world: World,
    pending: FirmTierPeriod,
    route: IdRoute,
    caller: str,
) -> None:
    # The control for the refusals above: the same request by those who see firm B.
    assert world.b.id is not None and pending.id is not None
    response = _call(client, route, world.b.id, pending.id, world.headers(caller))
    if _role(caller) not in ADMITTED[str(route)]:
        assert_problem(response, 403)
        return
    assert response.status_code in (200, 201), response.text
    if route.method == "GET" and route.path.endswith("/tiers"):
        assert pending.id in [p["id"] for p in response.json()["items"]]
    if route.path.endswith("/history"):
        assert pending.id in [e["tier_period_id"] for e in response.json()["entries"]]


def test_a_machine_client_with_every_scope_cannot_submit_or_decide(
    client: TestClient, session: Session, world: World, pending: FirmTierPeriod
) -> None:
    assert world.b.id is not None and pending.id is not None
    every_scope = bearer(Principal("client:all", Role.client, scopes=ALL_SCOPES))
    before = stored(session)
    for route in FIRM_TIER_ROUTES:
        if route.method == "POST":
            assert_problem(_call(client, route, world.b.id, pending.id, every_scope), 403)
    assert_problem(client.get("/v1/firm-tiers", headers=every_scope), 403)
    assert stored(session) == before


@pytest.mark.parametrize("caller", ["firm_a", "firm_b", "bureau_meizhou", "bureau_shenzhen"])
def test_only_the_province_reads_the_approval_queue(
    client: TestClient, world: World, pending: FirmTierPeriod, caller: str
) -> None:
    r = client.get("/v1/firm-tiers?state=submitted", headers=world.headers(caller))
    assert_problem(r, 403)
    assert "GD-SECRET-0001" not in r.text
    queue = client.get("/v1/firm-tiers?state=submitted", headers=world.headers("province"))
    assert pending.id in [p["id"] for p in queue.json()["items"]]


def test_a_period_is_decided_only_under_its_own_firm(
    client: TestClient, session: Session, world: World, pending: FirmTierPeriod
) -> None:
    # Firm A's path with firm B's period: as if the period did not exist.
    assert world.a.id is not None and pending.id is not None
    province = world.headers("province")
    before = stored(session)
    for action, body in (("approve", {}), ("reject", {"note": "x"})):
        refused = client.post(
            f"/v1/firms/{world.a.id}/tiers/{pending.id}/{action}", json=body, headers=province
        )
        missing = client.post(
            f"/v1/firms/{world.a.id}/tiers/{MISSING}/{action}", json=body, headers=province
        )
        assert_problem(refused, 404)
        assert_like_missing(refused, missing, pending.id)
    assert stored(session) == before


def test_a_firm_cannot_read_another_firms_tier_through_the_lists(
    client: TestClient, world: World, pending: FirmTierPeriod
) -> None:
    firm_a = world.headers("firm_a")
    items: list[dict[str, Any]] = client.get(
        "/v1/firms?tier=provincial_specialized", headers=firm_a
    ).json()["items"]
    assert [f["id"] for f in items] == [world.a.id]
