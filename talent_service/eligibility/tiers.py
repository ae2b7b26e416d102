"""The tier a firm holds on a date, from its approved certificate periods (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from talent_service.eligibility.facts import FIRM_TIER_RANK


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
    """The period in force on ``day`` (valid_from ≤ day ≤ valid_to); of several, the highest
    tier, then the one decided last. None: the firm holds no valid certificate that day."""
    covering = [
        p for p in periods if (p.valid_from is None or p.valid_from <= day) and day <= p.valid_to
    ]
    return max(covering, key=lambda p: (FIRM_TIER_RANK[p.tier], p.decided_at, p.id), default=None)
