"""Table-driven cases for every default policy shape: each leaf passes and fails somewhere."""

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from talent_service.eligibility.engine.evaluate import evaluate
from talent_service.eligibility.engine.months import add_months, age_on, whole_months_between
from talent_service.eligibility.engine.rules import CompareNode
from talent_service.eligibility.policies.defaults import (
    BENEFITS,
    default_policies,
    default_policy,
)
from talent_service.eligibility.policies.versions import pick_version
from talent_service.reference.enums import Outcome

HOST, HOME = "440300", "441500"  # Shenzhen hosts, Shanwei is home
CITY = {"host": HOST, "home": HOME}

# A child of compulsory-school age entering primary school in the policy's city.
CHILD = {"child_age_years": 6, "child_school_stage": "primary", "child_district_in_city": True}
BASE: dict[tuple[str, str], dict[str, Any]] = {
    ("host", "hukou"): {
        "education": "bachelor",
        "age_years": 30,
        "months_at_accredited_center": 12,
        "si_months_either": 12,
        "hukou_in_city": False,
    },
    ("home", "hukou"): {
        "education": "bachelor",
        "age_years": 30,
        "months_at_accredited_center": 6,
        "si_months_either": 6,
        "hukou_in_city": False,
    },
    ("host", "social_insurance"): {
        "currently_employed": True,
        "center_accredited": True,
        "recruited_via_program": True,
    },
    ("home", "social_insurance"): {
        "currently_employed": True,
        "center_accredited": True,
        "recruited_via_program": True,
        "firm_tier_rank": 2,
        "firm_tier_valid": True,
    },
    ("host", "education"): {"key_post": True, "months_at_accredited_center": 12, **CHILD},
    ("home", "education"): {"key_post": True, "months_at_accredited_center": 6, **CHILD},
    ("host", "title"): {
        "center_accredited": True,
        "title_rank": 1,
        "education": "doctor",
        "months_employed_at_firm": 0,
    },
    ("home", "title"): {
        "center_accredited": True,
        "title_rank": 0,
        "education": "doctor",
        "months_employed_at_firm": 0,
    },
}

DEGREE_LEAVES = {"edu-bachelor", "edu-master", "edu-doctor"}


@dataclass(frozen=True)
class Case:
    side: str
    benefit: str
    name: str
    changes: dict[str, Any]
    outcome: Outcome
    failed: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)


def degree_cases(side: str, limits: dict[str, int]) -> list[Case]:
    out = []
    for level, limit in limits.items():
        age = limit + 1
        # Every failing leaf of every branch is reported: in the person's own branch the age,
        # in the others the degree and, where the person is over that limit too, the age.
        failed = {f"age-{level}"}
        for other, other_limit in limits.items():
            if other != level:
                failed.add(f"edu-{other}")
                if age > other_limit:
                    failed.add(f"age-{other}")
        out.append(
            Case(
                side,
                "hukou",
                f"{level} at the age limit",
                {"education": level, "age_years": limit},
                Outcome.eligible,
            )
        )
        out.append(
            Case(
                side,
                "hukou",
                f"{level} one year past",
                {"education": level, "age_years": age},
                Outcome.ineligible,
                failed,
            )
        )
    return out


