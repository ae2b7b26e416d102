from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from talent_service.core.types import CityCode, Id, RequestModel, ResponseModel
from talent_service.eligibility.policies.schemas import EARLIEST, LATEST
from talent_service.reference.enums import Benefit, Outcome, Side
from talent_service.reference.identifiers import IdKind
from talent_service.talents.schemas import IdNumber, Nationality

REUSED = (
    "True when this is a decision already stored for the same asker and the same answer: the "
    "same person, city, side, benefit and as-of date, under the same policy version, with the "
    "same facts, parameters and what each rests on (only who asked, when, the id and the "
    "corrections since the previous asking are left out of the comparison). No new row was "
    "stored; its id, issued_at and signature are the stored ones. Any changed fact, parameter, "
    "version or correction gives a new decision (false). Reuse is per asker: another asker's "
    "decisions are never returned. Always false on a read by id."
)
# A fact value a caller supplies: one of the registered fact types (checked per fact).
SuppliedValue = bool | int | float | str  # smart union: JSON true stays a boolean, "1" a string
FactName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
SUPPLIED = Field(
    default=None,
    max_length=8,
    description="Facts about the named child a machine client with scope 'education:supply' "
    'holds (e.g. {"child_school_stage": "primary"}); only facts marked suppliable in '
    "`GET /v1/eligibility/facts`. Each is kept with the decision, the client as its source; a "
    "policy version reads only those it accepts (`accepts_supplied`), the rest are listed as "
    "refused. Needs household_member_id.",
)
MEMBER = Field(
    default=None,
    description="The child the question is about (a record from "
    "`GET /v1/talents/{id}/household`; its record in force on as_of is read). Without it, "
    "rules that read child facts are undetermined and the decision says "
    "needs_household_member.",
)


class CheckRequest(RequestModel):
    talent_id: Id
    benefit: Benefit | None = Field(default=None, description="One benefit; omitted = all four")
    side: Side | None = Field(default=None, description="host, home, or omitted for both")
    city_code: CityCode | None = Field(
        default=None, description="One city's policies; omitted = the cities of the talent's spells"
    )
    as_of: date | None = Field(
        default=None, ge=EARLIEST, le=LATEST, description="Default: today (Asia/Shanghai)"
    )
    household_member_id: Id | None = MEMBER
    supplied_facts: dict[FactName, SuppliedValue] | None = SUPPLIED


class SignatureRead(ResponseModel):
    alg: str
    kid: str
    jws: str = Field(description="Detached compact JWS over the RFC 8785 canonical JSON")
    content_hash: str
    signs: Literal["document", "attestation"] = Field(
        default="document",
        description="What the JWS signs: the whole document, or, when the document shown "
        "withholds values (the age, a firm's view of other parties' records), the attestation",
    )


class DecisionRead(ResponseModel):
    """A stored decision as the caller may read it. Every caller reads ``document`` with no more
    of the birth date than its year (the age withheld, an age limit's day given as its year, the
    ID as 4 + 2); a firm also without the values that rest on other parties' records
    (``withheld_facts``). A document so changed carries the signature of the ``attestation``;
    one with nothing to change, its own. ``…/document`` gives it exactly as signed (bureau,
    province; audited)."""

    id: str
    outcome: Outcome
    document: dict[str, Any]
    signature: SignatureRead
    attestation: Attestation | None = None
    reused: bool = Field(default=False, description=REUSED)


class CheckResponse(ResponseModel):
    talent_id: int
    as_of: date
    decisions: list[DecisionRead]


class VerifyRequest(RequestModel):
    """Identify a person by ID number; the answer carries no personal data."""

    id_kind: IdKind = IdKind.resident_id
    id_number: IdNumber
    nationality: Nationality | None = None
    benefit: Benefit
    city_code: CityCode
    as_of: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    household_member_id: Id | None = MEMBER
    supplied_facts: dict[FactName, SuppliedValue] | None = SUPPLIED


class Attestation(ResponseModel):
    decision_id: str
    issued_at: str
    as_of: date
    city_code: str
    benefit: Benefit
    side: Side
    policy_id: int
    policy_version: int
    document_ref: str
    outcome: Outcome
    decision_content_hash: str


class VerifyResponse(ResponseModel):
    decision_id: str
    outcome: Outcome
    policy_id: int
    policy_version: int
    attestation: Attestation
    signature: SignatureRead = Field(
        description="Signs the attestation; check with the JWKS. ``content_hash`` is the "
        "attestation's (what the JWS signs); the whole document's is "
        "``attestation.decision_content_hash``"
    )
    reused: bool = Field(default=False, description=REUSED)
    suppliable_facts: list[str] = Field(
        default_factory=list,
        description="Missing facts the caller could supply under this policy version",
    )
    refused_supplied_facts: list[str] = Field(
        default_factory=list,
        description="Supplied facts this policy version does not accept: kept, not read",
    )
    needs_household_member: bool = Field(
        default=False, description="The rule reads facts about a child: name household_member_id"
    )
