"""Firms' SELECTs: tier periods of many firms at once, today's tier beside each firm, the queue.

The rule for which period gives a firm its tier on a day is ``firms.tier_rule``; the SQL form
below (``current_period_id``) orders the same way and is kept next to its one user, the list.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ScalarSelect, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import visible
from talent_service.core.pagination import PageParams
from talent_service.firms.tier_rule import TierRow, tiers_on
from talent_service.models import Firm, FirmTierPeriod
from talent_service.reference.enums import FirmTier, TierState

# Ids per IN list: SQLite binds at most 32,766 parameters in one statement.
_CHUNK = 5000
_COLUMNS = (
    FirmTierPeriod.id,
    FirmTierPeriod.firm_id,
    FirmTierPeriod.tier,
    FirmTierPeriod.certificate_no,
    FirmTierPeriod.valid_from,
    FirmTierPeriod.valid_to,
    FirmTierPeriod.state,
    FirmTierPeriod.decided_at,
    FirmTierPeriod.source,
)


def as_row(period: Any) -> TierRow:
    """A period (a row or a selected tuple with the same names) as the rule reads it."""
    return TierRow(
        id=period.id,
        firm_id=period.firm_id,
        tier=period.tier,
        certificate_no=period.certificate_no,
        valid_from=period.valid_from,
        valid_to=period.valid_to,
        state=period.state,
        decided_at=period.decided_at,
        source=period.source,
    )


def _chunks(ids: Collection[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def approved_periods(
    session: Session, firm_ids: Collection[int] | None = None, *, on_or_after: date | None = None
) -> dict[int, list[TierRow]]:
    """The approved tier periods of ``firm_ids`` (None: every firm), ``{firm_id: [period, …]}``
    in id order; with ``on_or_after``, only periods still valid on or after that day.

    One query per 5,000 firms, columns only (no ORM objects): what eligibility reads in bulk.
    Callers pick the period holding on a day with ``tier_rule.tier_on``.
    """
    query = select(*_COLUMNS).where(  # type: ignore[call-overload]
        col(FirmTierPeriod.state) == TierState.approved
    )
    if on_or_after is not None:
        query = query.where(col(FirmTierPeriod.valid_to) >= on_or_after)
    query = query.order_by(col(FirmTierPeriod.id))
    statements = (
        [query]
        if firm_ids is None
        else [query.where(col(FirmTierPeriod.firm_id).in_(chunk)) for chunk in _chunks(firm_ids)]
    )
    periods: dict[int, list[TierRow]] = {}
    for statement in statements:
        for row in session.exec(statement):
            periods.setdefault(row.firm_id, []).append(as_row(row))
    return periods


def tiers_held_on(
    session: Session, firm_ids: Collection[int], day: date, *, known_at: datetime | None = None
) -> dict[int, TierRow]:
    """The period giving each firm its tier on ``day`` (firms without one absent)."""
    periods = approved_periods(session, firm_ids, on_or_after=day)
    return tiers_on((p for own in periods.values() for p in own), day, known_at=known_at)


_CURRENT = aliased(FirmTierPeriod, name="current_tier")


def current_period_id(day: date) -> ScalarSelect[int]:
    """``tier_rule.tier_on`` in SQL, correlated with ``Firm``: the id of the approved period
    covering ``day`` that was decided last (NULL decided_at last), or NULL."""
    return (
        select(col(_CURRENT.id))
        .where(
            col(_CURRENT.firm_id) == col(Firm.id),
            col(_CURRENT.state) == TierState.approved,
            or_(col(_CURRENT.valid_from).is_(None), col(_CURRENT.valid_from) <= day),
            col(_CURRENT.valid_to) >= day,
        )
        .order_by(col(_CURRENT.decided_at).desc().nulls_last(), col(_CURRENT.id).desc())
        .limit(1)
        .correlate(Firm)
        .scalar_subquery()
    )


def firms_page(
    session: Session,
    principal: Principal,
    page: PageParams,
    day: date,
    *,
    home_city_code: str | None = None,
    tier: FirmTier | None = None,
) -> list[tuple[Firm, TierRow | None]]:
    """One page of the firms the caller sees, each with the period giving its tier on ``day``:
    one query (the period is joined by ``current_period_id``, and ``tier=`` filters on it)."""
    query = (
        select(Firm, FirmTierPeriod)
        .outerjoin(FirmTierPeriod, col(FirmTierPeriod.id) == current_period_id(day))
        .where(visible(Firm, principal), col(Firm.id) > page.after_id)
    )
    if home_city_code is not None:
        query = query.where(Firm.home_city_code == home_city_code)
    if tier is not None:
        query = query.where(col(FirmTierPeriod.tier) == tier)
    query = query.order_by(col(Firm.id)).limit(page.limit + 1)
    return [
        (firm, as_row(period) if period is not None else None)
        for firm, period in session.exec(query).all()
    ]


def periods_page(
    session: Session,
    page: PageParams,
    *,
    firm_id: int | None = None,
    state: TierState | None = None,
) -> list[FirmTierPeriod]:
    """Tier periods in id order (the caller has checked it may see ``firm_id``'s, or all)."""
    query = select(FirmTierPeriod).where(col(FirmTierPeriod.id) > page.after_id)
    if firm_id is not None:
        query = query.where(FirmTierPeriod.firm_id == firm_id)
    if state is not None:
        query = query.where(col(FirmTierPeriod.state) == state)
    query = query.order_by(col(FirmTierPeriod.id)).limit(page.limit + 1)
    return list(session.exec(query).all())


def periods_of(session: Session, firm_id: int) -> list[FirmTierPeriod]:
    return list(
        session.exec(
            select(FirmTierPeriod)
            .where(FirmTierPeriod.firm_id == firm_id)
            .order_by(col(FirmTierPeriod.id))
        ).all()
    )


def open_submissions(session: Session, firm_id: int) -> list[FirmTierPeriod]:
    """The firm's certificates awaiting the province."""
    return list(
        session.exec(
            select(FirmTierPeriod).where(
                FirmTierPeriod.firm_id == firm_id,
                col(FirmTierPeriod.state) == TierState.submitted,
            )
        ).all()
    )
