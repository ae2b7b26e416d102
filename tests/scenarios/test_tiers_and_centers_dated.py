"""Issue 10, "a firm sets its own tier" and "unverified spells count", from the caller's side, as
the eligibility facts read them.

Not repeated here: the refusal of tier fields on PATCH as such (tests/firms/test_tier_flow.py::
test_firm_patching_its_own_tier_is_refused_and_nothing_changes), the approval queue and its
refusals (tests/firms/), accreditation acts and their bounds (tests/centers/).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Talent
from talent_service.reference.enums import Education
from tests.factories import MEIZHOU, SHANTOU, SHENZHEN, Factory
from tests.firms import stored
from tests.scenarios.conftest import TODAY
from tests.talents.conftest import register

CHECKS = "/v1/eligibility/checks"


def decision(
    client: TestClient,
    headers: dict[str, str],
    talent: Talent | int,
    city: str,
    benefit: str,
    as_of: date = TODAY,
) -> dict[str, Any]:
    key = talent if isinstance(talent, int) else talent.id
    body = {"talent_id": key, "city_code": city, "benefit": benefit, "as_of": as_of.isoformat()}
    r = client.post(CHECKS, json=body, headers=headers)
    assert r.status_code == 201, r.text
    (only,) = r.json()["decisions"]
    document: dict[str, Any] = only["document"]
    return document


def test_a_firm_cannot_set_its_own_tier_and_its_certificate_counts_once_approved(
    client: TestClient, session: Session, make: Factory
) -> None:
    load_default_policies(session)
    firm = make.firm(SHANTOU, tier=None)
    center = make.center(firm, SHENZHEN, opened_on=date(2021, 1, 1))
    talent = make.talent(firm, education=Education.master, hukou_city_code=SHANTOU)
    make.employment(talent, firm, center, hired_on=date(2023, 1, 10))
    own, shantou = make.firm_user(firm), make.bureau(SHANTOU)

    def tier_facts() -> dict[str, Any]:
        doc = decision(client, shantou, talent, SHANTOU, "social_insurance")
        return {k: doc["facts"][k] for k in ("firm_tier_rank", "firm_tier_valid")} | {
            "outcome": doc["outcome"]
        }

    start = tier_facts()
    assert start["firm_tier_valid"] is False and start["outcome"] == "ineligible"

    before = stored(session)
    r = client.patch(
        f"/v1/firms/{firm.id}",
        json={"tier": "single_champion", "tier_expires_on": "2099-12-31"},
        headers=own,
    )
    assert r.status_code == 422, r.text
    assert stored(session) == before
    assert tier_facts() == start

    # The firm submits a certificate: it waits for the province and counts for nothing yet.
    r = client.post(
        f"/v1/firms/{firm.id}/tiers",
        json={
            "tier": "little_giant",
            "certificate_no": "GD-XJR-2026-0042",
            "valid_from": "2026-01-01",
            "valid_to": "2028-12-31",
        },
        headers=own,
    )
    assert r.status_code == 201 and r.json()["state"] == "submitted", r.text
    period = r.json()
    assert tier_facts() == start

    # The firm cannot approve it itself; nothing changes.
    before = stored(session)
    r = client.post(f"/v1/firms/{firm.id}/tiers/{period['id']}/approve", json={}, headers=own)
    assert r.status_code in (403, 404), r.text
    assert stored(session) == before
    assert tier_facts() == start

    r = client.post(
        f"/v1/firms/{firm.id}/tiers/{period['id']}/approve", json={}, headers=make.province()
    )
    assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    now = decision(client, shantou, talent, SHANTOU, "social_insurance")
    assert now["facts"]["firm_tier_rank"] == 3 and now["facts"]["firm_tier_valid"] is True
    assert now["outcome"] == "eligible"
    tier = now["provenance"]["firm_tier_valid"]
    assert tier["rests_on"] == "tier period" and tier["tier_period_id"] == period["id"]
    assert tier["certificate_no"] == "GD-XJR-2026-0042" and tier["approved_by"] == "user:900001"
    # Valid from 2026-01-01: the day before, the firm held no certificate.
    earlier = decision(client, shantou, talent, SHANTOU, "social_insurance", date(2025, 12, 31))
    assert earlier["facts"]["firm_tier_valid"] is False


def test_spells_at_a_firms_own_pending_center_do_not_raise_host_side_facts(
    client: TestClient, session: Session, make: Factory
) -> None:
    """Firm A employs the person at its accredited Shenzhen center since 2025-02-01. Firm B
    registers the person too, registers its own Shenzhen center "opened" 2015 (pending), and a
    spell there from 2016 with social insurance paid in Shenzhen."""
    load_default_policies(session)
    a, b = make.firm(SHANTOU), make.firm(MEIZHOU)
    center = make.center(a, SHENZHEN, opened_on=date(2021, 1, 1))
    number = make.resident_id(date(1990, 5, 17))
    talent = make.talent(a, number=number, education=Education.master, hukou_city_code=SHANTOU)
    make.employment(talent, a, center, hired_on=date(2025, 2, 1))
    bureau, b_headers = make.bureau(SHENZHEN), make.firm_user(b)

    def host_facts() -> dict[str, Any]:
        """The facts and outcomes of the Shenzhen bureau's decisions on all four benefits."""
        r = client.post(
            CHECKS,
            json={"talent_id": talent.id, "city_code": SHENZHEN, "as_of": TODAY.isoformat()},
            headers=bureau,
        )
        assert r.status_code == 201, r.text
        return {
            d["document"]["policy"]["benefit"]: (d["outcome"], d["document"]["facts"])
            for d in r.json()["decisions"]
        }

    start = host_facts()
    outcome, facts = start["hukou"]
    assert outcome == "eligible"
    assert facts["months_at_accredited_center"] == facts["si_months_either"] == 19

    # B states what A did about the person: only B's spells could move the answer.
    same = {"name": "张三", "education": "master", "hukou_city_code": SHANTOU}
    assert register(client, b_headers, number, same).status_code == 201
    r = client.post(
        "/v1/centers",
        json={
            "kind": "rnd",
            "host_city_code": SHENZHEN,
            "name": "梅州乙公司深圳研发中心",
            "address": "南山区科技园",
            "floor_area_m2": 300,
            "opened_on": "2015-01-01",
        },
        headers=b_headers,
    )
    assert r.status_code == 201 and r.json()["status"] == "pending", r.text
    r = client.post(
        "/v1/employments",
        json={
            "talent_id": talent.id,
            "center_id": r.json()["id"],
            "position": "研发工程师",
            "hired_on": "2016-01-01",
            "si_city_code": SHENZHEN,
            "recruited_via_program": True,
        },
        headers=b_headers,
    )
    assert r.status_code == 201, r.text

    assert host_facts() == start
    # The bureau sees B's spell; it is simply not counted while the center is not accredited.
    r = client.get(f"/v1/employments?talent_id={talent.id}", headers=bureau)
    assert r.status_code == 200 and len(r.json()["items"]) == 2, r.text
