"""The decision document is a typed model (``decisions/document.py``): what is signed is its JSON
form, byte for byte, and a stored document reads back as the same model, also one stored before
the members added later (provenance, fact sources, corrections, the child and supplied facts)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core.signing import canonical_json, content_hash
from talent_service.eligibility.decisions.document import DecisionDocument
from talent_service.eligibility.decisions.reads import attestation_of
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Decision
from talent_service.reference.enums import Benefit, Outcome, Side
from tests.eligibility.test_checks_flow import Site, home_spell, host_hukou, person
from tests.factories import SHANTOU, SHENZHEN, Factory


@pytest.fixture
def site(session: Session, make: Factory) -> Site:
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2018, 1, 1))
    return Site(firm, center, make.bureau(SHENZHEN))


def test_the_signed_document_is_the_typed_models_json_byte_for_byte(
    client: TestClient, session: Session, make: Factory, site: Site
) -> None:
    talent = person(make, site)
    home_spell(make, site, talent, date(2019, 1, 1), date(2024, 2, 1))
    make.employment(talent, site.firm, site.center, hired_on=date(2024, 2, 29))

    signed = host_hukou(client, site, talent, date(2024, 12, 1))
    typed = DecisionDocument.from_stored(signed)
    assert canonical_json(typed.to_json()) == canonical_json(signed)
    row = session.get_one(Decision, typed.decision_id)
    assert row.document == typed.to_json()
    assert row.content_hash == content_hash(typed.to_json())
    assert (row.outcome, row.as_of, row.policy_version_id) == (
        typed.outcome,
        typed.as_of,
        typed.policy.version_id,
    )


def test_a_document_stored_before_the_later_members_still_reads() -> None:
    first = {
        "decision_id": "4f0c9a64-1111-4222-8333-944455556666",
        "issuer": "talent-service",
        "issued_at": "2025-01-02T03:04:05.678901+00:00",
        "as_of": "2025-01-01",
        "talent": {"id": 7, "id_number_masked": "4405************12"},
        "policy": {
            "policy_id": 3,
            "version_id": 5,
            "version": 1,
            "city_code": SHENZHEN,
            "benefit": "hukou",
            "side": "host",
            "name_zh": "深圳户籍",
            "name_en": "Shenzhen hukou",
            "document_ref": "illustrative",
            "effective_from": "2024-01-01",
            "effective_to": None,
        },
        "engine_version": "1",
        "outcome": "eligible",
        "summary_zh": "符合",
        "summary_en": "eligible",
        "facts": {"education_rank": 3},
        "parameters": {},
        "failed_criteria": [],
        "missing_facts": [],
        "explanation": {"id": "root", "kind": "all", "children": []},
        "forecast": {"kind": "none"},
        "requested_by": "bureau-officer",
    }
    document = DecisionDocument.from_stored(first)
    assert document.as_of == date(2025, 1, 1) and document.outcome is Outcome.eligible
    assert document.supplied_facts == [] and document.needs_household_member is False
    attestation = attestation_of(document, "sha256:" + "0" * 64)
    assert (attestation.benefit, attestation.side) == (Benefit.hukou, Side.host)
    assert attestation.issued_at == first["issued_at"] and attestation.policy_version == 1
