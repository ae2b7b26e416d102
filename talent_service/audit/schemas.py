from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict

from talent_service.core.types import ResponseModel


class AuditEntryRead(ResponseModel):
    """One entry, with both hashes: a reader can recompute the chain (see ``audit/chain.py``)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor: str
    actor_role: str | None
    actor_firm_id: int | None
    actor_city_code: str | None
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    request: str | None
    prev_hash: str
    hash: str


class AuditCheckpointRead(ResponseModel):
    """A signed checkpoint: ``jws`` is a detached JWS over the canonical JSON of
    ``{"type": "talent-service.audit-checkpoint", "seq", "hash", "signed_at"}`` (``signed_at``
    as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``), verifiable with ``/.well-known/jwks.json``."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    hash: str
    signed_at: datetime
    kid: str
    jws: str


class AuditPage(ResponseModel):
    items: list[AuditEntryRead]
    next_cursor: str | None = None


class CheckpointPage(ResponseModel):
    items: list[AuditCheckpointRead]
    next_cursor: str | None = None
