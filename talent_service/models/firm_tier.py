from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from talent_service.models.base import UtcDateTime, timestamp_field
from talent_service.models.columns import enum_type, version_column
from talent_service.reference.enums import FirmTier, Source, TierState

_VERSION = version_column()


class FirmTierPeriod(SQLModel, table=True):
    """A tier certificate and the period it is valid for, as submitted and as decided.

    Only an approved period counts; a firm submits (``submitted``), the province approves or
    rejects; a period the province records itself is approved at once. ``valid_from`` is NULL
    only for a certificate carried over by the migration from before tiers were dated.
    """

    __tablename__ = "firm_tier_period"
    __table_args__ = (
        CheckConstraint(
            "valid_from IS NULL OR valid_to >= valid_from", name="valid_to_after_valid_from"
        ),
    )
    __mapper_args__ = {"version_id_col": _VERSION}  # noqa: RUF012

    id: int | None = Field(default=None, primary_key=True)
    firm_id: int = Field(
        sa_column=Column(Integer, ForeignKey("firm.id"), nullable=False, index=True)
    )
    tier: FirmTier = Field(sa_column=Column(enum_type(FirmTier, "firm_tier"), nullable=False))
    certificate_no: str = Field(max_length=64)
    valid_from: date | None = None
    valid_to: date
    state: TierState = Field(
        sa_column=Column(enum_type(TierState, "tier_state"), nullable=False, index=True)
    )
    source: Source = Field(sa_column=Column(enum_type(Source, "source"), nullable=False))
    submitted_by: str = Field(max_length=64)
    submitted_at: datetime = timestamp_field()
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decision_note: str | None = Field(default=None, max_length=500)
    version: int = Field(default=1, sa_column=_VERSION)
