"""Issue 12 item 6, children's education from the callers' side: a firm records the talent's
child, a school-admission system (a machine client of Shenzhen with ``education:supply``) checks
and verifies the parent with the stage it admits the child to, the default education policy
accepts that supplied fact and refuses a supplied district, and an undetermined decision names
what the caller could supply.

The talent works at the firm's accredited Shenzhen center on a key post since 2022; today is
2026-09-15 (``conftest``); the child was born on 2019-03-01 (7 years old) and applies to a school
in Nanshan (440305), Shenzhen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from talent_service.auth.principal import (
    SCOPE_EDUCATION_SUPPLY,
    SCOPE_ELIGIBILITY_CHECK,
    SCOPE_ELIGIBILITY_VERIFY,
    SCOPE_REGISTRY_READ,
)
from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Decision, Firm, SuppliedFact, Talent
from tests.factories import SHANTOU, SHENZHEN, Factory
from tests.scenarios.conftest import TODAY

CHECKS = "/v1/eligibility/checks"
VERIFY = "/v1/eligibility/verify"
SCHOOL_SCOPES = (
    SCOPE_REGISTRY_READ,
    SCOPE_ELIGIBILITY_CHECK,
    SCOPE_ELIGIBILITY_VERIFY,
    SCOPE_EDUCATION_SUPPLY,
)
PRIMARY = {"child_school_stage": "primary"}


@dataclass
class Family:
    client: TestClient
    session: Session
    make: Factory
    firm: Firm
    talent: Talent
    number: str
    child_id: int
    school: dict[str, str]
    bureau: dict[str, str]

    def check(self, headers: dict[str, str] | None = None, **body: Any) -> Any:
        payload = {
            "talent_id": self.talent.id,
            "benefit": "education",
            "city_code": SHENZHEN,
            "as_of": TODAY.isoformat(),
        } | body
        return self.client.post(CHECKS, json=payload, headers=headers or self.school)

    def document(self, headers: dict[str, str] | None = None, **body: Any) -> dict[str, Any]:
        r = self.check(headers, **body)
        assert r.status_code == 201, r.text
        (decision,) = r.json()["decisions"]
        return dict(decision["document"])

    def verify(self, headers: dict[str, str] | None = None, **body: Any) -> Any:
        payload = {
            "id_number": self.number,
            "benefit": "education",
            "city_code": SHENZHEN,
            "as_of": TODAY.isoformat(),
        } | body
        return self.client.post(VERIFY, json=payload, headers=headers or self.school)

    def counts(self) -> tuple[int, int]:
        decisions = self.session.exec(select(func.count()).select_from(Decision)).one()
        supplied = self.session.exec(select(func.count()).select_from(SuppliedFact)).one()
        return decisions, supplied


def record_child(client: TestClient, headers: dict[str, str], talent: Talent, **kw: Any) -> Any:
    body = {
        "relation": "child",
        "birth_date": "2019-03-01",
        "district_code": "440305",
        "effective_on": "2025-09-01",
    } | kw
    r = client.post(f"/v1/talents/{talent.id}/household", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def family(client: TestClient, session: Session, make: Factory) -> Family:
    load_default_policies(session)
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2018, 1, 1))
    number = make.resident_id()
    talent = make.talent(firm, number=number)
    make.employment(talent, firm, center, hired_on=date(2022, 3, 1), key_post=True)
    child = record_child(client, make.firm_user(firm), talent)
    return Family(
        client,
        session,
        make,
        firm,
        talent,
        number,
        child["id"],
        make.client(*SCHOOL_SCOPES, city=SHENZHEN),
        make.bureau(SHENZHEN),
    )


def test_without_the_child_the_education_decision_is_undetermined_and_says_so(
    family: Family,
) -> None:
    doc = family.document(family.bureau)
    assert doc["outcome"] == "undetermined"
    assert doc["needs_household_member"] is True
    assert {"child_age_years", "child_school_stage"} <= set(doc["missing_facts"])
    assert doc["suppliable_facts"] == ["child_school_stage"]


def test_the_recorded_child_without_a_stage_names_the_stage_as_suppliable(
    family: Family,
) -> None:
    doc = family.document(family.bureau, household_member_id=family.child_id)
    assert doc["outcome"] == "undetermined"
    assert doc["needs_household_member"] is False
    assert doc["missing_facts"] == ["child_school_stage"]
    assert doc["suppliable_facts"] == ["child_school_stage"]
    # The child's age is withheld from every reader (a minor's birth date), its criterion kept;
    # the record's date reads 1 January of its year.
    assert doc["facts"]["child_age_years"] is None
    assert "child_age_years" in doc["withheld_facts"]
    assert doc["facts"]["child_district_in_city"] is True
    assert doc["provenance"]["child_age_years"]["rests_on"] == "household record"
    assert doc["provenance"]["child_age_years"]["household_member_id"] == family.child_id
    assert doc["provenance"]["child_age_years"]["effective_on"] == "2025-01-01"
    whole = family.client.get(
        f"/v1/eligibility/decisions/{doc['decision_id']}/document", headers=family.bureau
    )
    assert whole.status_code == 200, whole.text
    assert whole.json()["document"]["facts"]["child_age_years"] == 7
    assert whole.json()["document"]["provenance"]["child_age_years"]["effective_on"] == (
        "2025-09-01"
    )
    r = family.verify(household_member_id=family.child_id)
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "undetermined"
    assert r.json()["suppliable_facts"] == ["child_school_stage"]


def test_a_school_clients_supplied_stage_decides_and_is_recorded_with_its_source(
    family: Family,
) -> None:
    doc = family.document(household_member_id=family.child_id, supplied_facts=PRIMARY)
    assert doc["outcome"] == "eligible", doc["failed_criteria"]
    assert doc["facts"]["child_school_stage"] == "primary"
    assert doc["supplied_facts"] == [
        {"fact": "child_school_stage", "value": "primary", "accepted": True}
    ]
    assert doc["provenance"]["child_school_stage"] == {
        "rests_on": "supplied",
        "supplied_by": "client:test",
        "own_firm": None,
    }
    stage = next(c for c in _nodes(doc["explanation"]) if c.get("fact") == "child_school_stage")
    assert stage["rests_on_en"] == "rests on: supplied by client client:test in this request"
    assert "对接系统 client:test" in stage["rests_on_zh"]
    (row,) = family.session.exec(select(SuppliedFact)).all()
    assert (row.decision_id, row.fact, row.value, row.accepted, row.supplied_by) == (
        doc["decision_id"],
        "child_school_stage",
        "primary",
        True,
        "client:test",
    )
    assert row.household_member_id == family.child_id


def test_a_supplied_fact_the_policy_does_not_accept_is_refused_and_not_read(
    family: Family, client: TestClient
) -> None:
    # The child applies in Guangzhou; the school says "in Shenzhen", which the default
    # education policy does not accept from a caller: the household record decides.
    elsewhere = record_child(
        client,
        family.make.firm_user(family.firm),
        family.talent,
        district_code="440106",
        effective_on="2026-01-10",
        replaces_id=family.child_id,
    )
    supplied = PRIMARY | {"child_district_in_city": True}
    doc = family.document(household_member_id=family.child_id, supplied_facts=supplied)
    assert doc["outcome"] == "ineligible"
    assert doc["facts"]["child_district_in_city"] is False
    assert doc["provenance"]["child_district_in_city"]["household_member_id"] == elsewhere["id"]
    assert doc["supplied_facts"] == [
        {"fact": "child_district_in_city", "value": True, "accepted": False},
        {"fact": "child_school_stage", "value": "primary", "accepted": True},
    ]
    refused = family.session.exec(
        select(SuppliedFact).where(col(SuppliedFact.accepted).is_(False))
    ).one()
    assert (refused.fact, refused.decision_id) == ("child_district_in_city", doc["decision_id"])
    # The same asker, the same answer: verify returns the decision the check stored.
    r = family.verify(household_member_id=family.child_id, supplied_facts=supplied)
    assert r.status_code == 200, r.text
    assert r.json()["decision_id"] == doc["decision_id"]
    assert r.json()["outcome"] == "ineligible"
    assert r.json()["refused_supplied_facts"] == ["child_district_in_city"]


def test_a_check_as_of_before_the_change_reads_the_earlier_record(
    family: Family, client: TestClient
) -> None:
    record_child(
        client,
        family.make.firm_user(family.firm),
        family.talent,
        district_code="440106",
        effective_on="2026-01-10",
        replaces_id=family.child_id,
    )
    before = family.document(
        household_member_id=family.child_id, supplied_facts=PRIMARY, as_of="2025-12-31"
    )
    assert before["facts"]["child_district_in_city"] is True
    assert before["provenance"]["child_district_in_city"]["household_member_id"] == (
        family.child_id
    )


def test_callers_without_the_supply_scope_are_refused_and_nothing_is_stored(
    family: Family,
) -> None:
    before = family.counts()
    reader = family.make.client(SCOPE_ELIGIBILITY_CHECK, SCOPE_ELIGIBILITY_VERIFY, city=SHENZHEN)
    body = {"household_member_id": family.child_id, "supplied_facts": PRIMARY}
    for headers in (reader, family.bureau, family.make.province()):
        r = family.check(headers, **body)
        assert r.status_code == 403, r.text
        assert "body.supplied_facts" in r.json()["detail"]
    assert family.verify(reader, **body).status_code == 403
    assert family.counts() == before


@pytest.mark.parametrize(
    ("supplied", "field"),
    [
        ({"hukou_city": SHENZHEN}, "body.supplied_facts.hukou_city"),  # the talent's: never
        ({"child_age_years": 6}, "body.supplied_facts.child_age_years"),  # from the record only
        ({"child_school_stage": "university"}, "body.supplied_facts.child_school_stage"),
        ({"child_school_stage": 3}, "body.supplied_facts.child_school_stage"),
        ({"child_district_in_city": "yes"}, "body.supplied_facts.child_district_in_city"),
        ({"no_such_fact": 1}, "body.supplied_facts.no_such_fact"),
    ],
)
def test_supplied_facts_that_are_not_suppliable_or_ill_typed_are_refused(
    family: Family, supplied: dict[str, Any], field: str
) -> None:
    before = family.counts()
    r = family.check(household_member_id=family.child_id, supplied_facts=supplied)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert family.counts() == before


def test_supplied_facts_need_the_child_they_are_about(family: Family) -> None:
    before = family.counts()
    r = family.check(supplied_facts=PRIMARY)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.household_member_id"
    assert family.counts() == before


def test_a_child_another_firm_recorded_is_not_the_firms_to_name(
    family: Family, client: TestClient
) -> None:
    theirs = record_child(client, family.make.bureau(SHANTOU), family.talent)
    before = family.counts()
    r = family.check(family.make.firm_user(family.firm), household_member_id=theirs["id"])
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.household_member_id"
    assert family.counts() == before
    # Its own record: the firm sees the values that rest on it, but not the child's age, which
    # no reader of a decision sees (a minor's birth date), and the criterion's result.
    own = family.document(family.make.firm_user(family.firm), household_member_id=family.child_id)
    assert own["facts"]["child_district_in_city"] is True
    assert own["facts"]["child_age_years"] is None
    assert own["withheld_facts"] == ["child_age_years"]


def test_a_client_of_another_city_is_refused(family: Family) -> None:
    guangzhou = family.make.client(*SCHOOL_SCOPES, city="440100")
    before = family.counts()
    body = {"household_member_id": family.child_id, "supplied_facts": PRIMARY}
    assert family.verify(guangzhou, **body).status_code == 403
    assert family.check(guangzhou, **body).status_code == 404  # the talent is not its city's
    assert family.counts() == before


def test_polling_with_the_same_supplied_fact_keeps_one_decision_and_one_supplied_row(
    family: Family,
) -> None:
    body = {"household_member_id": family.child_id, "supplied_facts": PRIMARY}
    first = family.verify(**body).json()
    before = family.counts()
    for _ in range(5):
        again = family.verify(**body)
        assert again.json()["reused"] is True
        assert again.json()["decision_id"] == first["decision_id"]
    assert family.counts() == before
    other = family.verify(
        household_member_id=family.child_id, supplied_facts={"child_school_stage": "kindergarten"}
    ).json()
    assert other["decision_id"] != first["decision_id"] and other["outcome"] == "ineligible"


def test_a_child_too_young_today_is_forecast_eligible_on_the_sixth_birthday(
    family: Family, client: TestClient
) -> None:
    young = record_child(
        client,
        family.make.firm_user(family.firm),
        family.talent,
        birth_date="2021-03-01",
        effective_on="2021-03-01",
    )
    doc = family.document(household_member_id=young["id"], supplied_facts=PRIMARY)
    assert doc["outcome"] == "ineligible" and doc["facts"]["child_age_years"] is None
    assert doc["forecast"]["kind"] == "becomes_eligible"
    # The sixth birthday would tell the birth date: the reader gets its year.
    assert doc["forecast"]["change_on"] is None and doc["forecast"]["change_year"] == 2027
    assert doc["forecast"]["dates_withheld"] is True
    # Neither the birthday nor the date of a record "since birth", in the explanation either.
    assert "2021-03-01" not in str(doc) and "2027-03-01" not in str(doc)
    assert doc["provenance"]["child_age_years"]["effective_on"] == "2021-01-01"
    whole = family.client.get(
        f"/v1/eligibility/decisions/{doc['decision_id']}/document", headers=family.bureau
    )
    assert whole.json()["document"]["forecast"]["change_on"] == "2027-03-01"


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for child in node.get("children", []):
        out += _nodes(child)
    return out


def test_a_check_of_every_benefit_keeps_the_supplied_fact_with_the_decisions_that_read_it(
    family: Family,
) -> None:
    r = family.check(
        benefit=None, city_code=None, household_member_id=family.child_id, supplied_facts=PRIMARY
    )
    assert r.status_code == 201, r.text
    docs = [d["document"] for d in r.json()["decisions"]]
    assert len(docs) == 8  # four benefits on each side
    education = [d for d in docs if d["policy"]["benefit"] == "education"]
    assert len(education) == 2
    for doc in docs:
        expected = [{"fact": "child_school_stage", "value": "primary", "accepted": True}]
        assert doc["supplied_facts"] == (expected if doc in education else [])
    rows = family.session.exec(select(SuppliedFact)).all()
    assert sorted(r.decision_id for r in rows) == sorted(d["decision_id"] for d in education)
