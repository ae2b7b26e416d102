"""Concurrent writers on the live server (2 workers on PostgreSQL): the chain never forks, every
acknowledged write has exactly one entry, and ``audit verify`` passes."""

from __future__ import annotations

import subprocess
from collections import Counter
from typing import Any

from tests.e2e.api import World, at_once, hire_body, talent_body
from tests.e2e.live import LiveServer

WRITERS = 16
WRITES_EACH = 12


def _entries(server: LiveServer) -> int:
    return server.database.scalar("SELECT count(*) FROM audit_entry")


def _writes(world: World, firm_headers: dict[str, str]) -> list[int]:
    """One client's burst: register people and hire them (two writes each)."""
    client = world.new_client()
    statuses = []
    try:
        for _ in range(WRITES_EACH // 2):
            created = client.post("/v1/talents", json=talent_body(), headers=firm_headers)
            statuses.append(created.status_code)
            if created.status_code == 201:
                hire = hire_body(int(created.json()["id"]))
                statuses.append(
                    client.post("/v1/employments", json=hire, headers=firm_headers).status_code
                )
    finally:
        client.close()
    return statuses


def test_concurrent_writers_leave_one_unforked_chain_with_an_entry_per_acknowledged_write(
    world: World, server: LiveServer
) -> None:
    firms = [world.firm() for _ in range(4)]  # each a registration: one entry each
    before = _entries(server)
    answers: list[Any] = at_once(lambda i: _writes(world, firms[i % 4].headers), range(WRITERS))
    statuses = Counter(s for burst in answers for s in burst)
    assert set(statuses) <= {201}, statuses
    acknowledged = statuses[201]
    assert _entries(server) - before == acknowledged
    # numbers 1..n without a gap or a duplicate: one chain, not two forks
    assert server.database.scalar("SELECT max(seq) FROM audit_entry") == _entries(server)
    assert server.database.scalar("SELECT count(DISTINCT prev_hash) FROM audit_entry") == _entries(
        server
    )
    try:
        out = server.cli("audit", "verify")
    except subprocess.CalledProcessError as exc:
        raise AssertionError(exc.stdout.decode() + exc.stderr.decode()) from exc
    assert f"audit chain intact: {_entries(server)} entries" in out
    print(f"audit e2e: {WRITERS} writers, {acknowledged} acknowledged writes, chain verified")
