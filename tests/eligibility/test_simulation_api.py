"""Simulating a draft over the population before publishing it: who changes, and who may see it."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import (
    Center,
    Firm,
    Policy,
    PolicyParameter,
    PolicyVersion,
    Talent,
)
from talent_service.reference.enums import DepartureReason, Education
from tests.access.world import assert_problem
from tests.factories import GUANGZHOU, SHANTOU, SHENZHEN, Factory

AS_OF = "2025-06-30"
RAISE = {"parameters": {"max_age_bachelor": 45}}


def _policy_id(session: Session, city: str) -> int:
    policy = session.exec(
        select(Policy).where(Policy.city_code == city, Policy.benefit == "hukou")
    ).one()
    assert policy.id is not None
    return policy.id


@pytest.fixture
def shenzhen_hukou(session: Session) -> int:
    load_default_policies(session)
    return _policy_id(session, SHENZHEN)


def _person(
    make: Factory,
    firm: Firm,
    center: Center,
    born: date,
    *,
    education: Education = Education.bachelor,
    hired: date = date(2022, 3, 1),
    hukou: str = SHANTOU,
) -> Talent:
    person = make.talent(firm, education=education, birth_date=born, hukou_city_code=hukou)
    make.employment(person, firm, center, hired_on=hired)
    return person


@pytest.fixture
def people(make: Factory, shenzhen_hukou: int) -> dict[str, Talent]:
    """Talent at a Shenzhen center; all but noted pass every criterion except perhaps age.

    Host hukou allows a bachelor's up to 40 (default); the draft raises it to 45.
    """
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN)
    return {
        "bachelor 30": _person(make, firm, center, date(1995, 1, 1)),
        "bachelor 40 on the day": _person(make, firm, center, date(1985, 6, 30)),
        "bachelor 40, 41 tomorrow": _person(make, firm, center, date(1984, 7, 1)),
        "bachelor 41 today": _person(make, firm, center, date(1984, 6, 30)),
        "bachelor 42": _person(make, firm, center, date(1983, 3, 1)),
        "bachelor 45 today": _person(make, firm, center, date(1980, 6, 30)),
        "bachelor 46": _person(make, firm, center, date(1979, 6, 30)),
        "master 42": _person(make, firm, center, date(1983, 3, 1), education=Education.master),
        "bachelor 42, 5 months": _person(
            make, firm, center, date(1983, 3, 1), hired=date(2025, 1, 20)
        ),
        "bachelor 42, Shenzhen hukou": _person(
            make, firm, center, date(1983, 3, 1), hukou=SHENZHEN
        ),
    }


BETWEEN_LIMITS = {"bachelor 41 today", "bachelor 42", "bachelor 45 today"}


def _simulate(
    client: TestClient, policy_id: int, headers: dict[str, str], draft: dict[str, Any], **kw: Any
) -> Any:
    body = {"as_of": AS_OF, "draft": draft} | kw
    return client.post(f"/v1/policies/{policy_id}/simulate", json=body, headers=headers)


def _simulated(
    client: TestClient, policy_id: int, headers: dict[str, str], draft: dict[str, Any], **kw: Any
) -> dict[str, Any]:
    r = _simulate(client, policy_id, headers, draft, **kw)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _outcomes(
    client: TestClient, people: dict[str, Talent], headers: dict[str, str]
) -> dict[int, str]:
    """Each person's outcome through the one-person check endpoint (the independent path)."""
    out = {}
    for person in people.values():
        r = client.post(
            "/v1/eligibility/checks",
            json={
                "talent_id": person.id,
                "benefit": "hukou",
                "city_code": SHENZHEN,
                "as_of": AS_OF,
            },
            headers=headers,
        )
        assert r.status_code == 201, r.text
        assert person.id is not None
        out[person.id] = r.json()["decisions"][0]["outcome"]
    return out


def _counts(outcomes: dict[int, str]) -> dict[str, int]:
    values = list(outcomes.values())
    return {k: values.count(k) for k in ("eligible", "ineligible", "undetermined")}


