"""Where an eligibility check's time goes, in process: ``decisions.run_checks`` under cProfile
(reads, fact building, evaluation, explanation, forecast, signing, storing). Run by hand from
the repo root:

    PYTHONPATH=. .venv/bin/python bench/profile_check.py [N] [--all] [--top 25]

N checks (default 300) for one benefit (the Shenzhen host hukou policy), or for all eight with
``--all``, on the seeded SQLite database of ``bench_eligibility``. Prints the top entries by
own time and by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from bench.bench_eligibility import seeded
from talent_service.eligibility.decisions import service as decisions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=300)
    parser.add_argument("--all", action="store_true", help="all eight decisions per check")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with seeded() as (session, bureau, one, both):
        request = both if args.all else one
        for _ in range(20):  # warm caches (compiled rules, plans, keys)
            decisions.run_checks(session, bureau, request)
        session.rollback()
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for i in range(args.n):
            decisions.run_checks(session, bureau, request)
            if i % 100 == 99:
                session.rollback()  # keep the decision table small, as bench_eligibility does
        profile.disable()
        elapsed = time.perf_counter() - started
        session.rollback()
    kind = "all benefits (8 decisions)" if args.all else "one benefit"
    print(f"{args.n} checks, {kind}: {1000 * elapsed / args.n:.2f} ms/check under the profiler")
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
