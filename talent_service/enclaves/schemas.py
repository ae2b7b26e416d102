from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from talent_service.core.types import (
    Area,
    CityCode,
    Label,
    Name,
    RequestModel,
    ResponseModel,
    UpdateModel,
)


def _distinct(codes: list[str]) -> list[str]:
    # The caller's order is kept, so an error's index (partner_city_codes.3) names what was sent.
    if len(set(codes)) != len(codes):
        raise ValueError("partner cities must not repeat")
    return codes


PartnerCities = Annotated[
    list[CityCode], Field(min_length=1, max_length=21), AfterValidator(_distinct)
]


class EnclaveCreate(RequestModel):
    name: Name
    host_city_code: CityCode = Field(description="The PRD city that provides the space")
    district: Label
    operator: Name
    total_floor_area_m2: Area
    partner_city_codes: PartnerCities = Field(
        description="Home cities (east, west, north) whose firms the space serves"
    )


class EnclaveUpdate(UpdateModel):
    """The host city is the space's identity and cannot change."""

    name: Name | None = None
    district: Label | None = None
    operator: Name | None = None
    total_floor_area_m2: Area | None = None
    partner_city_codes: PartnerCities | None = None


class EnclaveRead(ResponseModel):
    id: int
    name: str
    host_city_code: str
    district: str
    operator: str
    total_floor_area_m2: float
    used_floor_area_m2: float = Field(description="Floor area of the centers occupying the space")
    free_floor_area_m2: float
    partner_city_codes: list[str]
    version: int
    created_at: datetime
