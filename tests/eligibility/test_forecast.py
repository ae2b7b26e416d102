"""Forecast: the day the outcome changes when only time passes."""

import random
from datetime import date, timedelta

import pytest

from talent_service.core import clock
from talent_service.eligibility.engine.evaluate import outcome_of
from talent_service.eligibility.engine.forecast import (
    ForecastKind,
    GrowingFact,
    forecast,
    project_facts,
)
from talent_service.eligibility.policies.defaults import default_policy
from talent_service.reference.enums import Outcome

HOST_HUKOU = default_policy("440300", "host", "hukou")
RULE = HOST_HUKOU.validated_rule()
PARAMS = HOST_HUKOU.parameters
STATIC = {"hukou_in_city": False}


def hukou_forecast(education, birth, hire, as_of, si_anchor=None, si_offset=0, **kw):
    growing = {
        "months_at_accredited_center": GrowingFact(hire),
        "si_months_either": GrowingFact(si_anchor or hire, si_offset),
    }
    facts = {**STATIC, "education": education}
    return forecast(RULE, PARAMS, facts, as_of, growing=growing, birth_date=birth, **kw)


def test_growing_fact_counts_whole_months_from_its_anchor_plus_offset():
    g = GrowingFact(date(2024, 1, 31), offset_months=5)
    assert g.value_on(date(2024, 1, 1)) == 5  # before the anchor: only the offset
    assert g.value_on(date(2024, 2, 28)) == 5
    assert g.value_on(date(2024, 2, 29)) == 6
    increments = g.increments_after(date(2024, 2, 29))
    assert [next(increments) for _ in range(3)] == [
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]


def test_ineligible_for_months_only_becomes_eligible_on_the_anniversary():
    result = hukou_forecast("master", date(1994, 7, 1), date(2024, 5, 31), date(2025, 1, 15))
    assert result.kind is ForecastKind.BECOMES_ELIGIBLE
    assert result.change_on == date(2025, 5, 31)  # 12 months after a May 31 hire
    # …and the master's age limit (45) ends it on the 46th birthday.
    assert result.then_ends_on == date(2040, 7, 1)
    assert result.facts_on_change["months_at_accredited_center"] == 12
    assert "2025-05-31" in result.reason_zh and "2025-05-31" in result.reason_en
    data = result.to_json()
    assert data["change_on"] == "2025-05-31" and data["kind"] == "becomes_eligible"


def test_the_slower_growing_fact_decides_the_date():
    # Months at the center reach 12 on 2025-03-01; insurance (8 + months since 2024-09-10)
    # reaches 12 on 2025-01-10 — the later of the two wins.
    result = hukou_forecast(
        "bachelor",
        date(1995, 1, 1),
        date(2024, 3, 1),
        date(2024, 10, 1),
        si_anchor=date(2024, 9, 10),
        si_offset=8,
    )
    assert result.change_on == date(2025, 3, 1)


def test_age_limit_that_comes_first_makes_it_unreachable():
    # A bachelor turning 41 on 2025-11-10 cannot reach 12 months (2026-01-01) in time.
    result = hukou_forecast("bachelor", date(1984, 11, 10), date(2025, 1, 1), date(2025, 3, 1))
    assert result.kind is ForecastKind.NOT_REACHABLE
    assert result.change_on is None
    assert result.blocking == ["months-at-center", "si-either-side"]


def test_failing_education_is_not_fixed_by_time():
    result = hukou_forecast("below_bachelor", date(1995, 1, 1), date(2024, 1, 1), date(2024, 6, 1))
    assert result.kind is ForecastKind.NOT_REACHABLE
    assert set(result.blocking) == {"edu-bachelor", "edu-master", "edu-doctor"}
    assert "不随时间变化" in result.reason_zh
    assert "do not change with time" in result.reason_en


def test_local_hukou_is_not_fixed_by_time():
    facts = {"hukou_in_city": True, "education": "master"}
    growing = {
        "months_at_accredited_center": GrowingFact(date(2024, 1, 1)),
        "si_months_either": GrowingFact(date(2024, 1, 1)),
    }
    result = forecast(
        RULE, PARAMS, facts, date(2024, 6, 1), growing=growing, birth_date=date(1990, 1, 1)
    )
    assert result.kind is ForecastKind.NOT_REACHABLE
    assert "hukou-not-local" in result.blocking


