"""A firm's history: its registration and each tier submission and decision, in time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from talent_service.auth.principal import Principal
from talent_service.auth.visibility import get_visible
from talent_service.firms.queries import periods_of
from talent_service.firms.schemas import FirmEvent
from talent_service.models import Firm, FirmTierPeriod
from talent_service.reference.enums import FirmTier, Source, TierState

# At the same instant (the province records and approves at once) the cause comes first.
_ORDER = {
    FirmEvent.registered: 0,
    FirmEvent.tier_submitted: 1,
    FirmEvent.tier_approved: 2,
    FirmEvent.tier_rejected: 2,
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
    events = [Event(firm.created_at, FirmEvent.registered)]
    for period in periods_of(session, firm_id):
        events += _tier_events(period)
    return sorted(events, key=lambda e: (e.at, _ORDER[e.event], e.tier_period_id or 0))
