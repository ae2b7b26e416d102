"""Recording declarations: each party adds its own; nobody's declaration overwrites another's.

A bureau's or the province's declaration is an authority's act and counts as verified at once;
a firm's or a machine client's waits for a bureau (or the province) to verify or reject it.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.provenance import source_of
from talent_service.cities.service import require_city
from talent_service.core.clock import today
from talent_service.core.errors import rule_violation
from talent_service.declarations.selection import Claim, holding_on
from talent_service.models import Declaration, Talent
from talent_service.models.base import utcnow
from talent_service.reference.enums import (
    DeclaredFact,
    Education,
    Role,
    TitleLevel,
    Verification,
)

_AUTHORITIES = (Role.bureau, Role.province)


def check_value(session: Session, fact: DeclaredFact, value: str | None, field_name: str) -> None:
    """A declared value must be one the fact can take (a city code must name a known city)."""
    allowed: tuple[str, ...] | None = None
    if fact is DeclaredFact.education:
        allowed = tuple(e.value for e in Education)
    elif fact is DeclaredFact.professional_title:
        allowed = tuple(t.value for t in TitleLevel)
    if allowed is not None and value not in allowed:
        raise rule_violation(field_name, f"{fact.value} is one of {', '.join(allowed)}")
    if fact is DeclaredFact.hukou_city and value is not None:
        require_city(session, value, field_name)


def check_effective_on(effective_on: date, field_name: str) -> None:
    if effective_on > today():
        raise rule_violation(field_name, f"{effective_on} is in the future (today is {today()})")


def declare(
    session: Session,
    principal: Principal,
    talent_id: int,
    fact: DeclaredFact,
    value: str | None,
    *,
    effective_on: date,
    detail: str | None = None,
    evidence: str | None = None,
    corrects_id: int | None = None,
) -> Declaration:
    """Append what ``principal`` says about the person; the caller has checked the value and
    that the principal may see the person."""
    by_authority = principal.role in _AUTHORITIES
    declaration = Declaration(
        talent_id=talent_id,
        fact=fact,
        value=value,
        detail=detail,
        effective_on=effective_on,
        source=source_of(principal),
        source_firm_id=principal.firm_id if principal.role is Role.firm else None,
        source_city_code=principal.city_code,
        recorded_by=principal.subject,
        corrects_id=corrects_id,
        verification=Verification.verified if by_authority else Verification.declared,
        reviewed_by=principal.subject if by_authority else None,
        reviewed_at=utcnow() if by_authority else None,
        evidence=evidence if by_authority else None,
    )
    session.add(declaration)
    return declaration


def claims_of(
    session: Session, talent_ids: list[int]
) -> dict[tuple[int, DeclaredFact], list[Claim]]:
    """Every declaration about these people, by person and fact, as the selection rule reads it."""
    rows = session.exec(select(Declaration).where(col(Declaration.talent_id).in_(talent_ids))).all()
    out: dict[tuple[int, DeclaredFact], list[Claim]] = {}
    for row in rows:
        assert row.id is not None
        out.setdefault((row.talent_id, row.fact), []).append(
            Claim(
                id=row.id,
                value=row.value,
                effective_on=row.effective_on,
                verification=row.verification,
                recorded_at=row.recorded_at,
                source=row.source,
                source_firm_id=row.source_firm_id,
                detail=row.detail,
            )
        )
    return out


def refresh_profile(session: Session, talent: Talent) -> None:
    """The person's profile as bureaus and the province read it: per fact, the declaration that
    holds today by the selection rule (a fact nobody holds keeps its last value)."""
    session.flush()
    assert talent.id is not None
    claims = claims_of(session, [talent.id])
    day = today()
    education = holding_on(claims.get((talent.id, DeclaredFact.education), []), day)
    if education is not None and education.value is not None:
        talent.education = Education(education.value)
    title = holding_on(claims.get((talent.id, DeclaredFact.professional_title), []), day)
    if title is not None and title.value is not None:
        talent.title_level = TitleLevel(title.value)
        talent.title_field = title.detail
    hukou = holding_on(claims.get((talent.id, DeclaredFact.hukou_city), []), day)
    if hukou is not None:
        talent.hukou_city_code = hukou.value
    session.add(talent)
