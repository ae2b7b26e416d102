"""Survival core against lifelines (the reference) and against hand-checked cases."""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test as lifelines_logrank

from talent_service.retention.survival import (
    MIN_GROUP_SIZE,
    KMCurve,
    _count_by_key,
    ci_at,
    grouped_summary,
    kaplan_meier,
    logrank_test,
    median_survival,
    months_to_days,
    spells_from_dates,
    survival_at,
    survival_at_many,
)

TOL = 1e-9


def population(seed: int, n: int, max_day: int, p_event: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, max_day + 1, n), rng.random(n) < p_event


def fit_lifelines(durations: np.ndarray, observed: np.ndarray) -> KaplanMeierFitter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return KaplanMeierFitter().fit(durations, observed)


def lifelines_median(kmf: KaplanMeierFitter) -> float | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ApproximationWarning about the timeline grid
        m = float(kmf.median_survival_time_)
    return None if math.isinf(m) else m


def assert_matches_lifelines(curve: KMCurve, durations: np.ndarray, observed: np.ndarray) -> None:
    kmf = fit_lifelines(durations, observed)
    table = kmf.event_table.loc[curve.times]  # raises if we report a time lifelines lacks
    # lifelines always has a t=0 row; we only keep rows where something happened.
    assert set(kmf.event_table.index[kmf.event_table["removed"] > 0]) == set(curve.times)
    np.testing.assert_array_equal(curve.at_risk, table["at_risk"].to_numpy())
    np.testing.assert_array_equal(curve.events, table["observed"].to_numpy())
    np.testing.assert_array_equal(curve.censored, table["censored"].to_numpy())

    surv = kmf.survival_function_.iloc[:, 0].loc[curve.times].to_numpy()
    np.testing.assert_allclose(curve.survival, surv, rtol=0, atol=TOL)

    # Greenwood from lifelines' own event table (a step emptying the risk set contributes 0).
    n = kmf.event_table["at_risk"].to_numpy(dtype=float)
    d = kmf.event_table["observed"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(n > d, d / (n * (n - d)), 0.0)
    greenwood = pd.Series(np.cumsum(step), index=kmf.event_table.index).loc[curve.times]
    np.testing.assert_allclose(curve.variance, surv**2 * greenwood.to_numpy(), rtol=0, atol=TOL)

    ci = kmf.confidence_interval_.loc[curve.times].to_numpy()
    np.testing.assert_allclose(curve.ci_lower, ci[:, 0], rtol=0, atol=TOL)
    np.testing.assert_allclose(curve.ci_upper, ci[:, 1], rtol=0, atol=TOL)

    assert median_survival(curve) == lifelines_median(kmf)
    assert curve.n == durations.size
    assert curve.total_events == int(observed.sum())


POPULATIONS = [
    # (seed, n, max_day, p_event): few distinct days → heavy ties, events and censoring together
    (1, 500, 12, 0.5),
    (2, 3000, 40, 0.3),
    (3, 2000, 1500, 0.7),
    (4, 50, 5, 0.9),
    (5, 800, 3, 0.1),
    (6, 10_000, 4000, 0.55),
]


@pytest.mark.parametrize(("seed", "n", "max_day", "p_event"), POPULATIONS)
def test_survival_matches_lifelines_on_random_censored_population_with_ties(
    seed: int, n: int, max_day: int, p_event: float
) -> None:
    durations, observed = population(seed, n, max_day, p_event)
    curve = kaplan_meier(durations, observed)
    if max_day < 100:  # the fixture really has events and censoring on the same day
        assert ((curve.events > 0) & (curve.censored > 0)).any()
    assert_matches_lifelines(curve, durations, observed)


def test_survival_matches_lifelines_when_population_runs_out_with_an_event() -> None:
    # Last spell ends in a departure: S reaches exactly 0 and the band collapses to (0, 0).
    durations, observed = population(7, 300, 30, 0.6)
    durations = np.append(durations, 31)
    observed = np.append(observed, True)
    curve = kaplan_meier(durations, observed)
    assert curve.survival[-1] == 0.0
    assert (curve.ci_lower[-1], curve.ci_upper[-1], curve.variance[-1]) == (0.0, 0.0, 0.0)
    assert_matches_lifelines(curve, durations, observed)


def test_median_matches_lifelines_when_survival_hits_exactly_one_half() -> None:
    durations = np.array([1, 1, 2, 3, 4, 5, 5, 6, 7, 8])
    observed = np.array([1, 1, 0, 1, 1, 0, 1, 1, 0, 1], dtype=bool)
    curve = kaplan_meier(durations, observed)
    assert_matches_lifelines(curve, durations, observed)
    for seed in range(20):  # small groups make exact 0.5 steps common
        d, o = population(100 + seed, 10, 6, 0.6)
        assert median_survival(kaplan_meier(d, o)) == lifelines_median(fit_lifelines(d, o))


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.2])
def test_band_matches_lifelines_at_other_alphas(alpha: float) -> None:
    durations, observed = population(8, 1000, 60, 0.5)
    curve = kaplan_meier(durations, observed, alpha=alpha)
    kmf = KaplanMeierFitter(alpha=alpha).fit(durations, observed)
    ci = kmf.confidence_interval_.loc[curve.times].to_numpy()
    np.testing.assert_allclose(curve.ci_lower, ci[:, 0], rtol=0, atol=TOL)
    np.testing.assert_allclose(curve.ci_upper, ci[:, 1], rtol=0, atol=TOL)


