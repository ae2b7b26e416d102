from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field


class PolicyParameter(SQLModel, table=True):
    """One effective-dated value of a policy's named parameter (e.g. a maximum age).

    A threshold changes by adding a value with a new range, without touching the rule; its type
    is declared by the versions whose rules read it.
    """

    __tablename__ = "policy_parameter"
    __table_args__ = (
        CheckConstraint(
            "effective_to IS NULL OR effective_to > effective_from", name="effective_range"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(
        sa_column=Column(Integer, ForeignKey("policy.id"), nullable=False, index=True)
    )
    name: str = Field(max_length=64)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    effective_from: date
    effective_to: date | None = None
    created_at: datetime = timestamp_field()
