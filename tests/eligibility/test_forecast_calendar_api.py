"""The forecast knows the calendar, through HTTP: a version or a parameter value published to take
effect later is part of what a check foresees (issue 12 item 3)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from talent_service.models import Talent
from talent_service.reference.enums import Education
from tests.factories import SHANTOU, SHENZHEN, Factory

AGE_SPEC = {"type": "number", "label_zh": "年龄上限", "label_en": "age limit"}


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


def _rule(degree: str, min_months: int) -> dict[str, Any]:
    return {
        "id": "root",
        "kind": "all",
        "label_zh": "条件",
        "label_en": "conditions",
        "children": [
            _compare("degree", "education", "eq", {"value": degree}),
            _compare("age", "age_years", "le", {"param": "max_age"}),
            _compare("months", "months_at_accredited_center", "ge", {"value": min_months}),
        ],
    }


class Policies:
    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers
        r = client.post(
            "/v1/policies", json={"city_code": SHENZHEN, "benefit": "hukou"}, headers=headers
        )
        assert r.status_code == 201, r.text
        self.id = int(r.json()["id"])

    def draft(self, rule: dict[str, Any], effective_from: str, **extra: Any) -> int:
        body = extra | {
            "rule": rule,
            "parameter_types": {"max_age": AGE_SPEC},
            "effective_from": effective_from,
            "document_ref": "深人才〔2026〕1号",
            "description_zh": "测试政策",
            "description_en": "test policy",
        }
        r = self.client.post(f"/v1/policies/{self.id}/versions", json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        return int(r.json()["version"])

    def publish(self, version: int, **publish: Any) -> None:
        r = self.client.post(
            f"/v1/policies/{self.id}/versions/{version}/publish",
            json=publish or None,
            headers=self.headers,
        )
        assert r.status_code == 200, r.text

    def parameter(self, **body: Any) -> None:
        r = self.client.post(f"/v1/policies/{self.id}/parameters", json=body, headers=self.headers)
        assert r.status_code == 201, r.text

    def decide(self, talent: Talent, as_of: str) -> dict[str, Any]:
        r = self.client.post(
            "/v1/eligibility/checks",
            json={
                "talent_id": talent.id,
                "benefit": "hukou",
                "city_code": SHENZHEN,
                "as_of": as_of,
            },
            headers=self.headers,
        )
        assert r.status_code == 201, r.text
        (decision,) = r.json()["decisions"]
        return dict(decision)


@pytest.fixture
def policies(client: TestClient, make: Factory) -> Policies:
    return Policies(client, make.province())


@pytest.fixture
def talent(make: Factory) -> Talent:
    """A master's graduate born 1990-05-17, at an accredited Shenzhen center since 2023-01-10."""
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2020, 1, 1))
    person = make.talent(firm, education=Education.master, birth_date=date(1990, 5, 17))
    make.employment(person, firm, center, hired_on=date(2023, 1, 10))
    return person


def test_a_version_published_to_take_effect_later_makes_the_forecast(
    policies: Policies, talent: Talent
) -> None:
    # Version 1 asks for a doctorate: time alone cannot help a master's graduate.
    first = policies.draft(_rule("doctor", 12), "2024-01-01")
    policies.parameter(name="max_age", value=40, effective_from="2024-01-01")
    policies.publish(first)
    before = policies.decide(talent, "2026-08-31")
    assert before["outcome"] == "ineligible"
    assert before["document"]["forecast"]["kind"] == "not_reachable"
    assert before["document"]["forecast"]["blocking"] == ["degree"]

    # Version 2, published now, takes effect on 2026-09-01 and accepts a master's degree.
    policies.publish(policies.draft(_rule("master", 12), "2026-09-01"), supersede=True)
    after = policies.decide(talent, "2026-08-31")
    assert after["id"] != before["id"] and after["reused"] is False
    assert after["document"]["policy"]["version"] == 1  # still decided under version 1
    forecast = after["document"]["forecast"]
    assert (forecast["kind"], forecast["change_on"]) == ("becomes_eligible", "2026-09-01")
    assert forecast["version_on_change"] == 2
    assert "under version 2" in forecast["reason_en"] and "第 2 版" in forecast["reason_zh"]
    # The age limit of 40 ends it on the 41st birthday, under version 2 still: that day is the
    # birthday's, so an ordinary read gives its year only (the whole document has the day).
    assert (forecast["then_ends_on"], forecast["then_ends_year"]) == (None, 2031)
    whole = policies.client.get(
        f"/v1/eligibility/decisions/{after['id']}/document", headers=policies.headers
    )
    assert whole.status_code == 200, whole.text
    assert whole.json()["document"]["forecast"]["then_ends_on"] == "2031-05-17"
    assert forecast["facts_on_change"]["education"] == "master"
    # On that day the decision agrees with the forecast.
    on_the_day = policies.decide(talent, "2026-09-01")
    assert on_the_day["outcome"] == "eligible"
    assert on_the_day["document"]["policy"]["version"] == 2


