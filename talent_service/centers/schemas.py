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
from talent_service.reference.enums import CenterKind, CenterStatus, Source


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
    status_since: date | None = Field(
        default=None,
        description="Since when the current status holds: its event's effective date (the date "
        "the deciding authority gave, not when it was recorded; see decided_at)",
    )
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    version: int
    created_at: datetime

    @classmethod
    def of(cls, center: object, status_since: date | None) -> CenterRead:
        return cls.model_validate(center).model_copy(update={"status_since": status_since})


_EFFECTIVE_ON = (
    "The date the act takes effect, as the deciding authority gives it (default: today, "
    "Asia/Shanghai). Not in the future, not before the center opened or its latest status "
    "change, and at most TALENT_BACKDATE_LIMIT_DAYS (default 90) days back; older is a "
    "correction of the record."
)


class StatusNote(RequestModel):
    effective_on: date | None = Field(
        default=None, ge=EARLIEST_DATE, le=LATEST_DATE, description=_EFFECTIVE_ON
    )
    note: LongText | None = None


class AccreditationDecision(StatusNote):
    decision: Literal["accredited", "rejected"]


class Closure(RequestModel):
    closed_on: date = Field(
        ge=EARLIEST_DATE,
        le=LATEST_DATE,
        description="The closure's effective date: bounded as an act's effective_on, and not "
        "before the center's latest hire",
    )
    note: LongText | None = None


class StatusEventRead(ResponseModel):
    """One act on a center's status: what, from when, who said so, when it was recorded."""

    id: int
    status: CenterStatus
    effective_on: date
    recorded_at: datetime
    recorded_by: str
    source: Source
    authority: str = Field(description='"province", a city code, or "firm:<id>"')
    note: str | None


class StatusPeriodRead(ResponseModel):
    status: CenterStatus
    from_on: date
    to_on: date | None = Field(description="Last day included; null: still holds")


class CenterHistory(ResponseModel):
    center_id: int
    status: CenterStatus
    status_since: date | None
    events: list[StatusEventRead] = Field(
        description="In the order they hold: effective_on, then recorded"
    )
    periods: list[StatusPeriodRead] = Field(
        description="Derived from the events: each status from its effective date to the day "
        "before the next; an event superseded on its own day has no period"
    )
