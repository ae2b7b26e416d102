"""Issue 10, provenance, from the caller's side: each criterion of a decision says which source
its facts rest on, and a fact resting on a declaration nobody verified is flagged.

The person is registered by a Shantou firm through the API (education, title and hukou declared
by the firm, not verified) and works at the firm's Shenzhen center, accredited by the Shenzhen
bureau since it opened; the firm holds a provincial certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Center, Employment, Firm, Talent
from tests.eligibility.test_checks_flow import nodes
from tests.factories import MEIZHOU, SHANTOU, SHENZHEN, Factory
from tests.scenarios.conftest import TODAY
from tests.scenarios.policies import accept_verified_only
from tests.talents.conftest import A_PROFILE, B_CLAIM, register

CHECKS = "/v1/eligibility/checks"
# What each kind of record reads as, in English (the Chinese line is checked to be there too).
RESTS_ON = {
    "declaration": "declaration",
    "spells": "employment spells",
    "tier period": "tier certificate",
    "center status": "the status recorded by",
    "identity document": "the identity document",
    "current spell": "the current employment spell",
    # The education policies read facts about a child; none is named here (tests/scenarios/
    # test_children.py names one).
    "none": "no record",
}
DECLARED = {
    "education": "education",
    "education_rank": "education",
    "title_level": "title",
    "title_rank": "title",
    "hukou_city": "hukou_city",
    "hukou_in_city": "hukou_city",
}


@dataclass
class Person:
    client: TestClient
    make: Factory
    number: str
    talent_id: int
    firm_headers: dict[str, str]
    bureau: dict[str, str]

    def decisions(self, **body: Any) -> list[dict[str, Any]]:
        payload = {"talent_id": self.talent_id, "as_of": TODAY.isoformat()} | body
        r = self.client.post(CHECKS, json=payload, headers=self.bureau)
        assert r.status_code == 201, r.text
        return [d["document"] for d in r.json()["decisions"]]

    def host_hukou(self) -> dict[str, Any]:
        (doc,) = self.decisions(city_code=SHENZHEN, benefit="hukou")
        return doc

    def declaration(self, fact: str) -> dict[str, Any]:
        r = self.client.get(f"/v1/talents/{self.talent_id}/declarations", headers=self.bureau)
        assert r.status_code == 200, r.text
        (found,) = [d for d in r.json()["items"] if d["fact"] == fact]
        return dict(found)


@pytest.fixture
def subject(client: TestClient, session: Session, make: Factory) -> Person:
    load_default_policies(session)
    firm = make.firm(SHANTOU, tier_certificate_no="GD-ZJTX-2024-0007")
    center = make.center(firm, SHENZHEN, opened_on=date(2021, 1, 1))
    headers = make.firm_user(firm)
    number = make.resident_id(date(1990, 5, 17))
    dated = {"education_awarded_on": "2015-07-01", "hukou_since": "2015-09-01"}
    r = register(client, headers, number, A_PROFILE, **dated)
    assert r.status_code == 201, r.text
    talent = session.get(Talent, r.json()["id"])
    assert talent is not None and talent.id is not None
    make.employment(talent, firm, center, hired_on=date(2023, 1, 10), key_post=True)
    return Person(client, make, number, talent.id, headers, make.bureau(SHENZHEN))


def criteria(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in nodes(doc["explanation"]) if n.get("fact")]


def test_each_criterion_says_which_source_its_facts_rest_on(subject: Person) -> None:
    documents = subject.decisions()
    assert {d["policy"]["city_code"] for d in documents} == {SHENZHEN, SHANTOU}
    seen: set[str] = set()
    for doc in documents:
        assert criteria(doc), doc["policy"]
        for node in criteria(doc):
            where = (doc["policy"]["city_code"], doc["policy"]["benefit"], node["id"])
            prov = doc["provenance"][node["fact"]]
            kind = prov["rests_on"]
            seen.add(kind)
            assert node["rests_on_zh"].startswith("依据："), where
            assert node["rests_on_en"].startswith("rests on: "), where
            assert RESTS_ON[kind] in node["rests_on_en"], (where, node["rests_on_en"])
            if kind == "declaration":
                assert prov["source"] == "firm" and prov["verification"] == "declared", where
                declared = subject.declaration(DECLARED[node["fact"]])
                assert prov["declaration_id"] == declared["id"], where
                assert "not verified (flagged)" in node["rests_on_en"], where
            elif kind == "tier period":
                assert "GD-ZJTX-2024-0007" in node["rests_on_en"], where
                assert prov["approved_by"] == "user:900001", where
            elif kind == "center status":
                assert prov["authority"] == SHENZHEN and prov["status"] == "accredited", where
                assert "2021-01-01" in node["rests_on_en"], where
            elif kind == "spells":
                assert prov["firm_ids"], where
    # The default policies read all of these kinds of record.
    assert seen == set(RESTS_ON)


def test_a_declared_fact_a_policy_accepts_unverified_is_flagged_until_a_bureau_verifies_it(
    subject: Person,
) -> None:
    doc = subject.host_hukou()
    # The default pack names every declared fact and accepts declared ones, flagged.
    assert doc["fact_sources"] == {
        fact: ["declared", "verified"] for fact in ("education", "hukou_city", "title")
    }
    prov = doc["provenance"]["hukou_in_city"]
    assert (prov["verification"], prov["flagged"]) == ("declared", True)
    (node,) = [n for n in criteria(doc) if n["fact"] == "hukou_in_city"]
    assert node["rests_on_en"] == "rests on: a firm's declaration, not verified (flagged)"
    assert "尚未核验（已标注）" in node["rests_on_zh"]

    hukou = subject.declaration("hukou_city")
    r = subject.client.post(
        f"/v1/declarations/{hukou['id']}/verify",
        json={"evidence": "户口簿原件核验"},
        headers=subject.bureau,
    )
    assert r.status_code == 200, r.text

    doc = subject.host_hukou()
    prov = doc["provenance"]["hukou_in_city"]
    assert (prov["verification"], prov["flagged"]) == ("verified", False)
    (node,) = [n for n in criteria(doc) if n["fact"] == "hukou_in_city"]
    assert node["rests_on_en"] == "rests on: a firm's declaration, verified"
    # The education the same decision reads is still only declared: still flagged.
    assert doc["provenance"]["education"]["flagged"] is True


def test_a_policy_accepting_verified_facts_only_does_not_read_an_unverified_one(
    subject: Person,
) -> None:
    accept_verified_only(subject.client, subject.make, SHENZHEN, "hukou", ("hukou_city",))

    doc = subject.host_hukou()
    assert doc["fact_sources"] == {"hukou_city": ["verified"]}
    assert doc["outcome"] == "undetermined" and doc["missing_facts"] == ["hukou_in_city"]
    assert doc["provenance"]["hukou_in_city"]["rests_on"] == "none"
    (node,) = [n for n in criteria(doc) if n["fact"] == "hukou_in_city"]
    assert node["rests_on_en"] == "rests on: no record"


def test_a_second_firms_claim_a_policy_accepts_unverified_is_flagged_as_that_firms(
    subject: Person,
) -> None:
    """Under the default pack (declared facts accepted), a second firm's more recent hukou
    claim is what the bureau's decision reads: the decision says so and flags it."""
    second = subject.make.firm(MEIZHOU)
    r = register(subject.client, subject.make.firm_user(second), subject.number, B_CLAIM)
    assert r.status_code == 201, r.text
    doc = subject.host_hukou()
    prov = doc["provenance"]["hukou_in_city"]
    assert prov["own_firm"] == second.id and prov["flagged"] is True
    assert doc["facts"]["hukou_in_city"] is True and doc["outcome"] == "ineligible"