def hukou_cases(side: str, months: int) -> list[Case]:
    return [
        Case(side, "hukou", "months and insurance exactly at threshold", {}, Outcome.eligible),
        Case(
            side,
            "hukou",
            "below bachelor",
            {"education": "below_bachelor"},
            Outcome.ineligible,
            set(DEGREE_LEAVES),
        ),
        Case(
            side,
            "hukou",
            "one month short at the center",
            {"months_at_accredited_center": months - 1},
            Outcome.ineligible,
            {"months-at-center"},
        ),
        Case(
            side,
            "hukou",
            "one month short of insurance",
            {"si_months_either": months - 1},
            Outcome.ineligible,
            {"si-either-side"},
        ),
        Case(
            side,
            "hukou",
            "hukou already local",
            {"hukou_in_city": True},
            Outcome.ineligible,
            {"hukou-not-local"},
        ),
        Case(
            side,
            "hukou",
            "two failures",
            {"months_at_accredited_center": 0, "si_months_either": 0},
            Outcome.ineligible,
            {"months-at-center", "si-either-side"},
        ),
        Case(
            side,
            "hukou",
            "education missing",
            {"education": None},
            Outcome.undetermined,
            missing=["education"],
        ),
        # Undetermined decisions still list the failures that could be fixed.
        Case(
            side,
            "hukou",
            "age missing",
            {"age_years": None},
            Outcome.undetermined,
            {"edu-master", "edu-doctor"},
            missing=["age_years"],
        ),
        Case(
            side,
            "hukou",
            "hukou city unknown",
            {"hukou_in_city": None},
            Outcome.undetermined,
            missing=["hukou_in_city"],
        ),
        Case(
            side,
            "hukou",
            "missing months cannot rescue a failure",
            {"months_at_accredited_center": None, "si_months_either": 0},
            Outcome.ineligible,
            {"si-either-side"},
        ),
    ]


def social_insurance_cases(side: str) -> list[Case]:
    out = [
        Case(side, "social_insurance", "all met", {}, Outcome.eligible),
        Case(
            side,
            "social_insurance",
            "left the firm",
            {"currently_employed": False},
            Outcome.ineligible,
            {"employed"},
        ),
        Case(
            side,
            "social_insurance",
            "center not accredited",
            {"center_accredited": False},
            Outcome.ineligible,
            {"center-accredited"},
        ),
        Case(
            side,
            "social_insurance",
            "not recruited via the programme",
            {"recruited_via_program": False},
            Outcome.ineligible,
            {"via-program"},
        ),
        Case(
            side,
            "social_insurance",
            "recruitment channel unknown",
            {"recruited_via_program": None},
            Outcome.undetermined,
            missing=["recruited_via_program"],
        ),
    ]
    if side == "home":
        out += [
            Case(
                side,
                "social_insurance",
                "innovative SME only",
                {"firm_tier_rank": 1},
                Outcome.ineligible,
                {"firm-tier"},
            ),
            Case(
                side,
                "social_insurance",
                "key little giant",
                {"firm_tier_rank": 4},
                Outcome.eligible,
            ),
            Case(
                side,
                "social_insurance",
                "expired certificate",
                {"firm_tier_valid": False},
                Outcome.ineligible,
                {"firm-tier-valid"},
            ),
            Case(
                side,
                "social_insurance",
                "tier unknown",
                {"firm_tier_rank": None},
                Outcome.undetermined,
                missing=["firm_tier_rank"],
            ),
        ]
    return out


def education_cases(side: str, months: int) -> list[Case]:
    return [
        Case(side, "education", "key post, months exactly at threshold", {}, Outcome.eligible),
        Case(
            side,
            "education",
            "not a key post",
            {"key_post": False},
            Outcome.ineligible,
            {"key-post"},
        ),
        Case(
            side,
            "education",
            "one month short",
            {"months_at_accredited_center": months - 1},
            Outcome.ineligible,
            {"months-at-center"},
        ),
        Case(
            side,
            "education",
            "key post unknown",
            {"key_post": None},
            Outcome.undetermined,
            missing=["key_post"],
        ),
        Case(
            side,
            "education",
            "child one year short of school age",
            {"child_age_years": 5},
            Outcome.ineligible,
            {"child-min-age"},
        ),
        Case(
            side, "education", "child at the upper age", {"child_age_years": 15}, Outcome.eligible
        ),
        Case(
            side,
            "education",
            "child past compulsory-school age",
            {"child_age_years": 16},
            Outcome.ineligible,
            {"child-max-age"},
        ),
        Case(
            side,
            "education",
            "junior secondary school",
            {"child_school_stage": "junior_secondary"},
            Outcome.eligible,
        ),
        Case(
            side,
            "education",
            "senior secondary school",
            {"child_school_stage": "senior_secondary"},
            Outcome.ineligible,
            {"child-stage"},
        ),
        Case(
            side,
            "education",
            "district in another city",
            {"child_district_in_city": False},
            Outcome.ineligible,
            {"child-district"},
        ),
        Case(
            side,
            "education",
            "no child named",
            dict.fromkeys(CHILD),
            Outcome.undetermined,
            missing=list(CHILD),  # in the order the rule reads them
        ),
    ]


