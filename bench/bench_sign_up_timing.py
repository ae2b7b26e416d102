"""Does the time of ``POST /v1/registrations`` tell a colliding sign-up from a new one? Run by
hand (not a test).

Starts ``talent-service serve`` (the e2e harness: a fresh SQLite file, or a fresh PostgreSQL
database when ``TALENT_TEST_DATABASE_URL`` is set) with the production Argon2 cost (64 MiB),
then sends N rounds of three sign-ups from one client, in an order shuffled per round: a new
one, one whose username is taken, one whose USCC is taken. Prints the median, p10 and p90 of
each kind and the difference of the medians.

    PYTHONPATH=. .venv/bin/python bench/bench_sign_up_timing.py [N]
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.e2e.api import registration, uscc
from tests.e2e.live import Database, LiveServer

PRODUCTION_HASH_MEMORY_KIB = "65536"


def _quantiles(samples: list[float]) -> tuple[float, float, float]:
    deciles = statistics.quantiles(samples, n=10)
    return deciles[0], statistics.median(samples), deciles[-1]


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(Path(tmp))
        server = LiveServer(database, Path(tmp) / "server.log")
        server.env["TALENT_PASSWORD_HASH_MEMORY_KIB"] = PRODUCTION_HASH_MEMORY_KIB
        try:
            server.prepare()
            server.start()
            times: dict[str, list[float]] = {"new": [], "username taken": [], "uscc taken": []}
            rng = random.Random(1)
            with httpx.Client(base_url=server.url, timeout=30) as client:
                taken = registration("bench-taken")
                assert client.post("/v1/registrations", json=taken).status_code == 202
                for warm in range(5):  # connections, caches, the dummy hash
                    client.post("/v1/registrations", json=registration(f"bench-warm-{warm}"))
                for n in range(rounds):
                    bodies = {
                        "new": registration(f"bench-new-{n}"),
                        "username taken": registration("bench-taken", code=uscc()),
                        "uscc taken": registration(f"bench-other-{n}", code=taken["firm"]["uscc"]),
                    }
                    kinds = list(bodies)
                    rng.shuffle(kinds)
                    for kind in kinds:
                        started = time.perf_counter()
                        answer = client.post("/v1/registrations", json=bodies[kind])
                        times[kind].append((time.perf_counter() - started) * 1000)
                        assert answer.status_code == 202, answer.text
        finally:
            server.stop()
            database.drop()
    engine = "PostgreSQL, 2 workers" if database.postgres else "SQLite, 1 worker"
    print(f"POST /v1/registrations, {rounds} rounds, {engine}, Argon2 64 MiB (ms)")
    medians = {}
    for kind, samples in times.items():
        p10, median, p90 = _quantiles(samples)
        medians[kind] = median
        print(f"  {kind:15} p10 {p10:7.1f}  median {median:7.1f}  p90 {p90:7.1f}")
    for kind in ("username taken", "uscc taken"):
        print(f"  median({kind}) - median(new) = {medians[kind] - medians['new']:+.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
