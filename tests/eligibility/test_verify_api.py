"""Machine clients verify by ID number: only the outcome, the decision id, the policy version and a
signed attestation come back, no personal data; the attestation checks out offline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from talent_service.core.signing import verify
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Decision, Talent
from talent_service.reference.enums import Education
from tests.factories import GUANGZHOU, SHANTOU, SHANWEI, SHENZHEN, Factory

VERIFY = "/v1/eligibility/verify"
BIRTH = date(1987, 3, 9)
NAME = "李四光"


@dataclass
class Person:
    talent: Talent
    number: str


@pytest.fixture
def person(session: Session, make: Factory) -> Person:
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN)
    number = make.resident_id(BIRTH)
    talent = make.talent(
        firm,
        number=number,
        birth_date=BIRTH,
        name=NAME,
        education=Education.master,
        hukou_city_code=SHANTOU,
    )
    make.employment(talent, firm, center, hired_on=date(2023, 1, 10))
    return Person(talent, number)


def ask(client: TestClient, headers: dict[str, str], number: str, **body: Any) -> Any:
    payload = {
        "id_number": number,
        "benefit": "hukou",
        "city_code": SHENZHEN,
        "as_of": "2025-06-30",
    } | body
    return client.post(VERIFY, json=payload, headers=headers)


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Decision)).one()


def test_verify_returns_only_the_outcome_and_a_signed_attestation(
    client: TestClient, session: Session, make: Factory, person: Person
) -> None:
    machine = make.client("eligibility:verify", city=SHENZHEN)
    before = count(session)
    r = ask(client, machine, person.number)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "decision_id",
        "outcome",
        "policy_id",
        "policy_version",
        "attestation",
        "signature",
        "reused",
        "suppliable_facts",
        "refused_supplied_facts",
        "needs_household_member",
    }
    assert body["suppliable_facts"] == [] and body["needs_household_member"] is False
    assert body["reused"] is False  # the first asking stores a decision
    assert body["outcome"] == "eligible"
    assert body["policy_version"] == 1
    attestation = body["attestation"]
    assert set(attestation) == {
        "decision_id",
        "issued_at",
        "as_of",
        "city_code",
        "benefit",
        "side",
        "policy_id",
        "policy_version",
        "document_ref",
        "outcome",
        "decision_content_hash",
    }
    assert attestation["decision_id"] == body["decision_id"]
    assert (attestation["outcome"], attestation["policy_id"]) == (
        body["outcome"],
        body["policy_id"],
    )
    assert (attestation["city_code"], attestation["benefit"], attestation["as_of"]) == (
        SHENZHEN,
        "hukou",
        "2025-06-30",
    )

    # No personal data anywhere in the text.
    text = r.text
    masked = person.talent.id_masked
    for secret in (
        NAME,
        person.number,
        person.number[:6] + "*",
        masked,
        BIRTH.isoformat(),
        BIRTH.strftime("%Y%m%d"),
        json.dumps(NAME)[1:-1],  # \\u-escaped form
    ):
        assert secret not in text, secret
    assert "talent" not in text and "birth" not in text and "name" not in text

    # The decision was stored, asked for by the client.
    assert count(session) == before + 1
    stored = session.get(Decision, body["decision_id"])
    assert stored is not None and stored.requested_by == "client:test"
    assert stored.talent_id == person.talent.id


def test_attestation_signature_verifies_offline_and_tampering_breaks_it(
    client: TestClient, make: Factory, person: Person
) -> None:
    body = ask(client, make.client("eligibility:verify", city=SHENZHEN), person.number).json()
    jwks = client.get("/.well-known/jwks.json").json()
    attestation, sig = body["attestation"], body["signature"]
    assert sig["alg"] == "EdDSA"
    assert sig["kid"] in {k["kid"] for k in jwks["keys"]}
    assert verify(attestation, sig["jws"], sig["kid"], jwks)
    assert verify(attestation, sig["jws"], None, jwks)

    changes: dict[str, Any] = {
        "decision_id": "00000000-0000-0000-0000-000000000000",
        "issued_at": "2020-01-01T00:00:00+00:00",
        "as_of": "2025-07-01",
        "city_code": GUANGZHOU,
        "benefit": "education",
        "side": "home",
        "policy_id": attestation["policy_id"] + 1,
        "policy_version": 2,
        "document_ref": "forged",
        "outcome": "ineligible",
        "decision_content_hash": "sha256:" + "0" * 64,
    }
    assert set(changes) == set(attestation)
    for field, value in changes.items():
        tampered = {**attestation, field: value}
        assert not verify(tampered, sig["jws"], sig["kid"], jwks), field
    assert not verify({**attestation, "extra": 1}, sig["jws"], sig["kid"], jwks)
    trimmed = {k: v for k, v in attestation.items() if k != "document_ref"}
    assert not verify(trimmed, sig["jws"], sig["kid"], jwks)
    # A signature cut short or a wrong kid fails too.
    assert not verify(attestation, sig["jws"][:-4] + "AAAA", sig["kid"], jwks)
    assert not verify(attestation, sig["jws"], "another-kid", jwks)


def test_attestation_hash_is_the_full_decisions_hash(
    client: TestClient, make: Factory, person: Person
) -> None:
    body = ask(client, make.client("eligibility:verify", city=SHENZHEN), person.number).json()
    full = client.get(
        f"/v1/eligibility/decisions/{body['decision_id']}/document", headers=make.province()
    ).json()
    assert body["attestation"]["decision_content_hash"] == full["signature"]["content_hash"]
    jwks = client.get("/.well-known/jwks.json").json()
    assert verify(full["document"], full["signature"]["jws"], full["signature"]["kid"], jwks)


def test_the_attestation_endpoint_returns_the_same_attestation_later(
    client: TestClient, make: Factory, person: Person
) -> None:
    machine = make.client("eligibility:verify", city=SHENZHEN)
    body = ask(client, machine, person.number).json()
    r = client.get(f"/v1/eligibility/decisions/{body['decision_id']}/attestation", headers=machine)
    assert r.status_code == 200, r.text
    assert r.json() == body


def test_city_bound_client_cannot_verify_for_another_city(
    client: TestClient, session: Session, make: Factory, person: Person
) -> None:
    before = count(session)
    r = ask(
        client, make.client("eligibility:verify", city=SHENZHEN), person.number, city_code=SHANTOU
    )
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert count(session) == before


def test_unbound_client_and_the_province_may_verify_any_city(
    client: TestClient, make: Factory, person: Person
) -> None:
    for headers in (make.client("eligibility:verify"), make.province()):
        r = ask(client, headers, person.number, city_code=SHANTOU)
        assert r.status_code == 200, r.text
        assert r.json()["attestation"]["side"] == "home"


def test_unknown_id_number_is_not_found(
    client: TestClient, session: Session, make: Factory, person: Person
) -> None:
    before = count(session)
    stranger = make.resident_id(date(1991, 8, 8))
    r = ask(client, make.client("eligibility:verify", city=SHENZHEN), stranger)
    assert r.status_code == 404, r.text
    assert stranger not in r.text
    assert count(session) == before


def test_talent_outside_the_clients_city_is_not_found(
    client: TestClient, session: Session, make: Factory, person: Person
) -> None:
    firm = make.firm(SHANWEI)
    other = make.resident_id(date(1992, 2, 2))
    talent = make.talent(firm, number=other, birth_date=date(1992, 2, 2))
    make.employment(talent, firm, make.center(firm, GUANGZHOU))
    r = ask(client, make.client("eligibility:verify", city=SHENZHEN), other)
    assert r.status_code == 404, r.text


def test_invalid_check_digit_is_refused_naming_the_field(
    client: TestClient, session: Session, make: Factory, person: Person
) -> None:
    before = count(session)
    last = person.number[-1]
    wrong = person.number[:-1] + ("0" if last != "0" else "1")
    r = ask(client, make.client("eligibility:verify", city=SHENZHEN), wrong)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["body.id_number"]
    assert count(session) == before


def test_missing_benefit_or_city_is_a_validation_problem(
    client: TestClient, make: Factory, person: Person
) -> None:
    machine = make.client("eligibility:verify", city=SHENZHEN)
    r = client.post(
        VERIFY, json={"id_number": person.number, "city_code": SHENZHEN}, headers=machine
    )
    assert r.status_code == 422
    assert "body.benefit" in [e["field"] for e in r.json()["errors"]]
    r = ask(client, machine, person.number, benefit="pension")
    assert r.status_code == 422