def test_raising_the_bachelor_age_limit_shows_exactly_who_becomes_eligible(
    client: TestClient, make: Factory, people: dict[str, Talent], shenzhen_hukou: int
) -> None:
    province = make.province()
    before = _outcomes(client, people, province)

    result = _simulated(client, shenzhen_hukou, province, RAISE)

    between = {people[name].id for name in BETWEEN_LIMITS}
    assert {c["talent_id"] for c in result["changes"]} == between
    assert all((c["before"], c["after"]) == ("ineligible", "eligible") for c in result["changes"])
    assert (result["newly_eligible"], result["no_longer_eligible"], result["changed"]) == (3, 0, 3)
    assert result["population"] == len(people)
    assert result["before"]["counts"] == _counts(before)
    assert result["before"]["counts"] == {"eligible": 4, "ineligible": 6, "undetermined": 0}
    assert result["after"]["counts"] == {"eligible": 7, "ineligible": 3, "undetermined": 0}
    assert result["before"]["parameters"]["max_age_bachelor"] == 40
    assert result["after"]["parameters"]["max_age_bachelor"] == 45
    assert (result["before"]["version"], result["after"]["version"]) == (1, 1)
    blocking_before = {b["id"]: b["count"] for b in result["before"]["blocking"]}
    blocking_after = {b["id"]: b["count"] for b in result["after"]["blocking"]}
    # Over 40 before: 41, 42, 45, 46, the 5-month one and the local-hukou one; over 45 after: 46.
    assert (blocking_before["age-bachelor"], blocking_after["age-bachelor"]) == (6, 1)
    assert blocking_before["hukou-not-local"] == blocking_after["hukou-not-local"] == 1
    assert blocking_after["months-at-center"] == 1
    assert result["transitions"]["ineligible->eligible"] == 3

    # Now really change the limit from that day: the check endpoint agrees with the simulation.
    r = client.post(
        f"/v1/policies/{shenzhen_hukou}/parameters",
        json={
            "name": "max_age_bachelor",
            "value": 45,
            "effective_from": AS_OF,
            "close_current": True,
        },
        headers=province,
    )
    assert r.status_code == 201, r.text
    after = _outcomes(client, people, province)
    assert {t for t in after if after[t] != before[t]} == between
    assert result["after"]["counts"] == _counts(after)


def test_a_stored_draft_version_and_an_inline_rule_simulate_alike(
    client: TestClient, make: Factory, people: dict[str, Talent], shenzhen_hukou: int
) -> None:
    province = make.province()
    current = client.get(f"/v1/policies/{shenzhen_hukou}/versions/1", headers=province).json()
    rule = current["rule"]
    bachelor = rule["children"][0]["children"][0]["children"][1]
    assert bachelor["id"] == "age-bachelor"
    bachelor["rhs"] = {"value": 45}  # the draft writes the new limit into the rule itself
    r = client.post(
        f"/v1/policies/{shenzhen_hukou}/versions",
        json={
            "rule": rule,
            "parameter_types": current["parameter_types"],
            "effective_from": "2026-01-01",
            "document_ref": "draft",
            "description_zh": "草案",
            "description_en": "draft",
        },
        headers=province,
    )
    assert r.status_code == 201, r.text
    draft_number = r.json()["version"]
    between = {people[name].id for name in BETWEEN_LIMITS}

    stored = _simulated(client, shenzhen_hukou, province, {"version": draft_number})
    assert stored["after"]["version"] == draft_number and stored["after"]["status"] == "draft"
    inline = _simulated(
        client,
        shenzhen_hukou,
        province,
        {"rule": rule, "parameter_types": current["parameter_types"]},
    )
    assert inline["after"]["version"] is None
    for result in (stored, inline):
        assert {c["talent_id"] for c in result["changes"]} == between
        assert "max_age_bachelor" not in result["after"]["parameters"]

    # Another city's bureau cannot reach the draft, as if it did not exist.
    other = _simulate(client, shenzhen_hukou, make.bureau(GUANGZHOU), {"version": draft_number})
    assert_problem(other, 404)


def test_changes_are_listed_up_to_the_limit(
    client: TestClient, make: Factory, people: dict[str, Talent], shenzhen_hukou: int
) -> None:
    result = _simulated(client, shenzhen_hukou, make.province(), RAISE, changes_limit=1)
    assert len(result["changes"]) == 1 and result["changed"] == 3
    assert result["changes_truncated"] is True