def test_a_stricter_version_scheduled_later_ends_eligibility_on_its_first_day(
    policies: Policies, talent: Talent
) -> None:
    first = policies.draft(_rule("master", 12), "2024-01-01")
    policies.parameter(name="max_age", value=40, effective_from="2024-01-01")
    policies.publish(first)
    policies.publish(policies.draft(_rule("master", 60), "2027-01-01"), supersede=True)
    forecast = policies.decide(talent, "2026-06-30")["document"]["forecast"]
    assert (forecast["kind"], forecast["change_on"]) == ("eligibility_ends", "2027-01-01")
    assert forecast["last_eligible_on"] == "2026-12-31"
    assert forecast["version_on_change"] == 2


def test_a_parameter_value_scheduled_later_is_part_of_the_forecast(
    policies: Policies, talent: Talent
) -> None:
    # 36 in 2026 with an age limit of 35: time only makes it worse, until the limit is raised.
    first = policies.draft(_rule("master", 12), "2024-01-01")
    policies.parameter(name="max_age", value=35, effective_from="2024-01-01")
    policies.publish(first)
    before = policies.decide(talent, "2026-08-31")["document"]["forecast"]
    assert before["kind"] == "not_reachable"

    policies.parameter(name="max_age", value=40, effective_from="2026-10-01", close_current=True)
    forecast = policies.decide(talent, "2026-08-31")["document"]["forecast"]
    assert (forecast["kind"], forecast["change_on"]) == ("becomes_eligible", "2026-10-01")
    assert forecast["version_on_change"] == 1  # the same version, with a new parameter value
    assert "parameters in force from 2026-10-01" in forecast["reason_en"]
    assert (forecast["then_ends_on"], forecast["then_ends_year"]) == (None, 2031)


def test_a_version_that_ends_with_no_successor_ends_eligibility(
    policies: Policies, talent: Talent
) -> None:
    # Version 1 is published for a fixed term, [2024-01-01, 2027-03-01), and nothing follows it.
    first = policies.draft(_rule("master", 12), "2024-01-01", effective_to="2027-03-01")
    policies.parameter(name="max_age", value=40, effective_from="2024-01-01")
    policies.publish(first)
    forecast = policies.decide(talent, "2026-06-30")["document"]["forecast"]
    assert (forecast["kind"], forecast["change_on"]) == ("eligibility_ends", "2027-03-01")
    assert forecast["version_on_change"] is None  # no version is in force from that day
    assert "no version of the policy is in force" in forecast["reason_en"]


def test_a_scheduled_day_is_shown_even_when_a_birthday_falls_before_it(
    policies: Policies, talent: Talent
) -> None:
    # Asked on 2026-05-01 (aged 35); the birthday on 05-17 comes before version 2's first day,
    # so the age on the day of change differs. The day is the calendar's, not the person's.
    first = policies.draft(_rule("doctor", 12), "2024-01-01")
    policies.parameter(name="max_age", value=40, effective_from="2024-01-01")
    policies.publish(first)
    policies.publish(policies.draft(_rule("master", 12), "2026-09-01"), supersede=True)
    forecast = policies.decide(talent, "2026-05-01")["document"]["forecast"]
    assert (forecast["change_on"], forecast["change_is_scheduled"]) == ("2026-09-01", True)
    assert "under version 2" in forecast["reason_en"]
    assert forecast["facts_on_change"]["age_years"] is None  # the age itself stays withheld
