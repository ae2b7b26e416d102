"""Issue 10, "the past is overwritten", from the caller's side: a check as of D answers the same
whatever is recorded after D; a correction of a fact about D is named by the new decision, and
the earlier decision stays retrievable and verifiable.

Not repeated here: the bounds on a status act's effective date (tests/centers/
test_effective_dates.py), the tier rule of one day (tests/firms/test_tier_rule.py), the selection
rule of declarations (tests/declarations/test_selection.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core.signing import verify
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Center, Employment, Firm, Talent
from talent_service.reference.enums import CenterStatus
from tests.eligibility.test_checks_flow import Site, host_hukou, person
from tests.factories import SHANTOU, SHENZHEN, Factory
from tests.scenarios.conftest import TODAY, D
from tests.scenarios.policies import accept_verified_only

CHECKS = "/v1/eligibility/checks"
# What a decision says about the day it is asked about; issued_at, the decision's id and the
# corrections since an earlier decision are about when it was asked.
ABOUT_THE_DAY = (
    "as_of",
    "policy",
    "outcome",
    "facts",
    "parameters",
    "failed_criteria",
    "missing_facts",
    "explanation",
    "provenance",
    "forecast",
    "summary_zh",
    "summary_en",
)


@dataclass
class Scene:
    client: TestClient
    make: Factory
    site: Site
    talent: Talent
    spell: Employment

    @property
    def firm(self) -> Firm:
        return self.site.firm

    @property
    def center(self) -> Center:
        return self.site.center

    def all_decisions(self, as_of: date = D) -> dict[tuple[str, str], dict[str, Any]]:
        """Every default policy's decision for the person as of ``as_of``, by (city, benefit)."""
        r = self.client.post(
            CHECKS,
            json={"talent_id": self.talent.id, "as_of": as_of.isoformat()},
            headers=self.site.bureau,
        )
        assert r.status_code == 201, r.text
        out = {}
        for d in r.json()["decisions"]:
            policy = d["document"]["policy"]
            out[(policy["city_code"], policy["benefit"])] = d
        return out

    def act(self, action: str, **body: Any) -> None:
        """The Shenzhen bureau acts on the center."""
        r = self.client.post(
            f"/v1/centers/{self.center.id}/{action}", json=body, headers=self.site.bureau
        )
        assert r.status_code == 200, r.text


@pytest.fixture
def scene(client: TestClient, session: Session, make: Factory) -> Scene:
    """A Shantou firm's Shenzhen center, opened 2021 and accredited since 2022-01-01; a talent
    (master's, hukou in Shantou) working there since 2021-06-01, social insurance in Shenzhen."""
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2021, 1, 1), status_since=date(2022, 1, 1))
    site = Site(firm, center, make.bureau(SHENZHEN))
    talent = person(make, site)
    spell = make.employment(talent, firm, center, hired_on=date(2021, 6, 1))
    return Scene(client, make, site, talent, spell)


def about_the_day(decision: dict[str, Any]) -> dict[str, Any]:
    return {k: decision["document"][k] for k in ABOUT_THE_DAY}


def test_months_before_accreditation_do_not_count(
    client: TestClient, session: Session, make: Factory
) -> None:
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    r = client.post(
        "/v1/centers",
        json={
            "kind": "rnd",
            "host_city_code": SHENZHEN,
            "name": "汕头某企业深圳研发中心",
            "address": "南山区科技园",
            "floor_area_m2": 300,
            "opened_on": "2024-01-01",
        },
        headers=make.firm_user(firm),
    )
    assert r.status_code == 201, r.text
    center = session.get(Center, r.json()["id"])
    assert center is not None and center.status is CenterStatus.pending
    site = Site(firm, center, make.bureau(SHENZHEN))
    talent = person(make, site)
    make.employment(talent, firm, center, hired_on=date(2024, 3, 1))

    # Two and a half years at the center, all of it before the bureau's accreditation.
    r = client.post(
        f"/v1/centers/{center.id}/accreditation",
        json={"decision": "accredited", "effective_on": "2026-07-01"},
        headers=site.bureau,
    )
    assert r.status_code == 200, r.text

    before = host_hukou(client, site, talent, date(2026, 6, 30))
    assert before["facts"]["months_at_accredited_center"] == 0
    assert before["outcome"] == "ineligible" and "months-at-center" in {
        c["id"] for c in before["failed_criteria"]
    }
    after = host_hukou(client, site, talent, date(2026, 9, 14))
    assert after["facts"]["months_at_accredited_center"] == 2  # 2026-07-01 through 09-14


