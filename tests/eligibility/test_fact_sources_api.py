"""A policy version states, per declared fact, which declarations its decisions may rest on:
set and read through the API, refused when malformed, and applied by the checks."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import PolicyVersion, Talent
from talent_service.reference.enums import DeclaredFact, Education
from tests.access.world import assert_problem
from tests.eligibility.test_policy_api import (
    _compare,
    _create_policy,
    _decision,
    _parameter,
    _publish,
    _version_body,
)
from tests.factories import SHANTOU, SHENZHEN, Factory


@pytest.fixture
def province(make: Factory) -> dict[str, str]:
    return make.province()


@pytest.fixture
def talent(make: Factory) -> Talent:
    """35 in mid-2025, at an accredited Shenzhen center; a master's declared by the firm."""
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2020, 1, 1))
    person = make.talent(firm, education=Education.master, birth_date=date(1990, 5, 17))
    make.employment(person, firm, center, hired_on=date(2023, 1, 10))
    return person


def _education_rule() -> dict[str, Any]:
    return {
        "id": "root",
        "kind": "all",
        "label_zh": "条件",
        "label_en": "conditions",
        "children": [
            _compare("age", "age_years", "le", {"param": "max_age"}),
            _compare("degree", "education_rank", "ge", {"value": 2}),  # a master's,
        ],
    }


def _published(
    client: TestClient, headers: dict[str, str], fact_sources: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    policy_id = _create_policy(client, headers)
    body = _version_body(rule=_education_rule(), fact_sources=fact_sources)
    r = client.post(f"/v1/policies/{policy_id}/versions", json=body, headers=headers)
    assert r.status_code == 201, r.text
    draft = r.json()
    _parameter(client, policy_id, headers, name="max_age", value=40, effective_from="2024-01-01")
    assert _publish(client, policy_id, draft["version"], headers).status_code == 200
    return policy_id, draft


def test_a_version_keeps_the_sources_it_accepts_per_fact(
    client: TestClient, province: dict[str, str]
) -> None:
    policy_id, draft = _published(client, province, {"education": "verified"})
    assert draft["fact_sources"] == {"education": "verified"}
    r = client.get(f"/v1/policies/{policy_id}/versions/{draft['version']}", headers=province)
    assert r.status_code == 200 and r.json()["fact_sources"] == {"education": "verified"}


def test_only_verified_education_counts_where_the_version_says_so(
    client: TestClient, province: dict[str, str], talent: Talent, make: Factory
) -> None:
    # The firm's registration declared a master's degree, nobody has verified it.
    _published(client, province, {"education": "verified"})
    unverified = _decision(client, talent, "2025-06-30", province)
    assert unverified["outcome"] == "undetermined"
    assert unverified["document"]["missing_facts"] == ["education_rank"]
    assert unverified["document"]["fact_sources"]["education"] == ["verified"]

    make.declaration(
        talent, DeclaredFact.education, Education.master.value, verified_by="sz-bureau-officer"
    )
    verified = _decision(client, talent, "2025-06-30", province)
    assert verified["outcome"] == "eligible"
    assert verified["document"]["facts"]["education_rank"] == 2
    assert verified["document"]["provenance"]["education_rank"]["verification"] == "verified"


def test_declared_education_counts_where_the_version_accepts_it(
    client: TestClient, province: dict[str, str], talent: Talent
) -> None:
    _published(client, province, {"education": "declared"})
    decision = _decision(client, talent, "2025-06-30", province)
    assert decision["outcome"] == "eligible"
    assert decision["document"]["fact_sources"]["education"] == ["declared", "verified"]
    assert decision["document"]["provenance"]["education_rank"]["flagged"] is True


def test_an_unknown_fact_or_source_is_refused_and_no_version_is_written(
    client: TestClient, province: dict[str, str], session: Session
) -> None:
    policy_id = _create_policy(client, province)
    for sources, field in (
        ({"salary": "verified"}, "body.fact_sources.salary"),
        ({"education": "anyone"}, "body.fact_sources.education"),
    ):
        body = _version_body(fact_sources=sources)
        r = client.post(f"/v1/policies/{policy_id}/versions", json=body, headers=province)
        assert_problem(r, 422)
        assert any(e["field"].startswith(field) for e in r.json()["errors"]), r.json()
    stored = session.exec(select(PolicyVersion).where(PolicyVersion.policy_id == policy_id)).all()
    assert stored == []


def test_a_draft_changes_its_sources_and_the_published_one_cannot(
    client: TestClient, province: dict[str, str]
) -> None:
    policy_id, draft = _published(client, province, {})
    number = draft["version"]
    r = client.patch(
        f"/v1/policies/{policy_id}/versions/{number}",
        json={"fact_sources": {"hukou_city": "verified"}},
        headers=province,
    )
    assert r.status_code == 409, r.text  # published: never edited
    body = _version_body(effective_from="2026-01-01")
    r = client.post(f"/v1/policies/{policy_id}/versions", json=body, headers=province)
    assert r.status_code == 201 and r.json()["fact_sources"] == {}
    r = client.patch(
        f"/v1/policies/{policy_id}/versions/{r.json()['version']}",
        json={"fact_sources": {"hukou_city": "verified"}},
        headers=province,
    )
    assert r.status_code == 200, r.text
    assert r.json()["fact_sources"] == {"hukou_city": "verified"}


def test_the_illustrative_pack_names_every_declared_fact(session: Session) -> None:
    load_default_policies(session, published_by="test")
    versions = session.exec(select(PolicyVersion)).all()
    assert len(versions) > 1
    for version in versions:
        assert version.fact_sources == {f.value: "declared" for f in DeclaredFact}


def test_a_draft_that_only_requires_verified_facts_is_simulated_on_them(
    client: TestClient, province: dict[str, str], talent: Talent
) -> None:
    policy_id, _ = _published(client, province, {"education": "declared"})
    body = _version_body(
        rule=_education_rule(), fact_sources={"education": "verified"}, effective_from="2026-01-01"
    )
    r = client.post(f"/v1/policies/{policy_id}/versions", json=body, headers=province)
    assert r.status_code == 201, r.text
    r = client.post(
        f"/v1/policies/{policy_id}/simulate",
        json={"as_of": "2025-06-30", "draft": {"version": r.json()["version"]}},
        headers=province,
    )
    assert r.status_code == 200, r.text
    result = r.json()
    # The talent's master's is only declared: eligible now, undetermined under the draft.
    assert result["before"]["counts"]["eligible"] == 1
    assert result["after"]["counts"]["undetermined"] == 1
    assert result["transitions"]["eligible->undetermined"] == 1
