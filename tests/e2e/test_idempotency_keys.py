"""Clients retrying at once with one Idempotency-Key, on the live server (2 workers on PostgreSQL).

Each round, several threads send the same hire (then the same public registration) with the same
key and body, all released together. Afterwards exactly one row exists for it; every answer is
either the success (all with one identical body) or, on PostgreSQL, 409
``idempotency-key-in-flight`` while the first was running; never a 5xx. A retry after the round
gets the stored answer. SQLite serialises the write transactions (``BEGIN IMMEDIATE``), so there
the duplicates wait for the first and are all answered with its stored answer.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.e2e.api import Firm, World, at_once, hire_body, registration
from tests.e2e.live import LiveServer

ROUNDS = 8
CLIENTS = 8
ROUND_LIMIT_S = 30.0
KEY = "Idempotency-Key"
IN_FLIGHT = "/idempotency-key-in-flight"


@pytest.fixture(scope="module")
def firm(world: World) -> Firm:
    return world.firm()


def _send(
    world: World, path: str, body: dict[str, Any], headers: dict[str, str], _: int
) -> httpx.Response:
    return world.client.post(path, json=body, headers=headers)


def _round(
    world: World, path: str, body: dict[str, Any], headers: dict[str, str], figures: Counter[str]
) -> tuple[list[httpx.Response], httpx.Response]:
    """One round: CLIENTS identical requests at once, then one retry after all have answered."""
    started = time.monotonic()
    answers = at_once(partial(_send, world, path, body, headers), range(CLIENTS))
    retry = world.client.post(path, json=body, headers=headers)
    assert time.monotonic() - started < ROUND_LIMIT_S
    for answer in [*answers, retry]:
        replayed = answer.headers.get("idempotent-replayed") == "true"
        figures[f"{answer.status_code}{' replayed' if replayed else ''}"] += 1
    return answers, retry


def _check(answers: list[httpx.Response], retry: httpx.Response) -> list[str]:
    """Every answer a success with one body, or 409 in flight; the retry the stored success."""
    faults = []
    successes = [a for a in answers if a.is_success]
    if not successes:
        return [f"no success among {[a.status_code for a in answers]}"]
    first = successes[0]
    for answer in answers:
        if answer.status_code >= 500:
            faults.append(f"{answer.status_code}: {answer.text}")
        elif answer.is_success:
            if (answer.status_code, answer.content) != (first.status_code, first.content):
                faults.append(f"two different successes: {first.text} / {answer.text}")
        elif answer.status_code != 409 or not answer.json()["type"].endswith(IN_FLIGHT):
            faults.append(f"{answer.status_code}: {answer.text}")
    fresh = [a for a in successes if a.headers.get("idempotent-replayed") != "true"]
    if len(fresh) != 1:
        faults.append(f"{len(fresh)} answers were not replays (one request should have run)")
    if (retry.status_code, retry.content) != (first.status_code, first.content):
        faults.append(f"the retry got {retry.status_code} {retry.text}")
    if retry.headers.get("idempotent-replayed") != "true":
        faults.append("the retry was not a replay")
    return faults


def _run(
    server: LiveServer,
    name: str,
    send: Callable[[int, Counter[str]], tuple[list[httpx.Response], httpx.Response]],
    rows: Callable[[int], tuple[str, dict[str, Any]]],
) -> None:
    figures: Counter[str] = Counter()
    faults: list[str] = []
    started = time.monotonic()
    for round_ in range(ROUNDS):
        answers, retry = send(round_, figures)
        faults += [f"round {round_}: {f}" for f in _check(answers, retry)]
        statement, params = rows(round_)
        with server.database.engine.connect() as connection:
            created = connection.execute(text(statement), params).scalar_one()
        if created != 1:
            faults.append(f"round {round_}: {created} rows instead of 1")
    elapsed = time.monotonic() - started
    print(  # the figures of the run, for the closing note
        f"\n{name}: {ROUNDS} rounds x {CLIENTS} clients + 1 retry on "
        f"{'PostgreSQL, 2 workers' if server.database.postgres else 'SQLite, 1 worker'} in "
        f"{elapsed:.1f} s: {dict(sorted(figures.items()))}"
    )
    assert not faults, faults
    assert not any(status.startswith("5") for status in figures)


def test_concurrent_retries_of_a_hire_make_one_spell(
    world: World, server: LiveServer, firm: Firm
) -> None:
    talents = [world.talent(firm) for _ in range(ROUNDS)]

    def send(round_: int, figures: Counter[str]) -> tuple[list[httpx.Response], httpx.Response]:
        headers = {**firm.headers, KEY: f"hire-{talents[round_]}"}
        return _round(world, "/v1/employments", hire_body(talents[round_]), headers, figures)

    _run(
        server,
        "hire",
        send,
        lambda r: ("SELECT count(*) FROM employment WHERE talent_id = :t", {"t": talents[r]}),
    )
    assert server.database.scalar("SELECT count(*) FROM idempotency_key") >= ROUNDS


def test_concurrent_retries_of_a_registration_make_one_firm(
    world: World, server: LiveServer
) -> None:
    bodies = [registration(f"idem-signup-{r}") for r in range(ROUNDS)]

    def send(round_: int, figures: Counter[str]) -> tuple[list[httpx.Response], httpx.Response]:
        headers = {KEY: f"signup-{round_}"}
        return _round(world, "/v1/registrations", bodies[round_], headers, figures)

    _run(
        server,
        "registration",
        send,
        lambda r: ("SELECT count(*) FROM firm WHERE uscc = :u", {"u": bodies[r]["firm"]["uscc"]}),
    )
