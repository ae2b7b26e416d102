"""Arranging employment spells for retention tests, and the expected figures computed from the
dates the test wrote (never from what the service read)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import numpy as np

from talent_service.models import Center, Employment, Firm
from talent_service.reference.enums import DepartureReason, Education
from talent_service.retention.survival import spells_from_dates
from tests.factories import Factory

Dates = tuple[date, date | None]
_PEOPLE = itertools.count()


def random_dates(
    seed: int,
    n: int,
    *,
    first: date = date(2019, 1, 1),
    last: date = date(2024, 6, 30),
    mean_tenure: float = 500.0,
    until: date = date(2025, 3, 31),
) -> list[Dates]:
    """Hires between first and last; departures roughly exponential, recorded up to ``until``
    (so an as-of date before ``until`` sees some departures that have not happened yet)."""
    rng = random.Random(seed)
    span = (last - first).days
    out: list[Dates] = []
    for _ in range(n):
        hired = first + timedelta(days=rng.randrange(span + 1))
        # Whole weeks make ties at the same duration likely, as in real records.
        departed = hired + timedelta(days=7 * int(rng.expovariate(7.0 / mean_tenure)))
        out.append((hired, departed if departed <= until else None))
    return out


def add_spells(
    make: Factory,
    firm: Firm,
    dates: Iterable[Dates],
    *,
    center: Center | None = None,
    recruited: bool = True,
    education: Education = Education.master,
) -> list[Employment]:
    """One talent per spell, registered by the firm."""
    spells = []
    for hired, departed in dates:
        # Distinct birth dates keep the synthetic ID numbers distinct (the factory's default
        # varies only a 3-digit sequence, which repeats within a few dozen people).
        birth = date(1975, 1, 1) + timedelta(days=next(_PEOPLE))
        talent = make.talent(firm, number=make.resident_id(birth), education=education)
        spells.append(
            make.employment(
                talent,
                firm,
                center,
                hired_on=hired,
                departed_on=departed,
                departure_reason=DepartureReason.resigned if departed else None,
                recruited_via_program=recruited,
            )
        )
    return spells


def expected(dates: Sequence[Dates], as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """(durations, observed) by the survival core's own date rule, from the dates written."""
    kept = [(h, d) for h, d in dates if h <= as_of]
    hired = np.array([h for h, _ in kept], dtype="datetime64[D]")
    departed = np.array(
        [np.datetime64(d) if d else np.datetime64("NaT") for _, d in kept], dtype="datetime64[D]"
    )
    return spells_from_dates(hired, departed, as_of)
