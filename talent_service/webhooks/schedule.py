"""When a failed delivery is tried again: exponential backoff over about three days (pure)."""

from __future__ import annotations

from datetime import timedelta

FIRST_DELAY_SECONDS = 10
GROWTH = 3
CAP_SECONDS = 12 * 3600
# The first attempt and 13 retries: 10 s, 30 s, 1.5 min, … 6 h, then 12 h five times (~2.9 days).
MAX_ATTEMPTS = 14
JITTER = 0.1  # ±10 %, so endpoints that failed together are not retried together


def retry_delay(failed_attempts: int, jitter: float = 0.5) -> timedelta | None:
    """The wait after the ``failed_attempts``-th failed attempt, or None when that was the last
    one (the endpoint is then disabled). ``jitter`` in [0, 1) spreads the wait by ±10 % (0.5:
    none), so the function stays pure and a test can pin it."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts counts from 1")
    if failed_attempts >= MAX_ATTEMPTS:
        return None
    base = min(FIRST_DELAY_SECONDS * GROWTH ** (failed_attempts - 1), CAP_SECONDS)
    factor = 1 + JITTER * (2 * min(max(jitter, 0.0), 1.0) - 1)
    return timedelta(seconds=base * factor)


def total_span(jitter: float = 0.5) -> timedelta:
    """From the first attempt to the last, without the time the attempts themselves take."""
    total = timedelta()
    for n in range(1, MAX_ATTEMPTS):
        delay = retry_delay(n, jitter)
        assert delay is not None
        total += delay
    return total
