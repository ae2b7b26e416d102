"""Date rules of employment spells, as pure functions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

# Hires may be registered ahead of the start date, but not absurdly far ahead.
MAX_DAYS_AHEAD = 183


def overlaps(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    """Do two spells share a day? ``end`` is the last day worked; None means still open."""
    return (end is None or other_start <= end) and (other_end is None or start <= other_end)


def first_overlap(
    start: date, end: date | None, others: Iterable[tuple[int, date, date | None]]
) -> int | None:
    """The id of the first other spell sharing a day with [start, end], if any."""
    for spell_id, other_start, other_end in others:
        if overlaps(start, end, other_start, other_end):
            return spell_id
    return None
