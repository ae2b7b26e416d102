from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime


class AuditEntry(SQLModel, table=True):
    """One act in the tamper-evident audit log (talent_service/audit/chain.py).

    Append-only: triggers refuse UPDATE and DELETE (migration 0008). ``hash`` chains the entry
    to the one before it, so an edit, a deletion or a reordering is found by ``audit verify``.
    Holds ids, never personal data: the log may be read without disclosing what it records.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_object_type", "object_type", "object_id"),)

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    occurred_at: datetime = Field(sa_type=UtcDateTime, index=True)
    actor: str = Field(max_length=80, index=True)  # "user:<id>", "client:<id>", "cli:<os user>"
    actor_role: str | None = Field(default=None, max_length=16)
    actor_firm_id: int | None = None
    actor_city_code: str | None = Field(default=None, max_length=6)
    action: str = Field(max_length=80)
    object_type: str | None = Field(default=None, max_length=40)
    object_id: str | None = Field(default=None, max_length=64)
    outcome: str = Field(max_length=40)
    request: str | None = Field(default=None, max_length=300)  # "POST /v1/centers/3/closure"
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))
