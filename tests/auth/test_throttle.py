"""Guessing passwords, from the attacker's side: slowed, then locked, for this account from this
address; the owner elsewhere is not locked out, and the lock lifts with time."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
import time_machine
from fastapi.testclient import TestClient

from talent_service.core import security
from talent_service.core.config import get_settings
from talent_service.models import Client, User
from tests.auth.conftest import ATTACKER, OWNER, PASSWORD, WRONG, From, sign_in

THROTTLED = "https://talent-service.gd.gov.cn/problems/throttled"


def _is_throttled(response: httpx.Response) -> int:
    """The 429 problem's Retry-After, in seconds (asserting it is one)."""
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == THROTTLED
    return int(response.headers["Retry-After"])


def _patient_attack(attacker: TestClient, traveller: time_machine.Coordinates) -> int:
    """Wrong passwords, waiting out every Retry-After, until the long lock; its Retry-After."""
    lock = get_settings().login_lock_seconds
    for _ in range(40):
        response = sign_in(attacker, WRONG)
        if response.status_code == 429:
            wait = _is_throttled(response)
            if wait >= lock * 0.9:
                return wait
            traveller.shift(wait)
        else:
            assert response.status_code == 400
    raise AssertionError("40 patient guesses never reached the lock")


def test_burst_of_wrong_passwords_then_the_right_one_answers_429(
    user: User, from_address: From, traveller: time_machine.Coordinates
) -> None:
    with from_address(ATTACKER) as attacker:
        statuses = Counter(sign_in(attacker, WRONG).status_code for _ in range(40))
        right = sign_in(attacker, PASSWORD)
    free = get_settings().login_free_failures
    assert statuses == {400: free, 429: 40 - free}
    # The right password during the lock gets the same answer: it reveals nothing.
    assert _is_throttled(right) >= 1
    assert "access_token" not in right.text


def test_patient_attacker_is_locked_for_long(
    user: User, from_address: From, traveller: time_machine.Coordinates
) -> None:
    with from_address(ATTACKER) as attacker:
        wait = _patient_attack(attacker, traveller)
        assert _is_throttled(sign_in(attacker, PASSWORD)) == wait


def test_owner_at_another_address_is_not_locked_by_the_attacker(
    user: User, from_address: From, traveller: time_machine.Coordinates
) -> None:
    with from_address(ATTACKER) as attacker, from_address(OWNER) as owner:
        _patient_attack(attacker, traveller)
        response = sign_in(owner, PASSWORD)
        assert response.status_code == 200, response.text
        assert _is_throttled(sign_in(attacker, PASSWORD)) >= 1  # still locked there


def test_after_the_lock_the_account_works_again_from_the_attackers_address(
    user: User, from_address: From, traveller: time_machine.Coordinates
) -> None:
    with from_address(ATTACKER) as address:
        wait = _patient_attack(address, traveller)
        traveller.shift(wait - 1)
        assert _is_throttled(sign_in(address, PASSWORD)) == 1
        traveller.shift(1)
        assert sign_in(address, PASSWORD).status_code == 200
        # Success starts this address afresh: the next mistake is free again.
        assert sign_in(address, WRONG).status_code == 400


def test_failures_from_many_addresses_lock_the_account_briefly(
    user: User,
    from_address: From,
    traveller: time_machine.Coordinates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "account_lock_failures", 6)  # 100 by default: fewer hashes
    for n in range(6):
        with from_address(f"192.0.2.{n + 1}") as spread:
            assert sign_in(spread, WRONG).status_code == 400
    with from_address(OWNER) as owner:
        assert _is_throttled(sign_in(owner, PASSWORD)) == settings.account_lock_seconds
        traveller.shift(settings.account_lock_seconds)
        assert sign_in(owner, PASSWORD).status_code == 200


def test_unknown_usernames_are_throttled_like_known_ones(
    from_address: From, traveller: time_machine.Coordinates
) -> None:
    with from_address(ATTACKER) as attacker:
        statuses = Counter(sign_in(attacker, WRONG, "nobody-here").status_code for _ in range(8))
    free = get_settings().login_free_failures
    assert statuses == {400: free, 429: 8 - free}


def test_client_secret_guesses_are_throttled(
    machine: tuple[Client, str], from_address: From, traveller: time_machine.Coordinates
) -> None:
    client, secret = machine
    with from_address(ATTACKER) as attacker:

        def attempt(value: str) -> httpx.Response:
            return attacker.post(
                "/v1/auth/token",
                data={"grant_type": "client_credentials"},
                auth=(client.client_id, value),
            )

        statuses = Counter(attempt("wrong-secret").status_code for _ in range(10))
        right = attempt(secret)
    free = get_settings().login_free_failures
    assert statuses == {400: free, 429: 10 - free}
    assert _is_throttled(right) >= 1


def test_when_every_hash_slot_is_busy_sign_in_answers_429_at_once_and_counts_nothing(
    user: User, from_address: From, monkeypatch: pytest.MonkeyPatch
) -> None:
    slots = security._hash_slots()
    monkeypatch.setattr(get_settings(), "password_hash_wait_seconds", 0)
    taken = [slots.acquire(blocking=False) for _ in range(get_settings().password_hash_concurrency)]
    assert all(taken)
    try:
        with from_address(OWNER) as owner:
            assert _is_throttled(sign_in(owner, PASSWORD)) == 1
            assert _is_throttled(sign_in(owner, WRONG)) == 1
    finally:
        for _ in taken:
            slots.release()
    with from_address(OWNER) as owner:
        # The refused attempts ran no hash and counted as no failure.
        statuses = [
            sign_in(owner, WRONG).status_code for _ in range(get_settings().login_free_failures)
        ]
        assert statuses == [400] * get_settings().login_free_failures
