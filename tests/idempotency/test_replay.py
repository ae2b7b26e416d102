"""A client retrying a creating POST with its Idempotency-Key, as the integrating system sees it:
the retry gets the first answer and nothing is written twice; a reused key is refused."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from talent_service.auth.principal import SCOPE_ELIGIBILITY_VERIFY
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Firm
from talent_service.reference.identifiers import synthetic_uscc
from tests.factories import SHANTOU, SHENZHEN, Factory
from tests.idempotency.conftest import (
    KEY,
    Hiring,
    audit_entries,
    firm_caller,
    keys,
    spells,
)


def _problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert str(problem["type"]).endswith(f"/{slug}")
    return problem


def test_a_retried_hire_gets_the_same_status_and_body_and_one_spell(
    client: TestClient, session: Session, hiring: Hiring
) -> None:
    headers = {**hiring.headers, KEY: "hire-0001"}
    first = client.post("/v1/employments", json=hiring.body(), headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    entries = audit_entries(session)

    again = client.post("/v1/employments", json=hiring.body(), headers=headers)

    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["cache-control"] == "no-store"
    assert spells(session, hiring.talent_id) == 1
    assert keys(session) == 1
    assert audit_entries(session) == entries  # a replay did nothing, so it logs nothing


def test_without_a_key_a_retried_hire_is_refused_as_overlapping(
    client: TestClient, session: Session, hiring: Hiring
) -> None:
    # The behaviour the header exists for: the retry cannot tell the first attempt landed.
    assert client.post("/v1/employments", json=hiring.body(), headers=hiring.headers).is_success
    again = client.post("/v1/employments", json=hiring.body(), headers=hiring.headers)
    _problem(again, 422, "rule-violation")
    assert keys(session) == 0


def test_the_same_json_encoded_differently_is_the_same_request(
    client: TestClient, session: Session, hiring: Hiring
) -> None:
    headers = {**hiring.headers, KEY: "hire-json", "Content-Type": "application/json"}
    body = hiring.body()
    first = client.post("/v1/employments", json=body, headers=headers)
    reordered = "{\n" + ",\n".join(f'  "{k}": {body[k]!r}' for k in reversed(body)) + "\n}"
    again = client.post("/v1/employments", content=reordered.replace("'", '"'), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert spells(session, hiring.talent_id) == 1


def test_the_same_key_with_a_different_body_is_refused_and_changes_nothing(
    client: TestClient, session: Session, hiring: Hiring
) -> None:
    headers = {**hiring.headers, KEY: "hire-0002"}
    assert client.post("/v1/employments", json=hiring.body(), headers=headers).status_code == 201
    entries = audit_entries(session)

    other = client.post("/v1/employments", json=hiring.body(position="Lead"), headers=headers)

    problem = _problem(other, 422, "idempotency-key-reused")
    assert problem["errors"] == [
        {"field": "header.Idempotency-Key", "reason": "used for a different request"}
    ]
    assert spells(session, hiring.talent_id) == 1
    assert keys(session) == 1
    assert audit_entries(session) == entries


def test_the_same_key_on_another_route_is_refused(
    client: TestClient, session: Session, hiring: Hiring, make: Factory
) -> None:
    headers = {**hiring.headers, KEY: "one-key-two-routes"}
    assert client.post("/v1/employments", json=hiring.body(), headers=headers).status_code == 201
    talent = {"id_number": make.resident_id(), "name": "王五", "education": "master"}
    _problem(
        client.post("/v1/talents", json=talent, headers=headers), 422, "idempotency-key-reused"
    )


def test_two_callers_with_the_same_key_are_independent(
    client: TestClient, session: Session, hiring: Hiring, make: Factory
) -> None:
    colleague = firm_caller(hiring.firm, 700002)  # same firm, another account
    other_firm = make.firm(SHANTOU)
    other_talent = make.talent(other_firm)
    theirs = {**firm_caller(other_firm, 700003), KEY: "shared-key"}

    mine = client.post(
        "/v1/employments", json=hiring.body(), headers={**hiring.headers, KEY: "shared-key"}
    )
    body = hiring.body(talent_id=other_talent.id)
    other = client.post("/v1/employments", json=body, headers=theirs)
    # The colleague's identical request with the same key is not a replay of the first
    # caller's: it runs, and is refused as the overlapping spell it is.
    colleagues = client.post(
        "/v1/employments", json=hiring.body(), headers={**colleague, KEY: "shared-key"}
    )

    assert (mine.status_code, other.status_code) == (201, 201)
    assert mine.json()["id"] != other.json()["id"]
    _problem(colleagues, 422, "rule-violation")
    assert "idempotent-replayed" not in colleagues.headers
    assert keys(session) == 2


def test_another_firm_sending_a_firms_key_and_body_gets_no_replay_of_its_answer(
    client: TestClient, session: Session, hiring: Hiring, make: Factory
) -> None:
    # The wrong firm: its key space is its own, so the stored answer (the first firm's spell)
    # is never shown to it; it is answered as if the key were new: the person is not its own.
    intruder = {**firm_caller(make.firm(SHANTOU), 700004), KEY: "hire-0003"}
    first = client.post(
        "/v1/employments", json=hiring.body(), headers={**hiring.headers, KEY: "hire-0003"}
    )
    assert first.status_code == 201

    refused = client.post("/v1/employments", json=hiring.body(), headers=intruder)

    _problem(refused, 422, "rule-violation")  # "no talent 1 registered by firm 2"
    assert "idempotent-replayed" not in refused.headers
    assert spells(session, hiring.talent_id) == 1
    assert keys(session) == 1


def test_a_refused_request_is_not_stored_so_the_fixed_request_may_reuse_the_key(
    client: TestClient, session: Session, hiring: Hiring
) -> None:
    headers = {**hiring.headers, KEY: "hire-0004"}
    unknown = client.post("/v1/employments", json=hiring.body(talent_id=999999), headers=headers)
    assert unknown.status_code in (404, 422), unknown.text
    invalid = client.post("/v1/employments", json=hiring.body(hired_on="soon"), headers=headers)
    _problem(invalid, 422, "validation")
    assert keys(session) == 0

    fixed = client.post("/v1/employments", json=hiring.body(), headers=headers)

    assert fixed.status_code == 201, fixed.text
    assert "idempotent-replayed" not in fixed.headers
    assert keys(session) == 1


def test_a_public_registration_is_replayed_per_client_address(
    client: TestClient, session: Session, make: Factory
) -> None:
    firm = {
        "uscc": synthetic_uscc(make.rng, SHANTOU),
        "name": "Retry Ltd",
        "home_city_code": SHANTOU,
    }
    body = {"firm": firm, "username": "retry-firm", "password": "a-long-password-1"}
    headers = {KEY: "signup-1"}
    first = client.post("/v1/registrations", json=body, headers=headers)
    assert first.is_success, first.text

    again = client.post("/v1/registrations", json=body, headers=headers)

    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert keys(session) == 1
    # From another address the key is another caller's: it runs, the username is taken, and
    # the answer is the same neutral 202 (a sign-up never tells what exists), not a replay.
    with TestClient(
        client.app, raise_server_exceptions=False, client=("198.51.100.9", 4000)
    ) as far:
        elsewhere = far.post("/v1/registrations", json=body, headers=headers)
    assert (elsewhere.status_code, elsewhere.content) == (first.status_code, first.content)
    assert "idempotent-replayed" not in elsewhere.headers
    assert keys(session) == 2
    assert (
        session.exec(select(func.count()).select_from(Firm).where(Firm.name == "Retry Ltd")).one()
        == 1
    )


def test_a_verification_is_replayed_to_the_machine_client(
    client: TestClient, session: Session, make: Factory
) -> None:
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    number = make.resident_id()
    talent = make.talent(firm, number=number)
    make.employment(talent, firm, make.center(firm, SHENZHEN))
    headers = {**make.client(SCOPE_ELIGIBILITY_VERIFY, city=SHENZHEN), KEY: "verify-1"}
    body = {"id_number": number, "benefit": "hukou", "city_code": SHENZHEN, "as_of": "2025-06-30"}

    first = client.post("/v1/eligibility/verify", json=body, headers=headers)
    again = client.post("/v1/eligibility/verify", json=body, headers=headers)

    assert first.status_code == 200, first.text
    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert keys(session) == 1
