from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime


class IdempotencyKey(SQLModel, table=True):
    """The answer a creating POST gave under an ``Idempotency-Key``, replayed until it expires.

    Written in the transaction of the write it answers (core/idempotency.py), so a stored 2xx
    exists only for a committed write. Keys are per caller: ``user:<id>``, ``client:<id>`` or,
    on the public registration, ``address:<client address>``. ``fingerprint`` is an HMAC with a
    server key, not a plain hash, so the table does not let anyone test guesses of a body.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    caller: str = Field(sa_column=Column(String(100), nullable=False))
    key: str = Field(sa_column=Column(String(255), nullable=False))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    status_code: int
    response_headers: str = Field(sa_column=Column(Text, nullable=False))  # JSON [[name, value]]
    response_body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime, index=True)
