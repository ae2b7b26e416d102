from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from talent_service.models.base import timestamp_field
from talent_service.models.columns import enum_type
from talent_service.reference.enums import CenterStatus, Source


class CenterStatusEvent(SQLModel, table=True):
    """A center's status from ``effective_on`` until the center's next event: never updated.

    ``effective_on`` is the date the authority gives (an accreditation decided in May may take
    effect from March); ``recorded_at`` is when the service learned it. Read as of a date, the
    status is that of the latest event effective on or before it; an event recorded after a
    decision about an earlier date, effective on or before that date, is a correction of it.
    """

    __tablename__ = "center_status_event"

    id: int | None = Field(default=None, primary_key=True)
    center_id: int = Field(
        sa_column=Column(Integer, ForeignKey("center.id"), nullable=False, index=True)
    )
    status: CenterStatus = Field(
        sa_column=Column(enum_type(CenterStatus, "center_status"), nullable=False)
    )
    effective_on: date
    source: Source = Field(sa_column=Column(enum_type(Source, "source"), nullable=False))
    # The bureau's city, the firm's id or "province": whose act this is.
    authority: str = Field(sa_column=Column(String(16), nullable=False))
    recorded_by: str = Field(max_length=64)
    note: str | None = Field(default=None, max_length=500)
    recorded_at: datetime = timestamp_field()
