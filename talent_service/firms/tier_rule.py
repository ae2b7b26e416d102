"""Which tier a firm holds on a day: one pure rule for the firm API, eligibility and the tests.

**The tier on day D** is read from the firm's tier periods:

1. only an ``approved`` period counts (a ``submitted`` one awaits the province, a ``rejected``
   one never counts);
2. it covers D: ``valid_from`` is NULL or on or before D, and ``valid_to`` is on or after D
   (both ends are days the certificate is valid). ``valid_from`` NULL means "since before the
   records": a certificate carried over by migration 0003, whose start was never recorded;
3. if several cover D, the one **decided last** holds (``decided_at``, then ``id``): a
   re-tiering is a new approved period, and the province's latest decision about the day wins.
   An approved period without ``decided_at`` (none is written so) ranks before every decided one.

With ``known_at``, periods decided after that instant are left out: the tier on D *as the
registry knew it then*, so a decision taken at ``known_at`` can be reproduced later.

``queries.current_period_id`` is the same rule in SQL, for the firm list's ``tier=`` filter
(tests/firms/test_tier_rule.py checks that the two agree).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from talent_service.reference.enums import FirmTier, Source, TierState

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class TierRow:
    """A tier period as the rule reads it (built from a ``FirmTierPeriod`` row, or by a test)."""

    id: int
    firm_id: int
    tier: FirmTier
    certificate_no: str
    valid_from: date | None
    valid_to: date
    state: TierState
    decided_at: datetime | None
    source: Source = Source.province


def covers(row: TierRow, day: date) -> bool:
    """The period's dates include ``day`` (whatever its state)."""
    return (row.valid_from is None or row.valid_from <= day) and row.valid_to >= day


def _known(row: TierRow, known_at: datetime | None) -> bool:
    return known_at is None or (row.decided_at is not None and row.decided_at <= known_at)


def _rank(row: TierRow) -> tuple[datetime, int]:
    return (row.decided_at or _NEVER, row.id)


def tier_on(
    rows: Iterable[TierRow], day: date, *, known_at: datetime | None = None
) -> TierRow | None:
    """The period that gives one firm its tier on ``day``, or None: no tier that day."""
    candidates = [
        r for r in rows if r.state is TierState.approved and covers(r, day) and _known(r, known_at)
    ]
    return max(candidates, key=_rank, default=None)


def tiers_on(
    rows: Iterable[TierRow], day: date, *, known_at: datetime | None = None
) -> dict[int, TierRow]:
    """``tier_on`` for many firms at once: ``{firm_id: period}``, firms without a tier absent."""
    by_firm: dict[int, list[TierRow]] = {}
    for row in rows:
        by_firm.setdefault(row.firm_id, []).append(row)
    held = {firm: tier_on(own, day, known_at=known_at) for firm, own in by_firm.items()}
    return {firm: row for firm, row in held.items() if row is not None}
