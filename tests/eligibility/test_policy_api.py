"""Policies through HTTP: create, draft, publish, supersede, change parameters; who may write."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from talent_service.eligibility.policies.store import load_default_policies
from talent_service.models import Policy, PolicyParameter, PolicyVersion, Talent
from talent_service.reference.enums import Education, PolicyStatus
from tests.access.world import assert_problem
from tests.factories import GUANGZHOU, SHANTOU, SHENZHEN, Factory

MALICIOUS = "__import__('os').system('touch /tmp/pwned')"
JSON = "application/json"


def _compare(node_id: str, fact: str, op: str, rhs: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": node_id,
        "kind": "compare",
        "label_zh": f"条件 {node_id}",
        "label_en": f"criterion {node_id}",
        "fact": fact,
        "op": op,
        "rhs": rhs,
    }


def _rule(min_months: int = 6) -> dict[str, Any]:
    return {
        "id": "root",
        "kind": "all",
        "label_zh": "条件",
        "label_en": "conditions",
        "children": [
            _compare("age", "age_years", "le", {"param": "max_age"}),
            _compare("months", "months_at_accredited_center", "ge", {"value": min_months}),
        ],
    }


AGE_SPEC = {"type": "number", "label_zh": "年龄上限", "label_en": "age limit"}


def _version_body(**kw: Any) -> dict[str, Any]:
    return {
        "rule": _rule(),
        "parameter_types": {"max_age": AGE_SPEC},
        "effective_from": "2024-01-01",
        "document_ref": "深人才〔2024〕1号",
        "description_zh": "测试政策",
        "description_en": "test policy",
    } | kw


@pytest.fixture
def province(make: Factory) -> dict[str, str]:
    return make.province()


def _create_policy(client: TestClient, headers: dict[str, str], city: str = SHENZHEN) -> int:
    r = client.post("/v1/policies", json={"city_code": city, "benefit": "hukou"}, headers=headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _draft(client: TestClient, policy_id: int, headers: dict[str, str], **kw: Any) -> int:
    r = client.post(f"/v1/policies/{policy_id}/versions", json=_version_body(**kw), headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "draft"
    return int(r.json()["version"])


def _parameter(
    client: TestClient, policy_id: int, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    r = client.post(f"/v1/policies/{policy_id}/parameters", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _publish(
    client: TestClient, policy_id: int, version: int, headers: dict[str, str], **body: Any
) -> Any:
    return client.post(
        f"/v1/policies/{policy_id}/versions/{version}/publish", json=body or None, headers=headers
    )


@pytest.fixture
def policy(client: TestClient, province: dict[str, str]) -> int:
    """Shenzhen's hukou policy, version 1 published from 2024-01-01, max_age 40."""
    policy_id = _create_policy(client, province)
    version = _draft(client, policy_id, province)
    _parameter(client, policy_id, province, name="max_age", value=40, effective_from="2024-01-01")
    r = _publish(client, policy_id, version, province)
    assert r.status_code == 200, r.text
    return policy_id


@pytest.fixture
def talent(make: Factory) -> Talent:
    """35 in mid-2025, at an accredited Shenzhen center since 2023-01-10 (29 months by then)."""
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2020, 1, 1))
    person = make.talent(firm, education=Education.master, birth_date=date(1990, 5, 17))
    make.employment(person, firm, center, hired_on=date(2023, 1, 10))
    return person


def _check(client: TestClient, talent: Talent, as_of: str, headers: dict[str, str]) -> Any:
    r = client.post(
        "/v1/eligibility/checks",
        json={"talent_id": talent.id, "benefit": "hukou", "city_code": SHENZHEN, "as_of": as_of},
        headers=headers,
    )
    return r


def _decision(client: TestClient, talent: Talent, as_of: str, headers: dict[str, str]) -> Any:
    r = _check(client, talent, as_of, headers)
    assert r.status_code == 201, r.text
    (decision,) = r.json()["decisions"]
    return decision


# --- the life of a policy ---------------------------------------------------------------------


