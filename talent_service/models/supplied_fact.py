from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field


class SuppliedFact(SQLModel, table=True):
    """A fact a machine client supplied in a check or verify request, kept with the decision it
    was supplied for: who supplied it, when, about which household member, and whether the
    decision's policy version accepted it (a refused one was not read)."""

    __tablename__ = "supplied_fact"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: str = Field(
        sa_column=Column(String(36), ForeignKey("decision.id"), nullable=False, index=True)
    )
    household_member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("household_member.id"), nullable=False)
    )
    fact: str = Field(max_length=64)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    accepted: bool
    supplied_by: str = Field(max_length=64)
    supplied_at: datetime = timestamp_field()