def title_cases(side: str) -> list[Case]:
    return [
        Case(side, "title", "doctor: direct recognition", {}, Outcome.eligible),
        Case(
            side,
            "title",
            "master with 36 months",
            {"education": "master", "months_employed_at_firm": 36},
            Outcome.eligible,
        ),
        Case(
            side,
            "title",
            "master one month short",
            {"education": "master", "months_employed_at_firm": 35},
            Outcome.ineligible,
            {"doctor-direct", "service-months"},
        ),
        Case(
            side,
            "title",
            "bachelor with long service",
            {"education": "bachelor", "months_employed_at_firm": 120},
            Outcome.ineligible,
            {"doctor-direct", "edu-master"},
        ),
        Case(
            side,
            "title",
            "center not accredited",
            {"center_accredited": False},
            Outcome.ineligible,
            {"center-accredited"},
        ),
        Case(
            side,
            "title",
            "already intermediate",
            {"title_rank": 2},
            Outcome.ineligible,
            {"below-intermediate"},
        ),
        Case(
            side,
            "title",
            "master, service unknown",
            {"education": "master", "months_employed_at_firm": None},
            Outcome.undetermined,
            {"doctor-direct"},
            missing=["months_employed_at_firm"],
        ),
        Case(
            side,
            "title",
            "doctor, service unknown does not matter",
            {"months_employed_at_firm": None},
            Outcome.eligible,
        ),
    ]


CASES = [
    *degree_cases("host", {"bachelor": 40, "master": 45, "doctor": 50}),
    *degree_cases("home", {"bachelor": 45, "master": 50, "doctor": 55}),
    *hukou_cases("host", 12),
    *hukou_cases("home", 6),
    *social_insurance_cases("host"),
    *social_insurance_cases("home"),
    *education_cases("host", 12),
    *education_cases("home", 6),
    *title_cases("host"),
    *title_cases("home"),
]


def run(case: Case):
    policy = default_policy(CITY[case.side], case.side, case.benefit)  # type: ignore[arg-type]
    facts = {**BASE[(case.side, case.benefit)], **case.changes}
    return evaluate(policy.validated_rule(), facts, policy.parameters)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.side}-{c.benefit}-{c.name}")
def test_default_policy_case(case):
    result = run(case)
    assert result.outcome is case.outcome
    assert {f["id"] for f in result.failed_criteria} == case.failed
    assert result.missing_facts == case.missing


@pytest.mark.parametrize(("side", "benefit"), sorted(BASE))
def test_every_leaf_has_a_passing_and_a_failing_case(side, benefit):
    seen: dict[str, set[str]] = {}

    def collect(node):
        if node["kind"] == "compare":
            seen.setdefault(node["id"], set()).add(node["result"])
        for child in node.get("children", ()):
            collect(child)

    for case in CASES:
        if (case.side, case.benefit) == (side, benefit):
            collect(run(case).explanation)
    rule = default_policy(CITY[side], side, benefit).validated_rule()
    leaves = {n.id for n in rule.nodes() if isinstance(n, CompareNode)}
    assert set(seen) == leaves
    for leaf_id, results in seen.items():
        assert {"pass", "fail"} <= results, leaf_id


# --- boundaries computed from real dates ------------------------------------------------------


def hukou_facts(birth: date, hire: date, as_of: date, education: str) -> dict[str, Any]:
    """What the database layer will do: facts from dates, using the registry's rounding."""
    months = whole_months_between(hire, as_of)
    return {
        "education": education,
        "age_years": age_on(birth, as_of),
        "months_at_accredited_center": months,
        "si_months_either": months,
        "hukou_in_city": False,
    }


