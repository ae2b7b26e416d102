from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field


class TalentFirm(SQLModel, table=True):
    """A firm's registration of a person: what makes the person visible to that firm."""

    __tablename__ = "talent_firm"

    talent_id: int = Field(
        sa_column=Column(Integer, ForeignKey("talent.id", ondelete="CASCADE"), primary_key=True)
    )
    firm_id: int = Field(
        sa_column=Column(Integer, ForeignKey("firm.id"), primary_key=True, index=True)
    )
    registered_at: datetime = timestamp_field()
