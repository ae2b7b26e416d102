"""Idempotency keys: a retried creating POST gets the first answer again instead of a second row.

Semantics of the IETF httpapi ``Idempotency-Key`` draft, as Stripe implements them:

- the first request with a key runs; if it answers 2xx, its status, headers and body are stored
  **in the same transaction as the write** (``store_pending``, called by the unit of work just
  before COMMIT), so a stored answer exists only for a write that was committed, and a write
  that was committed always has its answer stored;
- the same key with the same request again gets the stored answer (``AnswerInstead``), marked
  ``Idempotent-Replayed: true``, and nothing runs or is written;
- the same key with a different request (method, path or body) is refused, 422
  ``idempotency-key-reused``;
- the same key while the first request is still running is refused, 409
  ``idempotency-key-in-flight``. On PostgreSQL the first request holds a transaction-level
  advisory lock on (caller, key), taken with ``pg_try_advisory_xact_lock`` (no wait) and let go
  at its COMMIT or ROLLBACK, after its row became visible. On SQLite a write transaction holds
  the database's one write lock from its first statement (``BEGIN IMMEDIATE``), which this
  look-up is, so a duplicate waits for the first to finish and then gets its answer: in-flight
  cannot happen across requests there;
- 4xx answers are not stored (the client may fix the request and retry with the same key), nor
  5xx (nothing was kept);
- keys belong to a caller (the token's subject; the client address on the public registration)
  and are kept ``TALENT_IDEMPOTENCY_KEY_HOURS`` (24 h). Each insert purges up to 100 expired
  rows; ``talent-service purge-idempotency-keys`` purges the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Table, delete, insert, select, text
from sqlalchemy.orm import Session
from starlette.responses import Response

from talent_service.core import clock
from talent_service.core.config import get_settings
from talent_service.core.errors import (
    IDEMPOTENCY_KEY_IN_FLIGHT,
    IDEMPOTENCY_KEY_REUSED,
    DomainError,
    FieldError,
)
from talent_service.core.security import decrypt_bytes, encrypt_bytes
from talent_service.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
PURGE_ON_INSERT = 100
_TABLE: Table = IdempotencyKey.__table__  # type: ignore[attr-defined]
_CLAIM = "idempotency.claim"  # the request's key, waiting for its answer and the commit
_ANSWER = "idempotency.answer"
# Not stored: recomputed on replay, or added by middleware to every response anyway.
_UNSTORED_HEADERS = frozenset({"content-length", "cache-control", "date", "server"})


class AnswerInstead(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by a dependency to answer with a stored response instead of running the route;
    the unit of work rolls back (nothing was written) and sends ``response``."""

    def __init__(self, response: Response) -> None:
        super().__init__("answer with a stored response")
        self.response = response


@dataclass(frozen=True)
class Claim:
    caller: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Answer:
    status_code: int
    headers: list[tuple[str, str]]
    body: bytes


# --- fingerprint (pure) ----------------------------------------------------------------------


@lru_cache
def _fingerprint_key() -> bytes:
    # Derived from the token secret, like the field keys from theirs: one secret to configure,
    # independent keys for each use.
    secret = get_settings().secret_key.get_secret_value().encode()
    return hmac.new(secret, b"talent-service/idempotency-fingerprint", hashlib.sha256).digest()


