from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from talent_service.core.types import (
    EARLIEST_DATE,
    LATEST_DATE,
    Address,
    Area,
    CityCode,
    Id,
    LongText,
    Name,
    RequestModel,
    ResponseModel,
    UpdateModel,
)
from talent_service.reference.enums import CenterKind, CenterStatus


class CenterCreate(RequestModel):
    firm_id: Id | None = Field(
        default=None, description="Required for the province; a firm user registers its own"
    )
    kind: CenterKind
    host_city_code: CityCode | None = Field(
        default=None, description="A PRD city; may be omitted when enclave_id is given"
    )
    enclave_id: Id | None = Field(default=None, description="The enclave space it occupies")
    name: Name
    address: Address
    floor_area_m2: Area
    opened_on: date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)


class CenterUpdate(UpdateModel):
    """Firm, host city and enclave space are the center's identity and cannot change."""

    name: Name | None = None
    address: Address | None = None
    floor_area_m2: Area | None = None


class CenterRead(ResponseModel):
    id: int
    firm_id: int
    kind: CenterKind
    host_city_code: str
    enclave_id: int | None
    name: str
    address: str
    floor_area_m2: float
    opened_on: date
    closed_on: date | None
    status: CenterStatus
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    version: int
    created_at: datetime


class AccreditationDecision(RequestModel):
    decision: Literal["accredited", "rejected"]
    note: LongText | None = None


class StatusNote(RequestModel):
    note: LongText | None = None


class Closure(RequestModel):
    closed_on: date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)
    note: LongText | None = None