def test_time_zero_appears_only_when_a_spell_ends_on_day_zero() -> None:
    assert kaplan_meier([3, 5], [True, False]).times.tolist() == [3, 5]
    curve = kaplan_meier([0, 0, 5, 7], [True, False, True, False])
    assert curve.times.tolist() == [0, 5, 7]
    assert curve.survival[0] == pytest.approx(0.75)
    assert_matches_lifelines(curve, np.array([0, 0, 5, 7]), np.array([1, 0, 1, 0], dtype=bool))


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_logrank_matches_lifelines(seed: int) -> None:
    rng = np.random.default_rng(seed)
    na, nb = rng.integers(20, 2000, 2)
    da, oa = rng.integers(0, 60, na), rng.random(na) < 0.5
    db, ob = rng.integers(0, 50, nb), rng.random(nb) < 0.6
    ours = logrank_test(da, oa, db, ob)
    ref = lifelines_logrank(da, db, event_observed_A=oa, event_observed_B=ob)
    assert ours.statistic == pytest.approx(ref.test_statistic, rel=TOL, abs=TOL)
    assert ours.p_value == pytest.approx(ref.p_value, rel=TOL, abs=1e-300)
    assert ours.degrees_of_freedom == 1


def test_logrank_with_no_departures_has_nothing_to_test() -> None:
    result = logrank_test([1, 2, 3], [False] * 3, [2, 4], [False, False])
    assert (result.statistic, result.p_value) == (0.0, 1.0)


def test_everyone_censored_keeps_survival_at_one_and_median_unreached() -> None:
    curve = kaplan_meier([10, 20, 20, 30], [False] * 4)
    assert curve.survival.tolist() == [1.0, 1.0, 1.0]
    assert curve.variance.tolist() == [0.0, 0.0, 0.0]
    assert curve.ci_lower.tolist() == [1.0, 1.0, 1.0]
    assert curve.ci_upper.tolist() == [1.0, 1.0, 1.0]
    assert median_survival(curve) is None
    assert curve.total_events == 0


def test_everyone_leaving_on_the_same_day_drops_survival_to_zero() -> None:
    curve = kaplan_meier([42] * 6, [True] * 6)
    assert curve.times.tolist() == [42]
    assert curve.at_risk.tolist() == [6]
    assert curve.survival.tolist() == [0.0]
    assert (curve.variance[0], curve.ci_lower[0], curve.ci_upper[0]) == (0.0, 0.0, 0.0)
    assert median_survival(curve) == 42.0
    assert survival_at(curve, 41) == 1.0
    assert survival_at(curve, 42) == 0.0


def test_single_spell_that_ends_in_departure() -> None:
    curve = kaplan_meier([7], [True])
    assert curve.survival.tolist() == [0.0]
    assert ci_at(curve, 7) == (0.0, 0.0)
    assert median_survival(curve) == 7.0


def test_single_spell_still_employed() -> None:
    curve = kaplan_meier([7], [False])
    assert curve.survival.tolist() == [1.0]
    assert curve.censored.tolist() == [1]
    assert ci_at(curve, 100) == (1.0, 1.0)
    assert median_survival(curve) is None


