"""The forecast's calendar, without HTTP: later stages (versions, parameter values) decide."""

from __future__ import annotations

from datetime import date

import pytest

from talent_service.eligibility.engine.forecast import ForecastKind, GrowingFact, Stage, forecast
from talent_service.eligibility.policies.defaults import default_policy

HOST_HUKOU = default_policy("440300", "host", "hukou")
RULE = HOST_HUKOU.validated_rule()
PARAMS = HOST_HUKOU.parameters  # bachelor ≤ 40, 12 months at a center, 12 months of insurance
BIRTH = date(1984, 3, 1)  # a bachelor aged 41 in 2025: over the limit of 40
HIRE = date(2022, 3, 1)
FACTS = {"hukou_in_city": False, "education": "bachelor"}
GROWING = {
    "months_at_accredited_center": GrowingFact(HIRE),
    "si_months_either": GrowingFact(HIRE),
}


def _forecast(as_of: date, *stages: Stage, params: dict[str, object] = PARAMS) -> object:
    return forecast(
        RULE, params, FACTS, as_of, growing=GROWING, birth_date=BIRTH, stages=stages, version=1
    )


def test_without_stages_an_age_limit_passed_is_not_reachable() -> None:
    result = _forecast(date(2025, 6, 30))
    assert result.kind is ForecastKind.NOT_REACHABLE


def test_a_later_parameter_value_makes_it_reachable_from_its_first_day() -> None:
    raised = Stage(date(2025, 7, 1), RULE, {**PARAMS, "max_age_bachelor": 45}, version=1)
    result = _forecast(date(2025, 6, 30), raised)
    assert (result.kind, result.change_on) == (ForecastKind.BECOMES_ELIGIBLE, date(2025, 7, 1))
    # …until the 46th birthday, under the raised limit.
    assert result.then_ends_on == date(2030, 3, 1)
    assert result.version_on_change == 1
    assert "parameters in force from 2025-07-01" in result.reason_en


def test_a_stage_past_the_horizon_is_not_foreseen() -> None:
    raised = Stage(date(2060, 1, 1), RULE, {**PARAMS, "max_age_bachelor": 99}, version=2)
    assert _forecast(date(2025, 6, 30), raised).kind is ForecastKind.NOT_REACHABLE


def test_the_earlier_of_a_threshold_date_and_a_stage_decides() -> None:
    # A bachelor aged 30, hired 2025-01-10: 12 months on 2026-01-10 under the current rule; a
    # version from 2026-06-01 would also admit them, but the anniversary comes first.
    young = {
        "months_at_accredited_center": GrowingFact(date(2025, 1, 10)),
        "si_months_either": GrowingFact(date(2025, 1, 10)),
    }
    later = Stage(date(2026, 6, 1), RULE, PARAMS, version=2)
    result = forecast(
        RULE,
        PARAMS,
        FACTS,
        date(2025, 6, 30),
        growing=young,
        birth_date=date(1995, 1, 1),
        stages=[later],
        version=1,
    )
    assert (result.change_on, result.version_on_change) == (date(2026, 1, 10), None)
    assert "version" not in result.reason_en


def test_a_gap_with_no_version_is_nobody_eligible_and_the_next_version_restores_it() -> None:
    young = {
        "months_at_accredited_center": GrowingFact(date(2020, 1, 10)),
        "si_months_either": GrowingFact(date(2020, 1, 10)),
    }
    gap = Stage(date(2026, 1, 1), None, {}, None)
    back = Stage(date(2026, 4, 1), RULE, PARAMS, version=2)
    result = forecast(
        RULE,
        PARAMS,
        FACTS,
        date(2025, 6, 30),
        growing=young,
        birth_date=date(1995, 1, 1),
        stages=[back, gap],
        version=1,
    )
    assert (result.kind, result.change_on) == (ForecastKind.ELIGIBILITY_ENDS, date(2026, 1, 1))
    assert result.version_on_change is None


def test_a_scheduled_stage_missing_a_parameter_decides_nothing() -> None:
    broken = Stage(date(2025, 7, 1), RULE, {}, version=2)
    result = _forecast(date(2025, 6, 30), broken)
    assert result.kind is ForecastKind.NOT_REACHABLE


def test_two_stages_on_one_day_are_refused() -> None:
    a = Stage(date(2025, 7, 1), RULE, PARAMS, version=2)
    with pytest.raises(ValueError, match="same day"):
        _forecast(date(2025, 6, 30), a, Stage(a.starts_on, RULE, PARAMS, version=3))
