"""The tier a firm holds on a date, as eligibility reads it: the firms' one rule (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from talent_service.firms.tier_rule import TierRow, tier_on
from talent_service.reference.enums import FirmTier, TierState


@dataclass(frozen=True, slots=True)
class TierRecord:
    """An approved certificate period. ``valid_from`` None: since before the records."""

    id: int
    tier: str
    certificate_no: str
    valid_from: date | None
    valid_to: date
    decided_at: datetime
    decided_by: str
    recorded_at: datetime


def tier_held_on(periods: Iterable[TierRecord], day: date) -> TierRecord | None:
    """The period in force on ``day`` under ``firms.tier_rule.tier_on`` (of several covering the
    day, the one the province decided last). None: the firm holds no valid certificate that day."""
    by_id = {p.id: p for p in periods}
    held = tier_on((_row(p) for p in by_id.values()), day)
    return by_id[held.id] if held is not None else None


def _row(p: TierRecord) -> TierRow:
    return TierRow(
        id=p.id,
        firm_id=0,
        tier=FirmTier(p.tier),
        certificate_no=p.certificate_no,
        valid_from=p.valid_from,
        valid_to=p.valid_to,
        state=TierState.approved,
        decided_at=p.decided_at,
    )
