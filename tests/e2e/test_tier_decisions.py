"""Two decisions on one tier certificate at the same moment take turns: one wins, the others find
it decided (409), on the live server (2 workers on PostgreSQL, the period's row locked)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.e2e.api import World, at_once

ROUNDS = 10
WRITERS = 8


def _decide(world: World, url: str, action: str) -> Any:
    body = {"note": "同时决定"}
    return world.client.post(f"{url}/{action}", json=body, headers=world.province)


def test_concurrent_approvals_and_rejections_of_a_certificate_have_one_winner(
    world: World,
) -> None:
    firm = world.firm()
    violations = 0
    for round_ in range(ROUNDS):
        submission = {
            "tier": "little_giant",
            "certificate_no": f"E2E-RACE-{round_}",
            "valid_from": "2024-01-01",
            "valid_to": "2028-12-31",
        }
        created = world.client.post(
            f"/v1/firms/{firm.id}/tiers", json=submission, headers=firm.headers
        )
        assert created.status_code == 201, created.text
        url = f"/v1/firms/{firm.id}/tiers/{created.json()['id']}"
        actions = ["approve", "reject"] * (WRITERS // 2)
        answers = at_once(lambda action, url=url: _decide(world, url, action), actions)
        statuses = Counter(r.status_code for r in answers)
        assert set(statuses) <= {200, 409}, statuses
        winner = next(r.json() for r in answers if r.status_code == 200)
        periods = world.client.get(f"/v1/firms/{firm.id}/tiers", headers=world.province).json()[
            "items"
        ]
        stored = next(p for p in periods if p["id"] == created.json()["id"])
        violations += (
            statuses[200] != 1
            or stored["state"] != winner["state"]
            or stored["version"] != created.json()["version"] + 1
        )
        # Every loser was told why: the period had been decided already.
        assert all(r.status_code == 200 or "already" in r.json()["detail"] for r in answers)
    print(f"tier decisions: {ROUNDS} rounds × {WRITERS} writers, {violations} violations")
    assert violations == 0
