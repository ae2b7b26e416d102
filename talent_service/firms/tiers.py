"""Tier certificates as dated periods: a firm submits one, the province approves or rejects it;
a certificate the province records itself is approved at once. Nothing overwrites a period: a
re-tiering is a new approved period, and ``tier_rule`` reads which one holds on a day."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from talent_service.audit import record as audit
from talent_service.auth.principal import Principal
from talent_service.auth.provenance import source_of
from talent_service.auth.visibility import get_visible
from talent_service.core.clock import today
from talent_service.core.errors import CONFLICT, DomainError, conflict, not_found, rule_violation
from talent_service.core.pagination import PageParams
from talent_service.core.preconditions import check_version
from talent_service.firms.queries import periods_of, periods_page
from talent_service.firms.schemas import TierFields, TierSubmission
from talent_service.models import Firm, FirmTierPeriod
from talent_service.models.base import utcnow
from talent_service.reference.enums import FirmTier, Role, Source, TierState

# A firm's certificates awaiting the province at once: enough for any real firm, and a bound on
# what one firm can put in the province's queue.
MAX_OPEN_SUBMISSIONS = 10


def new_period(
    firm_id: int,
    tier: FirmTier,
    certificate_no: str,
    valid_from: date,
    valid_to: date,
    *,
    by: str,
    source: Source,
    approved: bool,
) -> FirmTierPeriod:
    """A period as ``by`` records it: approved at once (the province), else submitted."""
    now = utcnow()
    return FirmTierPeriod(
        firm_id=firm_id,
        tier=tier,
        certificate_no=certificate_no,
        valid_from=valid_from,
        valid_to=valid_to,
        state=TierState.approved if approved else TierState.submitted,
        source=source,
        submitted_by=by,
        submitted_at=now,
        decided_by=by if approved else None,
        decided_at=now if approved else None,
    )


def certificate_start(data: TierFields, at: str) -> date | None:
    """The first day of the certificate sent with a new firm (absent: today), or a rule
    violation; None without a certificate. A sign-up checks it before anything else, so that
    its answer never depends on what is already registered."""
    if data.tier is None:
        return None
    assert data.tier_expires_on is not None
    valid_from = data.tier_valid_from or today()
    if valid_from > data.tier_expires_on:
        raise rule_violation(
            f"{at}.tier_valid_from",
            f"required for a certificate that expired before today ({data.tier_expires_on})",
        )
    return valid_from


def record_with_firm(
    session: Session, firm: Firm, data: TierFields, *, by: str, approved: bool, at: str
) -> FirmTierPeriod | None:
    """The certificate sent with a new firm, if any (``at``: where the firm sits in the body)."""
    valid_from = certificate_start(data, at)
    if valid_from is None or data.tier is None:
        return None
    assert firm.id is not None and data.tier_certificate_no and data.tier_expires_on
    period = new_period(
        firm.id,
        data.tier,
        data.tier_certificate_no,
        valid_from,
        data.tier_expires_on,
        by=by,
        source=Source.province if approved else Source.firm,
        approved=approved,
    )
    session.add(period)
    session.flush()
    return period


def submit_tier(
    session: Session, principal: Principal, firm_id: int, data: TierSubmission
) -> FirmTierPeriod:
    """The firm submits a certificate for itself (submitted); the province records one (approved).

    The firm's row is locked: one firm's submissions take turns, so the duplicate and the
    open-submission checks below stay true until this unit of work commits.
    """
    get_visible(session, Firm, firm_id, principal, for_update=True)
    existing = periods_of(session, firm_id)
    for period in existing:
        same = (period.tier, period.certificate_no, period.valid_from, period.valid_to) == (
            data.tier,
            data.certificate_no,
            data.valid_from,
            data.valid_to,
        )
        if same and period.state is not TierState.rejected:
            raise conflict(
                f"tier period {period.id} already holds this certificate ({period.state.value})",
                "body.certificate_no",
            )
    by_province = principal.role is Role.province
    open_count = sum(1 for p in existing if p.state is TierState.submitted)
    if not by_province and open_count >= MAX_OPEN_SUBMISSIONS:
        raise DomainError(
            CONFLICT,
            f"{open_count} certificates already await the province; wait for its decisions",
        )
    period = new_period(
        firm_id,
        data.tier,
        data.certificate_no,
        data.valid_from,
        data.valid_to,
        by=principal.subject,
        source=source_of(principal),
        approved=by_province,
    )
    session.add(period)
    session.flush()
    if by_province:  # the province's own entry is approved at once: an approval
        audit.record(session, principal, "firm_tier.record", "firm_tier", period.id, "approved")
    return period


def decide_tier(
    session: Session,
    principal: Principal,
    firm_id: int,
    period_id: int,
    state: TierState,
    note: str | None,
    expected: int | None,
) -> FirmTierPeriod:
    """The province approves or rejects a submitted period (its route admits the province only).

    The period's row is locked (``FOR UPDATE``; SQLite's write transaction holds the database's
    write lock from its start): two decisions take turns, and the second finds it decided (409).
    """
    period = session.exec(
        select(FirmTierPeriod)
        .where(FirmTierPeriod.id == period_id, FirmTierPeriod.firm_id == firm_id)
        .with_for_update()
    ).first()
    if period is None:
        raise not_found("tier period", period_id)
    check_version(period.version, expected)
    if period.state is not TierState.submitted:
        raise DomainError(
            CONFLICT,
            f"tier period {period_id} is {period.state.value} already; "
            "only a submitted period can be decided",
        )
    period.state = state
    period.decided_by = principal.subject
    period.decided_at = utcnow()
    period.decision_note = note
    session.add(period)
    session.flush()
    audit.record(session, principal, "firm_tier.decide", "firm_tier", period_id, state.value)
    return period


def firm_periods(
    session: Session, principal: Principal, firm_id: int, page: PageParams
) -> list[FirmTierPeriod]:
    """A firm's periods in every state, for whoever may see the firm."""
    get_visible(session, Firm, firm_id, principal)
    return periods_page(session, page, firm_id=firm_id)


def queue(
    session: Session, page: PageParams, *, state: TierState | None, firm_id: int | None
) -> list[FirmTierPeriod]:
    """Periods across firms (the province's view: its route admits only the province)."""
    return periods_page(session, page, firm_id=firm_id, state=state)