def test_acts_recorded_after_d_leave_the_answer_as_of_d_unchanged(scene: Scene) -> None:
    client, make = scene.client, scene.make
    first = scene.all_decisions()
    host = first[(SHENZHEN, "hukou")]["document"]
    assert host["outcome"] == "eligible"
    assert host["facts"]["months_at_accredited_center"] == 54  # from 2022-01-01, not 2021-06-01
    assert {city for city, _ in first} == {SHENZHEN, SHANTOU}

    def same_as_first(step: str) -> None:
        again = scene.all_decisions()
        assert again.keys() == first.keys(), step
        for key, decision in again.items():
            assert about_the_day(decision) == about_the_day(first[key]), (step, key)
            assert decision["document"]["corrections"] == [], (step, key)
            # The same answer, recomputed on the records as they now are, hashes the same
            # (eligibility/decisions/reuse.py): the stored decision comes back, no new one is made.
            assert decision["reused"] is True and decision["id"] == first[key]["id"], (step, key)

    scene.act("suspension", effective_on="2026-08-01", note="整改")
    same_as_first("suspended after D")
    scene.act("reinstatement", effective_on="2026-08-15")
    same_as_first("reinstated after D")
    r = client.post(
        f"/v1/employments/{scene.spell.id}/departure",
        json={"departed_on": "2026-08-31", "reason": "transferred"},
        headers=make.firm_user(scene.firm),
    )
    assert r.status_code == 200, r.text
    same_as_first("departed after D")
    scene.act("closure", closed_on="2026-09-01")
    same_as_first("closed after D")

    # The province re-tiers the firm from after D (recorded by the province: approved at once).
    r = client.post(
        f"/v1/firms/{scene.firm.id}/tiers",
        json={
            "tier": "little_giant",
            "certificate_no": "GD-XJR-2026-0042",
            "valid_from": "2026-08-01",
            "valid_to": "2029-12-31",
        },
        headers=make.province(),
    )
    assert r.status_code == 201 and r.json()["state"] == "approved", r.text
    same_as_first("re-tiered after D")

    # The firm re-declares the degree, the bureau the hukou, both effective after D.
    url = f"/v1/talents/{scene.talent.id}/declarations"
    r = client.post(
        url,
        json={"fact": "education", "value": "doctor", "effective_on": "2026-08-01"},
        headers=make.firm_user(scene.firm),
    )
    assert r.status_code == 201, r.text
    r = client.post(
        url,
        json={
            "fact": "hukou_city",
            "value": SHENZHEN,
            "effective_on": "2026-08-20",
            "evidence": "深户准迁证 2026-1234",
        },
        headers=scene.site.bureau,
    )
    assert r.status_code == 201, r.text
    same_as_first("re-declared after D")

    # Every act took effect: as of today the answer is another one.
    now = scene.all_decisions(TODAY)[(SHENZHEN, "hukou")]["document"]
    # Accredited 2022-01-01 to 2026-07-31 and 08-15 to 08-31: 55 whole months, and no more.
    assert now["facts"]["months_at_accredited_center"] == 55
    assert now["facts"]["hukou_in_city"] is True
    assert now["outcome"] == "ineligible" and "hukou-not-local" in {
        c["id"] for c in now["failed_criteria"]
    }


def assert_still_verifiable(client: TestClient, make: Factory, earlier: dict[str, Any]) -> None:
    """The earlier decision reads back as issued; its document's and attestation's signatures
    verify against the published keys."""
    r = client.get(f"/v1/eligibility/decisions/{earlier['id']}", headers=make.bureau(SHENZHEN))
    assert r.status_code == 200, r.text
    assert r.json() == earlier
    jwks = client.get("/.well-known/jwks.json").json()
    # As shown (the age withheld: disclosure.for_person) it carries the attestation's signature;
    # the whole document, the audited /document read, its own.
    shown = earlier["signature"]
    assert verify(earlier["attestation"], shown["jws"], shown["kid"], jwks)
    r = client.get(
        f"/v1/eligibility/decisions/{earlier['id']}/document", headers=make.bureau(SHENZHEN)
    )
    assert r.status_code == 200, r.text
    whole = r.json()
    signature = whole["signature"]
    assert verify(whole["document"], signature["jws"], signature["kid"], jwks)
    r = client.get(
        f"/v1/eligibility/decisions/{earlier['id']}/attestation", headers=make.province()
    )
    assert r.status_code == 200, r.text
    attestation = r.json()
    assert attestation["outcome"] == earlier["outcome"]
    assert attestation["attestation"]["decision_content_hash"] == signature["content_hash"]
    assert verify(
        attestation["attestation"],
        attestation["signature"]["jws"],
        attestation["signature"]["kid"],
        jwks,
    )


