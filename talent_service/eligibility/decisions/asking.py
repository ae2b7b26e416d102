"""What a check or verify request adds about a child: the household member it names and the
facts a machine client supplies about that child, checked before anything is decided."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from talent_service.auth.principal import SCOPE_EDUCATION_SUPPLY, Principal
from talent_service.core.errors import (
    VALIDATION,
    DomainError,
    FieldError,
    forbidden,
    rule_violation,
)
from talent_service.eligibility.decisions.document import DecisionDocument
from talent_service.eligibility.engine.child_facts import ChildRecord
from talent_service.eligibility.engine.fact_spec import FactValue, value_problem
from talent_service.eligibility.engine.facts import FACTS, SUPPLIABLE
from talent_service.household.service import member_on
from talent_service.models import SuppliedFact
from talent_service.models.base import utcnow
from talent_service.reference.enums import HouseholdRelation, Role


@dataclass(frozen=True)
class Asking:
    """The child a request is about (its record on the as-of date) and what was supplied."""

    member_id: int | None = None
    record: ChildRecord | None = None
    supplied: Mapping[str, FactValue] = field(default_factory=dict)


def check_supplied(principal: Principal, supplied: Mapping[str, Any] | None) -> None:
    """Only a machine client with ``education:supply`` supplies facts, only suppliable ones
    (facts about the child, never the talent's), each of its fact's type."""
    if not supplied:
        return
    if principal.role is not Role.client or SCOPE_EDUCATION_SUPPLY not in principal.scopes:
        raise forbidden(
            "body.supplied_facts: only a machine client with scope "
            f"'{SCOPE_EDUCATION_SUPPLY}' may supply facts"
        )
    errors = []
    for name, value in supplied.items():
        where = f"body.supplied_facts.{name[:64]}"
        if name not in SUPPLIABLE:
            allowed = ", ".join(sorted(SUPPLIABLE))
            errors.append(FieldError(where, f"not a fact a caller may supply ({allowed})"))
        elif why := value_problem(FACTS[name], value):
            errors.append(FieldError(where, why))
    if errors:
        raise DomainError(VALIDATION, "supplied facts are not valid", errors)


def asking(
    session: Session,
    principal: Principal,
    talent_id: int,
    as_of: date,
    member_id: int | None,
    supplied: Mapping[str, FactValue] | None,
) -> Asking:
    check_supplied(principal, supplied)
    if member_id is None:
        if supplied:
            raise rule_violation(
                "body.household_member_id", "required with supplied_facts: the child they are about"
            )
        return Asking()
    member = member_on(session, principal, talent_id, member_id, as_of)
    if member is not None and member.relation is not HouseholdRelation.child:
        raise rule_violation("body.household_member_id", "this household member is not a child")
    record = None
    if member is not None:
        assert member.id is not None
        record = ChildRecord(
            id=member.id,
            birth_date=member.birth_date,
            school_stage=member.school_stage.value if member.school_stage else None,
            district_code=member.district_code,
            effective_on=member.effective_on,
            source=member.source.value,
            source_firm_id=member.source_firm_id,
            recorded_by=member.recorded_by,
        )
    return Asking(member_id, record, dict(supplied or {}))


def record_supplied(session: Session, document: DecisionDocument) -> None:
    """Keep each supplied fact with the new decision it was supplied for, its supplier as the
    source (a reused decision adds nothing: the same facts were kept with it)."""
    if not document.supplied_facts:
        return
    member = document.household_member_id
    assert member is not None  # facts are supplied about a named child only (``asking``)
    now = utcnow()
    session.add_all(
        SuppliedFact(
            decision_id=document.decision_id,
            household_member_id=member,
            fact=entry.fact,
            value=entry.value,
            accepted=entry.accepted,
            supplied_by=document.requested_by,
            supplied_at=now,
        )
        for entry in document.supplied_facts
    )
