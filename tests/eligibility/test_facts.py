"""Fact registry and the date arithmetic behind age and whole months."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talent_service.eligibility.engine.fact_spec import (
    FactError,
    Growth,
    ValueType,
    threshold_problem,
)
from talent_service.eligibility.engine.facts import FACTS, check_facts, complete_facts
from talent_service.eligibility.engine.months import add_months, age_on, whole_months_between
from talent_service.eligibility.engine.parameters import ParameterError, ParamSpec, check_params
from talent_service.eligibility.engine.scales import (
    CENTER_STATUSES,
    EDUCATION_LEVELS,
    EDUCATION_RANK,
    FIRM_TIER_RANK,
    FIRM_TIERS,
    TITLE_LEVELS,
    TITLE_RANK,
)
from talent_service.reference.enums import CenterStatus, Education, FirmTier, TitleLevel

REQUIRED_FACTS = {
    "age_years": ValueType.NUMBER,
    "education": ValueType.ENUM,
    "education_rank": ValueType.NUMBER,
    "title_level": ValueType.ENUM,
    "title_rank": ValueType.NUMBER,
    "months_at_accredited_center": ValueType.NUMBER,
    "months_employed_at_firm": ValueType.NUMBER,
    "si_months_host": ValueType.NUMBER,
    "si_months_home": ValueType.NUMBER,
    "si_months_either": ValueType.NUMBER,
    "firm_tier": ValueType.ENUM,
    "firm_tier_rank": ValueType.NUMBER,
    "firm_tier_valid": ValueType.BOOLEAN,
    "center_status": ValueType.ENUM,
    "center_accredited": ValueType.BOOLEAN,
    "key_post": ValueType.BOOLEAN,
    "recruited_via_program": ValueType.BOOLEAN,
    "currently_employed": ValueType.BOOLEAN,
    "hukou_city": ValueType.STRING,
    "hukou_in_city": ValueType.BOOLEAN,
    "is_foreign": ValueType.BOOLEAN,
}


def test_registry_has_every_documented_fact_with_its_type():
    for name, kind in REQUIRED_FACTS.items():
        assert FACTS[name].type is kind, name


@pytest.mark.parametrize("name", sorted(FACTS))
def test_every_fact_is_documented_in_both_languages(name):
    spec = FACTS[name]
    for text in (
        spec.label_zh,
        spec.label_en,
        spec.definition_zh,
        spec.definition_en,
        spec.rounding_zh,
        spec.rounding_en,
    ):
        assert text.strip()
    assert spec.to_json()["name"] == name
    if spec.type is ValueType.ENUM:
        assert spec.allowed and set(spec.allowed) <= set(spec.value_labels_zh or {})


def test_month_facts_grow_by_months_and_age_by_years():
    assert FACTS["age_years"].growth is Growth.YEARS
    for name in (
        "months_at_accredited_center",
        "months_employed_at_firm",
        "si_months_host",
        "si_months_home",
        "si_months_either",
    ):
        assert FACTS[name].growth is Growth.MONTHS
    assert FACTS["education"].growth is Growth.NONE


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap February
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 2, date(2024, 3, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2024, 1, 15), date(2024, 1, 15), 0),
        (date(2024, 1, 15), date(2024, 2, 14), 0),  # one day short
        (date(2024, 1, 15), date(2024, 2, 15), 1),  # exactly one month
        (date(2024, 1, 31), date(2024, 2, 28), 0),
        (date(2024, 1, 31), date(2024, 2, 29), 1),  # month end of a leap February
        (date(2023, 1, 31), date(2023, 2, 28), 1),
        (date(2024, 1, 31), date(2024, 3, 30), 1),
        (date(2024, 1, 31), date(2024, 3, 31), 2),
        (date(2023, 3, 1), date(2024, 2, 29), 11),
        (date(2023, 3, 1), date(2024, 3, 1), 12),
        (date(2024, 5, 1), date(2024, 4, 1), 0),  # end before start
    ],
)
def test_whole_months_between_rounds_down(start, end, expected):
    assert whole_months_between(start, end) == expected


@pytest.mark.parametrize(
    ("birth", "as_of", "expected"),
    [
        (date(1985, 6, 10), date(2025, 6, 9), 39),
        (date(1985, 6, 10), date(2025, 6, 10), 40),  # birthday itself
        (date(2000, 2, 29), date(2001, 2, 27), 0),
        (date(2000, 2, 29), date(2001, 2, 28), 1),  # Feb 29 birthday counts on Feb 28
        (date(2000, 2, 29), date(2004, 2, 28), 3),  # leap year: waits for the 29th
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2000, 1, 1), date(1999, 1, 1), 0),
    ],
)
def test_age_on_counts_whole_years(birth, as_of, expected):
    assert age_on(birth, as_of) == expected


dates = st.dates(min_value=date(1940, 1, 1), max_value=date(2080, 12, 31))


@given(dates, dates)
def test_age_is_whole_months_over_twelve(birth, as_of):
    assert age_on(birth, as_of) == whole_months_between(birth, as_of) // 12


@given(dates, dates)
def test_whole_months_is_the_largest_anniversary_not_after_end(start, end):
    m = whole_months_between(start, end)
    if end > start:
        assert add_months(start, m) <= end < add_months(start, m + 1)
    else:
        assert m == 0


@given(dates, st.integers(min_value=0, max_value=400))
def test_whole_months_never_decreases_with_time(start, days):
    end = start + timedelta(days=days)
    assert whole_months_between(start, end) <= whole_months_between(start, end + timedelta(1))


def test_check_facts_refuses_ill_typed_and_unknown_facts():
    check_facts({"age_years": 30, "education": "master", "key_post": None})
    for bad in (
        {"age_years": True},
        {"age_years": "30"},
        {"key_post": 1},
        {"education": "phd"},
        {"hukou_city": "44030"},
        {"hukou_city": "44030x"},
        {"age_years": float("nan")},
        {"agee_years": 30},
    ):
        with pytest.raises(FactError):
            check_facts(bad)


def test_complete_facts_derives_ranks_and_flags_and_keeps_missing_missing():
    out = complete_facts(
        {
            "education": "master",
            "title_level": "intermediate",
            "firm_tier": "single_champion",
            "center_status": "suspended",
            "hukou_city": "441500",
        },
        policy_city="440300",
    )
    assert out["education_rank"] == 2
    assert out["title_rank"] == 2
    assert out["firm_tier_rank"] == 4
    assert out["center_accredited"] is False
    assert out["hukou_in_city"] is False
    missing = complete_facts({})
    assert missing["education_rank"] is None and missing["center_accredited"] is None
    assert "hukou_in_city" not in missing


def test_complete_facts_refuses_contradicting_derived_values():
    with pytest.raises(FactError):
        complete_facts({"education": "master", "education_rank": 3})


def test_check_params_requires_every_value_with_the_declared_type():
    specs = {
        "max_age": ParamSpec(type=ValueType.NUMBER),
        "levels": ParamSpec(type=ValueType.ENUM, domain="education", many=True),
    }
    assert check_params(specs, {"max_age": 40, "levels": ("master", "doctor")}) == {
        "max_age": 40,
        "levels": ["master", "doctor"],
    }
    for bad in (
        {"levels": ["master"]},
        {"max_age": "40", "levels": ["master"]},
        {"max_age": 40, "levels": []},
        {"max_age": 40, "levels": ["phd"]},
        {"max_age": [40], "levels": ["master"]},
        {"max_age": 40, "levels": "master"},
    ):
        with pytest.raises(ParameterError):
            check_params(specs, bad)


def test_value_lists_are_the_stored_enums_with_the_intended_ranks():
    # Every value a table can hold has a place (no KeyError when facts are built from rows)…
    assert set(EDUCATION_LEVELS) == {e.value for e in Education}
    assert set(TITLE_LEVELS) == {t.value for t in TitleLevel}
    assert set(FIRM_TIERS) == {"none"} | {t.value for t in FirmTier}
    assert set(CENTER_STATUSES) == {s.value for s in CenterStatus}
    # …and the enums' order is the rank a rule compares (lowest first).
    assert EDUCATION_RANK == {"below_bachelor": 0, "bachelor": 1, "master": 2, "doctor": 3}
    assert TITLE_RANK == {
        "none": 0,
        "junior": 1,
        "intermediate": 2,
        "associate_senior": 3,
        "senior": 4,
    }
    assert FIRM_TIER_RANK == {
        "none": 0,
        "innovative_sme": 1,
        "provincial_specialized": 2,
        "little_giant": 3,
        "key_little_giant": 4,
        "single_champion": 4,  # beside the ladder: ranks with its top rung
    }
    for name in ("education", "title_level", "firm_tier", "center_status"):
        spec = FACTS[name]
        assert spec.value_labels_zh is not None and spec.value_labels_en is not None
        assert set(spec.value_labels_zh) == set(spec.value_labels_en) == set(spec.allowed), name


@pytest.mark.parametrize(
    ("fact", "value", "refused"),
    [
        ("age_years", 40, False),
        ("age_years", 150, False),
        ("age_years", 151, True),
        ("age_years", 1_000_000, True),
        ("age_years", -1, True),
        ("months_at_accredited_center", 1800, False),
        ("months_at_accredited_center", 2_000_000, True),
        ("si_months_either", [12, 2_000_000], True),
        ("title_rank", 1_000_000, False),  # not a time-growing fact: no bound
    ],
)
def test_thresholds_of_time_growing_facts_are_bounded(fact, value, refused):
    assert (threshold_problem(FACTS[fact], value) is not None) is refused
