"""One clock: the province's date, whatever the hour in UTC; nothing else reads the system time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from fastapi.testclient import TestClient

from talent_service.core import clock
from tests.factories import SHANTOU, SHENZHEN, Factory

ROOT = Path(__file__).parents[2]
# Spelled in pieces so that this file does not match itself.
FORBIDDEN = re.compile(r"\b(date\.today|datetime\.(now|utcnow|today)|time\.time)\(")

# 23:30 UTC on 30 June is 07:30 on 1 July in Guangdong; 00:30 on 1 July in Guangdong is still
# 30 June in UTC (16:30). In both, the province's today is 1 July.
INSTANTS = {
    "23:30 UTC": datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
    "00:30 Shanghai": datetime(2026, 6, 30, 16, 30, tzinfo=UTC),
}
PROVINCE_TODAY = date(2026, 7, 1)

# The clock itself, and the 23:30 run's shift of the system clock with the test that checks it.
READ_THE_SYSTEM_CLOCK = {
    "talent_service/core/clock.py",
    "tests/clock_shift/sitecustomize.py",
    "tests/core/test_clock_shift.py",
}


def test_nothing_but_the_clock_reads_the_system_time() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("talent_service", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if path.relative_to(ROOT).as_posix() not in READ_THE_SYSTEM_CLOCK
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert not offenders, f"read the time through talent_service.core.clock: {offenders}"


@pytest.mark.parametrize("instant", INSTANTS.values(), ids=INSTANTS.keys())
def test_today_is_the_provinces_date_at_any_hour(instant: datetime) -> None:
    with time_machine.travel(instant, tick=False):
        assert clock.today() == PROVINCE_TODAY
        assert clock.now() == instant


def test_a_fixed_clock_is_used_and_then_given_back() -> None:
    with clock.use_clock(clock.FixedClock(datetime(2030, 1, 1, 20, 0))):
        assert clock.today() == date(2030, 1, 2)  # 20:00 UTC is 04:00 next day in Guangdong
    assert clock.today() != date(2030, 1, 2)


@pytest.mark.parametrize("instant", INSTANTS.values(), ids=INSTANTS.keys())
def test_date_rules_use_the_provinces_today(
    client: TestClient, make: Factory, instant: datetime
) -> None:
    firm = make.firm(SHANTOU)
    center = make.center(firm, SHENZHEN, opened_on=date(2021, 1, 1))
    with time_machine.travel(instant, tick=False):
        headers = make.firm_user(firm)  # a token issued at that instant
        spell = make.employment(make.talent(firm), firm, center, hired_on=date(2024, 1, 1))
        tomorrow, today = PROVINCE_TODAY + timedelta(days=1), PROVINCE_TODAY
        departure = f"/v1/employments/{spell.id}/departure"
        early = client.post(
            departure,
            json={"departed_on": tomorrow.isoformat(), "reason": "resigned"},
            headers=headers,
        )
        assert early.status_code == 422, early.text
        left = client.post(
            departure,
            json={"departed_on": today.isoformat(), "reason": "resigned"},
            headers=headers,
        )
        assert left.status_code == 200, left.text
        closure = f"/v1/centers/{center.id}/closure"
        too_soon = client.post(closure, json={"closed_on": tomorrow.isoformat()}, headers=headers)
        assert too_soon.status_code == 422, too_soon.text
        closed = client.post(closure, json={"closed_on": today.isoformat()}, headers=headers)
        assert closed.status_code == 200, closed.text
