"""A not-reachable forecast names only the criteria that keep the rule false whatever time
brings: never a criterion that passes today, nor one that time could make irrelevant."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from talent_service.eligibility.engine.evaluate import evaluate
from talent_service.eligibility.engine.fact_builder import (
    EPOCH,
    NO_DATE,
    build,
    growing_facts,
    row_facts,
)
from talent_service.eligibility.engine.forecast import ForecastKind, GrowingFact, forecast
from talent_service.eligibility.engine.rules import validate_rule
from talent_service.eligibility.policies.defaults import default_policies, default_policy
from talent_service.reference.enums import Outcome
from tests.eligibility.test_fact_builder import HOMES, PRD, random_inputs

AS_OF = date(2025, 6, 30)
HOST_HUKOU = default_policy("440300", "host", "hukou")


def compare(node_id: str, fact: str, op: str, value: Any) -> dict[str, Any]:
    return {
        "id": node_id,
        "kind": "compare",
        "label_zh": node_id,
        "label_en": node_id,
        "fact": fact,
        "op": op,
        "rhs": {"value": value},
    }


def group(kind: str, node_id: str, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": node_id,
        "kind": kind,
        "label_zh": "组",
        "label_en": "group",
        "children": children,
    }


def test_a_doctor_past_nothing_but_months_is_not_blamed_for_other_degrees():
    # Age unknown makes the doctor's degree-by-age branch unknown, and with it the whole `any`;
    # today it passes, so its failing bachelor's and master's leaves block nothing.
    facts = {
        "education": "doctor",
        "hukou_in_city": False,
        "months_at_accredited_center": 5,
        "si_months_either": 5,
    }
    rule, params = HOST_HUKOU.validated_rule(), HOST_HUKOU.parameters
    result = forecast(rule, params, facts, AS_OF, birth_date=date(1990, 5, 17))
    assert result.kind is ForecastKind.NOT_REACHABLE
    assert result.blocking == ["months-at-center", "si-either-side"]
    assert "本科" not in result.reason_zh and "硕士" not in result.reason_zh
    assert "bachelor" not in result.reason_en and "master" not in result.reason_en
    assert "不随时间变化" in result.reason_zh


def test_a_failing_criterion_that_time_can_route_around_is_not_blamed():
    # all(key post, any(foreign, 12 months at the firm)): the months will come, so only the key
    # post blocks; "foreign" fails today but stops mattering once the months are reached.
    rule = validate_rule(
        group(
            "all",
            "root",
            [
                compare("key-post", "key_post", "eq", True),
                group(
                    "any",
                    "either",
                    [
                        compare("foreign", "is_foreign", "eq", True),
                        compare("months", "months_employed_at_firm", "ge", 12),
                    ],
                ),
            ],
        )
    )
    facts = {"key_post": False, "is_foreign": False}
    growing = {"months_employed_at_firm": GrowingFact(date(2025, 4, 1))}
    today = evaluate(rule, {**facts, "months_employed_at_firm": 2}, {})
    assert {c["id"] for c in today.failed_criteria} == {"key-post", "foreign", "months"}
    result = forecast(rule, {}, facts, AS_OF, growing=growing)
    assert result.kind is ForecastKind.NOT_REACHABLE
    assert result.blocking == ["key-post"]


def test_a_failing_not_is_blamed_as_one_criterion():
    rule = validate_rule(
        group(
            "all",
            "root",
            [
                {
                    "id": "not-foreign",
                    "kind": "not",
                    "label_zh": "非外籍",
                    "label_en": "not foreign",
                    "child": compare("foreign", "is_foreign", "eq", True),
                },
                compare("months", "months_employed_at_firm", "ge", 12),
            ],
        )
    )
    growing = {"months_employed_at_firm": GrowingFact(date(2025, 4, 1))}
    result = forecast(rule, {}, {"is_foreign": True}, AS_OF, growing=growing)
    assert result.kind is ForecastKind.NOT_REACHABLE
    assert result.blocking == ["not-foreign"]


def test_not_reachable_forecasts_blame_only_criteria_failing_today():
    # Every default policy, on talents built from random spells the way a check builds them.
    inputs = random_inputs(random.Random(5), 400)
    policies = default_policies(PRD, HOMES)
    built_by_city: dict[tuple[str, str], Any] = {}
    unreachable = 0
    for policy in policies:
        key = (policy.city_code, policy.side)
        if key not in built_by_city:
            built_by_city[key] = build(inputs, policy.city_code, policy.side, AS_OF)
        built = built_by_city[key]
        rule, params = policy.validated_rule(), policy.parameters
        for row in range(inputs.n):
            facts = row_facts(built, row)
            birth_day = int(inputs.birth_day[row])
            birth = None if birth_day == NO_DATE else EPOCH + timedelta(days=birth_day)
            today = evaluate(rule, facts, params)
            if today.outcome is not Outcome.ineligible:
                continue
            growing = growing_facts(inputs, built, row)
            result = forecast(rule, params, facts, AS_OF, growing=growing, birth_date=birth)
            if result.kind is ForecastKind.NOT_REACHABLE:
                failing = {c["id"] for c in today.failed_criteria}
                assert result.blocking and set(result.blocking) <= failing, (policy.key, row)
                unreachable += 1
    assert unreachable > 100
