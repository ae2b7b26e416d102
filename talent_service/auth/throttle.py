"""Failed sign-ins, counted so that guessing slows down and then stops, across every worker.

Two counters per attempt, each a score that decays exponentially (halved every half-life):

- per account *and* client address: a few failures are free, then each answer comes later
  (1, 2, 4, … seconds, told as 429 with ``Retry-After`` rather than slept through, so a waiting
  attacker holds no worker thread), then a long lock. This is what stops an attacker;
- per account across all addresses: a much higher bar and a short lock, which bounds what many
  addresses together can try, yet cannot keep the owner out for long (other addresses are not
  refused until it is reached, and it lifts in a minute).

While a key is blocked, no password is checked: the right password gets the same 429, so it
reveals nothing. The counters live in the database (the ``auth_throttle`` table) because that is
what every worker and machine already shares: production runs no Redis, and a count held by one
worker would let an attacker spread guesses over the others. A failure is read and written under
a row lock (``FOR UPDATE`` on PostgreSQL; SQLite's write transaction holds the whole file), so
concurrent failures are not lost. Attempts already past the check when a block is written still
get their answer: the overshoot is bounded by the requests in flight at that moment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from talent_service.core.config import Settings
from talent_service.models import AuthThrottle


@dataclass(frozen=True)
class Limits:
    half_life_s: float
    free: int
    lock_failures: int
    lock_s: float
    account_lock_failures: int
    account_lock_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            half_life_s=settings.login_failure_half_life_seconds,
            free=settings.login_free_failures,
            lock_failures=settings.login_lock_failures,
            lock_s=settings.login_lock_seconds,
            account_lock_failures=settings.account_lock_failures,
            account_lock_s=settings.account_lock_seconds,
        )


# --- the rules (pure) ------------------------------------------------------------------------


def decayed(score: float, since: datetime, now: datetime, half_life_s: float) -> float:
    elapsed = max(0.0, (now - since).total_seconds())
    return score * 0.5 ** (elapsed / half_life_s)


def _counted(score: float) -> float:
    # Failures a moment apart count whole: three in one second are three, not 2.998.
    return round(score, 2)


def pair_wait(score: float, limits: Limits) -> float:
    """Seconds an account+address must wait after a failure that left ``score``."""
    score = _counted(score)
    if score < limits.free:
        return 0.0
    if score >= limits.lock_failures:
        return limits.lock_s
    return min(2.0 ** (score - limits.free), limits.lock_s)


def account_wait(score: float, limits: Limits) -> float:
    return limits.account_lock_s if _counted(score) >= limits.account_lock_failures else 0.0


@dataclass(frozen=True)
class Attempt:
    """One sign-in: which kind of account (user or client), which name, from where."""

    kind: str
    account: str
    address: str

    @property
    def account_key(self) -> str:
        return f"{self.kind}:{self.account}"

    @property
    def pair_key(self) -> str:
        return f"{self.kind}:{self.account}@{self.address}"


# --- the store -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    wait: int | None  # whole seconds until the attempt may be tried; None: now
    failed_before: bool  # this account has failures from this address on record


def standing(session: Session, attempt: Attempt, now: datetime) -> Standing:
    rows = session.execute(
        select(col(AuthThrottle.key), col(AuthThrottle.blocked_until)).where(
            col(AuthThrottle.key).in_([attempt.pair_key, attempt.account_key])
        )
    ).all()
    waits = [(until - now).total_seconds() for _, until in rows if until is not None]
    longest = max(waits, default=0.0)
    return Standing(
        wait=math.ceil(longest) if longest > 0 else None,
        failed_before=any(key == attempt.pair_key for key, _ in rows),
    )


def record_failure(session: Session, attempt: Attempt, now: datetime, limits: Limits) -> None:
    for key, wait in ((attempt.pair_key, pair_wait), (attempt.account_key, account_wait)):
        row = _locked_row(session, key, now)
        row.score = decayed(row.score, row.updated_at, now, limits.half_life_s) + 1
        row.updated_at = now
        seconds = wait(row.score, limits)
        if seconds:
            row.blocked_until = now + timedelta(seconds=seconds)
    # Keys for names no one has (guessed usernames) would otherwise pile up: a row whose score
    # has decayed to nothing and that blocks nothing is forgotten (an indexed delete).
    forget_before = now - timedelta(seconds=max(10 * limits.half_life_s, limits.lock_s))
    session.execute(
        delete(AuthThrottle).where(
            col(AuthThrottle.updated_at) < forget_before,
            col(AuthThrottle.blocked_until).is_(None) | (col(AuthThrottle.blocked_until) < now),
        )
    )
    session.flush()


def record_success(session: Session, attempt: Attempt) -> None:
    """The owner is in: this address starts afresh (the account-wide count keeps decaying)."""
    session.execute(delete(AuthThrottle).where(col(AuthThrottle.key) == attempt.pair_key))
    session.flush()


def _locked_row(session: Session, key: str, now: datetime) -> AuthThrottle:
    """The key's row, created if missing, locked until the transaction ends."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(AuthThrottle)
        .values(key=key, score=0.0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    statement = select(AuthThrottle).where(col(AuthThrottle.key) == key).with_for_update()
    return session.execute(statement.execution_options(populate_existing=True)).scalar_one()