@pytest.mark.parametrize(
    ("side", "education", "limit", "birth"),
    [
        ("host", "bachelor", 40, date(1984, 3, 15)),
        ("host", "master", 45, date(1979, 8, 31)),
        ("host", "doctor", 50, date(1976, 2, 29)),  # Feb 29: a year older on Feb 28
        ("home", "bachelor", 45, date(1980, 12, 31)),
        ("home", "doctor", 55, date(1972, 2, 29)),
    ],
)
def test_age_limit_holds_through_the_last_day_and_ends_on_the_birthday(
    side, education, limit, birth
):
    policy = default_policy(CITY[side], side, "hukou")
    rule = policy.validated_rule()
    hire = date(2000, 1, 1)
    over = add_months(birth, 12 * (limit + 1))  # the birthday that passes the limit
    at_limit_birthday = add_months(birth, 12 * limit)
    for as_of, expected in (
        (at_limit_birthday, Outcome.eligible),
        (over - timedelta(days=1), Outcome.eligible),
        (over, Outcome.ineligible),
    ):
        facts = hukou_facts(birth, hire, as_of, education)
        assert evaluate(rule, facts, policy.parameters).outcome is expected, as_of
    if birth.month == 2 and birth.day == 29 and over.month == 2:
        assert over.day in (28, 29)


@pytest.mark.parametrize(
    ("hire", "short", "exact"),
    [
        (date(2024, 1, 15), date(2025, 1, 14), date(2025, 1, 15)),
        (date(2024, 3, 31), date(2025, 3, 30), date(2025, 3, 31)),
        (date(2023, 2, 28), date(2024, 2, 27), date(2024, 2, 28)),
        (date(2024, 2, 29), date(2025, 2, 27), date(2025, 2, 28)),  # clamped anniversary
    ],
)
def test_months_threshold_is_met_on_the_anniversary_and_not_a_day_before(hire, short, exact):
    policy = default_policy(HOST, "host", "hukou")
    rule = policy.validated_rule()
    birth = date(1995, 5, 5)
    short_result = evaluate(rule, hukou_facts(birth, hire, short, "master"), policy.parameters)
    assert short_result.outcome is Outcome.ineligible
    assert {f["id"] for f in short_result.failed_criteria} == {"months-at-center", "si-either-side"}
    exact_result = evaluate(rule, hukou_facts(birth, hire, exact, "master"), policy.parameters)
    assert exact_result.outcome is Outcome.eligible


# --- the pack itself --------------------------------------------------------------------------


def reference_cities() -> tuple[list[str], list[str]]:
    path = Path(__file__).parents[2] / "talent_service" / "reference" / "guangdong_cities.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return (
        [r["code"] for r in rows if r["region"] == "prd"],
        [r["code"] for r in rows if r["region"] != "prd"],
    )


def test_default_pack_covers_every_city_and_benefit_and_says_it_is_illustrative():
    prd, home = reference_cities()
    policies = default_policies(prd, home)
    assert len(policies) == 4 * 21
    assert len({p.key for p in policies}) == len(policies)
    for p in policies:
        assert p.side == ("host" if p.city_code in prd else "home")
        assert p.version == 1 and p.effective_from == date(2024, 1, 1)
        assert p.effective_to is None and p.illustrative
        assert "示例政策，仅供演示" in p.description_zh
        assert "Illustrative default, replace with the city's real rule" in p.description_en
        assert p.document_ref
        rule = p.validated_rule()
        assert set(rule.params) == set(p.parameters) == set(p.parameter_types)
    assert {p.benefit for p in policies} == set(BENEFITS)


def test_default_pack_refuses_malformed_city_codes():
    with pytest.raises(ValueError):
        default_policies(["4403"], [])


@pytest.mark.parametrize(
    ("as_of", "found"),
    [(date(2023, 12, 31), False), (date(2024, 1, 1), True), (date(2030, 6, 1), True)],
)
def test_default_policy_is_in_force_from_its_effective_date(as_of, found):
    policy = default_policy(HOST, "host", "education")
    assert (pick_version([policy], as_of) is not None) is found