def test_a_shenzhen_bureau_simulation_never_includes_talent_it_cannot_see(
    client: TestClient, make: Factory, session: Session
) -> None:
    load_default_policies(session)
    guangzhou_hukou = _policy_id(session, GUANGZHOU)
    firm = make.firm(SHANTOU)
    shenzhen_center = make.center(firm, SHENZHEN)
    guangzhou_center = make.center(firm, GUANGZHOU)
    # Only ever in Guangzhou: nothing of this person touches Shenzhen.
    unseen = _person(make, firm, guangzhou_center, date(1983, 3, 1))
    # Worked at the Shenzhen center before moving to Guangzhou: Shenzhen's bureau sees them.
    moved = make.talent(firm, education=Education.bachelor, birth_date=date(1983, 3, 1))
    make.employment(
        moved,
        firm,
        shenzhen_center,
        hired_on=date(2019, 1, 1),
        departed_on=date(2021, 12, 31),
        departure_reason=DepartureReason.transferred,
    )
    make.employment(moved, firm, guangzhou_center, hired_on=date(2022, 3, 1))

    everyone = _simulated(client, guangzhou_hukou, make.province(), RAISE)
    assert {c["talent_id"] for c in everyone["changes"]} == {unseen.id, moved.id}
    hosts = _simulated(client, guangzhou_hukou, make.bureau(GUANGZHOU), RAISE)
    assert {c["talent_id"] for c in hosts["changes"]} == {unseen.id, moved.id}

    shenzhen = _simulated(client, guangzhou_hukou, make.bureau(SHENZHEN), RAISE)
    assert shenzhen["population"] == 1
    assert [c["talent_id"] for c in shenzhen["changes"]] == [moved.id]
    assert shenzhen["before"]["counts"]["ineligible"] == 1
    visible = client.get("/v1/talents", headers=make.bureau(SHENZHEN)).json()["items"]
    assert unseen.id not in {t["id"] for t in visible}


def test_simulation_refuses_bad_drafts_with_field_paths(
    client: TestClient, make: Factory, shenzhen_hukou: int
) -> None:
    province = make.province()
    leaf: dict[str, Any] = {
        "id": "x",
        "kind": "compare",
        "label_zh": "x",
        "label_en": "x",
        "fact": "__import__('os')",
        "op": "eq",
        "rhs": {"value": 1},
    }
    bad_rule: dict[str, Any] = {
        "id": "root",
        "kind": "all",
        "label_zh": "条件",
        "label_en": "conditions",
        "children": [leaf],
    }
    cases: dict[str, tuple[dict[str, Any], str]] = {
        "bad inline rule": ({"draft": {"rule": bad_rule}}, "body.draft.rule.children[0].fact"),
        "override nobody reads": (
            {"draft": {"parameters": {"max_salary": 1}}},
            "body.draft.parameters.max_salary",
        ),
        "override of the wrong type": (
            {"draft": {"parameters": {"max_age_bachelor": "__import__('os')"}}},
            "body.draft.parameters.max_age_bachelor",
        ),
        "override beyond float precision": (
            {"draft": {"parameters": {"max_age_bachelor": 10**400}}},
            "body.draft.parameters.max_age_bachelor",
        ),
        "inline rule missing a parameter value": (
            {
                "draft": {
                    "rule": {
                        **bad_rule,
                        "children": [
                            {
                                **leaf,
                                "fact": "age_years",
                                "op": "le",
                                "rhs": {"param": "new_limit"},
                            }
                        ],
                    },
                    "parameter_types": {"new_limit": {"type": "number"}},
                }
            },
            "body.draft.parameters.new_limit",
        ),
        "version and rule": ({"draft": {"version": 1, "rule": bad_rule}}, "body.draft"),
        "nothing to compare": ({"draft": {}}, "body.draft"),
        "extra field": ({"draft": RAISE, "publish": True}, "body.publish"),
        "too many changes": ({"draft": RAISE, "changes_limit": 1001}, "body.changes_limit"),
        "before any version": ({"draft": RAISE, "as_of": "2023-12-31"}, "body.as_of"),
    }
    for case, (body, field) in cases.items():
        r = client.post(
            f"/v1/policies/{shenzhen_hukou}/simulate",
            json={"as_of": AS_OF} | body,
            headers=province,
        )
        assert r.status_code == 422, (case, r.text)
        fields = [e["field"] for e in r.json()["errors"]]
        assert any(f.startswith(field) for f in fields), (case, fields)
    assert_problem(_simulate(client, shenzhen_hukou, province, {"version": 99}), 404)
    assert_problem(_simulate(client, 999_999, province, RAISE), 404)


