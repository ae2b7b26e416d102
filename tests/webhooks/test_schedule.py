from __future__ import annotations

from datetime import timedelta

import pytest

from talent_service.webhooks.schedule import MAX_ATTEMPTS, retry_delay, total_span


def test_retries_back_off_exponentially_to_a_cap() -> None:
    delays = [retry_delay(n) for n in range(1, MAX_ATTEMPTS)]
    assert delays[:4] == [timedelta(seconds=s) for s in (10, 30, 90, 270)]
    assert all(
        a is not None and b is not None and a <= b for a, b in zip(delays, delays[1:], strict=False)
    )
    assert max(d for d in delays if d is not None) == timedelta(hours=12)


def test_retries_span_about_three_days() -> None:
    for jitter in (0.0, 0.5, 0.999):
        assert timedelta(days=2.5) <= total_span(jitter) <= timedelta(days=3.5)


def test_the_last_attempt_gets_no_retry() -> None:
    assert retry_delay(MAX_ATTEMPTS - 1) is not None
    assert retry_delay(MAX_ATTEMPTS) is None
    assert retry_delay(MAX_ATTEMPTS + 5) is None


def test_jitter_spreads_by_ten_percent_at_most() -> None:
    assert retry_delay(3, 0.0) == timedelta(seconds=81)
    assert retry_delay(3, 1.0) == timedelta(seconds=99)
    assert retry_delay(3, -4) == timedelta(seconds=81)  # out of range is clamped


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError):
        retry_delay(0)
