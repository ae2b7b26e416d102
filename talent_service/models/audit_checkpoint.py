from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime


class AuditCheckpoint(SQLModel, table=True):
    """The audit chain's head at entry ``seq``, signed (Ed25519, a key of the JWKS).

    Whoever can rewrite the table can recompute every hash after an edit; they cannot sign.
    Append-only like the entries (migration 0008).
    """

    __tablename__ = "audit_checkpoint"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))
    signed_at: datetime = Field(sa_type=UtcDateTime)
    kid: str = Field(max_length=64)
    jws: str = Field(max_length=400)  # detached compact JWS over the canonical payload
