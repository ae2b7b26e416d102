from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine

from tests.firms import TODAY


@pytest.fixture(autouse=True)
def frozen_day() -> Iterator[date]:
    """Noon in Guangdong on ``TODAY``; time ticks on, so decisions have distinct instants."""
    with time_machine.travel(datetime(2026, 6, 15, 4, 0, tzinfo=UTC), tick=True):
        yield TODAY
