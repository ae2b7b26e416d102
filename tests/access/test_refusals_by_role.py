"""Creations refused by role, and decision attestations refused to users and to other cities.

A role the route's access rule does not admit gets a 403 ``forbidden`` problem whatever the body
names (its own firm, its own city), and nothing is written. Each refusal has a control: the same
request by an admitted caller succeeds, so the body itself is not what is refused.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, func, select

from talent_service.core.errors import FORBIDDEN
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Decision
from talent_service.reference.identifiers import synthetic_uscc
from tests.access.world import (
    GUANGZHOU,
    MEIZHOU,
    World,
    assert_problem,
    row_counts,
)
from tests.factories import SHANTOU, SHENZHEN

FIRMS = ["firm_a", "firm_b"]
BUREAUS = ["bureau_shantou", "bureau_shenzhen", "bureau_guangzhou", "bureau_meizhou"]


def assert_forbidden(response: Response, world: World) -> None:
    body = assert_problem(response, 403)
    assert body["type"] == FORBIDDEN.uri, body
    # A refusal by role names nobody's records.
    for secret in (world.a.name, world.b.name, world.a.uscc, world.b.uscc):
        assert secret not in response.text


# --- POST /v1/enclaves: bureaus and the province only -----------------------------------------


def _enclave_body(host: str = SHENZHEN, partners: tuple[str, ...] = (SHANTOU,)) -> dict[str, Any]:
    return {
        "name": "New enclave space",
        "host_city_code": host,
        "district": "Futian",
        "operator": "Operator Ltd",
        "total_floor_area_m2": 800,
        "partner_city_codes": list(partners),
    }


@pytest.mark.parametrize("caller", FIRMS)
def test_firm_user_cannot_register_an_enclave_space(
    client: TestClient, session: Session, world: World, caller: str
) -> None:
    # Even a space partnering the firm's own home city.
    partners = (SHANTOU,) if caller == "firm_a" else (MEIZHOU,)
    host = SHENZHEN if caller == "firm_a" else GUANGZHOU
    body = _enclave_body(host, partners)
    before = row_counts(session)
    assert_forbidden(client.post("/v1/enclaves", json=body, headers=world.headers(caller)), world)
    assert row_counts(session) == before
    # Control: the host city's bureau registers the same body.
    bureau = "bureau_shenzhen" if host == SHENZHEN else "bureau_guangzhou"
    created = client.post("/v1/enclaves", json=body, headers=world.headers(bureau))
    assert created.status_code == 201, created.text
    assert row_counts(session)["Enclave"] == before["Enclave"] + 1


# --- POST /v1/firms: the province only ------------------------------------------------------


@pytest.mark.parametrize("caller", BUREAUS)
def test_bureau_cannot_create_a_firm(
    client: TestClient, session: Session, world: World, caller: str
) -> None:
    # Even a firm based in the bureau's own city (Shantou, Meizhou) or partnering it.
    home = MEIZHOU if caller == "bureau_meizhou" else SHANTOU
    body = {
        "uscc": synthetic_uscc(world.make.rng, home),
        "name": "新登记有限公司",
        "home_city_code": home,
        "tier": "provincial_specialized",
        "tier_certificate_no": "GD-ZJTX-2024-0009",
        "tier_expires_on": "2027-12-31",
    }
    before = row_counts(session)
    assert_forbidden(client.post("/v1/firms", json=body, headers=world.headers(caller)), world)
    assert row_counts(session) == before
    # Control: the province creates it.
    created = client.post("/v1/firms", json=body, headers=world.headers("province"))
    assert created.status_code == 201, created.text
    assert row_counts(session)["Firm"] == before["Firm"] + 1


# --- POST /v1/centers, /v1/talents, /v1/employments: firms and the province only ---------------


def _create_body(world: World, resource: str) -> dict[str, Any]:
    """A body firm A itself may post: its own firm, a Shenzhen center, a person it registered."""
    if resource == "centers":
        return {
            "firm_id": world.a.id,
            "kind": "rnd",
            "host_city_code": SHENZHEN,
            "enclave_id": world.enclave_sz.id,
            "name": "Another center",
            "address": "2 Road",
            "floor_area_m2": 100,
            "opened_on": "2022-01-01",
        }
    if resource == "talents":
        return {
            "firm_id": world.a.id,
            "id_number": world.make.resident_id(),
            "name": "王五",
            "education": "master",
        }
    fresh = world.make.talent(world.a, name="新人")  # no spell yet: the hire cannot conflict
    return {
        "firm_id": world.a.id,
        "talent_id": fresh.id,
        "center_id": world.center_a.id,
        "position": "Engineer",
        "hired_on": "2024-01-01",
        "si_city_code": SHENZHEN,
    }


@pytest.mark.parametrize("resource", ["centers", "talents", "employments"])
@pytest.mark.parametrize("caller", ["bureau_shenzhen", "bureau_shantou", "bureau_guangzhou"])
def test_bureau_cannot_create_registry_records(
    client: TestClient, session: Session, world: World, caller: str, resource: str
) -> None:
    # Shenzhen hosts A's center, Shantou is A's home city: neither may write for A.
    body = _create_body(world, resource)
    before = row_counts(session)
    refused = client.post(f"/v1/{resource}", json=body, headers=world.headers(caller))
    assert_forbidden(refused, world)
    assert row_counts(session) == before
    # Control: the firm itself posts the same body.
    created = client.post(f"/v1/{resource}", json=body, headers=world.headers("firm_a"))
    assert created.status_code == 201, created.text
    assert row_counts(session) != before


# --- GET /v1/eligibility/decisions/{id}/attestation: province and verify clients only ----------

AS_OF = "2025-06-30"


def _decision_count(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Decision)).one()


@pytest.fixture
def decision(client: TestClient, session: Session, world: World) -> str:
    """A Shenzhen host-side hukou decision about A's engineer at the Shenzhen center, by the
    province (as tests/eligibility/test_checks_visibility.py makes one)."""
    load_default_policies(session)
    r = client.post(
        "/v1/eligibility/checks",
        json={
            "talent_id": world.talent_a_center.id,
            "as_of": AS_OF,
            "benefit": "hukou",
            "side": "host",
        },
        headers=world.headers("province"),
    )
    assert r.status_code == 201, r.text
    made = str(r.json()["decisions"][0]["id"])
    stored = session.get(Decision, made)
    assert stored is not None and stored.city_code == SHENZHEN
    return made


def _attestation(decision_id: str) -> str:
    return f"/v1/eligibility/decisions/{decision_id}/attestation"


@pytest.mark.parametrize(
    "caller",
    # A's own user and the bureaus of both of A's cities can see the talent and read the full
    # decision; the attestation route is for the province and verify clients all the same.
    ["firm_a", "firm_b", "bureau_shenzhen", "bureau_shantou", "bureau_guangzhou"],
)
def test_users_other_than_the_province_cannot_read_an_attestation(
    client: TestClient, session: Session, world: World, decision: str, caller: str
) -> None:
    headers = world.headers(caller)
    before = _decision_count(session)
    refused = client.get(_attestation(decision), headers=headers)
    missing = client.get(_attestation(str(uuid.uuid4())), headers=headers)
    assert_forbidden(refused, world)
    # The refusal comes before any look-up: the same answer for a decision that does not exist.
    assert_forbidden(missing, world)
    assert refused.json()["detail"] == missing.json()["detail"]
    assert "signature" not in refused.json() and "outcome" not in refused.json()
    assert _decision_count(session) == before


def test_province_and_a_verify_client_of_the_decisions_city_read_the_attestation(
    client: TestClient, world: World, decision: str
) -> None:
    # Control for the refusals around it.
    for headers in (
        world.headers("province"),
        world.make.client("eligibility:verify", city=SHENZHEN),
        world.make.client("eligibility:verify"),
    ):
        r = client.get(_attestation(decision), headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["decision_id"] == decision


@pytest.mark.parametrize(
    "city",
    # Guangzhou and Meizhou have nothing to do with A; Shantou sees A's engineer (A is based
    # there) but the decision is Shenzhen's.
    [GUANGZHOU, MEIZHOU, SHANTOU],
)
def test_verify_client_of_another_city_gets_404_as_if_the_decision_did_not_exist(
    client: TestClient, session: Session, world: World, decision: str, city: str
) -> None:
    headers = world.make.client("eligibility:verify", city=city)
    before = _decision_count(session)
    other = str(uuid.uuid4())
    refused = client.get(_attestation(decision), headers=headers)
    missing = client.get(_attestation(other), headers=headers)
    body = assert_problem(refused, 404)
    assert_problem(missing, 404)
    assert "etag" not in refused.headers
    got, expected = refused.json(), missing.json()
    got.pop("instance"), expected.pop("instance")
    assert got == {
        k: (v.replace(other, decision) if isinstance(v, str) else v) for k, v in expected.items()
    }
    assert "signature" not in body and "outcome" not in body and "policy_id" not in body
    assert _decision_count(session) == before


def test_client_without_the_verify_scope_cannot_read_an_attestation(
    client: TestClient, world: World, decision: str
) -> None:
    for scopes in (("eligibility:check",), ("registry:read", "retention:read")):
        headers = world.make.client(*scopes, city=SHENZHEN)
        assert_forbidden(client.get(_attestation(decision), headers=headers), world)