def test_only_governments_simulate(client: TestClient, make: Factory, shenzhen_hukou: int) -> None:
    firm = make.firm_user(make.firm(SHANTOU))
    assert_problem(_simulate(client, shenzhen_hukou, firm, RAISE), 403)
    machine = make.client("eligibility:check", "eligibility:verify")
    assert_problem(_simulate(client, shenzhen_hukou, machine, RAISE), 403)


def _stored(session: Session, *policy_ids: int) -> list[Any]:
    session.expire_all()
    versions = session.exec(
        select(PolicyVersion)
        .where(col(PolicyVersion.policy_id).in_(policy_ids))
        .order_by(col(PolicyVersion.id))
    ).all()
    params = session.exec(
        select(PolicyParameter)
        .where(col(PolicyParameter.policy_id).in_(policy_ids))
        .order_by(col(PolicyParameter.id))
    ).all()
    return copy.deepcopy([v.model_dump() for v in versions] + [p.model_dump() for p in params])


def test_another_citys_draft_is_out_of_reach_of_a_bureau_simulation(
    client: TestClient, make: Factory, people: dict[str, Talent], session: Session
) -> None:
    """Shenzhen's draft, asked for by Guangzhou's bureau: through Shenzhen's policy and by its
    number through Guangzhou's own, it is refused as if it did not exist; nothing changes."""
    province = make.province()
    shenzhen_hukou = _policy_id(session, SHENZHEN)
    guangzhou_hukou = _policy_id(session, GUANGZHOU)
    r = client.post(
        f"/v1/policies/{shenzhen_hukou}/versions",
        json={
            "rule": {
                "id": "leak",
                "kind": "compare",
                "label_zh": "草案条件",
                "label_en": "draft criterion",
                "fact": "key_post",
                "op": "eq",
                "rhs": {"value": True},
            },
            "effective_from": "2026-01-01",
            "document_ref": "draft",
            "description_zh": "深圳草案",
            "description_en": "Shenzhen draft",
        },
        headers=province,
    )
    assert r.status_code == 201, r.text
    draft_number = r.json()["version"]
    before = _stored(session, shenzhen_hukou, guangzhou_hukou)

    guangzhou = make.bureau(GUANGZHOU)
    through_owner = _simulate(client, shenzhen_hukou, guangzhou, {"version": draft_number})
    missing = _simulate(client, shenzhen_hukou, guangzhou, {"version": draft_number + 1})
    refused, absent = assert_problem(through_owner, 404), assert_problem(missing, 404)
    assert refused["type"] == absent["type"]
    assert refused["detail"] == absent["detail"].replace(
        f" {draft_number + 1} does not exist", f" {draft_number} does not exist"
    )
    assert "leak" not in through_owner.text and "深圳草案" not in through_owner.text
    # Guangzhou's policy has no such version: the number never reaches Shenzhen's draft.
    through_own = _simulate(client, guangzhou_hukou, guangzhou, {"version": draft_number})
    assert_problem(through_own, 404)
    assert "leak" not in through_own.text and "深圳草案" not in through_own.text
    assert _stored(session, shenzhen_hukou, guangzhou_hukou) == before
    # Shenzhen's own bureau reaches it.
    own = _simulated(client, shenzhen_hukou, make.bureau(SHENZHEN), {"version": draft_number})
    assert own["after"]["version"] == draft_number and own["after"]["status"] == "draft"


def test_a_simulated_threshold_beyond_a_lifetime_is_refused(
    client: TestClient, make: Factory, shenzhen_hukou: int
) -> None:
    draft = {"parameters": {"max_age_bachelor": 1_000_000}}
    problem = assert_problem(_simulate(client, shenzhen_hukou, make.province(), draft), 422)
    assert [e["field"] for e in problem["errors"]] == ["body.draft.parameters.max_age_bachelor"]
    assert "between 0 and 150 years" in problem["errors"][0]["reason"]
