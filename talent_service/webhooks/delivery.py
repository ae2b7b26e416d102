"""The worker's side of the outbox: fan events out into deliveries, claim due deliveries under
a lease, send them signed, and record each outcome.

Several workers may run at once, on any machines. Each step is a short transaction of its own:

- **dispatch**: events not yet fanned out (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's
  ``BEGIN IMMEDIATE`` write lock serialises) become one delivery per subscription that wants
  the type and whose client may see the subject *by the visibility rule* and has its scope;
- **claim**: due ``pending`` deliveries whose lease is free get this worker's claim token and a
  lease (the same locking); the claim is committed before anything is sent;
- **send** (no transaction open): the URL is checked against SSRF again and sent to the checked
  address; **settle**: delivered, or retried later (``schedule.py``), only if the claim is still
  this worker's. A worker killed between claim and settle loses nothing: its lease expires and
  another worker sends the same event again, with the same ``webhook-id`` (at-least-once).

This bookkeeping commits by itself, outside a request's unit of work, and is not an audited act:
it changes no one's records, only where a notification stands.
"""

from __future__ import annotations

import contextlib
import logging
import random
import secrets
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, and_, delete, insert, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import visible
from talent_service.core import clock
from talent_service.core.config import Settings, get_settings
from talent_service.core.security import decrypt_field
from talent_service.models import (
    Center,
    Client,
    Decision,
    Employment,
    Talent,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from talent_service.reference.enums import Role
from talent_service.webhooks import signing, ssrf
from talent_service.webhooks.events import REQUIRED_SCOPE, EventType
from talent_service.webhooks.schedule import retry_delay

log = logging.getLogger("talent_service.webhooks")

D, E, S = WebhookDelivery, WebhookEvent, WebhookSubscription
SCOPE_MODELS: dict[str, type[SQLModel]] = {
    "center": Center,
    "employment": Employment,
    "talent": Talent,
    "decision": Decision,
}
DISPATCH_BATCH = 200
ERROR_LENGTH = 300
# Delivered rows are kept this long (a replay with ``since`` reaches back that far), then
# pruned with their events; held and pending rows are kept until delivered or deleted.
KEEP_DELIVERED = timedelta(days=30)
PRUNE_BATCH = 1000
PRUNE_EVERY = timedelta(minutes=1)


def client_principal(client: Client) -> Principal:
    """The client as its own token would name it: what it may see decides what it hears of."""
    return Principal(
        subject=f"client:{client.client_id}",
        role=Role.client,
        city_code=client.city_code,
        scopes=frozenset(client.scopes.split()),
    )


def _visible_keys(
    session: Session, principal: Principal, scope_model: str, keys: set[str]
) -> set[str]:
    model = SCOPE_MODELS[scope_model]
    pk: Any = model.id  # type: ignore[attr-defined]
    values: list[Any] = sorted(keys) if model is Decision else sorted(int(k) for k in keys)
    rows = session.exec(select(pk).where(pk.in_(values), visible(model, principal))).all()
    return {str(row) for row in rows}


def dispatch(session: Session, now: datetime, limit: int = DISPATCH_BATCH) -> int:
    """Fan out up to ``limit`` events into deliveries; returns how many events it took."""
    events = session.exec(
        select(E)
        .where(col(E.dispatched_at).is_(None))
        .order_by(col(E.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not events:
        return 0
    subscriptions = session.exec(
        select(S, Client).join(Client, col(Client.id) == S.client_id).where(col(Client.is_active))
    ).all()
    rows: list[dict[str, Any]] = []
    for subscription, client in subscriptions:
        wanted = set(subscription.event_types.split())
        principal = client_principal(client)
        mine = [
            e
            for e in events
            if e.type in wanted
            and REQUIRED_SCOPE[EventType(e.type)] in principal.scopes
            and e.occurred_at >= subscription.created_at
        ]
        seen: dict[str, set[str]] = {}
        for model in {e.scope_model for e in mine}:
            keys = {e.scope_key for e in mine if e.scope_model == model}
            seen[model] = _visible_keys(session, principal, model, keys)
        state = "pending" if subscription.state == "active" else "held"
        rows.extend(
            {
                "event_id": e.id,
                "subscription_id": subscription.id,
                "state": state,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for e in mine
            if e.scope_key in seen[e.scope_model]
        )
    if rows:
        session.execute(insert(D), rows)
    session.execute(
        update(E).where(col(E.id).in_([e.id for e in events])).values(dispatched_at=now)
    )
    return len(events)


@dataclass(frozen=True)
class Job:
    delivery_id: int
    claim: str
    attempts: int
    msg_id: str
    body: str
    subscription_id: int
    url: str
    secrets: tuple[str, ...]


def claim(session: Session, now: datetime, limit: int, lease: timedelta) -> list[Job]:
    """Take up to ``limit`` due deliveries for this worker until ``now + lease``."""
    token = secrets.token_hex(16)
    # A deactivated client is sent nothing more; its rows wait (a reactivation resumes them).
    live = (
        select(S.id)
        .join(Client, col(Client.id) == S.client_id)
        .where(col(Client.is_active), col(S.state) == "active")
    )
    due = session.exec(
        select(D.id)
        .where(
            col(D.subscription_id).in_(live),
            D.state == "pending",
            col(D.next_attempt_at) <= now,
            or_(col(D.lease_until).is_(None), col(D.lease_until) < now),
        )
        .order_by(col(D.next_attempt_at), col(D.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    ids = list(due)
    if not ids:
        return []
    session.execute(
        update(D).where(col(D.id).in_(ids)).values(claim=token, lease_until=now + lease)
    )
    rows = session.execute(
        sa_select(  # type: ignore[call-overload]
            D.id,
            D.attempts,
            E.event_id,
            E.body,
            S.id,
            S.url,
            S.secret_ciphertext,
            S.previous_secret_ciphertext,
            S.previous_secret_until,
        )
        .join(E, col(E.id) == D.event_id)
        .join(S, col(S.id) == D.subscription_id)
        .where(col(D.id).in_(ids))
        .order_by(col(D.id))
    ).all()
    jobs = []
    for row in rows:
        keys = [decrypt_field(row[6])]
        if row[7] is not None and row[8] is not None and row[8] > now:
            keys.append(decrypt_field(row[7]))  # the rotation's overlap: both sign
        jobs.append(Job(row[0], token, row[1], row[2], row[3], row[4], row[5], tuple(keys)))
    return jobs


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status: int | None = None
    error: str | None = None


def http_client(settings: Settings) -> httpx.Client:
    """No redirects (a 3xx is a failure: it could point anywhere), no proxies from the
    environment, short timeouts."""
    return httpx.Client(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(settings.webhooks_timeout_seconds),
        limits=httpx.Limits(max_connections=settings.webhooks_concurrency * 2),
    )


def send(http: httpx.Client, job: Job, key: Ed25519PrivateKey, *, allow_loopback: bool) -> Outcome:
    """POST the event to the address the SSRF check just approved (not to a fresh look-up of
    the name, which could answer differently), with the URL's host as Host and TLS name."""
    try:
        target = ssrf.check(job.url, allow_loopback=allow_loopback)
    except ssrf.UnsafeUrl as exc:
        return Outcome(False, error=f"refused: {exc}"[:ERROR_LENGTH])
    address = target.addresses[0]
    literal = f"[{address}]" if ":" in address else address
    pinned = target.url._replace(netloc=f"{literal}:{target.port}").geturl()
    headers = signing.headers(job.msg_id, int(clock.timestamp()), job.body, job.secrets, key)
    headers["host"] = target.url.netloc
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    try:
        with http.stream(
            "POST", pinned, content=job.body.encode(), headers=headers, extensions=extensions
        ) as response:
            status = response.status_code  # the body is not read: only the status counts
    except httpx.HTTPError as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH])
    if 200 <= status < 300:
        return Outcome(True, status)
    return Outcome(False, status, f"answered {status}")


def settle(session: Session, job: Job, outcome: Outcome, now: datetime, jitter: float) -> None:
    """Record an attempt, if the claim is still this worker's (a claim whose lease ran out may
    have been taken and settled by another worker: then this one's result is dropped)."""
    mine = and_(col(D.id) == job.delivery_id, col(D.claim) == job.claim)
    attempts = job.attempts + 1
    done: dict[str, Any] = {"claim": None, "lease_until": None, "attempts": attempts}
    done |= {"last_status": outcome.status, "last_error": outcome.error}
    if outcome.delivered:
        session.execute(update(D).where(mine).values(state="delivered", delivered_at=now, **done))
        return
    delay = retry_delay(attempts, jitter)
    if delay is not None:
        session.execute(update(D).where(mine).values(next_attempt_at=now + delay, **done))
        return
    changed = session.execute(update(D).where(mine).values(state="held", **done))
    if changed.rowcount:  # type: ignore[attr-defined]
        disable(session, job.subscription_id, now, f"{attempts} attempts failed: {outcome.error}")


def disable(session: Session, subscription_id: int, now: datetime, reason: str) -> None:
    """An endpoint that kept failing: no more attempts; its undelivered events are held for a
    replay (``POST /v1/webhooks/subscriptions/{id}/replay``)."""
    session.execute(
        update(S)
        .where(col(S.id) == subscription_id)
        .values(state="disabled", disabled_at=now, disabled_reason=reason[:ERROR_LENGTH])
    )
    session.execute(
        update(D)
        .where(col(D.subscription_id) == subscription_id, col(D.state) == "pending")
        .values(state="held", claim=None, lease_until=None)
    )
    log.warning("webhook subscription %s disabled: %s", subscription_id, reason)


def prune(session: Session, now: datetime, limit: int = PRUNE_BATCH) -> int:
    """Remove up to ``limit`` deliveries delivered before ``now - KEEP_DELIVERED``, then the
    events of that age that no delivery is owed for any more. Returns the deliveries removed."""
    cutoff = now - KEEP_DELIVERED
    old = session.exec(
        select(D.id)
        .where(col(D.state) == "delivered", col(D.delivered_at) < cutoff)
        .order_by(col(D.id))
        .limit(limit)
    ).all()
    if old:
        session.execute(delete(D).where(col(D.id).in_(list(old))))
    owed = select(D.event_id).where(col(D.event_id) == E.id).exists()
    session.execute(
        delete(E).where(col(E.dispatched_at).is_not(None), col(E.occurred_at) < cutoff, ~owed)
    )
    return len(old)


def run_once(
    engine: Engine,
    http: httpx.Client,
    pool: ThreadPoolExecutor,
    key: Ed25519PrivateKey,
    settings: Settings,
) -> int:
    """One round: dispatch, claim, send, settle. Returns how much it did (0: nothing to do)."""
    with Session(engine) as session:
        dispatched = dispatch(session, clock.now())
        session.commit()
    lease = timedelta(seconds=settings.webhooks_lease_seconds)
    with Session(engine) as session:
        jobs = claim(session, clock.now(), settings.webhooks_concurrency, lease)
        session.commit()
    if not jobs:
        return dispatched
    allow = settings.webhooks_allow_loopback
    outcomes: Sequence[Outcome] = list(
        pool.map(lambda job: send(http, job, key, allow_loopback=allow), jobs)
    )
    with Session(engine) as session:
        now = clock.now()
        for job, outcome in zip(jobs, outcomes, strict=True):
            settle(session, job, outcome, now, random.random())
        session.commit()
    return dispatched + len(jobs)


def run(stop: threading.Event, engine: Engine, key: Ed25519PrivateKey) -> None:
    """Work until ``stop`` is set: a round right after a busy one, a short sleep when idle."""
    settings = get_settings()
    with (
        http_client(settings) as http,
        ThreadPoolExecutor(settings.webhooks_concurrency, thread_name_prefix="webhook") as pool,
    ):
        next_prune = clock.now()
        while not stop.is_set():
            try:
                busy = run_once(engine, http, pool, key, settings)
            except SQLAlchemyError:
                # A busy or lost database: the claimed rows' leases will free them; try again.
                log.warning("webhook round failed", exc_info=True)
                busy = 0
            if not busy and clock.now() >= next_prune:
                # When idle and once a minute: delivering comes first, and on SQLite every
                # write transaction takes the one write lock.
                next_prune = clock.now() + PRUNE_EVERY
                with contextlib.suppress(SQLAlchemyError), Session(engine) as session:
                    prune(session, clock.now())
                    session.commit()
            if not busy:
                stop.wait(settings.webhooks_poll_seconds)
