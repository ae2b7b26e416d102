from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from talent_service.core.types import (
    LATEST_DATE,
    CityCode,
    Label,
    LongText,
    Name,
    RequestModel,
    ResponseModel,
    UpdateModel,
    field_errors,
)
from talent_service.reference.enums import FirmTier, SignUpState, Source, TierState
from talent_service.reference.identifiers import IdentifierError, validate_uscc

if TYPE_CHECKING:
    from talent_service.firms.tier_rule import TierRow
    from talent_service.models import Firm

# Certificates of the tier programmes are dated from 2000 on; a date outside is a typo.
TIER_EARLIEST = date(2000, 1, 1)
TierDate = Annotated[date, Field(ge=TIER_EARLIEST, le=LATEST_DATE)]


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except IdentifierError as exc:
        raise ValueError(str(exc)) from exc


USCC = Annotated[str, Field(max_length=40, examples=["91440500MA4UXXXXXX"]), AfterValidator(_uscc)]


class TierFields(RequestModel):
    """A tier certificate sent with a new firm. By the province it is approved at once; by a
    self-registering firm it is submitted, and counts once the province approves it."""

    tier: FirmTier | None = None
    tier_certificate_no: Label | None = None
    tier_expires_on: TierDate | None = Field(
        default=None, description="The last day the certificate is valid"
    )
    tier_valid_from: TierDate | None = Field(
        default=None,
        description="The first day the certificate is valid; absent: the day it is recorded",
    )

    @model_validator(mode="after")
    def _certificate_with_tier(self) -> Self:
        # A tier is only as good as its certificate: number and expiry come with it. Each
        # missing one is named, not just the body.
        certificate = ("tier_certificate_no", "tier_expires_on", "tier_valid_from")
        if self.tier is None:
            if any(getattr(self, name) is not None for name in certificate):
                raise field_errors(
                    type(self), "certificate_without_tier", {"tier": "a certificate needs its tier"}
                )
            return self
        missing = {
            name: f"a tier needs {name}" for name in certificate[:2] if getattr(self, name) is None
        }
        if missing:
            raise field_errors(type(self), "tier_without_certificate", missing)
        assert self.tier_expires_on is not None
        if self.tier_valid_from is not None and self.tier_valid_from > self.tier_expires_on:
            raise field_errors(
                type(self),
                "valid_from_after_expiry",
                {"tier_valid_from": f"after tier_expires_on ({self.tier_expires_on})"},
            )
        return self


class FirmCreate(TierFields):
    uscc: USCC = Field(description="统一社会信用代码, 18 characters with its check character")
    name: Name
    home_city_code: CityCode = Field(description="GB/T 2260 code of a non-PRD city")


class FirmUpdate(UpdateModel):
    """What a firm or the province may change; the USCC and home city are the firm's identity.

    The tier is not here: a firm submits a certificate (``POST /v1/firms/{id}/tiers``) and the
    province approves it; an unknown field, ``tier`` among them, is refused by name.
    """

    name: Name | None = None


class FirmRead(ResponseModel):
    """A firm; its tier fields are derived: the approved certificate valid today, or all null."""

    id: int
    uscc: str
    name: str
    home_city_code: str
    tier: FirmTier | None = Field(description="The tier held today (an approved period)")
    tier_certificate_no: str | None
    tier_valid_from: date | None = Field(
        description="First day of today's certificate; null with a tier: since before the records"
    )
    tier_expires_on: date | None = Field(description="Last day of today's certificate")
    sign_up_state: SignUpState = Field(
        description="A self-registered firm is pending until its home city's bureau (or the "
        "province) approves it: GET /v1/sign-ups/{firm_id}"
    )
    version: int
    created_at: datetime

    @classmethod
    def of(cls, firm: Firm, period: TierRow | None) -> FirmRead:
        assert firm.id is not None
        return cls(
            id=firm.id,
            uscc=firm.uscc,
            name=firm.name,
            home_city_code=firm.home_city_code,
            tier=period.tier if period else None,
            tier_certificate_no=period.certificate_no if period else None,
            tier_valid_from=period.valid_from if period else None,
            tier_expires_on=period.valid_to if period else None,
            sign_up_state=firm.sign_up_state,
            version=firm.version,
            created_at=firm.created_at,
        )


# --- tier periods ----------------------------------------------------------------------------


class TierSubmission(RequestModel):
    """A tier certificate and the days it is valid for (both ends included)."""

    tier: FirmTier
    certificate_no: Label
    valid_from: TierDate = Field(description="The first day the certificate is valid")
    valid_to: TierDate = Field(description="The last day the certificate is valid")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.valid_to < self.valid_from:
            raise field_errors(
                type(self), "valid_to_before_valid_from", {"valid_to": "before valid_from"}
            )
        return self


class TierApproval(RequestModel):
    note: LongText | None = None


class TierRejection(RequestModel):
    note: LongText = Field(description="Why the province refuses the certificate")


class TierPeriodRead(ResponseModel):
    id: int
    firm_id: int
    tier: FirmTier
    certificate_no: str
    valid_from: date | None = Field(description="null: since before the records (migrated)")
    valid_to: date
    state: TierState
    source: Source
    submitted_by: str
    submitted_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    version: int


class FirmEvent(StrEnum):
    registered = "registered"
    sign_up_approved = "sign_up_approved"
    sign_up_rejected = "sign_up_rejected"
    tier_submitted = "tier_submitted"
    tier_approved = "tier_approved"
    tier_rejected = "tier_rejected"


class HistoryEntry(ResponseModel):
    at: datetime
    event: FirmEvent
    by: str | None = Field(description="The subject who acted (user:<id>, client:<id>, …)")
    source: Source | None
    note: str | None
    tier_period_id: int | None
    tier: FirmTier | None
    certificate_no: str | None
    valid_from: date | None
    valid_to: date | None


class FirmHistory(ResponseModel):
    firm_id: int
    entries: list[HistoryEntry] = Field(description="In time order, oldest first")
