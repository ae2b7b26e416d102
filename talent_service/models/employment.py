from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import enum_type, version_column
from talent_service.reference.enums import DepartureReason

_VERSION = version_column()


class Employment(SQLModel, table=True):
    """One employment spell: hire to departure (or still open)."""

    __tablename__ = "employment"
    __table_args__ = (
        CheckConstraint(
            "departed_on IS NULL OR departed_on >= hired_on", name="departed_after_hired"
        ),
        CheckConstraint(
            "(departed_on IS NULL) = (departure_reason IS NULL)", name="departure_has_reason"
        ),
    )
    __mapper_args__ = {"version_id_col": _VERSION}  # noqa: RUF012

    id: int | None = Field(default=None, primary_key=True)
    talent_id: int = Field(
        sa_column=Column(Integer, ForeignKey("talent.id"), nullable=False, index=True)
    )
    firm_id: int = Field(
        sa_column=Column(Integer, ForeignKey("firm.id"), nullable=False, index=True)
    )
    center_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("center.id"), index=True)
    )
    position: str = Field(max_length=100)
    key_post: bool = False
    recruited_via_program: bool = False
    hired_on: date = Field(index=True)
    departed_on: date | None = None
    departure_reason: DepartureReason | None = Field(
        default=None, sa_column=Column(enum_type(DepartureReason, "departure_reason"))
    )
    si_city_code: str = Field(sa_column=Column(String(6), ForeignKey("city.code"), nullable=False))
    version: int = Field(default=1, sa_column=_VERSION)
    created_at: datetime = timestamp_field()
