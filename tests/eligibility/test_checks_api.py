"""Eligibility checks through HTTP: both sides explained, stored, signed, verifiable."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core.signing import verify
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.reference.enums import Education
from tests.factories import SHANTOU, SHENZHEN, Factory


@pytest.fixture
def policies(session: Session) -> None:
    load_default_policies(session)


def test_shenzhen_bureau_checks_both_sides_and_decisions_verify(
    client: TestClient, make: Factory, policies: None
) -> None:
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2020, 1, 1))
    talent = make.talent(
        firm, education=Education.master, birth_date=date(1990, 5, 17), hukou_city_code=SHANTOU
    )
    make.employment(talent, firm, center, hired_on=date(2023, 1, 10), key_post=True)

    r = client.post(
        "/v1/eligibility/checks",
        json={"talent_id": talent.id, "benefit": "hukou", "as_of": "2025-06-30"},
        headers=make.bureau(SHENZHEN),
    )
    assert r.status_code == 201, r.text
    decisions = r.json()["decisions"]
    assert {
        (d["document"]["policy"]["city_code"], d["document"]["policy"]["side"]) for d in decisions
    } == {
        (SHENZHEN, "host"),
        (SHANTOU, "home"),
    }
    host = next(d for d in decisions if d["document"]["policy"]["side"] == "host")
    assert host["outcome"] == "eligible", host["document"]["missing_facts"]
    assert host["document"]["facts"]["months_at_accredited_center"] == 29
    jwks = client.get("/.well-known/jwks.json").json()
    for d in decisions:
        # The answer withholds the age (eligibility/decisions/disclosure.py), so its signature is
        # the attestation's; the whole signed document is the audited /document read.
        assert d["document"]["facts"]["age_years"] is None
        assert d["signature"]["signs"] == "attestation"
        assert verify(d["attestation"], d["signature"]["jws"], d["signature"]["kid"], jwks)
        again = client.get(f"/v1/eligibility/decisions/{d['id']}", headers=make.bureau(SHENZHEN))
        assert again.status_code == 200 and again.json()["document"] == d["document"]
        r = client.get(
            f"/v1/eligibility/decisions/{d['id']}/document", headers=make.bureau(SHENZHEN)
        )
        assert r.status_code == 200, r.text
        whole = r.json()
        assert whole["signature"]["signs"] == "document"
        assert whole["document"]["facts"]["age_years"] == 35
        assert whole["signature"]["content_hash"] == d["attestation"]["decision_content_hash"]
        assert verify(whole["document"], whole["signature"]["jws"], whole["signature"]["kid"], jwks)
        tampered = {
            **whole["document"],
            "outcome": "ineligible" if d["outcome"] == "eligible" else "eligible",
        }
        assert not verify(tampered, whole["signature"]["jws"], whole["signature"]["kid"], jwks)
