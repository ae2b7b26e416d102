"""Household members as callers send and read them (the table model is never accepted or
returned)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from talent_service.core.types import Id, RequestModel, ResponseModel
from talent_service.reference.enums import HouseholdRelation, SchoolStage, Source

EARLIEST_BIRTH = date(1900, 1, 1)
LATEST_DAY = date(2100, 1, 1)
# A district (区县) or a city: six digits whose first four name a Guangdong city (GB/T 2260).
DistrictCode = Field(
    default=None,
    min_length=6,
    max_length=6,
    pattern=r"^\d{6}$",
    description="GB/T 2260 code of the district (or city) the child applies to school in; its "
    "first four digits must name a Guangdong city (e.g. 440305 南山区 in 440300 深圳)",
)


class HouseholdMemberCreate(RequestModel):
    """One of the talent's household members, as true from ``effective_on``. No name: the
    policies need only what is below. A change is a new record naming the one it
    ``replaces_id`` (never an edit), so a check as of an earlier date still reads the old one."""

    relation: HouseholdRelation = Field(description="child, or other")
    birth_date: date = Field(ge=EARLIEST_BIRTH, le=LATEST_DAY, description="Not in the future")
    school_stage: SchoolStage | None = Field(
        default=None,
        description="kindergarten, primary, junior_secondary, senior_secondary: the stage the "
        "child is in or applies for; null when not known",
    )
    district_code: str | None = DistrictCode
    effective_on: date = Field(
        ge=EARLIEST_BIRTH,
        le=LATEST_DAY,
        description="From when this record holds; not in the future, not before the birth date",
    )
    replaces_id: Id | None = Field(
        default=None,
        description="The member's current record this one replaces from effective_on (one of "
        "the caller's own, for a firm)",
    )


class HouseholdMemberRead(ResponseModel):
    """A record as the caller may see it: the child's birth date whole only for the party that
    recorded it (``household/disclosure.py``)."""

    id: int
    talent_id: int
    relation: HouseholdRelation
    birth_year: int
    birth_date: date | None = Field(
        description="Only for the party that recorded it (the firm, or the officer); others "
        "read birth_year: a child's birth date is a minor's personal information"
    )
    school_stage: SchoolStage | None
    district_code: str | None
    effective_on: date = Field(
        description="For others than the recorder, a date inside the birth year reads 1 January"
    )
    replaces_id: int | None
    source: Source
    recorded_by: str
    recorded_at: datetime
