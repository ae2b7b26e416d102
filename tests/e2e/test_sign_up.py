"""A firm signs itself up against the live server (2 workers on PostgreSQL): it can sign in but
is refused until its home city's bureau approves it; another city's bureau cannot; two
approvals at once have one winner; then the firm works, with its old token too (every worker
reads the decision within the revocation refresh bound) and with a new one at once."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from talent_service.core.config import get_settings
from tests.e2e.api import HOME_CITY, World, at_once, bearer, registration, talent_body, uscc
from tests.e2e.live import PASSWORD, LiveServer
from tests.sign_ups import firm_of

HOME_BUREAU = "e2e-signup-bureau-home"
OTHER_BUREAU = "e2e-signup-bureau-other"
OTHER_CITY = "441400"  # Meizhou: a home city too, but not this firm's


@pytest.fixture(scope="module")
def bureaus(world: World, server: LiveServer) -> dict[str, dict[str, str]]:
    for name, city in ((HOME_BUREAU, HOME_CITY), (OTHER_BUREAU, OTHER_CITY)):
        server.cli(
            "create-user", name, "--role", "bureau", "--city", city, "--password-stdin",
            stdin=PASSWORD,
        )  # fmt: skip
    return {"home": bearer(world.client, HOME_BUREAU), "other": bearer(world.client, OTHER_BUREAU)}


def _headers(response: httpx.Response) -> dict[str, str]:
    # The Date header tells the second the answer was sent, nothing about the sign-up.
    return {k: v for k, v in response.headers.items() if k.lower() != "date"}


def test_a_firm_signs_up_is_refused_gets_approved_by_its_bureau_and_then_works(
    world: World, server: LiveServer, bureaus: dict[str, dict[str, str]]
) -> None:
    client = world.client
    body = registration("signup-e2e")
    new = client.post("/v1/registrations", json=body)
    # The same username again, and another username with the same USCC: the same answer.
    again = client.post("/v1/registrations", json=registration("signup-e2e"))
    same_uscc = client.post(
        "/v1/registrations", json=registration("signup-e2e-2", code=body["firm"]["uscc"])
    )
    for answer in (again, same_uscc):
        assert (answer.status_code, answer.content, _headers(answer)) == (
            new.status_code,
            new.content,
            _headers(new),
        )
    assert new.status_code == 202, new.text
    code = body["firm"]["uscc"]  # our own generated value, not input
    assert server.database.scalar(f"SELECT count(*) FROM firm WHERE uscc = '{code}'") == 1  # noqa: S608

    pending = bearer(client, "signup-e2e")
    firm_id = firm_of(client, pending)
    refused = client.post("/v1/talents", json=talent_body(), headers=pending)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/firm-pending")
    assert client.get("/v1/centers", headers=pending).status_code == 403
    assert client.get(f"/v1/sign-ups/{firm_id}", headers=pending).json()["state"] == "pending"
    queue = client.get("/v1/sign-ups?state=pending", headers=bureaus["home"]).json()["items"]
    assert firm_id in [s["id"] for s in queue]

    # Another city's bureau: the firm does not exist for it.
    other = client.post(f"/v1/sign-ups/{firm_id}/approve", json={}, headers=bureaus["other"])
    assert other.status_code == 404, other.text

    # Two approvals at once (the home bureau and the province): one wins, one is told 409.
    approvers = [bureaus["home"], world.province] * 2
    answers = at_once(
        lambda h: client.post(f"/v1/sign-ups/{firm_id}/approve", json={}, headers=h), approvers
    )
    statuses = Counter(a.status_code for a in answers)
    assert statuses == Counter({200: 1, 409: 3}), statuses
    events = server.database.scalar(
        "SELECT count(*) FROM firm_sign_up_event "  # noqa: S608 - an int the server gave
        f"WHERE firm_id = {int(firm_id)} AND state = 'approved'"
    )
    assert events == 1

    # A new token works at once.
    approved = bearer(client, "signup-e2e")
    created = client.post("/v1/talents", json=talent_body(), headers=approved)
    assert created.status_code == 201, created.text
    # The token issued while pending works on every worker within the refresh bound.
    bound = get_settings().token_revocation_refresh_seconds
    deadline = time.monotonic() + bound + 2
    started = time.monotonic()
    streak = 0
    while streak < 10 and time.monotonic() < deadline:  # ten in a row: both workers agree
        ok = client.get("/v1/centers", headers=pending).status_code == 200
        streak = streak + 1 if ok else 0
        time.sleep(0.05)
    print(f"sign-up: old token admitted on every worker after {time.monotonic() - started:.2f} s")
    assert streak >= 10


def test_a_rejected_firm_stays_refused(world: World, bureaus: dict[str, dict[str, str]]) -> None:
    client = world.client
    assert (
        client.post("/v1/registrations", json=registration("signup-no", code=uscc())).status_code
        == 202
    )
    headers = bearer(client, "signup-no")
    firm_id = firm_of(client, headers)
    r = client.post(
        f"/v1/sign-ups/{firm_id}/reject", json={"reason": "非本市企业"}, headers=bureaus["home"]
    )
    assert r.status_code == 200, r.text
    fresh = bearer(client, "signup-no")
    refused = client.get("/v1/centers", headers=fresh)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/firm-rejected")
    assert (
        client.get(f"/v1/sign-ups/{firm_id}", headers=fresh).json()["events"][-1]["reason"]
        == "非本市企业"
    )
