"""A worker's round run in the test's transaction, and subscribing through the API."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session

from talent_service.core import clock
from talent_service.core.signing_keys import signing_key
from talent_service.webhooks.delivery import Outcome, claim, dispatch, send, settle

LEASE = timedelta(seconds=60)
PATH = "/v1/webhooks/subscriptions"


def deliver(session: Session, http: httpx.Client, now: datetime | None = None) -> list[Outcome]:
    """One worker round, in the test's transaction."""
    now = now or clock.now()
    dispatch(session, now)
    jobs = claim(session, now, 50, LEASE)
    outcomes = [send(http, job, signing_key(), allow_loopback=True) for job in jobs]
    for job, outcome in zip(jobs, outcomes, strict=True):
        settle(session, job, outcome, now, 0.5)
    session.flush()
    return outcomes


def subscribe(
    client: TestClient, headers: dict[str, str], url: str, *types: str
) -> dict[str, object]:
    made = client.post(PATH, json={"url": url, "event_types": list(types)}, headers=headers)
    assert made.status_code == 201, made.text
    body: dict[str, object] = made.json()
    return body
