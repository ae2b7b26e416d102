"""The decision document: what is signed, what the stored row is built from, what reads rest on.

One typed model instead of a string-keyed dict built in one place and read back by key in
others. ``to_json`` is the JSON form: its RFC 8785 canonical bytes (``core.signing``) are what
the signature signs and the content hash hashes, and it is stored as ``Decision.document``
exactly so. Dates inside are ISO strings or ``date`` (which dumps as the same ISO string);
``issued_at`` stays the string written when the decision was made, so that the bytes signed are
the ones a verifier recomputes from the stored document.

A stored document is read back with :meth:`DecisionDocument.from_stored`. Members added after
the first documents were stored (provenance, fact sources, corrections, the child and supplied
facts) have defaults, so a decision stored before them still reads; the stored JSON itself is
what callers receive and what verifies, never a re-dump of this model.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from talent_service.reference.enums import Benefit, Outcome, Side

ISSUER = "talent-service"
# A supplied fact's value: one of the registered fact types (smart union: JSON true stays a
# boolean, 1 an integer, "1" a string).
SuppliedValue = bool | int | float | str


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DocumentTalent(_Part):
    """The person, as every read shows them (auth/disclosure.py): the signed document holds no
    more."""

    id: int
    id_number_masked: str


class DocumentPolicy(_Part):
    """The policy and the version the decision ran under."""

    policy_id: int
    version_id: int
    version: int
    city_code: str
    benefit: Benefit
    side: Side
    name_zh: str
    name_en: str
    document_ref: str
    effective_from: date
    effective_to: date | None
    accepts_supplied: list[str] = []


class DocumentSuppliedFact(_Part):
    """A fact a machine client supplied about the child, and whether this version read it."""

    fact: str
    value: SuppliedValue
    accepted: bool


class DecisionDocument(_Part):
    """A signed eligibility decision (the members are described in the README and in
    ``engine.evaluate.Evaluation``, ``engine.forecast.Forecast``, ``engine.provenance``)."""

    decision_id: str
    issuer: str = ISSUER
    issued_at: str  # ISO 8601, as written when issued (see the module's docstring)
    as_of: date
    talent: DocumentTalent
    policy: DocumentPolicy
    engine_version: str
    outcome: Outcome
    summary_zh: str
    summary_en: str
    # What the rule read, and the explanation of each criterion (the engine's JSON).
    facts: dict[str, Any]
    parameters: dict[str, Any]
    failed_criteria: list[dict[str, Any]]
    missing_facts: list[str]
    explanation: dict[str, Any]
    # What each fact rests on, and the sources the version accepts for each declared fact.
    provenance: dict[str, dict[str, Any]] = {}
    fact_sources: dict[str, list[str]] = {}
    # The child the request named, what its caller supplied (accepted or refused), and what is
    # missing that a caller could supply under this version or name.
    household_member_id: int | None = None
    supplied_facts: list[DocumentSuppliedFact] = []
    suppliable_facts: list[str] = []
    needs_household_member: bool = False
    forecast: dict[str, Any]
    requested_by: str
    # The records about the as-of date that came after the asker's previous decision on the
    # same question (``engine.provenance.corrections``); set when the decision is stored.
    corrections: list[dict[str, Any]] = []

    def to_json(self) -> dict[str, Any]:
        """The JSON form: what is signed, hashed and stored."""
        return self.model_dump(mode="json")

    def with_corrections(self, corrections: list[dict[str, Any]]) -> DecisionDocument:
        return self.model_copy(update={"corrections": corrections})

    @classmethod
    def from_stored(cls, document: Mapping[str, Any]) -> DecisionDocument:
        """A stored document (``Decision.document``) read back."""
        return cls.model_validate(document)
