"""Request and response schemas of the policy API (policies, versions, parameters, simulation).

Rules and parameter values arrive as plain JSON: the rule validator and the parameter type
checks of :mod:`.facts` decide what they mean, and report every problem with its field path.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    Field,
    JsonValue,
    StringConstraints,
    model_validator,
)

from talent_service.core.types import (
    CityCode,
    Id,
    Name,
    RequestModel,
    ResponseModel,
    UpdateModel,
    text,
)
from talent_service.eligibility.engine.facts import FACTS, SUPPLIABLE
from talent_service.eligibility.engine.parameters import ParamSpec
from talent_service.reference.enums import Benefit, DeclaredFact, Outcome, PolicyStatus, Side

MAX_PARAMETERS = 50
MAX_SPEC_TEXT = 200


ParamName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_-]*$"),
]
# The dates eligibility reasons about: policy ranges, and the as-of date of a question.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 1, 1)
EffectiveDate = Annotated[date, Field(ge=EARLIEST, le=LATEST)]
if TYPE_CHECKING:
    DocumentRef = str
    Description = str
    SpecText = str
else:
    DocumentRef = text(300)
    Description = text(2000)
    SpecText = text(MAX_SPEC_TEXT, min_length=0)

# Per declared fact, the declarations a version's decisions may rest on: "verified" (only those a
# bureau or the province verified) or "declared" (unverified ones too, flagged in the explanation).
FactSources = dict[DeclaredFact, Literal["verified", "declared"]]
FACT_SOURCES_DESCRIPTION = (
    "Per declared fact (education, title, hukou_city): 'verified' (only declarations a bureau or "
    "the province verified count) or 'declared' (unverified ones count too, and the explanation "
    "says so). A fact not named accepts 'declared'."
)


def _suppliable(name: str) -> str:
    if name not in SUPPLIABLE:
        raise ValueError(f"not a suppliable fact (one of {', '.join(sorted(SUPPLIABLE))})")
    return name


# Facts a caller may supply in a request that this version reads (child facts only).
AcceptsSupplied = Annotated[
    list[Annotated[str, StringConstraints(max_length=64), AfterValidator(_suppliable)]],
    Field(max_length=8),
]
ACCEPTS_SUPPLIED_DESCRIPTION = (
    "Facts a machine client with scope 'education:supply' may supply in a check or verify "
    "request that this version reads (facts marked suppliable in GET /v1/eligibility/facts, "
    "e.g. child_school_stage); a supplied fact not named is refused: kept with the decision, "
    "not read. Default: none."
)

RULE_DESCRIPTION = (
    "A rule tree: nodes of kind all/any (children), not (child) or compare (fact, op, rhs: "
    '{"value": …} or {"param": "name"}), each with id, label_zh, label_en and an optional '
    "legal_ref. Facts: GET /v1/eligibility/facts. Validated when saved; nothing in it is ever "
    "run as code."
)


class DeclaredParam(ParamSpec):
    """A parameter type as sent: :class:`~.facts.ParamSpec` with its texts checked like every
    other text field (stored types are read back as plain ``ParamSpec``)."""

    unit_zh: SpecText = ""
    unit_en: SpecText = ""
    label_zh: SpecText = ""
    label_en: SpecText = ""


def _check_param_types(types: dict[str, DeclaredParam]) -> dict[str, DeclaredParam]:
    for name, spec in types.items():
        if spec.domain is not None and spec.domain not in FACTS:
            raise ValueError(f"parameter {name!r}: domain {spec.domain!r} is not a known fact")
    return types


ParameterTypes = Annotated[
    dict[ParamName, DeclaredParam],
    Field(
        max_length=MAX_PARAMETERS,
        description="Parameters the rule may read: name → declared type (ParamSpec)",
    ),
    AfterValidator(_check_param_types),
]


# --- policies ---------------------------------------------------------------------------------


class PolicyCreate(RequestModel):
    """A city's policy for one benefit; its side follows from the city (PRD = host)."""

    city_code: CityCode
    benefit: Benefit
    name_zh: Name | None = Field(default=None, description="Default: derived from city/benefit")
    name_en: Name | None = Field(default=None, description="Default: derived from city/benefit")


class PolicyRead(ResponseModel):
    id: int
    city_code: str
    benefit: Benefit
    side: Side
    name_zh: str
    name_en: str
    created_at: datetime


class VersionSummary(ResponseModel):
    version: int
    status: PolicyStatus
    effective_from: date
    effective_to: date | None
    document_ref: str
    published_at: datetime | None
    published_by: str | None


class ParameterRead(ResponseModel):
    id: int
    name: str
    value: Any
    effective_from: date
    effective_to: date | None
    created_at: datetime


class PolicyDetail(PolicyRead):
    """A policy with its versions (drafts only for those who may edit it) and parameters."""

    as_of: date = Field(description="Today (Asia/Shanghai): the date of the 'current' fields")
    current_version: int | None = Field(description="The published version in force today")
    current_parameters: dict[str, Any] = Field(description="Parameter values in force today")
    versions: list[VersionSummary]
    parameters: list[ParameterRead] = Field(description="Every effective-dated parameter value")


# --- versions ---------------------------------------------------------------------------------


