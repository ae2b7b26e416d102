"""The key itself: its syntax, its 24 hours, the in-flight refusal, the purge, and where it is
declared (every creating route, the OpenAPI)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, text
from sqlmodel import Session

from talent_service.auth.access import Access, Public
from talent_service.core import clock, idempotency
from talent_service.core.idempotent import Idempotent
from talent_service.core.security import decrypt_bytes
from talent_service.main import create_app
from talent_service.models import IdempotencyKey
from tests.factories import SHENZHEN, Factory
from tests.idempotency.conftest import KEY, Hiring, keys

ON_POSTGRES = os.environ.get("TALENT_TEST_DATABASE_URL", "").startswith("postgresql")
START = datetime(2026, 9, 15, 4, 0, tzinfo=UTC)


def _enclave(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "host_city_code": SHENZHEN,
        "district": "Nanshan",
        "operator": "Operator Ltd",
        "total_floor_area_m2": 1000,
        "partner_city_codes": ["440500"],
    }


@pytest.fixture
def traveller() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as t:
        yield t


# --- syntax ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("", id="empty"),
        pytest.param("k" * 256, id="256 characters"),
        pytest.param("clé-été".encode("latin-1"), id="not ASCII"),
        pytest.param(b"a\x7fb", id="DEL"),
    ],
)
def test_a_malformed_key_is_refused_naming_the_header(
    client: TestClient, session: Session, hiring: Hiring, value: str | bytes
) -> None:
    headers: dict[str, Any] = {**hiring.headers, KEY: value}
    response = client.post("/v1/employments", json=hiring.body(), headers=headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/validation")
    assert [e["field"] for e in problem["errors"]] == ["header.Idempotency-Key"]
    assert keys(session) == 0
    assert client.get("/v1/employments", headers=hiring.headers).json()["items"] == []


@pytest.mark.parametrize(
    "value", ["k", "k" * 255, '"8e03978e-40d5-43e8-bc93-6894a57f9324"', "a b~!"]
)
def test_printable_ascii_keys_of_1_to_255_characters_are_taken(
    client: TestClient, make: Factory, value: str
) -> None:
    headers = {**make.province(), KEY: value}
    first = client.post("/v1/enclaves", json=_enclave("Space A"), headers=headers)
    again = client.post("/v1/enclaves", json=_enclave("Space A"), headers=headers)
    assert first.status_code == 201, first.text
    assert (again.content, again.headers["idempotent-replayed"]) == (first.content, "true")


# --- 24 hours --------------------------------------------------------------------------------


def test_a_key_is_replayed_for_24_hours_then_forgotten(
    client: TestClient, session: Session, make: Factory, traveller: time_machine.Coordinates
) -> None:
    body = _enclave("Space B")
    first = client.post("/v1/enclaves", json=body, headers={**make.province(), KEY: "e-1"})
    assert first.status_code == 201

    traveller.move_to(START + timedelta(hours=24) - timedelta(seconds=1))
    within = client.post("/v1/enclaves", json=body, headers={**make.province(), KEY: "e-1"})
    assert (within.content, within.headers["idempotent-replayed"]) == (first.content, "true")

    traveller.move_to(START + timedelta(hours=24))
    after = client.post("/v1/enclaves", json=body, headers={**make.province(), KEY: "e-1"})
    assert after.status_code == 201
    assert "idempotent-replayed" not in after.headers
    assert after.json()["id"] != first.json()["id"]  # the key was free again: a new space
    assert keys(session) == 1  # the expired row made room for the new one


def test_each_stored_answer_purges_expired_rows_and_the_command_the_rest(
    client: TestClient, session: Session, make: Factory, traveller: time_machine.Coordinates
) -> None:
    old = clock.now() - timedelta(hours=25)
    rows = [
        {
            "caller": "user:1",
            "key": f"old-{i}",
            "fingerprint": "0" * 64,
            "status_code": 201,
            "response_headers": "[]",
            "response_body": b"{}",
            "created_at": old,
            "expires_at": old + timedelta(hours=24),
        }
        for i in range(idempotency.PURGE_ON_INSERT + 5)
    ]
    session.execute(insert(IdempotencyKey), rows)

    response = client.post(
        "/v1/enclaves", json=_enclave("C"), headers={**make.province(), KEY: "n"}
    )

    assert response.status_code == 201
    assert keys(session) == 5 + 1  # 100 purged, the new one stored
    assert idempotency.purge_expired(session, clock.now()) == 5  # what the CLI command runs
    assert keys(session) == 1


# --- in flight -------------------------------------------------------------------------------


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="SQLite serialises write transactions (BEGIN IMMEDIATE): a duplicate waits for the "
    "first and gets its answer (tests/e2e/test_idempotency_keys.py), never 'in flight'",
)
def test_a_duplicate_while_the_first_is_in_flight_is_refused_409(
    client: TestClient, session: Session, hiring: Hiring, engine: Engine
) -> None:
    # The first request is still running on another connection: it holds the key's lock.
    with engine.connect() as other:
        other.begin()
        other.execute(
            text("SELECT pg_advisory_xact_lock(:id)"),
            {"id": idempotency.lock_id("user:700001", "in-flight")},
        )
        response = client.post(
            "/v1/employments", json=hiring.body(), headers={**hiring.headers, KEY: "in-flight"}
        )
        other.rollback()
    assert response.status_code == 409, response.text
    assert response.json()["type"].endswith("/idempotency-key-in-flight")
    assert response.headers["retry-after"] == "1"
    assert keys(session) == 0
    assert client.get("/v1/employments", headers=hiring.headers).json()["items"] == []

    # Once the first is over, the key is free.
    retry = client.post(
        "/v1/employments", json=hiring.body(), headers={**hiring.headers, KEY: "in-flight"}
    )
    assert retry.status_code == 201, retry.text


# --- stored how ------------------------------------------------------------------------------


def test_the_table_holds_a_keyed_fingerprint_not_a_plain_hash_of_the_body(
    client: TestClient, session: Session, hiring: Hiring
) -> None:
    headers = {**hiring.headers, KEY: "fp"}
    response = client.post("/v1/employments", json=hiring.body(), headers=headers)
    row = session.execute(select(IdempotencyKey)).scalar_one()
    assert (row.caller, row.key, row.status_code) == ("user:700001", "fp", 201)
    # The stored answer is encrypted at rest (it may hold a shown-once secret or personal data).
    assert response.content not in bytes(row.response_body)
    assert decrypt_bytes(bytes(row.response_body)) == response.content
    body = idempotency.canonical_body(response.request.content)
    assert row.fingerprint != hashlib.sha256(body).hexdigest()
    assert row.fingerprint == idempotency.fingerprint("POST", "/v1/employments", body)
    assert row.expires_at - row.created_at == timedelta(hours=24)


def test_fingerprints_tell_method_path_and_body_apart() -> None:
    base = idempotency.fingerprint("POST", "/v1/centers", b'{"a":1,"b":2}')
    assert base == idempotency.fingerprint("POST", "/v1/centers", b'{ "b": 2, "a": 1 }')
    assert base != idempotency.fingerprint("POST", "/v1/enclaves", b'{"a":1,"b":2}')
    assert base != idempotency.fingerprint("PUT", "/v1/centers", b'{"a":1,"b":2}')
    assert base != idempotency.fingerprint("POST", "/v1/centers", b'{"a":1,"b":3}')
    assert idempotency.canonical_body(b"not json") == b"not json"
    ids = {idempotency.lock_id("user:1", f"k{i}") for i in range(1000)}
    assert len(ids) == 1000 and all(-(2**63) <= i < 2**63 for i in ids)


# --- declared --------------------------------------------------------------------------------


def test_every_creating_route_and_verify_take_the_key_after_their_access_rule() -> None:
    # As tests/access/test_route_rules.py enumerates routes: with the prefixes they are served on.
    routes = [
        c
        for c in iter_route_contexts(create_app().routes)
        if isinstance(c.original_route, APIRoute)
    ]
    creating = {
        (str(c.path_format), frozenset(c.methods))
        for c in routes
        if c.original_route.status_code == 201
        or c.path_format in ("/v1/eligibility/verify", "/v1/registrations")
    }
    assert len(creating) >= 12
    for route in routes:
        calls = [d.call for d in route.dependant.dependencies]
        where = [i for i, call in enumerate(calls) if isinstance(call, Idempotent)]
        if (route.path_format, frozenset(route.methods)) not in creating:
            assert not where, route.path_format
            continue
        assert len(where) == 1 and where[0] > 0, route.path_format
        rule, key = calls[0], calls[where[0]]
        assert isinstance(rule, Access | Public) and isinstance(key, Idempotent)
        assert key.public == isinstance(rule, Public), route.path_format


def test_the_openapi_declares_one_reusable_header_and_the_key_problems() -> None:
    schema = create_app().openapi()
    parameter = schema["components"]["parameters"]["IdempotencyKey"]
    assert (parameter["name"], parameter["in"], parameter["required"]) == (
        "Idempotency-Key",
        "header",
        False,
    )
    assert parameter["schema"]["anyOf"][0]["maxLength"] == 255
    referencing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            inline = [p for p in operation.get("parameters", []) if p.get("name") == KEY]
            assert not inline, (method, path)
            if {"$ref": "#/components/parameters/IdempotencyKey"} in operation.get(
                "parameters", []
            ):
                referencing.append((method, path))
                responses = operation["responses"]
                assert "idempotency-key-in-flight" in responses["409"]["description"]
                assert "idempotency-key-reused" in responses["422"]["description"]
                success = next(v for k, v in responses.items() if k.startswith("2"))
                assert "Idempotent-Replayed" in success["headers"]
    assert ("post", "/v1/registrations") in referencing
    assert ("post", "/v1/eligibility/verify") in referencing
    assert ("post", "/v1/employments") in referencing
    assert len(referencing) >= 12
