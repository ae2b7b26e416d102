"""Which tokens no longer count: revoked ones, and those of accounts whose tokens were ended.

Each worker keeps a snapshot and re-reads it every ``token_revocation_refresh_seconds`` (5 s by
default), on the first request after it went stale. So a token revoked, or an account deactivated
or given a new password or secret, is refused by every worker within that bound (at once by the
worker that took a revocation), and a request in between pays two dictionary look-ups, not a
query: the hot reads keep no per-request database work.

The snapshot is small: revoked token ids until they would have expired, and the token versions
of accounts changed within the longest token lifetime (24 h); an older change can only concern
tokens that have expired anyway.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from anyio import to_thread
from fastapi import FastAPI, Request
from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from talent_service.auth import approval
from talent_service.core import clock
from talent_service.core.config import get_settings
from talent_service.core.db import connect
from talent_service.core.unit_of_work import read_bind
from talent_service.models import Client, RevokedToken, User

LONGEST_TOKEN_LIFETIME = timedelta(hours=24)  # the settings' upper bound


@dataclass
class Revocations:
    versions: dict[str, int] = field(default_factory=dict)  # subject -> current token version
    revoked: set[str] = field(default_factory=set)  # jti
    sign_ups: approval.Decisions = field(default_factory=dict)  # read with them, same bound
    fresh_until: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def refuses(self, subject: str, version: int, jti: str | None) -> bool:
        return (jti is not None and jti in self.revoked) or self.versions.get(subject, 0) > version

    def revoke(self, jti: str) -> None:
        """Refused on this worker at once; the other workers read it at their next refresh."""
        self.revoked.add(jti)

    def expire(self) -> None:
        """Read again at the next request (after a sign-up decision on this worker)."""
        self.fresh_until = float("-inf")


def read_revocations(
    bind: Engine | Connection, now: datetime
) -> tuple[dict[str, int], set[str], approval.Decisions]:
    since = now - LONGEST_TOKEN_LIFETIME
    with connect(bind) as connection:
        users = connection.execute(
            select(col(User.id), col(User.token_version)).where(col(User.tokens_changed_at) > since)
        ).all()
        clients = connection.execute(
            select(col(Client.client_id), col(Client.token_version)).where(
                col(Client.tokens_changed_at) > since
            )
        ).all()
        revoked = connection.execute(
            select(col(RevokedToken.jti)).where(col(RevokedToken.expires_at) > now)
        ).all()
        sign_ups = approval.read_decisions(connection, since)
    versions = {f"user:{u}": v for u, v in users} | {f"client:{c}": v for c, v in clients}
    return versions, {row[0] for row in revoked}, sign_ups


def snapshot(app: FastAPI) -> Revocations:
    """The app's snapshot (one per app: an app made for a test starts with its own)."""
    state = app.state
    current: Revocations | None = getattr(state, "revocations", None)
    if current is None:
        current = state.revocations = Revocations()
    return current


async def current(request: Request) -> Revocations:
    revocations = snapshot(request.app)
    if clock.timestamp() < revocations.fresh_until:
        return revocations
    async with revocations.lock:  # one refresh at a time; the others wait for its result
        now = clock.now()
        if now.timestamp() >= revocations.fresh_until:
            bind = read_bind(request)
            versions, revoked, sign_ups = await to_thread.run_sync(read_revocations, bind, now)
            revocations.versions, revocations.revoked = versions, revoked
            revocations.sign_ups = sign_ups
            revocations.fresh_until = (
                now.timestamp() + get_settings().token_revocation_refresh_seconds
            )
    return revocations


def record_revoked(session: Session, jti: str, expires_at: datetime) -> None:
    """Kept until the token would have expired; revoking twice, even at once, is one row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(RevokedToken)
        .values(jti=jti, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["jti"])
    )
    # Rows of expired tokens are no longer needed; an indexed delete keeps the table small.
    session.execute(delete(RevokedToken).where(col(RevokedToken.expires_at) < clock.now()))
