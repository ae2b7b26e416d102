from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

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


class TalentCreate(RequestModel):
    """Registering a person. If the ID is already known, the firm is attached to that record."""

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


class TalentUpdate(UpdateModel):
    nullable_fields = frozenset({"title_field", "hukou_city_code"})

    name: ShortText | None = None
    education: Education | None = None
    title_level: TitleLevel | None = None
    title_field: ShortText | None = None
    hukou_city_code: CityCode | None = None


class TalentRead(ResponseModel):
    id: int
    id_kind: IdKind
    id_number_masked: str = Field(description="e.g. 4405**********1234")
    nationality: str
    birth_date: date | None
    sex: Sex | None
    name: str = Field(description="Masked for machine clients")
    education: Education
    title_level: TitleLevel
    title_field: str | None
    hukou_city_code: str | None
    version: int
    created_at: datetime


class TalentIdentity(ResponseModel):
    """The whole ID number: only for the roles whose work needs it (bureau, province)."""

    id: int
    id_kind: IdKind
    id_number: str
    nationality: str
