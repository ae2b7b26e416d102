"""Issue 10, "any firm rewrites a person" and "its check reveals what another firm recorded", from
the second firm's side. Firm A (Shantou) registered the person through the API and employs them
at its Shenzhen center; the Shenzhen bureau verified what A declared. Firm B (Meizhou) registers
itself through the public registration, logs in, and registers the same resident ID claiming a
doctorate, a senior title and a Shenzhen hukou.

Not repeated here (tests/talents/test_second_firm.py): B's registration adds B's declarations
and touches no others; B's PATCH changes only B's own registration, never A's; the bureau's
consolidated profile follows the selection rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core import clock
from talent_service.core.clock import FixedClock, use_clock
from talent_service.core.signing import content_hash, verify
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Talent
from talent_service.reference.enums import Benefit
from talent_service.reference.identifiers import synthetic_uscc
from tests.eligibility.test_checks_flow import nodes
from tests.factories import MEIZHOU, SHANTOU, SHENZHEN, Factory
from tests.scenarios.conftest import TODAY
from tests.scenarios.policies import accept_verified_only
from tests.sign_ups import signed_up_and_approved
from tests.talents.conftest import A_PROFILE, B_CLAIM, register

CHECKS = "/v1/eligibility/checks"
# The facts a rule may read that rest on spells, tiers and center statuses: all A's records.
FROM_A_SPELLS = {
    "months_at_accredited_center",
    "months_employed_at_firm",
    "si_months_host",
    "si_months_home",
    "si_months_either",
    "recruited_via_program",
    "currently_employed",
    "key_post",
    "firm_tier",
    "firm_tier_rank",
    "firm_tier_valid",
    "center_status",
    "center_accredited",
}


@dataclass
class Pair:
    client: TestClient
    make: Factory
    number: str
    talent_id: int
    a_headers: dict[str, str]
    a_read: dict[str, Any]
    b_headers: dict[str, str]
    bureau: dict[str, str]

    def check(self, headers: dict[str, str], talent_id: int | None = None, **body: Any) -> Any:
        payload = {"talent_id": talent_id or self.talent_id, "as_of": TODAY.isoformat()} | body
        return self.client.post(CHECKS, json=payload, headers=headers)

    def decisions(self, headers: dict[str, str], **body: Any) -> dict[str, dict[str, Any]]:
        r = self.check(headers, **body)
        assert r.status_code == 201, r.text
        return {d["document"]["policy"]["benefit"]: d for d in r.json()["decisions"]}


def self_registered_firm(client: TestClient, make: Factory) -> dict[str, str]:
    """A Meizhou firm registers itself (no token), Meizhou's bureau approves it, then its clerk
    logs in."""
    body = {
        "firm": {
            "uscc": synthetic_uscc(make.rng, MEIZHOU),
            "name": "梅州乙公司",
            "home_city_code": MEIZHOU,
        },
        "username": "hr.meizhou",
        "password": "correct horse battery",
    }
    return signed_up_and_approved(client, body, make.bureau(MEIZHOU)).headers


@pytest.fixture
def pair(client: TestClient, session: Session, make: Factory) -> Pair:
    load_default_policies(session)
    a = make.firm(SHANTOU, name="汕头甲公司")
    center = make.center(a, SHENZHEN, opened_on=date(2021, 1, 1))
    a_headers = make.firm_user(a)
    number = make.resident_id(date(1990, 5, 17))
    dated = {"education_awarded_on": "2015-07-01", "hukou_since": "2015-09-01"}
    r = register(client, a_headers, number, A_PROFILE, **dated)
    assert r.status_code == 201, r.text
    talent_id = r.json()["id"]
    talent = session.get(Talent, talent_id)
    assert talent is not None
    make.employment(talent, a, center, hired_on=date(2023, 1, 10))
    bureau = make.bureau(SHENZHEN)
    # The bureau verifies what A declared.
    r = client.get(f"/v1/talents/{talent_id}/declarations", headers=bureau)
    assert r.status_code == 200, r.text
    for declaration in r.json()["items"]:
        v = client.post(
            f"/v1/declarations/{declaration['id']}/verify",
            json={"evidence": "原件核验"},
            headers=bureau,
        )
        assert v.status_code == 200, v.text
    a_read = client.get(f"/v1/talents/{talent_id}", headers=a_headers)
    assert a_read.status_code == 200, a_read.text
    b_headers = self_registered_firm(client, make)
    return Pair(client, make, number, talent_id, a_headers, a_read.json(), b_headers, bureau)


def test_a_self_registered_firm_registering_a_known_id_gets_a_new_persons_answer(
    pair: Pair,
) -> None:
    fresh = pair.make.resident_id(date(1990, 5, 17))  # same birth date and sex
    moment = clock.now().replace(microsecond=0)
    with use_clock(FixedClock(moment)):
        known = register(pair.client, pair.b_headers, pair.number, B_CLAIM)
        new = register(pair.client, pair.b_headers, fresh, B_CLAIM)
    assert known.status_code == new.status_code == 201, (known.text, new.text)
    got, control = known.json(), new.json()
    assert got.keys() == control.keys()
    assert {k for k in got if got[k] != control[k]} == {"id", "id_number_masked"}
    assert got["version"] == control["version"] == 1
    assert got["created_at"] == control["created_at"]
    assert known.headers.get("etag") == new.headers.get("etag")
    for recorded_by_a in (A_PROFILE["name"], A_PROFILE["title_field"], SHANTOU, "2015"):
        assert recorded_by_a not in known.text
    # A still reads the profile A declared.
    a_read = pair.client.get(f"/v1/talents/{pair.talent_id}", headers=pair.a_headers)
    assert a_read.json() == pair.a_read


def test_the_bureaus_hukou_decision_does_not_flip_to_the_second_firms_claims(
    pair: Pair,
) -> None:
    accept_verified_only(pair.client, pair.make, SHENZHEN, "hukou")
    before = pair.decisions(pair.bureau, city_code=SHENZHEN, benefit="hukou")["hukou"]["document"]
    assert before["fact_sources"]["hukou_city"] == ["verified"]
    assert before["outcome"] == "eligible" and before["facts"]["hukou_in_city"] is False

    assert register(pair.client, pair.b_headers, pair.number, B_CLAIM).status_code == 201

    after = pair.decisions(pair.bureau, city_code=SHENZHEN, benefit="hukou")["hukou"]["document"]
    for key in ("outcome", "facts", "explanation", "provenance", "failed_criteria"):
        assert after[key] == before[key], key
    assert after["facts"]["education"] == "master"  # not B's doctorate
    hukou = after["provenance"]["hukou_in_city"]
    assert hukou["verification"] == "verified" and hukou["flagged"] is False
    assert hukou["own_firm"] != "any"


def test_the_second_firms_check_shows_outcomes_but_no_values_from_the_first_firms_records(
    pair: Pair,
) -> None:
    assert register(pair.client, pair.b_headers, pair.number, B_CLAIM).status_code == 201
    mine = pair.decisions(pair.b_headers, city_code=SHENZHEN)
    whole = pair.decisions(pair.bureau, city_code=SHENZHEN)
    assert mine.keys() == whole.keys() == {b.value for b in Benefit}
    jwks = pair.client.get("/.well-known/jwks.json").json()

    for benefit, decision in mine.items():
        doc = decision["document"]
        assert decision["outcome"] == doc["outcome"] in {"eligible", "ineligible", "undetermined"}
        spell_facts = FROM_A_SPELLS & set(doc["facts"])
        assert spell_facts, benefit  # every default policy reads some of them
        for name in spell_facts:
            assert doc["facts"][name] is None, (benefit, name)
            assert doc["provenance"][name] == {"withheld": True}, (benefit, name)
        assert spell_facts <= set(doc["withheld_facts"])
        for node in nodes(doc["explanation"]):
            assert node["result"] in {"pass", "fail", "unknown"}  # which criteria pass or fail
            if node.get("fact") in doc["withheld_facts"]:
                assert node["found"] is None and node["withheld"] is True
                if node["fact"] != "age_years":  # withheld from everyone (disclosure.for_person)
                    assert node["rests_on_en"] == "rests on: other parties' records"
        assert doc["forecast"] == {"withheld": True}
        # The signature shown signs the attestation, which carries no fact values.
        signature = decision["signature"]
        assert signature["signs"] == "attestation"
        assert signature["content_hash"] == content_hash(decision["attestation"])
        assert verify(decision["attestation"], signature["jws"], signature["kid"], jwks)

        # The bureau reads the same kind of decision with the values (all but the age, withheld
        # from everyone), and whole, signed as a whole, at the audited /document read.
        full = whole[benefit]
        assert full["outcome"] == decision["outcome"]
        assert set(full["document"].get("withheld_facts", [])) <= {"age_years"}
        for name in spell_facts:
            assert full["document"]["facts"][name] is not None, (benefit, name)
        signed = pair.client.get(
            f"/v1/eligibility/decisions/{full['id']}/document", headers=pair.bureau
        ).json()
        assert "withheld_facts" not in signed["document"]
        assert verify(
            signed["document"], signed["signature"]["jws"], signed["signature"]["kid"], jwks
        )
        # B reading its own decision back gets the same filtered view; the bureau, the whole.
        again = pair.client.get(
            f"/v1/eligibility/decisions/{decision['id']}", headers=pair.b_headers
        )
        assert again.status_code == 200 and again.json() == decision
        bureau_view = pair.client.get(
            f"/v1/eligibility/decisions/{decision['id']}/document", headers=pair.bureau
        ).json()
        assert "withheld_facts" not in bureau_view["document"]
        assert verify(
            bureau_view["document"], bureau_view["signature"]["jws"], signature["kid"], jwks
        )
    assert whole["hukou"]["document"]["facts"]["months_at_accredited_center"] == 44


def test_the_second_firms_check_without_a_city_learns_no_city_from_the_first_firms_spells(
    pair: Pair,
) -> None:
    """Without ``city_code`` the cities come from the person's spells; B has none, so B is
    answered as for a person B registered and nobody employs."""
    assert register(pair.client, pair.b_headers, pair.number, B_CLAIM).status_code == 201
    fresh = register(pair.client, pair.b_headers, pair.make.resident_id(), B_CLAIM)
    assert fresh.status_code == 201, fresh.text

    known = pair.check(pair.b_headers)
    control = pair.check(pair.b_headers, talent_id=fresh.json()["id"])
    assert known.status_code == control.status_code == 422, (known.text, control.text)
    assert [e["field"] for e in known.json()["errors"]] == ["body.talent_id"]
    assert known.json()["detail"] == control.json()["detail"]
    # A, whose spells they are, is answered for both sides.
    answered = pair.check(pair.a_headers)
    assert answered.status_code == 201, answered.text
    cities = {d["document"]["policy"]["city_code"] for d in answered.json()["decisions"]}
    assert cities == {SHENZHEN, SHANTOU}