def test_a_suspension_back_dated_before_d_changes_the_months_and_is_named(scene: Scene) -> None:
    first = scene.all_decisions()[(SHENZHEN, "hukou")]
    assert first["document"]["facts"]["months_at_accredited_center"] == 54

    scene.act("suspension", effective_on="2026-06-20", note="核查期间暂停")  # within 90 days

    second = scene.all_decisions()[(SHENZHEN, "hukou")]
    facts = second["document"]["facts"]
    assert facts["months_at_accredited_center"] == 53  # 2022-01-01 through 2026-06-19
    assert second["outcome"] == first["outcome"] == "eligible"  # 53 months are still enough
    (named,) = second["document"]["corrections"]
    assert named["kind"] == "center_status"
    assert named["what"] == f"center {scene.center.id} suspended"
    assert named["source"] == SHENZHEN  # who: the Shenzhen bureau
    assert named["effective_on"] == "2026-06-20"
    assert named["recorded_at"] > first["document"]["issued_at"]  # when
    assert_still_verifiable(scene.client, scene.make, first)


def _hukou_declaration(client: TestClient, scene: Scene) -> int:
    r = client.get(
        f"/v1/talents/{scene.talent.id}/declarations", headers=scene.make.firm_user(scene.firm)
    )
    assert r.status_code == 200, r.text
    (hukou,) = [d for d in r.json()["items"] if d["fact"] == "hukou_city"]
    assert hukou["value"] == SHANTOU
    return int(hukou["id"])


@pytest.mark.parametrize("effective_on", ["2026-01-01", "2026-08-01"], ids=["before-D", "after-D"])
def test_a_correction_of_the_hukou_names_itself_in_the_new_decision(
    scene: Scene, effective_on: str
) -> None:
    """The firm says its hukou statement was wrong: the hukou moved to Shenzhen (on a day before
    D, or after it). A correction replaces what it corrects on every date, so either way the
    answer about D changes, and the new decision says by which record."""
    client, make = scene.client, scene.make
    first = scene.all_decisions()[(SHENZHEN, "hukou")]
    assert first["document"]["facts"]["hukou_in_city"] is False
    original = _hukou_declaration(client, scene)

    r = client.post(
        f"/v1/talents/{scene.talent.id}/declarations",
        json={
            "fact": "hukou_city",
            "value": SHENZHEN,
            "effective_on": effective_on,
            "corrects_id": original,
        },
        headers=make.firm_user(scene.firm),
    )
    assert r.status_code == 201, r.text
    correction = r.json()

    second = scene.all_decisions()[(SHENZHEN, "hukou")]
    assert about_the_day(second) != about_the_day(first)
    hukou = second["document"]["provenance"]["hukou_in_city"]
    if effective_on < D.isoformat():  # the correction holds on D
        assert second["document"]["facts"]["hukou_in_city"] is True
        assert hukou["declaration_id"] == correction["id"] and hukou["flagged"] is True
    else:  # nothing holds on D any more: the hukou on D is unknown
        assert second["document"]["facts"]["hukou_in_city"] is None
        assert hukou["rests_on"] == "none"
    (named,) = second["document"]["corrections"]
    assert named["kind"] == "declaration" and named["id"] == correction["id"]
    assert named["what"] == f"hukou_city = {SHENZHEN}"  # what changed
    assert named["source"] == "firm" and named["own_firm"] == scene.firm.id  # who
    assert named["recorded_at"] > first["document"]["issued_at"]  # when
    assert_still_verifiable(client, make, first)


@pytest.mark.parametrize("review", ["reject", "verify"])
def test_a_review_of_a_declaration_about_d_is_named_by_the_new_decision(
    scene: Scene, review: str
) -> None:
    """The bureau reviews the firm's hukou declaration (true since before the records) after a
    decision as of D: a rejection takes it out of every reading; a verification brings it into
    a reading of verified facts only. Either moves the answer about D, so it is named."""
    client, make = scene.client, scene.make
    if review == "verify":
        accept_verified_only(client, make, SHENZHEN, "hukou", ("hukou_city",))
    first = scene.all_decisions()[(SHENZHEN, "hukou")]
    original = _hukou_declaration(client, scene)

    body = {"reason": "与户籍系统不符"} if review == "reject" else {"evidence": "户口簿原件核验"}
    r = client.post(f"/v1/declarations/{original}/{review}", json=body, headers=scene.site.bureau)
    assert r.status_code == 200, r.text

    second = scene.all_decisions()[(SHENZHEN, "hukou")]
    assert about_the_day(second) != about_the_day(first)
    assert first["document"]["facts"]["hukou_in_city"] is (None if review == "verify" else False)
    assert second["document"]["facts"]["hukou_in_city"] is (None if review == "reject" else False)
    (named,) = second["document"]["corrections"]
    assert named["kind"] == "review" and named["id"] == original
    assert named["what"] == f"hukou_city = {SHANTOU} {review}ed".replace("verifyed", "verified")
    assert named["source"] == "user:900002"  # who reviewed: the Shenzhen officer
    assert named["recorded_at"] > first["document"]["issued_at"]  # when
    assert_still_verifiable(client, make, first)
