"""The issue-10 scenarios run on a fixed day after the as-of date they ask about, so that acts
recorded "after D" can take effect after D without being in the future: today is 2026-09-15 in
Guangdong (noon), D is 2026-07-15, and the back-dating limit (90 days) reaches 2026-06-17."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine

TODAY = date(2026, 9, 15)
D = date(2026, 7, 15)


@pytest.fixture(autouse=True)
def fixed_day() -> Iterator[date]:
    # Time ticks on, so that acts and decisions recorded one after the other have distinct instants.
    with time_machine.travel(datetime(2026, 9, 15, 4, 0, tzinfo=UTC), tick=True):
        yield TODAY
