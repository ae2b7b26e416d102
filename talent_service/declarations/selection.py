"""Which declaration holds on a date: one pure rule for the profile, the checks and the tests.

Among the declarations a reader accepts (by verification state; a rejected one is never read),
those in effect on the day (``effective_on`` on or before it; NULL: since before the records)
compete: the one in effect most recently wins (a doctorate awarded in 2024 supersedes a master's
of 2015), then a verified one over one only declared, then the one recorded last.

A declaration that a correction replaces (``corrects_id``) competes no more once the reader
accepts that correction: a party that says its earlier statement was wrong is believed, on every
date (a wrong award date corrected later moves the fact on the dates it was wrong about too).
A correction the reader does not accept (rejected, or only declared when only verified ones
count) leaves the original standing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from talent_service.reference.enums import Source, Verification

EVERY_STATE = frozenset({Verification.declared, Verification.verified})
VERIFIED_ONLY = frozenset({Verification.verified})


@dataclass(frozen=True, slots=True)
class Claim:
    """A declaration as the rule reads it (built from a row, or by a test)."""

    id: int
    value: str | None
    effective_on: date | None
    verification: Verification
    recorded_at: datetime
    source: Source
    source_firm_id: int | None = None
    detail: str | None = None
    corrects_id: int | None = None
    reviewed_by: str | None = None  # who reviewed it (the officer's subject)
    reviewed_at: datetime | None = None


def _rank(claim: Claim) -> tuple[date, bool, datetime, int]:
    return (
        claim.effective_on or date.min,
        claim.verification is Verification.verified,
        claim.recorded_at,
        claim.id,
    )


def holding_on(
    claims: Iterable[Claim], day: date, accept: frozenset[Verification] = EVERY_STATE
) -> Claim | None:
    accepted = [
        c
        for c in claims
        if c.verification in accept and c.verification is not Verification.rejected
    ]
    corrected = {c.corrects_id for c in accepted if c.corrects_id is not None}
    candidates = [
        c
        for c in accepted
        if c.id not in corrected and (c.effective_on is None or c.effective_on <= day)
    ]
    return max(candidates, key=_rank, default=None)