@pytest.mark.parametrize(
    ("education", "birth", "ends"),
    [
        ("bachelor", date(1990, 6, 10), date(2031, 6, 10)),  # 41st birthday
        ("doctor", date(1976, 2, 29), date(2027, 2, 28)),  # 51st, in a common year
        ("doctor", date(1979, 2, 28), date(2030, 2, 28)),
    ],
)
def test_eligible_until_the_birthday_past_the_age_limit(education, birth, ends):
    result = hukou_forecast(education, birth, date(2020, 1, 1), date(2024, 6, 1))
    assert result.kind is ForecastKind.ELIGIBILITY_ENDS
    assert result.change_on == ends
    assert result.to_json()["last_eligible_on"] == (ends - timedelta(days=1)).isoformat()


def test_rule_without_time_facts_stays_eligible():
    policy = default_policy("440300", "host", "social_insurance")
    facts = {"currently_employed": True, "center_accredited": True, "recruited_via_program": True}
    result = forecast(policy.validated_rule(), policy.parameters, facts, date(2024, 6, 1))
    assert result.kind is ForecastKind.STAYS_ELIGIBLE


def test_undetermined_decision_has_no_forecast():
    result = forecast(RULE, PARAMS, {"education": "master"}, date(2024, 6, 1))
    assert result.kind is ForecastKind.UNDETERMINED
    assert result.change_on is None


def test_title_by_years_of_service():
    policy = default_policy("441500", "home", "title")
    facts = {"center_accredited": True, "title_rank": 1, "education": "master"}
    result = forecast(
        policy.validated_rule(),
        policy.parameters,
        facts,
        date(2024, 6, 1),
        growing={"months_employed_at_firm": GrowingFact(date(2022, 9, 30))},
    )
    assert result.kind is ForecastKind.BECOMES_ELIGIBLE
    assert result.change_on == date(2025, 9, 30)  # 36 months
    assert result.then_ends_on is None


def test_only_month_facts_may_grow():
    with pytest.raises(ValueError):
        forecast(
            RULE, PARAMS, {}, date(2024, 1, 1), growing={"age_years": GrowingFact(clock.today())}
        )


def test_forecast_matches_a_day_by_day_scan():
    rng = random.Random(7)
    as_of = date(2024, 6, 1)
    kinds = set()
    for _ in range(30):
        education = rng.choice(["bachelor", "master", "doctor"])
        birth = date(rng.randint(1972, 1990), rng.randint(1, 12), rng.randint(1, 28))
        hire = as_of - timedelta(days=rng.randint(0, 500))
        growing = {
            "months_at_accredited_center": GrowingFact(hire),
            "si_months_either": GrowingFact(
                hire - timedelta(days=rng.randint(0, 200)), rng.randint(0, 6)
            ),
        }
        facts = {**STATIC, "education": education}
        result = forecast(
            RULE, PARAMS, facts, as_of, growing=growing, birth_date=birth, horizon_years=4
        )
        day, expected = as_of, None
        start = outcome_of(RULE, project_facts(facts, growing, birth, as_of), PARAMS)
        while day < date(2028, 6, 1):
            day += timedelta(days=1)
            now = outcome_of(RULE, project_facts(facts, growing, birth, day), PARAMS)
            if (now is Outcome.eligible) != (start is Outcome.eligible):
                expected = day
                break
        if start is Outcome.eligible:
            assert result.kind in (ForecastKind.ELIGIBILITY_ENDS, ForecastKind.STAYS_ELIGIBLE)
        else:
            assert result.kind in (ForecastKind.BECOMES_ELIGIBLE, ForecastKind.NOT_REACHABLE)
        assert result.change_on == expected, (education, birth, hire)
        kinds.add(result.kind)
    assert kinds == {
        ForecastKind.BECOMES_ELIGIBLE,
        ForecastKind.NOT_REACHABLE,
        ForecastKind.ELIGIBILITY_ENDS,
        ForecastKind.STAYS_ELIGIBLE,
    }


@pytest.mark.parametrize(
    ("params", "education", "kind"),
    [
        # An age limit no one reaches: eligible for good, no end date is ever computed.
        ({**PARAMS, "max_age_master": 1_000_000}, "master", ForecastKind.STAYS_ELIGIBLE),
        # A month count no one reaches: never eligible within the horizon.
        ({**PARAMS, "min_months_at_center": 2_000_000}, "master", ForecastKind.NOT_REACHABLE),
        ({**PARAMS, "min_si_months": 2e300}, "master", ForecastKind.NOT_REACHABLE),
    ],
)
def test_thresholds_beyond_the_calendar_give_no_date_and_no_error(params, education, kind):
    growing = {
        "months_at_accredited_center": GrowingFact(date(2020, 1, 1)),
        "si_months_either": GrowingFact(date(2020, 1, 1)),
    }
    facts = {**STATIC, "education": education}
    result = forecast(
        RULE, params, facts, date(2024, 6, 1), growing=growing, birth_date=date(1990, 1, 1)
    )
    assert result.kind is kind
    assert result.change_on is None and result.then_ends_on is None