def test_created_drafted_and_published_policy_is_used_by_checks(
    client: TestClient, province: dict[str, str], talent: Talent
) -> None:
    r = client.post(
        "/v1/policies", json={"city_code": SHENZHEN, "benefit": "hukou"}, headers=province
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["city_code"], created["benefit"], created["side"]) == (
        SHENZHEN,
        "hukou",
        "host",
    )
    policy_id = created["id"]
    assert _draft(client, policy_id, province) == 1
    # A draft is never applied: no version is in force yet.
    assert_problem(_check(client, talent, "2025-06-30", province), 422)
    # Publishing needs a value for every parameter the rule reads.
    refused = assert_problem(_publish(client, policy_id, 1, province), 422)
    assert [e["field"] for e in refused["errors"]] == ["parameters.max_age"]
    _parameter(client, policy_id, province, name="max_age", value=40, effective_from="2024-01-01")
    r = _publish(client, policy_id, 1, province)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "published" and r.json()["published_by"] == "user:900001"

    decision = _decision(client, talent, "2025-06-30", province)
    assert decision["document"]["policy"]["policy_id"] == policy_id
    assert decision["document"]["policy"]["version"] == 1
    assert decision["outcome"] == "eligible"
    assert decision["document"]["parameters"] == {"max_age": 40}

    assert _draft(client, policy_id, province, effective_from="2026-01-01") == 2
    detail = client.get(f"/v1/policies/{policy_id}", headers=province).json()
    assert [(v["version"], v["status"]) for v in detail["versions"]] == [
        (1, "published"),
        (2, "draft"),
    ]
    assert detail["current_parameters"] == {"max_age": 40}


def test_publishing_an_overlapping_version_is_refused(
    client: TestClient, province: dict[str, str], policy: int, session: Session
) -> None:
    starts_inside = _draft(client, policy, province, effective_from="2025-01-01")
    problem = assert_problem(_publish(client, policy, starts_inside, province), 422)
    assert problem["type"].endswith("/rule-violation")
    (error,) = problem["errors"]
    assert error["field"] == "effective_from"
    assert "version 1" in error["reason"] and "supersede" in error["reason"]
    # A version that starts earlier but runs into version 1 clashes at its end.
    runs_into = _draft(
        client, policy, province, effective_from="2023-01-01", effective_to="2024-06-01"
    )
    problem = assert_problem(_publish(client, policy, runs_into, province), 422)
    assert [e["field"] for e in problem["errors"]] == ["effective_to"]
    # Ranges are half-open: one that ends on version 1's first day only touches it.
    touching = _draft(
        client, policy, province, effective_from="2023-01-01", effective_to="2024-01-01"
    )
    _parameter(
        client,
        policy,
        province,
        name="max_age",
        value=35,
        effective_from="2023-01-01",
        effective_to="2024-01-01",
    )
    assert _publish(client, policy, touching, province).status_code == 200
    session.expire_all()
    statuses = session.exec(
        select(PolicyVersion.version, PolicyVersion.status).where(PolicyVersion.policy_id == policy)
    ).all()
    assert sorted(statuses) == [
        (1, PolicyStatus.published),
        (2, PolicyStatus.draft),
        (3, PolicyStatus.draft),
        (4, PolicyStatus.published),
    ]


def test_supersede_closes_the_open_version_and_earlier_checks_keep_using_it(
    client: TestClient, province: dict[str, str], policy: int, talent: Talent
) -> None:
    stricter = _draft(
        client, policy, province, rule=_rule(min_months=48), effective_from="2026-01-01"
    )
    r = _publish(client, policy, stricter, province, supersede=True)
    assert r.status_code == 200, r.text
    first = client.get(f"/v1/policies/{policy}/versions/1", headers=province).json()
    assert (first["effective_from"], first["effective_to"]) == ("2024-01-01", "2026-01-01")

    before_range = _check(client, talent, "2023-12-31", province)
    assert_problem(before_range, 422)  # no version of this policy was in force yet
    inside = _decision(client, talent, "2025-12-31", province)
    assert (inside["document"]["policy"]["version"], inside["outcome"]) == (1, "eligible")
    # [from, to): version 1 is over on its effective_to day, version 2 applies from then on.
    on_end = _decision(client, talent, "2026-01-01", province)
    assert (on_end["document"]["policy"]["version"], on_end["outcome"]) == (2, "ineligible")
    assert [c["id"] for c in on_end["document"]["failed_criteria"]] == ["months"]
    after = _decision(client, talent, "2030-06-30", province)
    assert after["document"]["policy"]["version"] == 2