@pytest.mark.parametrize(
    ("durations", "observed", "message"),
    [
        ([], [], "no spells"),
        ([1, 2], [True], "same length"),
        ([1, -2], [True, True], ">= 0"),
        ([1.5, 2.0], [True, True], "whole days"),
        ([1, 2], [2, 0], "boolean"),
    ],
)
def test_invalid_input_raises_clear_value_error(
    durations: list[float], observed: list[int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        kaplan_meier(durations, observed)


def test_integral_float_durations_and_zero_one_flags_are_accepted() -> None:
    a = kaplan_meier(np.array([1.0, 2.0, 2.0]), np.array([1, 0, 1]))
    b = kaplan_meier([1, 2, 2], [True, False, True])
    np.testing.assert_array_equal(a.survival, b.survival)


def test_survival_at_is_a_right_continuous_step() -> None:
    curve = kaplan_meier([2, 4, 4, 6, 9], [True, True, False, True, False])
    assert survival_at(curve, 0) == 1.0
    assert survival_at(curve, 1.9) == 1.0
    assert survival_at(curve, 2) == pytest.approx(0.8)
    assert survival_at(curve, 3) == pytest.approx(0.8)
    assert survival_at(curve, 4) == pytest.approx(0.6)
    assert survival_at(curve, 6) == pytest.approx(0.3)
    assert survival_at(curve, 1000) == pytest.approx(0.3)  # carried forward, like lifelines
    many = survival_at_many(curve, [1, 2, 5, 6, 1000])
    np.testing.assert_allclose(many, [1.0, 0.8, 0.6, 0.3, 0.3])
    assert ci_at(curve, 1) == (1.0, 1.0)
    assert ci_at(curve, 5) == (float(curve.ci_lower[1]), float(curve.ci_upper[1]))


def test_survival_at_agrees_with_lifelines_predict() -> None:
    durations, observed = population(21, 2000, 1200, 0.5)
    curve = kaplan_meier(durations, observed)
    horizons = [0, 1, 365, 730, 1095, 5000]
    ref = fit_lifelines(durations, observed).predict(horizons).to_numpy()
    np.testing.assert_allclose(survival_at_many(curve, horizons), ref, rtol=0, atol=TOL)


def test_curve_arrays_are_read_only() -> None:
    curve = kaplan_meier([1, 2], [True, False])
    with pytest.raises(ValueError):
        curve.survival[0] = 0.5


def test_months_to_days_uses_a_365_day_year() -> None:
    assert [months_to_days(m) for m in (0, 6, 12, 24, 36)] == [0, 182, 365, 730, 1095]
    with pytest.raises(ValueError):
        months_to_days(-1)


def test_spells_from_dates_censors_at_as_of() -> None:
    hire = ["2020-01-01", "2020-01-01", "2021-06-01", "2022-01-01", "2022-12-31"]
    departure = [dt.date(2020, 1, 11), None, dt.date(2023, 6, 1), dt.date(2022, 12, 31), None]
    durations, observed = spells_from_dates(hire, departure, dt.date(2022, 12, 31))
    # left; still employed; leaves after as_of (unknown then); leaves on as_of; hired on as_of.
    # Days worked, both ends included: Jan 1 through Jan 11 is 11 days.
    assert durations.tolist() == [11, 1096, 579, 365, 1]
    assert observed.tolist() == [True, False, False, True, False]


def test_spells_from_dates_rejects_spells_hired_after_as_of_and_departures_before_hire() -> None:
    with pytest.raises(ValueError, match="hired after as_of"):
        spells_from_dates(["2024-01-02"], [None], "2024-01-01")
    with pytest.raises(ValueError, match="departure before hire"):
        spells_from_dates(["2024-01-02"], ["2024-01-01"], "2024-06-01")


def grouped_population(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 4000
    codes = rng.choice(
        [-3, 0, 7, 8, 50, 51, 52, 999], size=n, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.05, 0.0475, 0.0025]
    )
    durations = rng.integers(0, 1300, n)
    observed = rng.random(n) < 0.4
    return codes, durations, observed


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_grouped_summary_equals_kaplan_meier_run_per_group(seed: int) -> None:
    codes, durations, observed = grouped_population(seed)
    horizons = [0, 30, 365, 730, 1095, 5000]
    summary = grouped_summary(codes, durations, observed, horizons)
    assert [s.group for s in summary] == sorted(set(codes.tolist()))
    for s in summary:
        mask = codes == s.group
        curve = kaplan_meier(durations[mask], observed[mask])
        assert (s.n, s.events, s.censored) == (
            curve.n,
            curve.total_events,
            int(mask.sum()) - curve.total_events,
        )
        if s.suppressed:
            assert s.n < MIN_GROUP_SIZE
            continue
        assert s.median == median_survival(curve)
        for h in s.horizons:
            assert h.at_risk == int((durations[mask] >= h.days).sum())
            if h.days > durations[mask].max() and survival_at(curve, h.days) > 0:
                assert (h.survival, h.ci_lower, h.ci_upper) == (None, None, None)
                continue
            # Same arithmetic per group, so equal to the last bit, not just within 1e-9.
            assert h.survival == survival_at(curve, h.days)
            assert (h.ci_lower, h.ci_upper) == ci_at(curve, h.days)


def test_grouped_summary_suppresses_small_groups_but_reports_their_counts() -> None:
    codes = np.array([1] * 4 + [2] * 5)
    durations = np.array([10, 20, 30, 40, 10, 20, 30, 40, 50])
    observed = np.array([True, False, True, True, True, False, True, False, True])
    small, big = grouped_summary(codes, durations, observed, [25])
    assert (small.group, small.n, small.events, small.censored) == (1, 4, 3, 1)
    assert small.suppressed and small.median is None
    assert small.horizons[0].at_risk == 2
    assert (small.horizons[0].survival, small.horizons[0].ci_lower) == (None, None)
    assert not big.suppressed
    assert big.horizons[0].survival == pytest.approx(0.8)
    assert big.median == 50.0


def test_grouped_summary_refuses_to_extrapolate_past_follow_up() -> None:
    # A recent cohort followed for at most 400 days has no 730-day retention figure, unless
    # everyone has already left (then 0 is a fact, not a guess).
    codes = np.array([1] * 6 + [2] * 5)
    durations = np.array([100, 200, 300, 400, 400, 400, 10, 20, 30, 40, 50])
    observed = np.array([True, False, True, False, False, False] + [True] * 5)
    recent, gone = grouped_summary(codes, durations, observed, [365, 400, 730])
    assert [h.survival is None for h in recent.horizons] == [False, False, True]
    assert [h.at_risk for h in recent.horizons] == [3, 3, 0]
    assert [h.survival for h in gone.horizons] == [0.0, 0.0, 0.0]


def test_grouped_summary_handles_sparse_codes_and_many_groups() -> None:
    rng = np.random.default_rng(41)
    n = 20_000
    codes = rng.integers(0, 3000, n) * 1_000_003 - 5  # huge, sparse code space: sort path
    durations, observed = rng.integers(0, 2000, n), rng.random(n) < 0.5
    summary = grouped_summary(codes, durations, observed, [365])
    for s in summary[::97]:
        mask = codes == s.group
        curve = kaplan_meier(durations[mask], observed[mask])
        assert s.n == curve.n
        if not s.suppressed:
            assert s.horizons[0].survival == survival_at(curve, 365)
            assert s.median == median_survival(curve)


def test_sparse_and_dense_counting_agree() -> None:
    rng = np.random.default_rng(51)
    key = rng.integers(0, 500, 3000)
    observed = rng.random(3000) < 0.5
    dense = _count_by_key(key, observed)
    sparse = _count_by_key(key * 10_000_019, observed)  # key space too big for a bincount
    np.testing.assert_array_equal(dense[0] * 10_000_019, sparse[0])
    np.testing.assert_array_equal(dense[1], sparse[1])
    np.testing.assert_array_equal(dense[2], sparse[2])


def test_grouped_summary_rejects_bad_codes_and_horizons() -> None:
    with pytest.raises(ValueError, match="group_codes"):
        grouped_summary([0.5, 1.0], [1, 2], [True, False], [365])
    with pytest.raises(ValueError, match="horizons"):
        grouped_summary([1, 1], [1, 2], [True, False], [-1])


spell_lists = st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(spell_lists)
def test_property_any_population_matches_lifelines_and_stays_a_valid_curve(
    spells: list[tuple[int, bool]],
) -> None:
    durations = np.array([d for d, _ in spells])
    observed = np.array([o for _, o in spells], dtype=bool)
    curve = kaplan_meier(durations, observed)
    assert np.all(np.diff(curve.survival) <= 0)
    assert np.all(
        (curve.ci_lower <= curve.survival + TOL) & (curve.survival <= curve.ci_upper + TOL)
    )
    assert np.all((curve.ci_lower >= 0) & (curve.ci_upper <= 1))
    assert curve.at_risk[0] == len(spells)
    assert int(curve.events.sum() + curve.censored.sum()) == len(spells)
    assert_matches_lifelines(curve, durations, observed)
