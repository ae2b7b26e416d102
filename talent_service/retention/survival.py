"""Kaplan–Meier retention estimates over employment spells (pure numpy, no I/O).

A spell runs from hire to departure (an *event*) or, for someone still employed, to the as-of
date (*censored*). Durations are whole days. Everything here is vectorised: counting is a
bincount (or one sort) over an integer key, never a Python loop per spell or per time.

Conventions a caller must know:

* ``S(t)`` is the share still employed *after* day ``t``: a departure on day ``t`` counts as
  gone at ``t`` (right-continuous step function, as in lifelines).
* Months → days: ``months_to_days(m) = m * 365 // 12``, so 12/24/36 months are exactly
  365/730/1095 days (leap days are ignored).
* Confidence band: exponential Greenwood ("log-log"), the lifelines default. Where it is
  undefined we return the degenerate band, never NaN: ``S = 1`` gives ``(1.0, 1.0)`` and
  ``S = 0`` gives ``(0.0, 0.0)``. The Greenwood variance of ``S`` is 0 in both cases (a step
  where everyone at risk leaves contributes 0, as lifelines does).
* ``grouped_summary`` reports a horizon's rate as ``None`` when the group is suppressed (fewer
  than ``MIN_GROUP_SIZE`` spells) or when nobody in the group was followed that long while some
  were still employed (the estimate would be a carried-forward guess). ``survival_at`` on a
  single curve carries the last value forward instead, like lifelines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MIN_GROUP_SIZE",
    "GroupSummary",
    "HorizonEstimate",
    "KMCurve",
    "LogRankResult",
    "ci_at",
    "grouped_summary",
    "kaplan_meier",
    "logrank_test",
    "median_survival",
    "months_to_days",
    "spells_from_dates",
    "survival_at",
    "survival_at_many",
]

MIN_GROUP_SIZE = 5
"""Groups with fewer spells get counts only: rates would identify individuals."""

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class KMCurve:
    """Kaplan–Meier estimate, one row per distinct duration seen (event or censoring).

    Arrays are read-only and aligned with ``times`` (ascending, int64 days). ``at_risk`` counts
    spells with duration >= t; ``survival``, ``variance`` (Greenwood variance of S), ``ci_lower``
    and ``ci_upper`` are the values on [t, next time).
    """

    times: IntArray
    at_risk: IntArray
    events: IntArray
    censored: IntArray
    survival: FloatArray
    variance: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    n: int
    total_events: int
    alpha: float


@dataclass(frozen=True)
class LogRankResult:
    statistic: float
    p_value: float
    degrees_of_freedom: int = 1


@dataclass(frozen=True)
class HorizonEstimate:
    """Retention ``days`` after hire. Rates are None when suppressed or beyond follow-up."""

    days: int
    at_risk: int
    survival: float | None
    ci_lower: float | None
    ci_upper: float | None


@dataclass(frozen=True)
class GroupSummary:
    group: int
    n: int
    events: int
    censored: int
    suppressed: bool
    median: float | None
    horizons: tuple[HorizonEstimate, ...]


def months_to_days(months: int) -> int:
    """Whole months to days with a 365-day year: 12 → 365, 24 → 730, 36 → 1095, 6 → 182."""
    if months < 0:
        raise ValueError("months must be >= 0")
    return months * 365 // 12


def spells_from_dates(
    hire_dates: ArrayLike, departure_dates: ArrayLike, as_of: date | np.datetime64 | str
) -> tuple[IntArray, BoolArray]:
    """Turn hire/departure dates into ``(durations, observed)`` as of a date.

    ``departure_dates`` uses None/NaT for "still employed". A departure after ``as_of`` is not
    yet known on that date, so the spell is censored at ``as_of``; a departure on ``as_of``
    counts. A duration is the days worked, both ends included (``departed_on`` is the last day
    worked; an open spell has worked through ``as_of``): hired and departed on one day is 1.
    Spells hired after ``as_of`` do not exist yet: the caller must filter them out
    (we raise rather than silently drop rows, which would misalign group codes).
    """
    hire = np.asarray(hire_dates, dtype="datetime64[D]")
    departure = np.asarray(departure_dates, dtype="datetime64[D]")
    cutoff = np.asarray(as_of, dtype="datetime64[D]")
    if cutoff.ndim != 0:
        raise ValueError("as_of must be a single date")
    if hire.ndim != 1 or hire.shape != departure.shape:
        raise ValueError("hire_dates and departure_dates must be 1-D and the same length")
    if np.isnat(cutoff) or np.isnat(hire).any():
        raise ValueError("hire dates and as_of must be real dates")
    if (hire > cutoff).any():
        raise ValueError(f"{int((hire > cutoff).sum())} spells hired after as_of; filter them")
    has_left = ~np.isnat(departure)
    if (departure[has_left] < hire[has_left]).any():
        raise ValueError("departure before hire")
    left = has_left & (departure <= cutoff)
    end = np.where(left, departure, cutoff)
    return (end - hire).astype(np.int64) + 1, left


def kaplan_meier(durations: ArrayLike, observed: ArrayLike, alpha: float = 0.05) -> KMCurve:
    """Kaplan–Meier curve with Greenwood variance and log-log band (matches lifelines)."""
    d, o = _validate_spells(durations, observed)
    _check_alpha(alpha)
    t = _tables(np.zeros(d.size, dtype=np.int64), d, o)
    lower, upper = _loglog_band(t.survival, t.cum_gw, alpha)
    variance = t.survival * t.survival * t.cum_gw
    arrays = (t.times, t.at_risk, t.events, t.censored, t.survival, variance, lower, upper)
    for a in arrays:
        a.setflags(write=False)
    return KMCurve(*arrays, n=int(d.size), total_events=int(o.sum()), alpha=alpha)


def survival_at(curve: KMCurve, t: float) -> float:
    """S(t): 1.0 before the first time; the last value is carried forward past the end."""
    return float(survival_at_many(curve, [t])[0])


def survival_at_many(curve: KMCurve, ts: ArrayLike) -> FloatArray:
    """S at several horizons at once (same rule as ``survival_at``)."""
    idx = _step_index(curve.times, ts)
    return np.where(idx >= 0, curve.survival[np.maximum(idx, 0)], 1.0)


def ci_at(curve: KMCurve, t: float) -> tuple[float, float]:
    """(lower, upper) band at t; (1.0, 1.0) before the first time."""
    i = int(_step_index(curve.times, [t])[0])
    if i < 0:
        return 1.0, 1.0
    return float(curve.ci_lower[i]), float(curve.ci_upper[i])


def median_survival(curve: KMCurve) -> float | None:
    """First time with S(t) <= 0.5 (lifelines' ``median_survival_time_``); None if not reached."""
    hit = np.flatnonzero(curve.survival <= 0.5)
    return float(curve.times[hit[0]]) if hit.size else None


def logrank_test(
    durations_a: ArrayLike, observed_a: ArrayLike, durations_b: ArrayLike, observed_b: ArrayLike
) -> LogRankResult:
    """Two-sample log-rank test (unweighted), chi-square with 1 degree of freedom."""
    da, oa = _validate_spells(durations_a, observed_a)
    db, ob = _validate_spells(durations_b, observed_b)
    d = np.concatenate([da, db])
    times, inverse = np.unique(d, return_inverse=True)
    in_a = np.arange(d.size) < da.size
    o = np.concatenate([oa, ob])
    k = times.size
    removed = np.bincount(inverse, minlength=k)
    removed_a = np.bincount(inverse[in_a], minlength=k)
    deaths = np.bincount(inverse[o], minlength=k)
    deaths_a = np.bincount(inverse[o & in_a], minlength=k)
    n = _at_risk_from_removed(removed).astype(np.float64)
    n_a = _at_risk_from_removed(removed_a).astype(np.float64)
    observed_minus_expected = float(deaths_a.sum() - (n_a * deaths / n).sum())
    # Hypergeometric variance; a step with a single spell at risk contributes nothing.
    several = n > 1
    ns, nas, ds = n[several], n_a[several], deaths[several]
    var = float((nas * (ns - nas) * ds * (ns - ds) / (ns * ns * (ns - 1))).sum())
    if var <= 0.0:  # no informative step: O == E necessarily, nothing to test
        return LogRankResult(statistic=0.0, p_value=1.0)
    stat = observed_minus_expected**2 / var
    return LogRankResult(statistic=stat, p_value=math.erfc(math.sqrt(stat / 2.0)))


def grouped_summary(
    group_codes: ArrayLike,
    durations: ArrayLike,
    observed: ArrayLike,
    horizons: ArrayLike,
    alpha: float = 0.05,
    min_group_size: int = MIN_GROUP_SIZE,
) -> tuple[GroupSummary, ...]:
    """Per-group counts, retention at each horizon (days) with band, and median.

    One pass over all groups (no KM per group); results are sorted by group code and equal,
    value for value, to ``kaplan_meier`` run on each group alone.
    """
    d, o = _validate_spells(durations, observed)
    g_raw = np.asarray(group_codes)
    if g_raw.shape != d.shape or not np.issubdtype(g_raw.dtype, np.integer):
        raise ValueError("group_codes must be integers, one per spell")
    h = np.asarray(horizons)
    if h.ndim != 1 or not np.issubdtype(h.dtype, np.integer) or (h < 0).any():
        raise ValueError("horizons must be a 1-D array of whole days >= 0")
    _check_alpha(alpha)
    codes, g = _dense_codes(g_raw)
    t = _tables(g, d, o, extra_span=int(h.max()) if h.size else 0)
    n_g = np.bincount(g, minlength=codes.size)
    ev_g = np.bincount(g[o], minlength=codes.size)
    median = _group_medians(t, codes.size)

    # Rows are sorted by key = group*span + time (every group has rows), so a horizon lookup
    # for all groups at once is one searchsorted on the stacked keys.
    target = np.arange(codes.size)[:, None] * t.span + h[None, :].astype(np.int64)
    last = np.searchsorted(t.key, target, side="right") - 1  # last row with time <= horizon
    started = last >= t.starts[:, None]
    li = np.maximum(last, 0)
    surv = np.where(started, t.survival[li], 1.0)
    cum_gw = np.where(started, t.cum_gw[li], 0.0)
    lower, upper = _loglog_band(surv, cum_gw, alpha)  # only G x H points, not every row
    first = np.searchsorted(t.key, target, side="left")  # first row with time >= horizon
    inside = first < (t.starts + t.lengths)[:, None]
    at_risk = np.where(inside, t.at_risk[np.minimum(first, t.key.size - 1)], 0)
    # Nobody followed this long and someone was still employed: S is not identified here.
    unknown = (at_risk == 0) & (surv > 0.0)

    # Build the records from plain lists: indexing numpy scalars one by one is ~10x slower.
    hidden = unknown | (n_g < min_group_size)[:, None]
    surv_l, lower_l, upper_l = (np.where(hidden, np.nan, a).tolist() for a in (surv, lower, upper))
    risk_l, days_l = at_risk.tolist(), [int(x) for x in h]
    out = []
    for i, (code, n_i, ev_i, med) in enumerate(
        zip(codes.tolist(), n_g.tolist(), ev_g.tolist(), median.tolist(), strict=True)
    ):
        suppressed = n_i < min_group_size
        ests = tuple(
            HorizonEstimate(
                days=days_l[j],
                at_risk=risk_l[i][j],
                survival=_none_if_nan(surv_l[i][j]),
                ci_lower=_none_if_nan(lower_l[i][j]),
                ci_upper=_none_if_nan(upper_l[i][j]),
            )
            for j in range(len(days_l))
        )
        out.append(
            GroupSummary(
                group=code,
                n=n_i,
                events=ev_i,
                censored=n_i - ev_i,
                suppressed=suppressed,
                median=None if suppressed else _none_if_nan(med),
                horizons=ests,
            )
        )
    return tuple(out)


# --- internals -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Tables:
    """Event tables of every group stacked, sorted by (group, time); key = group*span + time."""

    key: IntArray
    group: IntArray
    times: IntArray
    span: int
    starts: IntArray  # first row of each group
    lengths: IntArray  # rows per group
    at_risk: IntArray
    events: IntArray
    censored: IntArray
    survival: FloatArray
    cum_gw: FloatArray  # Greenwood sum of d / (n (n - d)); Var S = S^2 * cum_gw


def _validate_spells(durations: ArrayLike, observed: ArrayLike) -> tuple[IntArray, BoolArray]:
    d = np.asarray(durations)
    o = np.asarray(observed)
    if d.ndim != 1 or o.shape != d.shape:
        raise ValueError("durations and observed must be 1-D and the same length")
    if d.size == 0:
        raise ValueError("no spells: a survival curve needs at least one spell")
    if np.issubdtype(d.dtype, np.floating):
        if not np.isfinite(d).all() or (d != np.floor(d)).any():
            raise ValueError("durations must be whole days")
    elif not np.issubdtype(d.dtype, np.integer):
        raise ValueError("durations must be whole days (integers)")
    if (d < 0).any():
        raise ValueError("durations must be >= 0")
    if o.dtype != np.bool_:
        if not np.isin(o, (0, 1)).all():
            raise ValueError("observed must be boolean (True = left, False = censored)")
        o = o.astype(bool)
    return d.astype(np.int64), o


def _check_alpha(alpha: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be in (0, 1)")


def _tables(
    group: IntArray, durations: IntArray, observed: BoolArray, extra_span: int = 0
) -> _Tables:
    span = max(int(durations.max()), extra_span) + 1
    key = group * span + durations
    ukey, removed, events = _count_by_key(key, observed)
    ugroup = ukey // span
    starts = np.flatnonzero(np.r_[True, ugroup[1:] != ugroup[:-1]])
    lengths = np.diff(np.r_[starts, ukey.size])
    at_risk = _at_risk_from_removed(removed, starts, lengths)

    with np.errstate(divide="ignore"):
        # Same arithmetic as lifelines (log-sum, then exp) so ties at S = 0.5 break identically;
        # log(0) = -inf when everyone at risk leaves, giving S = 0 exactly.
        log_step = np.log(at_risk - events) - np.log(at_risk)
    survival = np.exp(_segmented_cumsum(log_step, starts, lengths))
    remaining = at_risk - events
    gw_step = np.zeros(ukey.size)
    np.divide(events, at_risk * remaining, out=gw_step, where=remaining > 0)
    return _Tables(
        key=ukey,
        group=ugroup,
        times=ukey % span,
        span=span,
        starts=starts,
        lengths=lengths,
        at_risk=at_risk,
        events=events,
        censored=removed - events,
        survival=survival,
        cum_gw=_segmented_cumsum(gw_step, starts, lengths),
    )


def _count_by_key(key: IntArray, observed: BoolArray) -> tuple[IntArray, IntArray, IntArray]:
    """Distinct keys (ascending) with how many spells end there and how many are events."""
    size = int(key.max()) + 1
    if size <= max(4 * key.size, 1 << 20):  # dense key space: O(n) counting, no sort
        removed = np.bincount(key, minlength=size)
        events = np.bincount(key[observed], minlength=size)
        present = np.flatnonzero(removed)
        return present.astype(np.int64), removed[present], events[present]
    ordered = np.sort(key)
    first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ukey = ordered[first]
    removed = np.diff(np.r_[first, ordered.size])
    ev = np.sort(key[observed])
    events = np.searchsorted(ev, ukey, side="right") - np.searchsorted(ev, ukey, side="left")
    return ukey, removed.astype(np.int64), events.astype(np.int64)


def _at_risk_from_removed(
    removed: IntArray, starts: IntArray | None = None, lengths: IntArray | None = None
) -> IntArray:
    """Spells still present at each row: removals at this row and later within the segment."""
    from_end = np.cumsum(removed[::-1])[::-1]
    if starts is None or lengths is None:
        return from_end
    after_segment = np.r_[from_end, 0][starts + lengths]
    return from_end - np.repeat(after_segment, lengths)


def _segmented_cumsum(values: FloatArray, starts: IntArray, lengths: IntArray) -> FloatArray:
    """Cumulative sum restarting at each segment, bit-identical to np.cumsum per segment.

    A global cumsum minus offsets would lose precision (and turn -inf into NaN), so segments
    are padded into a matrix per power-of-two length bucket (at most 2x memory, ~log2(n) loops)
    and summed along rows.
    """
    if starts.size == 1:
        return np.cumsum(values)
    out = np.empty_like(values)
    bucket = np.ceil(np.log2(lengths)).astype(np.int64)
    for b in np.unique(bucket):
        sel = np.flatnonzero(bucket == b)
        cols = np.arange(int(lengths[sel].max()))
        valid = cols[None, :] < lengths[sel, None]
        idx = np.where(valid, starts[sel, None] + cols[None, :], 0)
        padded = np.where(valid, values[idx], 0.0)
        out[idx[valid]] = np.cumsum(padded, axis=1)[valid]
    return out


def _loglog_band(
    survival: FloatArray, cum_gw: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray]:
    """Exponential Greenwood band; degenerate (S, S) where S is 0 or 1 (log-log undefined)."""
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    inner = (survival > 0.0) & (survival < 1.0)
    lower = survival.copy()
    upper = survival.copy()
    v = np.log(survival[inner])
    half = z * np.sqrt(cum_gw[inner]) / v
    lower[inner] = np.exp(-np.exp(np.log(-v) - half))
    upper[inner] = np.exp(-np.exp(np.log(-v) + half))
    return lower, upper


def _group_medians(t: _Tables, n_groups: int) -> FloatArray:
    """Per group, first time with S <= 0.5, NaN where never reached."""
    median = np.full(n_groups, np.nan)
    below = np.flatnonzero(t.survival <= 0.5)
    g = t.group[below]
    first = np.r_[True, g[1:] != g[:-1]] if g.size else np.zeros(0, dtype=bool)
    median[g[first]] = t.times[below[first]]
    return median


def _dense_codes(codes: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct codes (ascending) and each spell's index into them, like np.unique."""
    low = int(codes.min())
    span = int(codes.max()) - low + 1
    if span > max(4 * codes.size, 1 << 20):
        distinct, inverse = np.unique(codes, return_inverse=True)
        return distinct, inverse.reshape(-1).astype(np.int64)
    shifted = codes.astype(np.int64) - low  # small code range: O(n), no sort
    present = np.bincount(shifted, minlength=span) > 0
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present) + low, rank[shifted]


def _none_if_nan(x: float) -> float | None:
    return None if math.isnan(x) else x


def _step_index(times: IntArray, ts: ArrayLike) -> IntArray:
    """Index of the last time <= t (right-continuous step), -1 before the first time."""
    return np.searchsorted(times, np.asarray(ts, dtype=np.float64), side="right") - 1
