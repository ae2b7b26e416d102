"""The one clock: 'now' is an aware instant, 'today' is a date in the province (Asia/Shanghai).

Nothing else in the service or its tests reads the system time (a test enforces it). The clock
is injectable: ``use_clock(FixedClock(...))`` for the command line or a test; tests that move
through the day use time-machine, which the system clock follows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

PROVINCE_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still at one instant (naive values are read as UTC)."""

    def __init__(self, at: datetime) -> None:
        self.at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


_clock: Clock = SystemClock()


def now() -> datetime:
    """The current instant in UTC."""
    return _clock.now().astimezone(UTC)


def today() -> date:
    """The province's date now: at 23:30 UTC it is already tomorrow in Guangdong."""
    return _clock.now().astimezone(PROVINCE_TZ).date()


def timestamp() -> float:
    """Seconds since the epoch, for token expiry."""
    return _clock.now().timestamp()


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Read time from ``clock`` inside the block."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous
