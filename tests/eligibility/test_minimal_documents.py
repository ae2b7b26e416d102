"""Issue 12, minimal documents: a decision document holds only the facts and parameters its rule
reads (the forecast's projected facts too), and an attestation's ``content_hash`` is over what
the attestation says, which is what its signature signs."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core.signing import content_hash, verify
from talent_service.eligibility.policies.store import compiled_rule, load_default_policies
from talent_service.models import PolicyVersion
from talent_service.reference.enums import Education
from tests.eligibility.test_checks_flow import Site, home_spell, host_hukou, person
from tests.factories import SHANTOU, SHENZHEN, Factory

VERIFY = "/v1/eligibility/verify"


@pytest.fixture
def site(session: Session, make: Factory) -> Site:
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2018, 1, 1))
    return Site(firm, center, make.bureau(SHENZHEN))


def test_a_document_holds_only_what_its_rule_reads_also_in_the_forecast(
    client: TestClient, session: Session, make: Factory, site: Site
) -> None:
    talent = person(make, site)
    home_spell(make, site, talent, date(2019, 1, 1), date(2024, 2, 1))
    make.employment(talent, site.firm, site.center, hired_on=date(2024, 2, 29))

    doc = host_hukou(client, site, talent, date(2024, 12, 1))
    assert doc["forecast"]["kind"] == "becomes_eligible"
    rule = compiled_rule(session.get_one(PolicyVersion, doc["policy"]["version_id"]))
    read = set(rule.facts)
    assert set(doc["facts"]) == read
    assert set(doc["provenance"]) == read
    assert set(doc["forecast"]["facts_on_change"]) == read
    assert set(doc["parameters"]) == set(rule.params)
    assert doc["forecast"]["facts_on_change"]["months_at_accredited_center"] == 12
    # What this rule does not read stays out, though the person has it (a firm tier, a hukou
    # city, a title): the hukou rule reads whether the hukou is local, not where it is.
    for other in ("hukou_city", "firm_tier", "title_level", "social_insurance_months"):
        assert other not in read
        assert other not in doc["forecast"]["facts_on_change"]


def test_an_attestations_hash_is_its_own_and_its_signature_verifies_over_it(
    client: TestClient, make: Factory, site: Site
) -> None:
    birth = date(1990, 5, 17)
    number = make.resident_id(birth)
    talent = make.talent(site.firm, number=number, birth_date=birth, education=Education.master)
    make.employment(talent, site.firm, site.center, hired_on=date(2023, 1, 10))
    machine = make.client("eligibility:verify", city=SHENZHEN)
    r = client.post(
        VERIFY,
        json={
            "id_number": number,
            "benefit": "hukou",
            "city_code": SHENZHEN,
            "as_of": "2025-06-30",
        },
        headers=machine,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    attestation, signature = body["attestation"], body["signature"]
    jwks = client.get("/.well-known/jwks.json").json()
    assert signature["signs"] == "attestation"
    assert signature["content_hash"] == content_hash(attestation)
    assert verify(attestation, signature["jws"], signature["kid"], jwks)

    full = client.get(
        f"/v1/eligibility/decisions/{body['decision_id']}/document", headers=make.province()
    ).json()
    # The attestation names the whole document by its hash; the two hashes differ.
    assert attestation["decision_content_hash"] == full["signature"]["content_hash"]
    assert full["signature"]["content_hash"] == content_hash(full["document"])
    assert signature["content_hash"] != full["signature"]["content_hash"]
    later = client.get(
        f"/v1/eligibility/decisions/{body['decision_id']}/attestation", headers=machine
    ).json()
    assert later["signature"] == signature and later["attestation"] == attestation
