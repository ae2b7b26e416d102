"""A 2xx means committed: what a client was told it wrote, it (and anyone) can use at once."""

from __future__ import annotations

import httpx

from tests.e2e.api import World, hire_body, login, registration, talent_body
from tests.e2e.live import LiveServer

CLIENTS = 8
ITERATIONS = 1000  # in all, spread over the clients


def _spread(world: World, work: object, per_client: int) -> list[int]:
    """Run ``work(client, i)`` per_client times on each of CLIENTS threads; the misses."""
    from concurrent.futures import ThreadPoolExecutor

    def run(_: int) -> int:
        misses = 0
        with world.new_client() as client:
            for i in range(per_client):
                misses += work(client, i)  # type: ignore[operator]
        return misses

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(run, range(CLIENTS)))


def test_a_registered_talent_is_readable_at_once_and_can_be_hired_and_leave_at_once(
    world: World,
) -> None:
    firm = world.firm()
    center = world.center(firm)
    assert center.status_code == 201, center.text
    center_id = center.json()["id"]
    headers = firm.headers

    def register_read_hire_leave(client: httpx.Client, _: int) -> int:
        created = client.post("/v1/talents", json=talent_body(), headers=headers)
        assert created.status_code == 201, created.text
        talent_id = created.json()["id"]
        read = client.get(f"/v1/talents/{talent_id}", headers=headers)
        hired = client.post(
            "/v1/employments", json=hire_body(talent_id, center_id), headers=headers
        )
        if hired.status_code != 201:
            return 1 + (read.status_code != 200)
        left = client.post(
            f"/v1/employments/{hired.json()['id']}/departure",
            json={"departed_on": "2024-09-30", "reason": "resigned"},
            headers=headers,
        )
        return (read.status_code != 200) + (left.status_code != 200)

    misses = _spread(world, register_read_hire_leave, ITERATIONS // CLIENTS)
    print(f"register→read→hire→departure: {ITERATIONS} iterations, {sum(misses)} misses")
    assert sum(misses) == 0


def test_a_firm_can_log_in_right_after_registering(world: World, server: LiveServer) -> None:
    # Signed in, it is pending (tests/e2e/test_sign_up.py follows one through its approval).
    def register_then_login(client: httpx.Client, i: int) -> int:
        username = f"fresh-{id(client)}-{i}"
        created = client.post("/v1/registrations", json=registration(username))
        assert created.status_code == 202, created.text
        return int(login(client, username).status_code != 200)

    misses = _spread(world, register_then_login, ITERATIONS // CLIENTS)
    print(f"registration→login: {ITERATIONS} iterations, {sum(misses)} misses")
    assert sum(misses) == 0
    assert server.database.scalar("SELECT count(*) FROM firm") >= ITERATIONS