def test_supersede_refuses_a_version_starting_before_the_one_it_would_close(
    client: TestClient, province: dict[str, str], policy: int
) -> None:
    earlier = _draft(client, policy, province, effective_from="2023-06-01")
    problem = assert_problem(_publish(client, policy, earlier, province, supersede=True), 422)
    assert "open-ended" in problem["errors"][0]["reason"]


def test_raising_an_age_limit_from_a_date_changes_checks_from_that_date(
    client: TestClient, province: dict[str, str], make: Factory, session: Session
) -> None:
    load_default_policies(session)
    shenzhen_hukou = session.exec(
        select(Policy).where(Policy.city_code == SHENZHEN, Policy.benefit == "hukou")
    ).one()
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN)
    person = make.talent(
        firm, education=Education.bachelor, birth_date=date(1983, 3, 1), hukou_city_code=SHANTOU
    )
    make.employment(person, firm, center, hired_on=date(2022, 3, 1))

    before = _decision(client, person, "2025-06-30", province)
    assert before["outcome"] == "ineligible"
    assert "age-bachelor" in [c["id"] for c in before["document"]["failed_criteria"]]

    change = {"name": "max_age_bachelor", "value": 45, "effective_from": "2025-07-01"}
    overlap = client.post(
        f"/v1/policies/{shenzhen_hukou.id}/parameters", json=change, headers=province
    )
    problem = assert_problem(overlap, 422)
    assert problem["errors"][0]["field"] == "body.effective_from"
    assert "close_current" in problem["errors"][0]["reason"]
    added = _parameter(client, shenzhen_hukou.id or 0, province, **change, close_current=True)
    assert (added["value"], added["effective_to"]) == (45, None)

    still_before = _decision(client, person, "2025-06-30", province)
    assert still_before["outcome"] == "ineligible"
    assert still_before["document"]["parameters"]["max_age_bachelor"] == 40
    from_then = _decision(client, person, "2025-07-01", province)
    assert from_then["outcome"] == "eligible", from_then["document"]["failed_criteria"]
    assert from_then["document"]["parameters"]["max_age_bachelor"] == 45
    assert from_then["document"]["policy"]["version"] == 1  # the rule did not change
    detail = client.get(f"/v1/policies/{shenzhen_hukou.id}", headers=province).json()
    history = [
        (p["value"], p["effective_from"], p["effective_to"])
        for p in detail["parameters"]
        if p["name"] == "max_age_bachelor"
    ]
    assert history == [(40, "2024-01-01", "2025-07-01"), (45, "2025-07-01", None)]


def test_editing_a_published_version_is_a_conflict(
    client: TestClient, province: dict[str, str], policy: int, session: Session
) -> None:
    r = client.patch(
        f"/v1/policies/{policy}/versions/1", json={"description_en": "rewritten"}, headers=province
    )
    problem = assert_problem(r, 409)
    assert "never edited" in problem["detail"]
    session.expire_all()
    stored = session.exec(select(PolicyVersion).where(PolicyVersion.policy_id == policy)).one()
    assert stored.description_en == "test policy"


