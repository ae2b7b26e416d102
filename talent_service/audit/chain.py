"""The chain's arithmetic, pure: an entry's canonical bytes, its hash, a checkpoint's payload.

``hash = SHA-256(prev_hash + canonical JSON of the entry)`` as lowercase hex, where ``prev_hash``
is the previous entry's hash as 64 ASCII hex digits (``GENESIS`` before the first entry) and the
canonical JSON is RFC 8785 (keys sorted, no whitespace, UTF-8). The entry's fields are strings,
small integers and nulls only, for which ``json.dumps(sort_keys=True, ensure_ascii=False)``
gives exactly the RFC 8785 bytes (a test holds it to ``core.signing.canonical_json``)
at C speed: ``audit verify`` recomputes a million of them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Act:
    """What one entry says, before the chain gives it a number, a time and a hash."""

    actor: str
    actor_role: str | None
    actor_firm_id: int | None
    actor_city_code: str | None
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    request: str | None = None


def timestamp(at: datetime) -> str:
    """The one text form of an entry's time: UTC, microseconds, ``Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_document(seq: int, occurred_at: datetime, act: Act) -> dict[str, Any]:
    return {
        "seq": seq,
        "occurred_at": timestamp(occurred_at),
        "actor": act.actor,
        "actor_role": act.actor_role,
        "actor_firm_id": act.actor_firm_id,
        "actor_city_code": act.actor_city_code,
        "action": act.action,
        "object_type": act.object_type,
        "object_id": act.object_id,
        "outcome": act.outcome,
        "request": act.request,
    }


def canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def entry_hash(prev_hash: str, document: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(document)).hexdigest()


def checkpoint_payload(seq: int, head_hash: str, signed_at: datetime) -> dict[str, Any]:
    """What a checkpoint signs: the chain up to ``seq`` ends in ``head_hash``."""
    return {
        "type": "talent-service.audit-checkpoint",
        "seq": seq,
        "hash": head_hash,
        "signed_at": timestamp(signed_at),
    }
