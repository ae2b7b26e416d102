from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from talent_service.core.types import (
    CityCode,
    Id,
    RequestModel,
    ResponseModel,
    ShortText,
    UpdateModel,
)
from talent_service.reference.enums import Education, Sex, TitleLevel
from talent_service.reference.identifiers import IdKind

IdNumber = Annotated[
    str,
    Field(
        min_length=5,
        max_length=24,
        description="Resident ID, foreign permanent resident ID or passport number",
    ),
]
Nationality = Annotated[str, Field(min_length=3, max_length=3, description="ISO 3166-1 alpha-3")]

_DEFAULT_TODAY = (
    "Not in the future nor before 1 January of the person's birth year. Absent: today, the day "
    "the statement is recorded (a check as of an earlier date does not see it)."
)


def _since(what: str) -> Any:
    return Field(default=None, description=f"{what}. {_DEFAULT_TODAY}")


DATE_FIELDS = ("education_awarded_on", "title_awarded_on", "hukou_since")


class TalentCreate(RequestModel):
    """Registering a person for a firm: the firm's registration, with the profile as declared.

    Whether or not the service already knows the ID, the answer is the same: the firm's own
    registration. Registering a person the firm registered already answers 201 with that
    registration unchanged when the profile sent equals it (a retry), else 409.
    """

    firm_id: Id | None = Field(default=None, description="Required for the province")
    id_kind: IdKind = IdKind.resident_id
    id_number: IdNumber
    nationality: Nationality | None = Field(
        default=None, description="Required for passports and foreign permanent resident IDs"
    )
    name: ShortText
    education: Education
    title_level: TitleLevel = TitleLevel.none
    title_field: ShortText | None = None
    hukou_city_code: CityCode | None = Field(
        default=None, description="Guangdong city of the hukou, if the hukou is in Guangdong"
    )
    # Since when each declared fact holds, as the caller states it.
    education_awarded_on: date | None = _since("When the degree (education) was awarded")
    title_awarded_on: date | None = _since("When the professional title was awarded")
    hukou_since: date | None = _since("Since when the hukou has been in hukou_city_code")


class TalentUpdate(UpdateModel):
    """A firm changes its own registration (and declares the facts it changes or dates); the
    province declares each fact it names (verified) and may correct the name."""

    nullable_fields = frozenset({"title_field", "hukou_city_code"})

    name: ShortText | None = None
    education: Education | None = None
    title_level: TitleLevel | None = None
    title_field: ShortText | None = None
    hukou_city_code: CityCode | None = None
    # Since when each declared fact holds, as the caller states it.
    education_awarded_on: date | None = _since("When the degree (education) was awarded")
    title_awarded_on: date | None = _since("When the professional title was awarded")
    hukou_since: date | None = _since("Since when the hukou has been in hukou_city_code")


class TalentRead(ResponseModel):
    """A firm reads its own registration: the profile as it declared it, its version and when it
    registered; identity fields are the person's. Bureaus, the province and machine clients read
    the consolidated profile (the declarations holding today, by the selection rule)."""

    id: int
    id_kind: IdKind
    id_number_masked: str = Field(
        description="First 4 and last 2 characters of an 18-character number "
        "(4405************34); a passport keeps at most a quarter at each end"
    )
    nationality: str
    birth_year: int | None = Field(
        description="The year only: with the masked number, the birth date would leave few "
        "valid ID numbers possible (the whole date is at the identity endpoint)"
    )
    sex: Sex | None
    name: str = Field(description="Masked for machine clients")
    education: Education
    title_level: TitleLevel
    title_field: str | None
    hukou_city_code: str | None
    version: int = Field(description="What If-Match names (a firm: its registration's version)")
    created_at: datetime = Field(description="A firm: when it registered the person")


class TalentIdentity(ResponseModel):
    """The whole ID number: only for the roles whose work needs it (bureau, province)."""

    id: int
    id_kind: IdKind
    id_number: str
    nationality: str