def test_draft_edits_are_validated_and_guarded_by_if_match(
    client: TestClient, province: dict[str, str], policy: int
) -> None:
    draft = _draft(client, policy, province, effective_from="2026-01-01")
    url = f"/v1/policies/{policy}/versions/{draft}"
    read = client.get(url, headers=province)
    etag = read.headers["etag"]
    edited = client.patch(
        url,
        json={"effective_to": "2027-01-01", "rule": _rule(min_months=24)},
        headers=province | {"If-Match": etag},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["effective_to"] == "2027-01-01"
    assert edited.json()["rule"]["children"][1]["rhs"] == {"value": 24}
    stale = client.patch(
        url, json={"description_en": "again"}, headers=province | {"If-Match": etag}
    )
    assert_problem(stale, 412)
    bad = client.patch(url, json={"effective_to": "2025-01-01"}, headers=province)
    assert assert_problem(bad, 422)["errors"][0]["field"] == "body.effective_to"
    dropped = client.patch(url, json={"parameter_types": {}}, headers=province)
    problem = assert_problem(dropped, 422)
    assert problem["errors"][0]["field"] == "rule.children[0].rhs.param"
    nulled = client.patch(url, json={"rule": None}, headers=province)
    assert_problem(nulled, 422)


# --- bad input is a 4xx problem, never a 500 ---------------------------------------------------


def _with_child(child: dict[str, Any]) -> dict[str, Any]:
    rule = _rule()
    rule["children"][0] = child
    return rule


def _deep(levels: int) -> dict[str, Any]:
    node = _compare("leaf", "age_years", "le", {"value": 40})
    for i in range(levels):
        node = {"id": f"n{i}", "kind": "not", "label_zh": "非", "label_en": "not", "child": node}
    return node


BAD_RULES: dict[str, tuple[dict[str, Any], str]] = {
    "unknown fact": (
        _with_child(_compare("age", "salary", "le", {"value": 1})),
        "body.rule.children[0].fact",
    ),
    "malicious fact": (
        _with_child(_compare("age", MALICIOUS, "le", {"value": 1})),
        "body.rule.children[0].fact",
    ),
    "unknown operator": (
        _with_child(_compare("age", "age_years", "regex", {"value": 1})),
        "body.rule.children[0].op",
    ),
    "operator for another type": (
        _with_child(_compare("age", "education", "lt", {"value": "master"})),
        "body.rule.children[0].op",
    ),
    "unknown parameter": (
        _with_child(_compare("age", "age_years", "le", {"param": "max_salary"})),
        "body.rule.children[0].rhs.param",
    ),
    "wrong value type": (
        _with_child(_compare("age", "age_years", "le", {"value": "forty"})),
        "body.rule.children[0].rhs.value",
    ),
    "code as a value": (
        _with_child(_compare("age", "age_years", "le", {"value": MALICIOUS})),
        "body.rule.children[0].rhs.value",
    ),
    "number beyond float precision": (
        _with_child(_compare("age", "age_years", "le", {"value": 10**400})),
        "body.rule.children[0].rhs.value",
    ),
    "unknown kind": ({**_rule(), "kind": "eval"}, "body.rule.kind"),
    "extra node field": ({**_rule(), "python": "1+1"}, "body.rule.python"),
    "too deep": (_deep(12), "body.rule"),
    "control characters": ({**_rule(), "label_en": "a\x00b"}, "body.rule.label_en"),
    "duplicate ids": (
        _with_child(_compare("months", "age_years", "le", {"value": 40})),
        "body.rule.children[1].id",
    ),
}


def _refused_at(response: Any, field: str, case: str) -> None:
    assert response.status_code == 422, (case, response.text)
    problem = assert_problem(response, 422)
    assert any(e["field"].startswith(field) for e in problem["errors"]), (case, problem)


def test_bad_rules_are_refused_with_their_field_paths(
    client: TestClient, province: dict[str, str], policy: int, session: Session
) -> None:
    # One test for all cases: each request runs in its own unit of work, and nothing is stored.
    for case, (rule, field) in BAD_RULES.items():
        r = client.post(
            f"/v1/policies/{policy}/versions", json=_version_body(rule=rule), headers=province
        )
        _refused_at(r, field, case)
    session.expire_all()
    assert (
        len(session.exec(select(PolicyVersion).where(PolicyVersion.policy_id == policy)).all()) == 1
    )


BAD_BODIES: dict[str, tuple[dict[str, Any], str]] = {
    "extra field": (_version_body(surprise=True), "body.surprise"),
    "rule not an object": (_version_body(rule=["all"]), "body.rule"),
    "inverted range": (_version_body(effective_to="2023-01-01"), "body.effective_to"),
    "unknown parameter type": (
        _version_body(parameter_types={"max_age": {"type": "python"}}),
        "body.parameter_types.max_age.type",
    ),
    "parameter spec extra field": (
        _version_body(parameter_types={"max_age": {**AGE_SPEC, "code": MALICIOUS}}),
        "body.parameter_types.max_age.code",
    ),
    "parameter with unknown domain": (
        _version_body(parameter_types={"max_age": {**AGE_SPEC, "domain": "salary"}}),
        "body.parameter_types",
    ),
    "bad parameter name": (
        _version_body(parameter_types={"Max Age": AGE_SPEC}),
        "body.parameter_types",
    ),
    "NUL in description": (_version_body(description_en="a\x00"), "body.description_en"),
    "date out of range": (_version_body(effective_from="1900-01-01"), "body.effective_from"),
}


def test_bad_version_bodies_are_refused(
    client: TestClient, province: dict[str, str], policy: int
) -> None:
    for case, (body, field) in BAD_BODIES.items():
        r = client.post(f"/v1/policies/{policy}/versions", json=body, headers=province)
        _refused_at(r, field, case)
    hostile = '{"rule": ' + "[" * 100_000 + "]" * 100_000 + "}"
    r = client.post(
        f"/v1/policies/{policy}/versions",
        content=hostile,
        headers=province | {"Content-Type": "application/json"},
    )
    assert_problem(r, 400)


def test_strings_that_look_like_code_are_stored_as_data(
    client: TestClient, province: dict[str, str], policy: int
) -> None:
    rule = _rule()
    rule["label_en"] = MALICIOUS
    rule["legal_ref"] = "{{7*7}} ${jndi:ldap://x} '; DROP TABLE policy; --"
    version = _draft(client, policy, province, rule=rule, document_ref=MALICIOUS)
    read = client.get(f"/v1/policies/{policy}/versions/{version}", headers=province).json()
    assert read["rule"]["label_en"] == MALICIOUS
    assert read["rule"]["legal_ref"] == rule["legal_ref"]
    assert read["document_ref"] == MALICIOUS


def _post_json(client: TestClient, url: str, body: Any, headers: dict[str, str]) -> Any:
    """POST ``body`` as ASCII JSON (escapes such as \\ud800 kept as they are)."""
    content = json.dumps(body, ensure_ascii=True)
    return client.post(url, content=content, headers=headers | {"Content-Type": JSON})


# Refused in every text field: a lone surrogate and a right-to-left override.
UNPRINTABLE = {"lone surrogate": "a\ud800b", "bidi override": "汕头\u202e司公限有"}


def test_unprintable_text_in_rule_labels_and_parameter_labels_is_refused(
    client: TestClient, province: dict[str, str], policy: int, session: Session
) -> None:
    url = f"/v1/policies/{policy}/versions"
    draft = _draft(client, policy, province, effective_from="2026-01-01")
    before = _snapshot(session, policy)
    for case, bad in UNPRINTABLE.items():
        root = {**_rule(), "label_zh": bad}
        r = _post_json(client, url, _version_body(rule=root), province)
        problem = assert_problem(r, 422)
        assert [e["field"] for e in problem["errors"]] == ["body.rule.label_zh"], case
        leaf = _rule()
        leaf["children"][1] = {**leaf["children"][1], "label_en": bad}
        r = _post_json(client, url, _version_body(rule=leaf), province)
        problem = assert_problem(r, 422)
        assert [e["field"] for e in problem["errors"]] == ["body.rule.children[1].label_en"], case
        types = {"max_age": {**AGE_SPEC, "label_zh": bad}}
        r = _post_json(client, url, _version_body(parameter_types=types), province)
        problem = assert_problem(r, 422)
        assert [e["field"] for e in problem["errors"]] == [
            "body.parameter_types.max_age.label_zh"
        ], case
        # The same check on a draft's change and on a simulated inline rule.
        r = client.patch(
            f"/v1/policies/{policy}/versions/{draft}",
            content=json.dumps({"parameter_types": types, "rule": leaf}),
            headers=province | {"Content-Type": JSON},
        )
        problem = assert_problem(r, 422)
        assert {e["field"] for e in problem["errors"]} == {
            "body.parameter_types.max_age.label_zh"
        }, case
        r = _post_json(
            client,
            f"/v1/policies/{policy}/simulate",
            {"as_of": "2025-06-30", "draft": {"rule": root, "parameter_types": types}},
            province,
        )
        problem = assert_problem(r, 422)
        assert problem["errors"][0]["field"].startswith("body.draft."), case
    after = _snapshot(session, policy)
    assert after == before


def test_out_of_range_thresholds_of_time_growing_facts_are_refused_when_saved(
    client: TestClient, province: dict[str, str], policy: int, session: Session
) -> None:
    before = _snapshot(session, policy)
    url = f"/v1/policies/{policy}/versions"
    # A constant beyond any working life: no one could ever reach it.
    r = client.post(url, json=_version_body(rule=_rule(min_months=2_000_000)), headers=province)
    problem = assert_problem(r, 422)
    (error,) = problem["errors"]
    assert error["field"] == "body.rule.children[1].rhs.value"
    assert "between 0 and 1800 months" in error["reason"]
    # A parameter value compared with age: refused where it is added.
    huge_age = {"name": "max_age", "value": 1_000_000, "effective_from": "2026-01-01"}
    r = client.post(
        f"/v1/policies/{policy}/parameters",
        json=huge_age | {"close_current": True},
        headers=province,
    )
    problem = assert_problem(r, 422)
    assert [e["field"] for e in problem["errors"]] == ["body.value"]
    assert "between 0 and 150 years" in problem["errors"][0]["reason"]
    assert _snapshot(session, policy) == before

    # A value that one draft compares with a title rank, and the draft about to be published
    # compares with months: refused when that draft is published, naming the parameter.
    limit = {"type": "number", "label_zh": "上限", "label_en": "limit"}
    ranked = _rule()
    ranked["children"][1] = _compare("months", "title_rank", "le", {"param": "limit"})
    ranked_draft = _draft(
        client,
        policy,
        province,
        rule=ranked,
        parameter_types={"max_age": AGE_SPEC, "limit": limit},
        effective_from="2030-01-01",
    )
    assert ranked_draft == 2
    _parameter(client, policy, province, name="limit", value=1_000_000, effective_from="2024-01-01")
    timed = _rule()
    timed["children"][1] = _compare(
        "months", "months_at_accredited_center", "ge", {"param": "limit"}
    )
    timed_draft = _draft(
        client,
        policy,
        province,
        rule=timed,
        parameter_types={"max_age": AGE_SPEC, "limit": limit},
        effective_from="2031-01-01",
    )
    problem = assert_problem(_publish(client, policy, timed_draft, province, supersede=True), 422)
    assert [e["field"] for e in problem["errors"]] == ["parameters.limit"]
    assert "between 0 and 1800 months" in problem["errors"][0]["reason"]
    session.expire_all()
    published = session.exec(
        select(PolicyVersion.version).where(
            PolicyVersion.policy_id == policy, PolicyVersion.status == PolicyStatus.published
        )
    ).all()
    assert list(published) == [1]


def test_thresholds_stored_before_the_bounds_never_break_a_check(
    client: TestClient, province: dict[str, str], policy: int, talent: Talent, session: Session
) -> None:
    """Data saved before thresholds were bounded: the checks answer, without a forecast date."""
    (param,) = session.exec(select(PolicyParameter).where(PolicyParameter.policy_id == policy))
    param.value = 1_000_000  # an age limit no one reaches
    session.add(param)
    session.commit()
    decision = _decision(client, talent, "2025-06-30", province)
    assert decision["outcome"] == "eligible"
    assert decision["document"]["forecast"]["kind"] == "stays_eligible"
    assert decision["document"]["forecast"]["change_on"] is None

    version = session.exec(select(PolicyVersion).where(PolicyVersion.policy_id == policy)).one()
    version.rule = _rule(min_months=2_000_000)  # a month count no one reaches
    session.add(version)
    session.commit()
    decision = _decision(client, talent, "2025-06-30", province)
    assert decision["outcome"] == "ineligible"
    assert decision["document"]["forecast"]["kind"] == "not_reachable"
    assert decision["document"]["forecast"]["change_on"] is None


BAD_PARAMETERS: dict[str, tuple[dict[str, Any], str]] = {
    "code as a number": ({"name": "max_age", "value": MALICIOUS}, "body.value"),
    "list for a single value": ({"name": "max_age", "value": [40]}, "body.value"),
    "object": ({"name": "max_age", "value": {"__class__": 1}}, "body.value"),
    "boolean for a number": ({"name": "max_age", "value": True}, "body.value"),
    "null": ({"name": "max_age", "value": None}, "body.value"),
    "huge number": ({"name": "max_age", "value": 10**400}, "body.value"),
    "undeclared parameter": ({"name": "max_salary", "value": 1}, "body.name"),
    "bad name": ({"name": "max age", "value": 1}, "body.name"),
    "inverted range": ({"name": "max_age", "value": 41, "effective_to": "2020-01-01"}, "body"),
    "overlap": ({"name": "max_age", "value": 41, "effective_from": "2024-06-01"}, "body"),
    "extra field": ({"name": "max_age", "value": 41, "eval": "1"}, "body.eval"),
    "close with an end": (
        {
            "name": "max_age",
            "value": 41,
            "effective_from": "2025-01-01",
            "effective_to": "2026-01-01",
            "close_current": True,
        },
        "body.effective_to",
    ),
}


def test_bad_parameter_values_are_refused(
    client: TestClient, province: dict[str, str], policy: int, session: Session
) -> None:
    for case, (body, field) in BAD_PARAMETERS.items():
        r = client.post(
            f"/v1/policies/{policy}/parameters",
            json={"effective_from": "2026-01-01"} | body,
            headers=province,
        )
        _refused_at(r, field, case)
    session.expire_all()
    rows = session.exec(select(PolicyParameter).where(PolicyParameter.policy_id == policy)).all()
    assert [(p.value, p.effective_to) for p in rows] == [(40, None)]


def test_policy_creation_refuses_unknown_cities_duplicates_and_extra_fields(
    client: TestClient, province: dict[str, str], policy: int
) -> None:
    unknown = client.post(
        "/v1/policies", json={"city_code": "999999", "benefit": "hukou"}, headers=province
    )
    assert assert_problem(unknown, 422)["errors"][0]["field"] == "body.city_code"
    again = client.post(
        "/v1/policies", json={"city_code": SHENZHEN, "benefit": "hukou"}, headers=province
    )
    assert_problem(again, 409)
    extra = client.post(
        "/v1/policies",
        json={"city_code": SHENZHEN, "benefit": "education", "side": "home"},
        headers=province,
    )
    assert assert_problem(extra, 422)["errors"][0]["field"] == "body.side"
    bad_benefit = client.post(
        "/v1/policies", json={"city_code": SHENZHEN, "benefit": "pension"}, headers=province
    )
    assert_problem(bad_benefit, 422)
    home = client.post(
        "/v1/policies", json={"city_code": SHANTOU, "benefit": "education"}, headers=province
    )
    assert home.status_code == 201 and home.json()["side"] == "home"


def test_unknown_policies_and_versions_are_not_found(
    client: TestClient, province: dict[str, str], policy: int
) -> None:
    assert_problem(client.get("/v1/policies/999999", headers=province), 404)
    assert_problem(client.get(f"/v1/policies/{policy}/versions/9", headers=province), 404)
    assert_problem(_publish(client, 999999, 1, province), 404)
    assert_problem(_publish(client, policy, 1, province), 409)  # already published
    assert_problem(client.get("/v1/policies/0", headers=province), 422)


# --- who may read and write -------------------------------------------------------------------


def _snapshot(session: Session, policy_id: int) -> list[Any]:
    session.expire_all()
    versions = session.exec(
        select(PolicyVersion)
        .where(PolicyVersion.policy_id == policy_id)
        .order_by(col(PolicyVersion.version))
    ).all()
    params = session.exec(
        select(PolicyParameter)
        .where(PolicyParameter.policy_id == policy_id)
        .order_by(col(PolicyParameter.id))
    ).all()
    return copy.deepcopy([v.model_dump() for v in versions] + [p.model_dump() for p in params])


def _writes(policy_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("POST", f"/v1/policies/{policy_id}/versions", _version_body(effective_from="2027-01-01")),
        ("PATCH", f"/v1/policies/{policy_id}/versions/2", {"description_en": "hijacked"}),
        ("POST", f"/v1/policies/{policy_id}/versions/2/publish", {"supersede": True}),
        (
            "POST",
            f"/v1/policies/{policy_id}/parameters",
            {"name": "max_age", "value": 99, "effective_from": "2026-01-01", "close_current": True},
        ),
    ]


def test_a_bureau_cannot_write_another_citys_policy(
    client: TestClient, make: Factory, province: dict[str, str], policy: int, session: Session
) -> None:
    _draft(client, policy, province, effective_from="2026-01-01")
    before = _snapshot(session, policy)
    guangzhou = make.bureau(GUANGZHOU)
    for method, url, body in _writes(policy):
        r = client.request(method, url, json=body, headers=guangzhou)
        assert_problem(r, 403)
    other_city = client.post(
        "/v1/policies", json={"city_code": SHENZHEN, "benefit": "education"}, headers=guangzhou
    )
    assert_problem(other_city, 403)
    assert _snapshot(session, policy) == before
    # Shenzhen's own bureau may do all of it.
    shenzhen = make.bureau(SHENZHEN)
    for method, url, body in _writes(policy)[1:]:
        r = client.request(method, url, json=body, headers=shenzhen)
        assert r.status_code in (200, 201), r.text


def test_a_firm_cannot_write_policies_at_all(
    client: TestClient, make: Factory, province: dict[str, str], policy: int, session: Session
) -> None:
    _draft(client, policy, province, effective_from="2026-01-01")
    before = _snapshot(session, policy)
    firm = make.firm_user(make.firm(SHANTOU))
    for method, url, body in _writes(policy):
        assert_problem(client.request(method, url, json=body, headers=firm), 403)
    create = client.post(
        "/v1/policies", json={"city_code": SHANTOU, "benefit": "education"}, headers=firm
    )
    assert_problem(create, 403)
    assert _snapshot(session, policy) == before
    # Policies are public program rules: the firm reads the published ones.
    assert client.get(f"/v1/policies/{policy}/versions/1", headers=firm).status_code == 200


def test_policies_are_public_to_readers_but_drafts_only_to_their_editors(
    client: TestClient, make: Factory, province: dict[str, str], policy: int
) -> None:
    draft = _draft(client, policy, province, effective_from="2026-01-01")
    readers = {
        "firm": make.firm_user(make.firm(SHANTOU)),
        "other bureau": make.bureau(GUANGZHOU),
        "client": make.client("eligibility:check"),
    }
    for who, headers in readers.items():
        listed = client.get("/v1/policies", params={"city_code": SHENZHEN}, headers=headers)
        assert listed.status_code == 200, who
        assert [p["id"] for p in listed.json()["items"]] == [policy]
        detail = client.get(f"/v1/policies/{policy}", headers=headers).json()
        assert [v["version"] for v in detail["versions"]] == [1], who
        assert detail["current_parameters"] == {"max_age": 40}
        assert_problem(client.get(f"/v1/policies/{policy}/versions/{draft}", headers=headers), 404)
    for editor in (province, make.bureau(SHENZHEN)):
        detail = client.get(f"/v1/policies/{policy}", headers=editor).json()
        assert [v["version"] for v in detail["versions"]] == [1, 2]
        assert client.get(f"/v1/policies/{policy}/versions/{draft}", headers=editor).is_success
    no_scope = make.client("registry:read")
    assert_problem(client.get("/v1/policies", headers=no_scope), 403)


def test_policy_list_filters_and_pages(
    client: TestClient, province: dict[str, str], session: Session
) -> None:
    load_default_policies(session)
    shenzhen = client.get("/v1/policies", params={"city_code": SHENZHEN}, headers=province).json()
    assert {p["benefit"] for p in shenzhen["items"]} == {
        "hukou",
        "social_insurance",
        "education",
        "title",
    }
    home_hukou = client.get(
        "/v1/policies", params={"side": "home", "benefit": "hukou"}, headers=province
    ).json()
    assert home_hukou["items"] and all(
        (p["side"], p["benefit"]) == ("home", "hukou") for p in home_hukou["items"]
    )
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 25} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/policies", params=params, headers=province).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    total = len(session.exec(select(Policy.id)).all())
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == total
    assert_problem(client.get("/v1/policies", params={"limit": 500}, headers=province), 422)
    assert_problem(client.get("/v1/policies", params={"side": "left"}, headers=province), 422)


POLICY_ROUTES = [
    ("GET", "/v1/policies"),
    ("POST", "/v1/policies"),
    ("GET", "/v1/policies/{id}"),
    ("GET", "/v1/policies/{id}/versions/1"),
    ("POST", "/v1/policies/{id}/versions"),
    ("PATCH", "/v1/policies/{id}/versions/1"),
    ("POST", "/v1/policies/{id}/versions/1/publish"),
    ("POST", "/v1/policies/{id}/parameters"),
    ("POST", "/v1/policies/{id}/simulate"),
]


def test_every_policy_route_needs_a_token(client: TestClient, policy: int) -> None:
    for method, url in POLICY_ROUTES:
        r = client.request(method, url.format(id=policy), json={})
        assert_problem(r, 401)
