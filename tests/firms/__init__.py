"""Firm tiers as dated, approved periods: helpers shared by the tests of this folder."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from talent_service.models import Firm, FirmTierPeriod

TODAY = date(2026, 6, 15)  # the province's date in these tests (tests/firms/conftest.py)


def tier_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tier": "little_giant",
        "certificate_no": "GD-XJR-2026-0042",
        "valid_from": "2026-01-01",
        "valid_to": "2028-12-31",
    }
    return body | overrides


def stored(session: Session) -> dict[str, Any]:
    """Every firm and tier period as the database holds them now (past any identity map)."""
    connection = session.connection()
    return {
        table.name: [
            dict(r) for r in connection.execute(select(table).order_by(table.c.id)).mappings()
        ]
        for table in (Firm.__table__, FirmTierPeriod.__table__)  # type: ignore[attr-defined]
    }


def period_count(session: Session) -> int:
    table = FirmTierPeriod.__table__  # type: ignore[attr-defined]
    return int(session.connection().execute(select(func.count()).select_from(table)).scalar_one())
