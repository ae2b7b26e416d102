from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from talent_service.core.types import (
    EARLIEST_DATE,
    LATEST_DATE,
    CityCode,
    Id,
    RequestModel,
    ResponseModel,
    ShortText,
    UpdateModel,
)
from talent_service.reference.enums import DepartureReason


class EmploymentCreate(RequestModel):
    talent_id: Id
    firm_id: Id | None = Field(default=None, description="Required for the province")
    center_id: Id | None = Field(
        default=None, description="The center the talent works at; none means the firm's home site"
    )
    position: ShortText
    key_post: bool = False
    recruited_via_program: bool = False
    hired_on: date = Field(ge=EARLIEST_DATE, le=LATEST_DATE)
    si_city_code: CityCode = Field(description="City where social insurance is paid")


class EmploymentUpdate(UpdateModel):
    """Talent, firm, center and hire date define a spell: a wrong one is closed and re-entered."""

    position: ShortText | None = None
    key_post: bool | None = None
    recruited_via_program: bool | None = None
    si_city_code: CityCode | None = None


# One definition of the departure day, used by overlap checks, month counts and retention.
DEPARTED_ON = (
    "The last day worked (离职日期：最后工作日). The spell covers hired_on through departed_on, "
    "both included: a rehire at the same firm may start the next day, not the same day; "
    "months are whole months of the days worked (2023-01-01 through 2025-12-31 is 36); "
    "tenure in days counts both ends (hired and departed on one day: 1 day)."
)


class Departure(RequestModel):
    departed_on: date = Field(ge=EARLIEST_DATE, le=LATEST_DATE, description=DEPARTED_ON)
    reason: DepartureReason


class EmploymentRead(ResponseModel):
    id: int
    talent_id: int
    firm_id: int
    center_id: int | None
    position: str
    key_post: bool
    recruited_via_program: bool
    hired_on: date = Field(description="The first day worked")
    departed_on: date | None = Field(description=DEPARTED_ON + " Null while the spell is open.")
    departure_reason: DepartureReason | None
    si_city_code: str
    version: int
    created_at: datetime
