"""The province's calendar: 'today' is a date in Asia/Shanghai, whatever the server's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

PROVINCE_TZ = ZoneInfo("Asia/Shanghai")


def today() -> date:
    return datetime.now(PROVINCE_TZ).date()
