"""A burst of wrong passwords at the live server, with production's Argon2 cost (64 MiB).

200 token requests, released together from 8 threads against 4 accounts (one real, three
unknown): no 5xx, 429s appear (the throttle and the hash slots), and each worker's peak
resident memory (VmHWM) grows by no more than its hash slots' memory and some slack, where an
unbounded burst would hold 64 MiB per request in flight. The right password from the attacking
address afterwards is refused with 429. The figures are printed (run with -s to see them).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from talent_service.core.config import get_settings
from tests.e2e.live import PASSWORD, PROVINCE_USER, Database, LiveServer

REQUESTS = 200
THREADS = 8
HASH_MIB = 64
ACCOUNTS = [PROVINCE_USER, "nobody-1", "nobody-2", "nobody-3"]
SLACK_MIB = 160  # the interpreter's own growth under a burst (buffers, threads, connections)


@pytest.fixture
def costly_server(tmp_path: Path) -> Iterator[LiveServer]:
    database = Database(tmp_path)
    server = LiveServer(database, tmp_path / "server.log")
    server.env["TALENT_PASSWORD_HASH_MEMORY_KIB"] = str(HASH_MIB * 1024)
    try:
        server.prepare()
        server.start()
        yield server
    finally:
        server.stop()
        database.drop()


def _workers(server: LiveServer) -> list[int]:
    """The serving processes: the supervisor's children, or the process itself (one worker)."""
    assert server.process is not None
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children] or [pid]


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def test_burst_of_wrong_passwords_is_throttled_without_5xx_and_memory_stays_bounded(
    costly_server: LiveServer,
) -> None:
    workers = _workers(costly_server)
    before = {pid: _status_kib(pid, "VmRSS") for pid in workers}

    def attempt(n: int) -> int:
        with httpx.Client(base_url=costly_server.url, timeout=60) as client:
            return client.post(
                "/v1/auth/token",
                data={
                    "grant_type": "password",
                    "username": ACCOUNTS[n % len(ACCOUNTS)],
                    "password": f"wrong-password-{n}",
                },
            ).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = Counter(pool.map(attempt, range(REQUESTS)))
    elapsed = time.monotonic() - started
    peaks = {pid: _status_kib(pid, "VmHWM") for pid in workers}

    with httpx.Client(base_url=costly_server.url, timeout=60) as client:
        right = client.post(
            "/v1/auth/token",
            data={"grant_type": "password", "username": PROVINCE_USER, "password": PASSWORD},
        )
    print(f"\nburst of {REQUESTS} wrong passwords from {THREADS} threads in {elapsed:.1f} s:")
    print(f"  answers: {dict(sorted(statuses.items()))}")
    for pid in workers:
        print(
            f"  worker {pid}: VmRSS before {before[pid] // 1024} MiB,"
            f" peak (VmHWM) {peaks[pid] // 1024} MiB"
        )

    assert sum(statuses.values()) == REQUESTS
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {400, 429}, statuses
    assert statuses[429] > 0
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
    slots = get_settings().password_hash_concurrency  # the server's default, as here
    bound_kib = (slots * HASH_MIB + SLACK_MIB) * 1024
    for pid in workers:
        assert peaks[pid] - before[pid] <= bound_kib, (pid, before[pid], peaks[pid])
