"""Which declarations a caller may see, and the domain's SELECTs, all through that one rule.

Composed from the talent rule (``auth/visibility.py``):

- the province (and a machine client bound to no city): every declaration;
- a bureau (and a machine client bound to its city): the declarations about the talent it sees;
- a firm: only its **own** declarations (``source_firm_id``), about talent it registered. What
  another firm, a bureau or the migration recorded about the same person never reaches it:
  that would tell one firm what another recorded.

A declaration outside the rule is answered as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import Reach, get_visible, reach_of, talent_rule
from talent_service.core.errors import not_found
from talent_service.core.pagination import PageParams
from talent_service.declarations.schemas import DeclarationCreate
from talent_service.models import Declaration, Talent, TalentFirm
from talent_service.reference.enums import DeclaredFact, Role, Source, Verification

# The correction in "is this declaration corrected?", aliased so that it correlates with the
# declaration being filtered, whatever else the query holds.
_CORRECTION = aliased(Declaration, name="correction")
# A person's history shows this many declarations at most (a person has a handful).
HISTORY_LIMIT = 1000


def declaration_rule(principal: Principal) -> ColumnElement[bool]:
    """The condition under which ``principal`` may see a declaration."""
    if reach_of(principal) is Reach.province:
        return true()
    about_visible_talent = exists().where(
        col(Talent.id) == col(Declaration.talent_id), talent_rule(principal)
    )
    if principal.role is Role.firm:
        return and_(col(Declaration.source_firm_id) == principal.firm_id, about_visible_talent)
    return about_visible_talent


def by_party_of(principal: Principal) -> ColumnElement[bool]:
    """Declarations made by the caller's party: its firm, its bureau (city), the province.

    A party, not a user: another clerk of the same firm may correct what a colleague declared.
    """
    if principal.role is Role.firm:
        return and_(
            col(Declaration.source) == Source.firm,
            col(Declaration.source_firm_id) == principal.firm_id,
        )
    if principal.role is Role.bureau:
        return and_(
            col(Declaration.source) == Source.bureau,
            col(Declaration.source_city_code) == principal.city_code,
        )
    if principal.role is Role.province:
        return col(Declaration.source) == Source.province
    return and_(
        col(Declaration.source) == Source.client,
        col(Declaration.recorded_by) == principal.subject,
    )


def corrected() -> ColumnElement[bool]:
    """The declaration has a correction that still stands (declared or verified)."""
    return exists().where(
        col(_CORRECTION.corrects_id) == col(Declaration.id),
        col(_CORRECTION.verification) != Verification.rejected,
    )


def get_declaration(
    session: Session, principal: Principal, declaration_id: int, *, for_update: bool = False
) -> Declaration:
    """The declaration if the caller may see it; otherwise NotFound, as if absent.

    ``for_update`` locks the row until the unit of work ends, and reads it as committed now
    (``populate_existing``): a review that waited for another one sees what that one wrote.
    """
    query = select(Declaration).where(
        col(Declaration.id) == declaration_id, declaration_rule(principal)
    )
    if for_update:
        query = query.with_for_update(of=Declaration).execution_options(populate_existing=True)
    row = session.exec(query).first()
    if row is None:
        raise not_found("declaration", declaration_id)
    return row


def talent_of(session: Session, principal: Principal, declaration_id: int) -> int:
    """The person a visible declaration is about (read alone: nothing of the row is cached)."""
    talent_id = session.exec(
        select(Declaration.talent_id).where(
            col(Declaration.id) == declaration_id, declaration_rule(principal)
        )
    ).first()
    if talent_id is None:
        raise not_found("declaration", declaration_id)
    return talent_id


def declarations_about(
    session: Session,
    principal: Principal,
    talent_id: int,
    page: PageParams,
    *,
    fact: DeclaredFact | None = None,
    verification: Verification | None = None,
) -> list[Declaration]:
    """Newest recorded first; the page's cursor is the last id shown (the next page is below it).
    A person the caller may not see is NotFound."""
    get_visible(session, Talent, talent_id, principal)
    query = select(Declaration).where(
        col(Declaration.talent_id) == talent_id, declaration_rule(principal)
    )
    if page.after_id:
        query = query.where(col(Declaration.id) < page.after_id)
    if fact is not None:
        query = query.where(col(Declaration.fact) == fact)
    if verification is not None:
        query = query.where(col(Declaration.verification) == verification)
    query = query.order_by(col(Declaration.id).desc()).limit(page.limit + 1)
    return list(session.exec(query).all())


def review_queue(
    session: Session,
    principal: Principal,
    page: PageParams,
    *,
    verification: Verification = Verification.declared,
    fact: DeclaredFact | None = None,
    talent_id: int | None = None,
) -> list[Declaration]:
    """Oldest first (first declared, first reviewed). Awaiting review (``declared``) leaves out
    what its own party has corrected meanwhile: only the correction is worth reviewing."""
    query = select(Declaration).where(
        col(Declaration.verification) == verification,
        col(Declaration.id) > page.after_id,
        declaration_rule(principal),
    )
    if verification is Verification.declared:
        query = query.where(~corrected())
    if fact is not None:
        query = query.where(col(Declaration.fact) == fact)
    if talent_id is not None:
        query = query.where(col(Declaration.talent_id) == talent_id)
    query = query.order_by(col(Declaration.id)).limit(page.limit + 1)
    return list(session.exec(query).all())


def own_declaration(
    session: Session,
    principal: Principal,
    declaration_id: int,
    talent_id: int,
    fact: DeclaredFact,
) -> Declaration | None:
    """The caller's party's declaration ``declaration_id`` of ``fact`` about the person, if so."""
    return session.exec(
        select(Declaration).where(
            col(Declaration.id) == declaration_id,
            col(Declaration.talent_id) == talent_id,
            col(Declaration.fact) == fact,
            by_party_of(principal),
        )
    ).first()


def standing_same(
    session: Session, principal: Principal, talent_id: int, data: DeclarationCreate
) -> Declaration | None:
    """The caller's party's standing declaration saying exactly what ``data`` says.

    A retried request finds the one its first attempt recorded; a rejected one does not count
    (declaring it again asks for another review).
    """

    def same(column: Any, value: Any) -> ColumnElement[bool]:
        return col(column).is_(None) if value is None else col(column) == value

    return session.exec(
        select(Declaration)
        .where(
            col(Declaration.talent_id) == talent_id,
            col(Declaration.fact) == data.fact,
            same(Declaration.value, data.value),
            same(Declaration.detail, data.detail),
            col(Declaration.effective_on) == data.effective_on,
            same(Declaration.corrects_id, data.corrects_id),
            col(Declaration.verification) != Verification.rejected,
            by_party_of(principal),
        )
        .order_by(col(Declaration.id))
    ).first()


def history_rows(
    session: Session, principal: Principal, talent_id: int
) -> tuple[list[Declaration], list[TalentFirm]]:
    """The person's declarations the caller may see (oldest first, at most HISTORY_LIMIT + 1)
    and the registrations it may see: a firm its own only, everyone else all."""
    declarations = session.exec(
        select(Declaration)
        .where(col(Declaration.talent_id) == talent_id, declaration_rule(principal))
        .order_by(col(Declaration.id))
        .limit(HISTORY_LIMIT + 1)
    ).all()
    registrations = select(TalentFirm).where(col(TalentFirm.talent_id) == talent_id)
    if principal.role is Role.firm:
        registrations = registrations.where(col(TalentFirm.firm_id) == principal.firm_id)
    return list(declarations), list(session.exec(registrations).all())
