"""Timing of the pure eligibility engine (no HTTP, no database). Run by hand:

    PYTHONPATH=. .venv/bin/python bench/bench_eligibility_pure.py [--rows 100000]

Reports µs per single decision with explanation on the default host hukou policy, and the time
to simulate raising the bachelor's age limit (40 → 45) over generated talents.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date

import numpy as np

from talent_service.core.signing import generate_private_key, jwks, sign, verify
from talent_service.eligibility.engine.evaluate import evaluate, outcome_of
from talent_service.eligibility.engine.facts import FACTS
from talent_service.eligibility.engine.forecast import GrowingFact, forecast
from talent_service.eligibility.engine.population import (
    Column,
    PopulationTable,
    evaluate_population,
    simulate,
)
from talent_service.eligibility.policies.defaults import default_policy


def per_call_us(fn: Callable[[], object], min_seconds: float = 1.0) -> float:
    """Median µs per call over five timed batches sized to ~min_seconds/5 each."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed > min_seconds / 5:
            break
        n *= 2
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(samples)


def generated_table(n: int, seed: int = 42) -> PopulationTable:
    """A synthetic population, column by column (the way the database layer should build it)."""
    rng = np.random.default_rng(seed)

    def missing(p: float) -> np.ndarray:
        return rng.random(n) < p

    education = rng.choice(4, size=n, p=[0.1, 0.5, 0.3, 0.1]).astype(np.int32)
    return PopulationTable(
        n,
        {
            "education": Column(education, missing(0.02), FACTS["education"].allowed),
            "age_years": Column(rng.integers(22, 61, n).astype(np.float64), missing(0.01)),
            "months_at_accredited_center": Column(
                rng.integers(0, 61, n).astype(np.float64), missing(0.03)
            ),
            "si_months_either": Column(rng.integers(0, 81, n).astype(np.float64), missing(0.03)),
            "hukou_in_city": Column(rng.random(n) < 0.2, missing(0.02)),
        },
        row_ids=np.arange(n),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    policy = default_policy("440300", "host", "hukou")
    rule = policy.validated_rule()
    params = policy.parameters
    facts = {
        "education": "master",
        "age_years": 38,
        "months_at_accredited_center": 9,
        "si_months_either": 20,
        "hukou_in_city": False,
    }
    key = generate_private_key()
    doc = jwks([key])
    decision = evaluate(rule, facts, params).to_json()
    signature = sign(decision, key)
    growing = {
        "months_at_accredited_center": GrowingFact(date(2024, 5, 31)),
        "si_months_either": GrowingFact(date(2023, 1, 1)),
    }

    print(f"default host hukou policy: {rule.node_count} nodes, {len(rule.criteria)} criteria")
    rows = [
        ("validate_rule", per_call_us(policy.validated_rule)),
        ("evaluate with explanation", per_call_us(lambda: evaluate(rule, facts, params))),
        ("outcome_of (no explanation)", per_call_us(lambda: outcome_of(rule, facts, params))),
        (
            "forecast (becomes eligible)",
            per_call_us(
                lambda: forecast(
                    rule,
                    params,
                    {"education": "master", "hukou_in_city": False},
                    date(2025, 1, 15),
                    growing=growing,
                    birth_date=date(1990, 7, 1),
                )
            ),
        ),
        ("sign decision (Ed25519, JCS)", per_call_us(lambda: sign(decision, key))),
        (
            "verify decision",
            per_call_us(lambda: verify(decision, signature.jws, signature.kid, doc)),
        ),
    ]
    for name, us in rows:
        print(f"  {name:<32} {us:10.1f} µs")

    start = time.perf_counter()
    table = generated_table(args.rows)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - start:.3f} s (not timed below)")
    draft = {**params, "max_age_bachelor": 45}

    def timed(fn: Callable[[], object], repeat: int = 7) -> float:
        fn()  # warm-up
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    t_pop = timed(lambda: evaluate_population(rule, params, table))
    t_sim = timed(lambda: simulate(rule, params, rule, draft, table))
    result = simulate(rule, params, rule, draft, table)
    print(f"  evaluate_population            {t_pop * 1000:10.1f} ms")
    print(f"  simulate (current vs draft)    {t_sim * 1000:10.1f} ms")
    print(f"  before {result.before}")
    print(f"  after  {result.after}")
    print(
        f"  newly eligible {result.newly_eligible:,}, no longer eligible "
        f"{result.no_longer_eligible:,}, changed rows {result.changed:,}"
    )
    print(f"  top blocking after: {result.blocking_after[:3]}")


if __name__ == "__main__":
    main()
