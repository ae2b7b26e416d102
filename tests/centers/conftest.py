"""Center tests run on a fixed day, so that effective dates and the back-dating limit are
stated as dates: 2026-06-15 in Guangdong (noon), the clock ticking from there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def fixed_day() -> Iterator[date]:
    with time_machine.travel(datetime(2026, 6, 15, 4, 0, tzinfo=UTC), tick=True):
        yield TODAY
