"""Declarations as callers send and read them; the table model is never accepted or returned."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Literal, Self

from pydantic import Field, model_validator

from talent_service.core.types import (
    LATEST_DATE,
    Id,
    LongText,
    RequestModel,
    ResponseModel,
    ShortText,
    field_errors,
    text,
)
from talent_service.reference.enums import DeclaredFact, Source, Verification

if TYPE_CHECKING:
    Evidence = str
else:
    Evidence = text(300)  # the column's length

# Award dates and hukou moves go back decades (a degree of 1985 is history, not a typo).
EARLIEST_FACT_DATE = date(1900, 1, 1)


class DeclarationCreate(RequestModel):
    """What the caller says about the person, since when. A firm's declaration waits for a
    bureau (or the province) to verify it; a bureau's or the province's is verified at once,
    on the evidence it gives."""

    fact: DeclaredFact = Field(description="education, title (professional title) or hukou_city")
    value: str | None = Field(
        max_length=32,
        description=(
            "education: below_bachelor, bachelor, master, doctor; title: none, junior, "
            "intermediate, associate_senior, senior; hukou_city: a Guangdong city code, or null "
            "for a hukou outside Guangdong"
        ),
    )
    detail: ShortText | None = Field(
        default=None, description="The title's field (e.g. 电子信息工程); only for a title"
    )
    effective_on: date = Field(
        ge=EARLIEST_FACT_DATE,
        le=LATEST_DATE,
        description=(
            "Award date of the degree or title, or the day the hukou moved; not in the future "
            "nor before 1 January of the person's birth year. A date inside the birth year "
            "reads 1 January of it"
        ),
    )
    evidence: Evidence | None = Field(
        default=None,
        description=(
            "Required of a bureau or the province (their declaration counts as verified): what "
            "it rests on, e.g. 学位证书编号 …. A firm sends none: the bureau that verifies "
            "records its own"
        ),
    )
    corrects_id: Id | None = Field(
        default=None,
        description="One of the caller's own earlier declarations of this fact about this person",
    )

    @model_validator(mode="after")
    def _detail_only_for_a_title(self) -> Self:
        if self.detail is None:
            return self
        if self.fact is not DeclaredFact.professional_title:
            reason = "only a title has a field (detail)"
        elif self.value == "none":
            reason = "no title, no field: detail needs a title level other than none"
        else:
            return self
        raise field_errors(type(self), "detail_not_allowed", {"detail": reason})


class Verify(RequestModel):
    evidence: Evidence = Field(description="What the verification rests on, e.g. 学位证书编号 …")


class Reject(RequestModel):
    reason: LongText = Field(description="Why the declaration is not accepted")


class DeclarationSource(ResponseModel):
    kind: Source
    firm_id: int | None = Field(description="The declaring firm (a firm sees only its own)")
    city_code: str | None = Field(description="The declaring bureau's city")


class Review(ResponseModel):
    """How an authority reviewed the declaration (at once, for its own)."""

    by: str = Field(description="The reviewing officer's subject, e.g. user:12")
    at: datetime
    evidence: str | None = Field(description="What a verification rests on (withheld from clients)")
    note: str | None = Field(description="A rejection's reason (withheld from clients)")


class DeclarationRead(ResponseModel):
    id: int
    talent_id: int
    fact: DeclaredFact
    value: str | None
    detail: str | None
    effective_on: date | None = Field(
        description=(
            "null: carried over from before facts were dated (true since before the records)"
        )
    )
    source: DeclarationSource
    recorded_by: str
    recorded_at: datetime
    corrects_id: int | None
    verification: Verification
    review: Review | None
    version: int = Field(description="For If-Match on a review")


EventKind = Literal["registered", "declared", "corrected", "verified", "rejected"]


class HistoryEvent(ResponseModel):
    """One thing that happened to the person's record, at the time it was recorded.

    ``registered``: a firm registered the person (``firm_id``). ``declared``/``corrected``: a
    declaration was recorded (a correction names ``corrects_id``). ``verified``/``rejected``: an
    authority reviewed declaration ``declaration_id`` (``by``, ``evidence`` or ``note``).
    """

    at: datetime
    kind: EventKind
    firm_id: int | None = None
    declaration_id: int | None = None
    fact: DeclaredFact | None = None
    value: str | None = None
    detail: str | None = None
    effective_on: date | None = None
    source: DeclarationSource | None = None
    corrects_id: int | None = None
    by: str | None = None
    evidence: str | None = None
    note: str | None = None


class History(ResponseModel):
    talent_id: int
    events: list[HistoryEvent] = Field(description="Oldest first")
    truncated: bool = Field(
        description="True if the person has more declarations than one answer holds (the oldest "
        "are shown)"
    )
