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

``holding_rows`` is the same rule over arrays, for a whole population at once (the simulation);
tests/declarations/test_selection_rows.py checks it against ``holding_on``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import numpy.typing as npt

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


def holding_rows(
    group: npt.NDArray[np.int64],
    ids: npt.NDArray[np.int64],
    corrects_id: npt.NDArray[np.int64],
    effective: npt.NDArray[np.int64],
    accepted: npt.NDArray[np.bool_],
    day: int,
) -> npt.NDArray[np.int64]:
    """``holding_on`` for many groups (one person's declarations of one fact) at once.

    Rows are declarations sorted by group, then by ``_rank`` (effective date, verified over
    declared, recorded at, id); ``ids`` are unique; ``corrects_id`` is -1 for none; ``effective``
    is a day number, NULL given as any number below every day asked about; ``accepted`` says the
    reader accepts the row's state (a rejected row is never accepted). Returns the index of the
    row holding on ``day`` for each group where one does, in group order.
    """
    n = ids.size
    corrected = np.zeros(n, np.bool_)
    fixes = np.flatnonzero(accepted & (corrects_id >= 0))
    if fixes.size:
        by_id = np.argsort(ids, kind="stable")
        at = np.minimum(np.searchsorted(ids[by_id], corrects_id[fixes]), max(n - 1, 0))
        target = by_id[at]
        # A correction names a declaration of the same person and fact; one naming a row
        # outside its group (or no row read) corrects nothing here, as in ``holding_on``.
        same = (ids[target] == corrects_id[fixes]) & (group[target] == group[fixes])
        corrected[target[same]] = True
    rows = np.flatnonzero(accepted & ~corrected & (effective <= day))
    if rows.size == 0:
        return rows.astype(np.int64)
    last = np.ones(rows.size, np.bool_)
    last[:-1] = group[rows][1:] != group[rows][:-1]
    return rows[last].astype(np.int64)
