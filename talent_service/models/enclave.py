from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import version_column

_VERSION = version_column()


class Enclave(SQLModel, table=True):
    """An enclave space (飞地载体): office space a PRD city provides to other regions' firms."""

    __tablename__ = "enclave"
    __table_args__ = (CheckConstraint("total_floor_area_m2 > 0", name="positive_area"),)
    __mapper_args__ = {"version_id_col": _VERSION}  # noqa: RUF012

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    host_city_code: str = Field(
        sa_column=Column(String(6), ForeignKey("city.code"), nullable=False, index=True)
    )
    district: str = Field(max_length=64)
    operator: str = Field(max_length=200)
    total_floor_area_m2: float
    version: int = Field(default=1, sa_column=_VERSION)
    created_at: datetime = timestamp_field()
