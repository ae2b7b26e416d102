from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime


class AuditHead(SQLModel, table=True):
    """The audit chain's one head row (id 1): the last entry's number and hash.

    Every append locks it (``FOR UPDATE``) before numbering its entries, so writers on any
    worker take turns and the chain never forks; on SQLite the write lock already serialises.
    """

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False))
    checkpoint_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    checkpoint_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
