"""A firm's history: its registration, the decision on its sign-up, and each tier submission
and decision, in time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible
from talent_service.firms.queries import periods_of
from talent_service.firms.schemas import FirmEvent
from talent_service.models import Firm, FirmSignUpEvent, FirmTierPeriod
from talent_service.reference.enums import FirmTier, SignUpState, Source, TierState

# At the same instant (the province records and approves at once) the cause comes first.
_ORDER = {
    FirmEvent.registered: 0,
    FirmEvent.sign_up_approved: 1,
    FirmEvent.sign_up_rejected: 1,
    FirmEvent.tier_submitted: 1,
    FirmEvent.tier_approved: 2,
    FirmEvent.tier_rejected: 2,
}
_SIGN_UP = {
    SignUpState.approved: FirmEvent.sign_up_approved,
    SignUpState.rejected: FirmEvent.sign_up_rejected,
}
_DECIDED = {
    TierState.approved: FirmEvent.tier_approved,
    TierState.rejected: FirmEvent.tier_rejected,
}


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    event: FirmEvent
    by: str | None = None
    source: Source | None = None
    note: str | None = None
    tier_period_id: int | None = None
    tier: FirmTier | None = None
    certificate_no: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


def _tier_events(period: FirmTierPeriod) -> list[Event]:
    about: dict[str, Any] = {
        "tier_period_id": period.id,
        "tier": period.tier,
        "certificate_no": period.certificate_no,
        "valid_from": period.valid_from,
        "valid_to": period.valid_to,
    }
    events = [
        Event(
            period.submitted_at,
            FirmEvent.tier_submitted,
            by=period.submitted_by,
            source=period.source,
            **about,
        )
    ]
    decided = _DECIDED.get(period.state)
    if decided is not None:
        events.append(
            Event(
                period.decided_at or period.submitted_at,
                decided,
                by=period.decided_by,
                # Only the province decides; a carried-over period was decided by the migration.
                source=Source.migration if period.source is Source.migration else Source.province,
                note=period.decision_note,
                **about,
            )
        )
    return events


def firm_history(session: Session, principal: Principal, firm_id: int) -> list[Event]:
    """What happened to the firm, oldest first, for whoever may see the firm."""
    firm = get_visible(session, Firm, firm_id, principal)
    sign_up = session.exec(
        select(FirmSignUpEvent)
        .where(FirmSignUpEvent.firm_id == firm_id)
        .order_by(col(FirmSignUpEvent.id))
    ).all()
    requested = next((e for e in sign_up if e.state is SignUpState.pending), None)
    events = [
        Event(
            firm.created_at,
            FirmEvent.registered,
            by=requested.recorded_by if requested else None,
            source=requested.source if requested else None,
        )
    ]
    events += [
        Event(e.recorded_at, _SIGN_UP[e.state], by=e.recorded_by, source=e.source, note=e.reason)
        for e in sign_up
        if e.state in _SIGN_UP
    ]
    for period in periods_of(session, firm_id):
        events += _tier_events(period)
    return sorted(events, key=lambda e: (e.at, _ORDER[e.event], e.tier_period_id or 0))