def canonical_body(body: bytes) -> bytes:
    """JSON re-serialised with sorted keys and no spaces, so a client that re-encodes the same
    document (another key order, other whitespace) is recognised; other bodies as they are."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(method: str, target: str, body: bytes) -> str:
    """HMAC-SHA256 of method, path (with query) and body: equal for the same request only."""
    message = method.encode() + b"\n" + target.encode() + b"\n" + canonical_body(body)
    return hmac.new(_fingerprint_key(), message, hashlib.sha256).hexdigest()


def lock_id(caller: str, key: str) -> int:
    """A signed 64-bit advisory lock id for (caller, key). A collision between two keys costs
    at most a spurious 409 for one of them, with odds of 2^-64."""
    digest = hashlib.sha256(f"{caller}\n{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# --- the store -------------------------------------------------------------------------------


def claim(session: Session, caller: str, key: str, print_: str) -> Answer | None:
    """Take (caller, key) for this request: the stored answer to replay, or None to run it.

    Raises 409 while another transaction holds the key, 422 when the key answered another
    request. The claim is noted on the session; ``note_answer`` and ``store_pending`` finish it.
    """
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(
            text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": lock_id(caller, key)}
        ).scalar_one()
        if not locked:
            raise DomainError(
                IDEMPOTENCY_KEY_IN_FLIGHT,
                "The first request with this Idempotency-Key is still in progress; "
                "retry once it has been answered.",
                [FieldError(f"header.{HEADER}", "in progress")],
            )
    row = session.execute(
        select(_TABLE).where(_TABLE.c.caller == caller, _TABLE.c.key == key)
    ).one_or_none()
    now = clock.now()
    if row is not None and row.expires_at <= now:
        session.execute(delete(_TABLE).where(_TABLE.c.id == row.id))
        row = None
    if row is not None:
        if not hmac.compare_digest(row.fingerprint, print_):
            raise DomainError(
                IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was used for a different request (method, path or "
                "body); use a new key for a new request.",
                [FieldError(f"header.{HEADER}", "used for a different request")],
            )
        headers = [(str(n), str(v)) for n, v in json.loads(row.response_headers)]
        return Answer(row.status_code, headers, decrypt_bytes(bytes(row.response_body)))
    session.info[_CLAIM] = Claim(caller, key, print_)
    return None


def note_answer(session: Session, response: Response) -> None:
    """The route's successful answer, kept for the commit if this request claimed a key."""
    if _CLAIM not in session.info:
        return
    body = getattr(response, "body", None)
    if not isinstance(body, bytes):
        session.info.pop(_CLAIM)  # a streamed answer cannot be replayed: not stored
        return
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in _UNSTORED_HEADERS
    ]
    session.info[_ANSWER] = Answer(response.status_code, headers, body)


def store_pending(session: Session) -> None:
    """Before COMMIT: insert the claimed key's answer, and purge a few expired rows."""
    claimed: Claim | None = session.info.pop(_CLAIM, None)
    answer: Answer | None = session.info.pop(_ANSWER, None)
    if claimed is None or answer is None:
        return
    now = clock.now()
    purge_expired(session, now, limit=PURGE_ON_INSERT)
    session.execute(
        insert(_TABLE).values(
            caller=claimed.caller,
            key=claimed.key,
            fingerprint=claimed.fingerprint,
            status_code=answer.status_code,
            response_headers=json.dumps(answer.headers),
            # Encrypted like personal data: an answer may hold a shown-once secret (a webhook
            # subscription's) or masked personal data, kept here for a day.
            response_body=encrypt_bytes(answer.body),
            created_at=now,
            expires_at=now + timedelta(hours=get_settings().idempotency_key_hours),
        )
    )


def forget_pending(session: Session) -> None:
    """A request that failed or was answered from the store leaves nothing to store."""
    session.info.pop(_CLAIM, None)
    session.info.pop(_ANSWER, None)


def purge_expired(session: Session, now: datetime, *, limit: int | None = None) -> int:
    """Delete expired rows (at most ``limit``); the number deleted. Concurrent purges on
    PostgreSQL skip each other's rows instead of waiting for them (SKIP LOCKED)."""
    expired = select(_TABLE.c.id).where(_TABLE.c.expires_at <= now)
    if limit is not None:
        expired = expired.limit(limit).with_for_update(skip_locked=True)
    result = session.execute(delete(_TABLE).where(_TABLE.c.id.in_(expired)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def replay(answer: Answer) -> Response:
    """The stored answer, as it was sent the first time, marked as a replay."""
    response = Response(content=answer.body, status_code=answer.status_code)
    for name, value in answer.headers:
        if name.lower() == "content-type":
            response.headers["content-type"] = value
        else:
            response.headers.append(name, value)
    response.headers[REPLAYED_HEADER] = "true"
    return response
