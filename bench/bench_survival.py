"""Hand-run benchmark: survival core on 1,000,000 spells beside lifelines.

    cd /work/main && PYTHONPATH=. .venv/bin/python bench/bench_survival.py

Prints timings; not a test. Spells are synthetic but shaped like the program: hires spread over
ten years before the as-of date, departures roughly exponential, so recent hires are mostly
censored.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from lifelines import KaplanMeierFitter

from talent_service.retention.survival import (
    grouped_summary,
    kaplan_meier,
    months_to_days,
    survival_at_many,
)

T = TypeVar("T")
N_SPELLS = 1_000_000
N_GROUPS = 200
MAX_CODE = 20_000  # zipf codes above this pooled into group 0
REPEATS = 5


def spells(seed: int = 20240601) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    follow_up = rng.integers(0, 3653, N_SPELLS)  # days from hire to as-of
    tenure = np.ceil(rng.exponential(900.0, N_SPELLS)).astype(np.int64)
    observed = tenure <= follow_up
    durations = np.where(observed, tenure, follow_up)
    groups = rng.zipf(1.3, N_SPELLS) % N_GROUPS  # skewed sizes, some groups tiny
    return groups, durations, observed


def best_of(fn: Callable[[], T], repeats: int = REPEATS) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def main() -> None:
    groups, durations, observed = spells()
    horizons = np.array([months_to_days(m) for m in (12, 24, 36)])
    print(
        f"{N_SPELLS:,} spells, {observed.mean():.1%} departed, {len(set(groups.tolist()))} groups"
    )

    def ours() -> np.ndarray:
        return survival_at_many(kaplan_meier(durations, observed), horizons)

    t_km, at = best_of(ours)
    t_grouped, summary = best_of(lambda: grouped_summary(groups, durations, observed, horizons))
    # Heavy-tailed sizes over thousands of codes (e.g. firms): many below the floor.
    z = np.random.default_rng(7).zipf(1.5, N_SPELLS)
    many = np.where(z <= MAX_CODE, z, 0)
    t_many, summary_many = best_of(lambda: grouped_summary(many, durations, observed, horizons))

    def reference() -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kmf = KaplanMeierFitter().fit(durations, observed)
        return kmf.predict(horizons).to_numpy()

    t_ref, ref_at = best_of(reference, repeats=2)

    def reference_grouped() -> float:
        # What the service would do without a grouped core: one lifelines fit per group.
        worst = 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for s in summary:
                mask = groups == s.group
                kmf = KaplanMeierFitter().fit(durations[mask], observed[mask])
                ref = kmf.predict(horizons).to_numpy()
                ours = np.array([np.nan if h.survival is None else h.survival for h in s.horizons])
                worst = max(worst, float(np.nanmax(np.abs(ours - ref))))
        return worst

    t_ref_grouped, worst_grouped = best_of(reference_grouped, repeats=1)

    def line(label: str, seconds: float, extra: str = "") -> None:
        print(f"{label:<46}{seconds * 1e3:8.1f} ms  {extra}")

    line("kaplan_meier + survival_at 12/24/36 mo", t_km, f"S = {np.round(at, 4)}")
    line("lifelines KaplanMeierFitter.fit + predict", t_ref, f"S = {np.round(ref_at, 4)}")
    for t, result in ((t_grouped, summary), (t_many, summary_many)):
        hidden = sum(s.suppressed for s in result)
        line(f"grouped_summary, {len(result)} groups ({hidden} suppressed)", t)
    line(f"lifelines, one fit per group ({len(summary)} groups)", t_ref_grouped)
    print(
        f"max |ours - lifelines| at horizons: {np.abs(at - ref_at).max():.2e} (single), "
        f"{worst_grouped:.2e} (per group)"
    )
    print(f"single curve speed-up over lifelines: {t_ref / t_km:.1f}x")


if __name__ == "__main__":
    main()
