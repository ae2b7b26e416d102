"""A policy version says which supplied facts it accepts: set, read and refused through the API,
and applied to a school client's check (a version that accepts none refuses the stage)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from talent_service.auth.principal import SCOPE_EDUCATION_SUPPLY, SCOPE_ELIGIBILITY_CHECK
from talent_service.models import PolicyVersion, SuppliedFact, Talent
from tests.access.world import assert_problem
from tests.eligibility.test_policy_api import (
    _compare,
    _create_policy,
    _parameter,
    _publish,
    _version_body,
)
from tests.factories import SHANTOU, SHENZHEN, Factory

STAGE_RULE = {
    "id": "root",
    "kind": "all",
    "label_zh": "条件",
    "label_en": "conditions",
    "children": [
        _compare("age", "age_years", "le", {"param": "max_age"}),
        _compare("stage", "child_school_stage", "eq", {"value": "primary"}),
    ],
}


@pytest.fixture
def province(make: Factory) -> dict[str, str]:
    return make.province()


@pytest.fixture
def talent(make: Factory) -> Talent:
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2020, 1, 1))
    person = make.talent(firm, birth_date=date(1990, 5, 17))
    make.employment(person, firm, center, hired_on=date(2023, 1, 10))
    return person


def _published(client: TestClient, headers: dict[str, str], accepts: list[str]) -> dict[str, Any]:
    policy_id = _create_policy(client, headers)
    body = _version_body(rule=STAGE_RULE, accepts_supplied=accepts)
    r = client.post(f"/v1/policies/{policy_id}/versions", json=body, headers=headers)
    assert r.status_code == 201, r.text
    _parameter(client, policy_id, headers, name="max_age", value=40, effective_from="2024-01-01")
    assert _publish(client, policy_id, r.json()["version"], headers).status_code == 200
    return dict(r.json())


def _child(client: TestClient, make: Factory, talent: Talent) -> int:
    body = {"relation": "child", "birth_date": "2019-03-01", "effective_on": "2019-03-01"}
    r = client.post(f"/v1/talents/{talent.id}/household", json=body, headers=make.province())
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _school_check(client: TestClient, make: Factory, talent: Talent, child: int) -> Any:
    school = make.client(SCOPE_ELIGIBILITY_CHECK, SCOPE_EDUCATION_SUPPLY, city=SHENZHEN)
    r = client.post(
        "/v1/eligibility/checks",
        json={
            "talent_id": talent.id,
            "city_code": SHENZHEN,
            "benefit": "hukou",
            "as_of": "2025-06-30",
            "household_member_id": child,
            "supplied_facts": {"child_school_stage": "primary"},
        },
        headers=school,
    )
    assert r.status_code == 201, r.text
    (decision,) = r.json()["decisions"]
    return decision["document"]


def test_a_version_keeps_the_supplied_facts_it_accepts(
    client: TestClient, province: dict[str, str]
) -> None:
    draft = _published(client, province, ["child_school_stage"])
    assert draft["accepts_supplied"] == ["child_school_stage"]
    r = client.get(
        f"/v1/policies/{draft['policy_id']}/versions/{draft['version']}", headers=province
    )
    assert r.json()["accepts_supplied"] == ["child_school_stage"]


def test_a_version_that_accepts_it_reads_the_supplied_stage(
    client: TestClient, province: dict[str, str], make: Factory, talent: Talent
) -> None:
    _published(client, province, ["child_school_stage"])
    doc = _school_check(client, make, talent, _child(client, make, talent))
    assert doc["outcome"] == "eligible"
    assert doc["policy"]["accepts_supplied"] == ["child_school_stage"]
    assert doc["provenance"]["child_school_stage"]["rests_on"] == "supplied"


def test_a_version_that_accepts_none_refuses_the_supplied_stage(
    client: TestClient, province: dict[str, str], make: Factory, talent: Talent, session: Session
) -> None:
    _published(client, province, [])
    doc = _school_check(client, make, talent, _child(client, make, talent))
    assert doc["outcome"] == "undetermined"
    assert doc["missing_facts"] == ["child_school_stage"]
    assert doc["suppliable_facts"] == []  # nothing the caller could supply helps here
    assert doc["supplied_facts"] == [
        {"fact": "child_school_stage", "value": "primary", "accepted": False}
    ]
    (row,) = session.exec(select(SuppliedFact)).all()
    assert row.accepted is False and row.supplied_by == "client:test"


@pytest.mark.parametrize(
    ("accepts", "field"),
    [
        (["hukou_city"], "body.accepts_supplied.0"),  # a fact about the talent: never
        (["child_age_years"], "body.accepts_supplied.0"),
        (["nothing"], "body.accepts_supplied.0"),
        ("child_school_stage", "body.accepts_supplied"),
    ],
)
def test_an_unsuppliable_fact_is_refused_and_no_version_is_written(
    client: TestClient, province: dict[str, str], session: Session, accepts: Any, field: str
) -> None:
    policy_id = _create_policy(client, province)
    body = _version_body(accepts_supplied=accepts)
    r = client.post(f"/v1/policies/{policy_id}/versions", json=body, headers=province)
    assert_problem(r, 422)
    assert field in {e["field"] for e in r.json()["errors"]}, r.json()
    stored = session.exec(select(PolicyVersion).where(PolicyVersion.policy_id == policy_id)).all()
    assert stored == []


def test_a_draft_changes_what_it_accepts(client: TestClient, province: dict[str, str]) -> None:
    policy_id = _create_policy(client, province)
    r = client.post(f"/v1/policies/{policy_id}/versions", json=_version_body(), headers=province)
    assert r.json()["accepts_supplied"] == []
    r = client.patch(
        f"/v1/policies/{policy_id}/versions/{r.json()['version']}",
        json={"accepts_supplied": ["child_district_in_city", "child_school_stage"]},
        headers=province,
    )
    assert r.status_code == 200, r.text
    assert r.json()["accepts_supplied"] == ["child_district_in_city", "child_school_stage"]
