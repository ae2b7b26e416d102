from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field
from talent_service.models.columns import enum_type, version_column
from talent_service.reference.enums import CenterKind, CenterStatus

_VERSION = version_column()


class Center(SQLModel, table=True):
    """An R&D, technology or engineering center a home-region firm opens in a PRD city."""

    __tablename__ = "center"
    __table_args__ = (
        CheckConstraint("floor_area_m2 > 0", name="positive_area"),
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_opened"),
    )
    __mapper_args__ = {"version_id_col": _VERSION}  # noqa: RUF012

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(
        sa_column=Column(Integer, ForeignKey("firm.id"), nullable=False, index=True)
    )
    kind: CenterKind = Field(sa_column=Column(enum_type(CenterKind, "center_kind"), nullable=False))
    host_city_code: str = Field(
        sa_column=Column(String(6), ForeignKey("city.code"), nullable=False, index=True)
    )
    enclave_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("enclave.id"), index=True)
    )
    name: str = Field(max_length=200)
    address: str = Field(max_length=300)
    floor_area_m2: float
    opened_on: date
    closed_on: date | None = None
    status: CenterStatus = Field(
        default=CenterStatus.pending,
        sa_column=Column(enum_type(CenterStatus, "center_status"), nullable=False, index=True),
    )
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decision_note: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1, sa_column=_VERSION)
    created_at: datetime = timestamp_field()
