"""Half-open effective ranges for policy versions and parameter values."""

from dataclasses import dataclass
from datetime import date

import pytest

from talent_service.eligibility.policies.versions import (
    AmbiguousVersionError,
    ParamValueRange,
    check_range,
    overlapping,
    param_values_on,
    pick_version,
    ranges_overlap,
)


@dataclass(frozen=True)
class Version:
    version: int
    effective_from: date
    effective_to: date | None


V1 = Version(1, date(2024, 1, 1), date(2025, 1, 1))
V2 = Version(2, date(2025, 1, 1), None)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2023, 12, 31), None),  # before every range
        (date(2024, 1, 1), 1),  # first day is inside
        (date(2024, 7, 1), 1),
        (date(2024, 12, 31), 1),  # last day of v1
        (date(2025, 1, 1), 2),  # v1's end is exclusive: v2 from that day
        (date(2040, 1, 1), 2),  # open-ended
    ],
)
def test_pick_version_uses_half_open_ranges(as_of, expected):
    found = pick_version([V1, V2], as_of)
    assert (found.version if found else None) == expected


def test_pick_version_after_a_closed_range_finds_nothing():
    assert pick_version([V1], date(2025, 1, 1)) is None


def test_pick_version_refuses_overlapping_data():
    with pytest.raises(AmbiguousVersionError):
        pick_version([V1, Version(3, date(2024, 6, 1), None)], date(2024, 7, 1))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((date(2024, 1, 1), date(2025, 1, 1)), (date(2025, 1, 1), None), False),  # touching
        ((date(2024, 1, 1), date(2025, 1, 1)), (date(2024, 12, 31), None), True),
        ((date(2024, 1, 1), None), (date(2030, 1, 1), None), True),
        ((date(2024, 1, 1), None), (date(2020, 1, 1), date(2024, 1, 1)), False),
        ((date(2024, 1, 1), None), (date(2020, 1, 1), date(2024, 1, 2)), True),
        ((date(2024, 3, 1), date(2024, 4, 1)), (date(2024, 1, 1), date(2024, 12, 1)), True),
    ],
)
def test_ranges_overlap_is_symmetric_and_half_open(a, b, expected):
    assert ranges_overlap(*a, *b) is expected
    assert ranges_overlap(*b, *a) is expected


def test_overlapping_lists_the_conflicting_versions():
    draft = Version(3, date(2024, 6, 1), date(2025, 6, 1))
    assert overlapping(draft, [V1, V2]) == [V1, V2]
    assert overlapping(Version(3, date(2020, 1, 1), date(2024, 1, 1)), [V1, V2]) == []


def test_check_range_refuses_empty_and_inverted_ranges():
    check_range(date(2024, 1, 1), None)
    check_range(date(2024, 1, 1), date(2024, 1, 2))
    for end in (date(2024, 1, 1), date(2023, 1, 1)):
        with pytest.raises(ValueError):
            check_range(date(2024, 1, 1), end)


def test_param_values_on_picks_each_parameter_on_the_date():
    history = {
        "max_age_bachelor": [
            ParamValueRange(date(2024, 1, 1), date(2025, 7, 1), 40),
            ParamValueRange(date(2025, 7, 1), None, 42),
        ],
        "min_months": [ParamValueRange(date(2025, 1, 1), None, 12)],
    }
    assert param_values_on(history, date(2023, 6, 1)) == {}
    assert param_values_on(history, date(2024, 6, 1)) == {"max_age_bachelor": 40}
    assert param_values_on(history, date(2025, 6, 30)) == {"max_age_bachelor": 40, "min_months": 12}
    assert param_values_on(history, date(2025, 7, 1)) == {"max_age_bachelor": 42, "min_months": 12}
