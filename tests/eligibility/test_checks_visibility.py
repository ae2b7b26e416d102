"""Who may check whom, and read which decisions: the registry's visibility rules hold here too.

A refused request writes nothing (the decision count is unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func
from sqlmodel import Session, select

from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Center, Decision, Firm, Talent
from talent_service.reference.enums import Education
from tests.factories import GUANGZHOU, SHANTOU, SHANWEI, SHENZHEN, Factory

CHECKS = "/v1/eligibility/checks"
AS_OF = "2025-06-30"


@dataclass
class World:
    firm_a: Firm  # Shantou firm with a Shenzhen center
    firm_b: Firm  # Shanwei firm with a Guangzhou center
    center_a: Center
    center_b: Center
    talent_a: Talent  # registered by A, works at A's Shenzhen center
    talent_b: Talent  # registered by B, works at B's Guangzhou center


@pytest.fixture
def world(session: Session, make: Factory) -> World:
    load_default_policies(session)
    firm_a, firm_b = make.firm(SHANTOU), make.firm(SHANWEI)
    center_a, center_b = make.center(firm_a, SHENZHEN), make.center(firm_b, GUANGZHOU)
    talent_a = make.talent(
        firm_a, number=make.resident_id(date(1990, 5, 17)), education=Education.master
    )
    talent_b = make.talent(
        firm_b, number=make.resident_id(date(1988, 1, 2)), education=Education.doctor
    )
    make.employment(talent_a, firm_a, center_a, hired_on=date(2023, 1, 10))
    make.employment(talent_b, firm_b, center_b, hired_on=date(2022, 6, 1))
    return World(firm_a, firm_b, center_a, center_b, talent_a, talent_b)


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Decision)).one()


def post_check(
    client: TestClient, headers: dict[str, str], talent: Talent, **body: object
) -> Response:
    return client.post(
        CHECKS, json={"talent_id": talent.id, "as_of": AS_OF, **body}, headers=headers
    )


def decide(client: TestClient, make: Factory, talent: Talent) -> str:
    """A decision about ``talent`` made by the province; its id."""
    r = client.post(
        CHECKS,
        json={"talent_id": talent.id, "as_of": AS_OF, "benefit": "hukou", "side": "host"},
        headers=make.province(),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["decisions"][0]["id"])


def assert_not_found(r: Response) -> None:
    assert r.status_code == 404, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_firm_checks_its_own_talent_only(
    client: TestClient, session: Session, make: Factory, world: World
) -> None:
    firm_a = make.firm_user(world.firm_a)
    assert post_check(client, firm_a, world.talent_a).status_code == 201
    before = count(session)
    assert_not_found(post_check(client, firm_a, world.talent_b))
    # Naming a city or side does not widen the view.
    assert_not_found(post_check(client, firm_a, world.talent_b, city_code=GUANGZHOU))
    assert count(session) == before


def test_bureau_checks_only_talent_touching_its_city(
    client: TestClient, session: Session, make: Factory, world: World
) -> None:
    shenzhen, shantou = make.bureau(SHENZHEN), make.bureau(SHANTOU)
    assert post_check(client, shenzhen, world.talent_a).status_code == 201
    # The firm's home-city bureau sees the talent its firms registered.
    assert post_check(client, shantou, world.talent_a).status_code == 201
    before = count(session)
    assert_not_found(post_check(client, make.bureau(GUANGZHOU), world.talent_a))
    assert_not_found(post_check(client, shenzhen, world.talent_b))
    assert_not_found(post_check(client, shantou, world.talent_b, city_code=SHANTOU))
    assert count(session) == before


def test_firm_cannot_read_decisions_about_talent_it_cannot_see(
    client: TestClient, make: Factory, world: World
) -> None:
    decision_b = decide(client, make, world.talent_b)
    url = f"/v1/eligibility/decisions/{decision_b}"
    assert_not_found(client.get(url, headers=make.firm_user(world.firm_a)))
    assert client.get(url, headers=make.firm_user(world.firm_b)).status_code == 200


def test_bureau_cannot_read_decisions_about_talent_outside_its_city(
    client: TestClient, make: Factory, world: World
) -> None:
    decision_a = decide(client, make, world.talent_a)
    url = f"/v1/eligibility/decisions/{decision_a}"
    assert_not_found(client.get(url, headers=make.bureau(GUANGZHOU)))
    assert_not_found(client.get(url, headers=make.bureau(SHANWEI)))
    assert client.get(url, headers=make.bureau(SHENZHEN)).status_code == 200
    assert client.get(url, headers=make.bureau(SHANTOU)).status_code == 200


def test_city_bound_client_reads_attestations_of_its_city_only(
    client: TestClient, make: Factory, world: World
) -> None:
    decision_a = decide(client, make, world.talent_a)  # a Shenzhen host decision
    url = f"/v1/eligibility/decisions/{decision_a}/attestation"
    assert (
        client.get(url, headers=make.client("eligibility:verify", city=SHENZHEN)).status_code == 200
    )
    assert_not_found(client.get(url, headers=make.client("eligibility:verify", city=GUANGZHOU)))


def test_verify_only_client_cannot_post_checks_or_read_full_decisions(
    client: TestClient, session: Session, make: Factory, world: World
) -> None:
    decision_a = decide(client, make, world.talent_a)
    before = count(session)
    verifier = make.client("eligibility:verify", city=SHENZHEN)
    r = post_check(client, verifier, world.talent_a)
    assert r.status_code == 403, r.text
    r = client.get(f"/v1/eligibility/decisions/{decision_a}", headers=verifier)
    assert r.status_code == 403, r.text
    assert count(session) == before


def test_users_without_the_verify_scope_cannot_verify(
    client: TestClient, session: Session, make: Factory, world: World
) -> None:
    before = count(session)
    body = {"id_number": make.resident_id(date(1990, 5, 17)), "benefit": "hukou"}
    for headers in (
        make.bureau(SHENZHEN),
        make.firm_user(world.firm_a),
        make.client("eligibility:check", city=SHENZHEN),
    ):
        r = client.post(
            "/v1/eligibility/verify", json={**body, "city_code": SHENZHEN}, headers=headers
        )
        assert r.status_code == 403, r.text
    assert count(session) == before


def test_unauthenticated_callers_get_401_and_nothing_is_written(
    client: TestClient, session: Session, world: World
) -> None:
    before = count(session)
    r = client.post(CHECKS, json={"talent_id": world.talent_a.id, "as_of": AS_OF})
    assert r.status_code == 401, r.text
    assert count(session) == before


def test_city_bound_client_cannot_read_full_decisions_about_talent_it_cannot_see(
    client: TestClient, make: Factory, world: World
) -> None:
    # The province checks the Guangzhou talent against Shenzhen's policy (explicit city).
    r = client.post(
        CHECKS,
        json={
            "talent_id": world.talent_b.id,
            "as_of": AS_OF,
            "benefit": "hukou",
            "city_code": SHENZHEN,
        },
        headers=make.province(),
    )
    assert r.status_code == 201, r.text
    decision_id = r.json()["decisions"][0]["id"]
    machine = make.client("eligibility:check", "registry:read", city=SHENZHEN)
    # The client cannot see the talent itself…
    assert_not_found(client.get(f"/v1/talents/{world.talent_b.id}", headers=machine))
    assert_not_found(post_check(client, machine, world.talent_b, city_code=SHENZHEN))
    # …so it must not read the full decision about them either (the Shenzhen bureau cannot).
    assert_not_found(
        client.get(f"/v1/eligibility/decisions/{decision_id}", headers=make.bureau(SHENZHEN))
    )
    assert_not_found(client.get(f"/v1/eligibility/decisions/{decision_id}", headers=machine))