class VersionCreate(RequestModel):
    """A new DRAFT version (publish it separately), in force over ``[effective_from, to)``."""

    rule: dict[str, Any] = Field(description=RULE_DESCRIPTION)
    parameter_types: ParameterTypes = Field(default_factory=dict)
    fact_sources: FactSources = Field(default_factory=dict, description=FACT_SOURCES_DESCRIPTION)
    accepts_supplied: AcceptsSupplied = Field(
        default_factory=list, description=ACCEPTS_SUPPLIED_DESCRIPTION
    )
    effective_from: EffectiveDate
    effective_to: EffectiveDate | None = Field(default=None, description="Exclusive; null = open")
    document_ref: DocumentRef
    description_zh: Description
    description_en: Description


class VersionUpdate(UpdateModel):
    """Changes to a DRAFT version; absent fields stay, ``effective_to: null`` opens the range."""

    nullable_fields = frozenset({"effective_to"})

    rule: dict[str, Any] | None = Field(default=None, description=RULE_DESCRIPTION)
    parameter_types: ParameterTypes | None = None
    fact_sources: FactSources | None = Field(default=None, description=FACT_SOURCES_DESCRIPTION)
    accepts_supplied: AcceptsSupplied | None = Field(
        default=None, description=ACCEPTS_SUPPLIED_DESCRIPTION
    )
    effective_from: EffectiveDate | None = None
    effective_to: EffectiveDate | None = None
    document_ref: DocumentRef | None = None
    description_zh: Description | None = None
    description_en: Description | None = None


class VersionRead(VersionSummary):
    policy_id: int
    description_zh: str
    description_en: str
    rule: dict[str, Any]
    parameter_types: dict[str, ParamSpec]
    fact_sources: dict[str, str] = Field(description=FACT_SOURCES_DESCRIPTION)
    accepts_supplied: list[str] = Field(description=ACCEPTS_SUPPLIED_DESCRIPTION)
    created_at: datetime


class PublishRequest(RequestModel):
    supersede: bool = Field(
        default=False,
        description="Close the open-ended published version in force on this version's "
        "effective_from by setting its effective_to to that date (the one change ever made to "
        "a published version). Without it, any overlap is refused.",
    )


# --- parameters -------------------------------------------------------------------------------


class ParameterCreate(RequestModel):
    """An effective-dated value of a parameter declared by the policy's versions."""

    name: ParamName
    value: JsonValue = Field(description="Checked against the parameter's declared type")
    effective_from: EffectiveDate
    effective_to: EffectiveDate | None = Field(default=None, description="Exclusive; null = open")
    close_current: bool = Field(
        default=False,
        description="Close the open-ended value in force on effective_from by setting its "
        "effective_to to this value's effective_from. Without it, any overlap is refused.",
    )


# --- simulation -------------------------------------------------------------------------------


class SimulationDraft(RequestModel):
    """What to compare with the published version in force: a stored version of this policy,
    or an inline rule, with or without parameter overrides; parameters alone re-run the
    current rule with changed thresholds."""

    version: Id | None = Field(default=None, description="A version number of this policy")
    rule: dict[str, Any] | None = Field(default=None, description=RULE_DESCRIPTION)
    parameter_types: ParameterTypes | None = None
    parameters: Annotated[dict[ParamName, JsonValue], Field(max_length=MAX_PARAMETERS)] | None = (
        Field(default=None, description="Overrides of the parameter values in force on as_of")
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.version is not None and self.rule is not None:
            raise ValueError("give either version or an inline rule, not both")
        if self.parameter_types is not None and self.rule is None:
            raise ValueError("parameter_types come with an inline rule")
        if self.version is None and self.rule is None and not self.parameters:
            raise ValueError("give a version, an inline rule, or parameter overrides")
        return self


class SimulationRequest(RequestModel):
    as_of: EffectiveDate | None = Field(default=None, description="Default: today")
    draft: SimulationDraft
    changes_limit: int = Field(default=100, ge=0, le=1000, description="Changed talents listed")


class OutcomeCounts(ResponseModel):
    eligible: int
    ineligible: int
    undetermined: int


class BlockingCount(ResponseModel):
    id: str = Field(description="Criterion (rule node) id")
    label_zh: str
    label_en: str
    count: int = Field(description="Ineligible talents this criterion blocks")


class TalentChange(ResponseModel):
    talent_id: int
    before: Outcome
    after: Outcome


class SimulatedSide(ResponseModel):
    version: int | None = Field(description="Stored version number; null for an inline rule")
    status: PolicyStatus | None
    parameters: dict[str, Any] = Field(description="Parameter values the rule was run with")
    counts: OutcomeCounts
    blocking: list[BlockingCount]
    missing_facts: dict[str, int] = Field(description="Undetermined talents per missing fact")


class SimulationResponse(ResponseModel):
    policy_id: int
    city_code: str
    side: Side
    benefit: Benefit
    as_of: date
    population: int = Field(description="Talents evaluated: related to the policy, visible to you")
    before: SimulatedSide
    after: SimulatedSide
    newly_eligible: int
    no_longer_eligible: int
    changed: int
    transitions: dict[str, int]
    changes: list[TalentChange]
    changes_truncated: bool
