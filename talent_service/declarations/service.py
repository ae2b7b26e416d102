"""Recording declarations: each party adds its own; nobody's declaration overwrites another's.

A bureau's or the province's declaration is an authority's act and counts as verified at once;
a firm's or a machine client's waits for a bureau (or the province) to verify or reject it.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from talent_service.auth.disclosure import earliest_fact_date
from talent_service.auth.principal import Principal
from talent_service.auth.provenance import check_not_future, source_of
from talent_service.auth.visibility import get_visible
from talent_service.cities.service import require_city
from talent_service.core.clock import today
from talent_service.core.errors import rule_violation
from talent_service.declarations.queries import own_declaration, standing_same
from talent_service.declarations.schemas import DeclarationCreate
from talent_service.declarations.selection import Claim, holding_on
from talent_service.models import Declaration, Talent, TalentFirm
from talent_service.models.base import utcnow
from talent_service.reference.enums import (
    DeclaredFact,
    Education,
    Role,
    Source,
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
    now = utcnow()  # one instant: an authority's declaration is verified as it is recorded
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
        recorded_at=now,
        corrects_id=corrects_id,
        verification=Verification.verified if by_authority else Verification.declared,
        reviewed_by=principal.subject if by_authority else None,
        reviewed_at=now if by_authority else None,
        evidence=evidence if by_authority else None,
    )
    session.add(declaration)
    return declaration


def record(
    session: Session, principal: Principal, talent_id: int, data: DeclarationCreate
) -> Declaration:
    """A declaration through the API: checked, appended, and the profiles it moves refreshed.

    The person's row is locked first, as every write about a person does (registration,
    review): two declarations, or a declaration and a review, take turns, and a retry of the
    same declaration finds the first one instead of adding a second.
    """
    talent = get_visible(session, Talent, talent_id, principal, for_update=True)
    check_value(session, data.fact, data.value, "body.value")
    check_not_future("body.effective_on", data.effective_on)
    # Only before the birth year: a refusal must not bound the birthday (auth/disclosure.py).
    earliest = earliest_fact_date(talent.birth_date)
    if earliest is not None and data.effective_on < earliest:
        raise rule_violation("body.effective_on", "before the person's birth year")
    by_authority = principal.role in _AUTHORITIES
    if by_authority and data.evidence is None:
        raise rule_violation(
            "body.evidence",
            "required: a bureau's or the province's declaration counts as "
            "verified, so it says what it rests on",
        )
    if not by_authority and data.evidence is not None:
        raise rule_violation(
            "body.evidence",
            "a firm's declaration carries no evidence: the bureau that verifies it records its own",
        )
    if data.corrects_id is not None and (
        own_declaration(session, principal, data.corrects_id, talent_id, data.fact) is None
    ):
        # The same answer whether the declaration is another party's or does not exist.
        raise rule_violation(
            "body.corrects_id",
            f"not one of your declarations of {data.fact.value} about this person",
        )
    existing = standing_same(session, principal, talent_id, data)
    if existing is not None:
        return existing
    declaration = declare(
        session,
        principal,
        talent_id,
        data.fact,
        data.value,
        effective_on=data.effective_on,
        detail=data.detail,
        evidence=data.evidence,
        corrects_id=data.corrects_id,
    )
    refresh_profile(session, talent)
    if principal.role is Role.firm and principal.firm_id is not None:
        refresh_registration(session, talent_id, principal.firm_id)
    session.flush()
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
                corrects_id=row.corrects_id,
            )
        )
    return out


def _apply_holding(
    profile: Talent | TalentFirm, claims: dict[DeclaredFact, list[Claim]], day: date
) -> None:
    """Per fact, the declaration that holds on ``day`` (a fact nobody holds keeps its value)."""
    education = holding_on(claims.get(DeclaredFact.education, []), day)
    if education is not None and education.value is not None:
        profile.education = Education(education.value)
    title = holding_on(claims.get(DeclaredFact.professional_title, []), day)
    if title is not None and title.value is not None:
        profile.title_level = TitleLevel(title.value)
        profile.title_field = title.detail
    hukou = holding_on(claims.get(DeclaredFact.hukou_city, []), day)
    if hukou is not None:
        profile.hukou_city_code = hukou.value


def refresh_profile(session: Session, talent: Talent) -> None:
    """The person's profile as bureaus and the province read it: per fact, the declaration that
    holds today by the selection rule (a fact nobody holds keeps its last value)."""
    session.flush()
    assert talent.id is not None
    claims = claims_of(session, [talent.id])
    _apply_holding(talent, {fact: c for (_, fact), c in claims.items()}, today())
    session.add(talent)


def refresh_registration(session: Session, talent_id: int, firm_id: int) -> None:
    """The profile ``firm_id`` reads back (its ``TalentFirm``): by the same rule, over that
    firm's own declarations only, so that nothing another party recorded shows through."""
    session.flush()
    registration = session.get(TalentFirm, (talent_id, firm_id))
    if registration is None:
        return
    own = {
        fact: [c for c in claims if c.source is Source.firm and c.source_firm_id == firm_id]
        for (_, fact), claims in claims_of(session, [talent_id]).items()
    }
    _apply_holding(registration, own, today())
    session.add(registration)
