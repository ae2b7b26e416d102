from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from talent_service.accounts.service import MIN_PASSWORD
from talent_service.core.types import (
    CityCode,
    Label,
    Name,
    RequestModel,
    ResponseModel,
    UpdateModel,
    field_errors,
)
from talent_service.reference.enums import FirmTier
from talent_service.reference.identifiers import IdentifierError, validate_uscc


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except IdentifierError as exc:
        raise ValueError(str(exc)) from exc


USCC = Annotated[str, Field(max_length=40, examples=["91440500MA4UXXXXXX"]), AfterValidator(_uscc)]


class TierFields(RequestModel):
    tier: FirmTier | None = None
    tier_certificate_no: Label | None = None
    tier_expires_on: date | None = Field(default=None, ge=date(2000, 1, 1), le=date(2100, 1, 1))

    @model_validator(mode="after")
    def _certificate_with_tier(self) -> Self:
        # A tier is only as good as its certificate: number and expiry come with it. Each
        # missing one is named, not just the body.
        if self.tier is None:
            return self
        missing = {
            name: f"a tier needs {name}"
            for name in ("tier_certificate_no", "tier_expires_on")
            if getattr(self, name) is None
        }
        if missing:
            raise field_errors(type(self), "tier_without_certificate", missing)
        return self


class FirmCreate(TierFields):
    uscc: USCC = Field(description="统一社会信用代码, 18 characters with its check character")
    name: Name
    home_city_code: CityCode = Field(description="GB/T 2260 code of a non-PRD city")


class FirmUpdate(TierFields, UpdateModel):
    """What a firm or the province may change; the USCC and home city are the firm's identity.

    Sending ``tier: null`` removes the tier together with its certificate.
    """

    nullable_fields = frozenset({"tier"})
    name: Name | None = None


class FirmRead(ResponseModel):
    id: int
    uscc: str
    name: str
    home_city_code: str
    tier: FirmTier | None
    tier_certificate_no: str | None
    tier_expires_on: date | None
    version: int
    created_at: datetime


class FirmRegistration(RequestModel):
    """A firm registering itself, with the first account of its HR clerk."""

    firm: FirmCreate
    username: Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
    password: Annotated[str, Field(min_length=MIN_PASSWORD, max_length=128)]


class FirmRegistered(ResponseModel):
    firm: FirmRead
    username: str
