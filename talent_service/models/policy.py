from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import enum_type
from talent_service.reference.enums import Benefit, Side


class Policy(SQLModel, table=True):
    """One city's policy for one benefit; its rule lives in numbered versions."""

    __tablename__ = "policy"
    __table_args__ = (UniqueConstraint("city_code", "benefit", name="uq_policy_city_benefit"),)

    id: int | None = Field(default=None, primary_key=True)
    city_code: str = Field(
        sa_column=Column(String(6), ForeignKey("city.code"), nullable=False, index=True)
    )
    benefit: Benefit = Field(sa_column=Column(enum_type(Benefit, "benefit"), nullable=False))
    side: Side = Field(sa_column=Column(enum_type(Side, "side"), nullable=False))
    name_zh: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    created_at: datetime = timestamp_field()