def _months_node(doc: dict[str, Any]) -> dict[str, Any]:
    (node,) = [n for n in criteria(doc) if n["fact"] == "months_at_accredited_center"]
    return node


def test_a_month_count_lists_the_spells_and_stretches_that_make_it_up(
    subject: Person, session: Session
) -> None:
    """The evidence of "N months": each piece counted, with its dates, and the continuous
    stretches it merges into, whose whole months add up to N. The firm whose spells they all
    are sees them; a bureau does too."""
    talent = session.get(Talent, subject.talent_id)
    assert talent is not None
    (spell,) = session.exec(select(Employment).where(Employment.talent_id == talent.id)).all()
    own, center = session.get(Firm, spell.firm_id), session.get(Center, spell.center_id)
    assert own is not None and center is not None
    # An earlier stint of the same firm's at the same center, then a gap.
    subject.make.employment(
        talent,
        own,
        center,
        hired_on=date(2021, 3, 1),
        departed_on=date(2022, 6, 30),
        departure_reason="resigned",
    )

    doc = subject.host_hukou()
    prov = doc["provenance"]["months_at_accredited_center"]
    assert [(p["from"], p["through"]) for p in prov["pieces"]] == [
        ("2021-03-01", "2022-06-30"),
        ("2023-01-10", TODAY.isoformat()),
    ]
    assert [p["months"] for p in prov["stretches"]] == [16, 44]
    assert (
        sum(p["months"] for p in prov["stretches"]) == doc["facts"]["months_at_accredited_center"]
    )
    node = _months_node(doc)
    assert "2021-03-01 to 2022-06-30, 16 months" in node["rests_on_en"]
    assert "2023-01-10 至 2026-09-15，44 个月" in node["rests_on_zh"]

    r = subject.client.post(
        CHECKS,
        json={
            "talent_id": subject.talent_id,
            "as_of": TODAY.isoformat(),
            "city_code": SHENZHEN,
            "benefit": "hukou",
        },
        headers=subject.firm_headers,
    )
    assert r.status_code == 201, r.text
    (seen,) = r.json()["decisions"]
    assert (
        seen["document"]["provenance"]["months_at_accredited_center"]["stretches"]
        == (prov["stretches"])
    )


def test_a_month_count_resting_on_another_firms_spells_shows_the_firm_no_dates(
    subject: Person, session: Session
) -> None:
    talent = session.get(Talent, subject.talent_id)
    assert talent is not None
    other = subject.make.firm(MEIZHOU)
    elsewhere = subject.make.center(other, SHENZHEN, opened_on=date(2019, 1, 1))
    subject.make.employment(
        talent,
        other,
        elsewhere,
        hired_on=date(2020, 2, 1),
        departed_on=date(2021, 1, 31),
        departure_reason="resigned",
    )
    bureau_view = subject.host_hukou()["provenance"]["months_at_accredited_center"]
    assert len(bureau_view["pieces"]) == 2 and bureau_view["stretches"][0]["months"] == 12

    r = subject.client.post(
        CHECKS,
        json={
            "talent_id": subject.talent_id,
            "as_of": TODAY.isoformat(),
            "city_code": SHENZHEN,
            "benefit": "hukou",
        },
        headers=subject.firm_headers,
    )
    assert r.status_code == 201, r.text
    (seen,) = r.json()["decisions"]
    assert seen["document"]["provenance"]["months_at_accredited_center"] == {"withheld": True}
    node = _months_node(seen["document"])
    assert "2020" not in node["rests_on_en"] + node["rests_on_zh"] + node["text_en"]
